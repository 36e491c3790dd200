package io.ridescore.tools;

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
}
