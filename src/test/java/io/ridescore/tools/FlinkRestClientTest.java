package io.ridescore.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A job refused by its own checks in the JobManager comes back from Flink's REST API as a stack
 * trace; the user gets the checks' lines from it. The answer here is a real one: Flink 1.20.1's
 * {@code /jars/<id>/run} for a month whose input, model and feature table are all missing.
 */
class FlinkRestClientTest {
    @Test
    void aRefusedRunReadsAsTheJobsOwnLines() throws Exception {
        String answer = Files.readString(Path.of("src/test/resources/flink-rest/run-refused.json"));

        assertThat(FlinkRestClient.refusal(answer))
                .contains("input not found: /nonexist/raw/green_tripdata_2021-03.parquet"
                        + " (generate a month with: scripts/ridescore datagen --months YYYY-MM)\n"
                        + "model not found: /nonexistent.pmml\n"
                        + "batch feature table not found: /nonexist/features/batch_features.parquet"
                        + " (build one with: scripts/ridescore features --months YYYY-MM)");
    }

    @Test
    void anAnswerWithoutACauseOrNotJsonLeavesTheStatusLine() {
        assertThat(FlinkRestClient.refusal("{\"errors\":[\"Not found: /jars/x/run\"]}"))
                .isEmpty();
        assertThat(FlinkRestClient.refusal("<html>502 Bad Gateway</html>")).isEmpty();
    }

    /** A real answer of a cluster scripts/cluster started (its classpath shortened to four entries). */
    @Test
    void aClusterServesTheLibrariesWhenItsJobManagerHasTheirJar() throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode serving = json.readTree(Path.of("src/test/resources/flink-rest/jobmanager-environment.json")
                .toFile());
        assertThat(FlinkRestClient.servesLibraries(serving)).isTrue();

        ((ObjectNode) serving)
                .putArray("classpath")
                .add("/opt/flink/lib/flink-dist-1.20.1.jar")
                .add("/opt/flink/lib/not-ridescore-libraries.jar");
        assertThat(FlinkRestClient.servesLibraries(serving)).isFalse();
        assertThat(FlinkRestClient.servesLibraries(json.readTree("{}"))).isFalse();
    }
}
