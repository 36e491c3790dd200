package io.ridescore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ridescore.config.Mode;
import io.ridescore.config.RideScoreOptions;
import io.ridescore.event.RideEvent;
import io.ridescore.event.RideEventJson;
import io.ridescore.testing.HostileCorpus;
import io.ridescore.testing.MemoryRun;
import io.ridescore.testing.TestData;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole hostile corpus through the online topology (MiniCluster, in-memory ends, two shards),
 * each hostile record followed by a valid ride: every input ends as exactly one prediction or dead
 * letter (the right one), the valid ride after each hostile one is scored, and the job runs to its
 * end without a restart. The Kinesis ends have their own tests (KinesisRecordSinkITCase, OnlineModesITCase).
 */
class HostileStreamITCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = TestData.miniCluster();

    @TempDir
    static Path dir;

    @Test
    void everyHostileRecordEndsAsOneOutputAndTheJobNeverRestarts() throws Exception {
        TestData.history(dir, 5, 5_000);
        List<HostileCorpus.Case> corpus = HostileCorpus.load();
        List<byte[]> records = new ArrayList<>();
        List<String> expectedIds = new ArrayList<>();
        for (int i = 0; i < corpus.size(); i++) {
            HostileCorpus.Case c = corpus.get(i);
            records.add(c.payload());
            if (c.scored()) {
                expectedIds.add(c.rideId());
            }
            RideEvent valid = new RideEvent(
                    "v" + i,
                    false,
                    1 + (i * 37) % 265,
                    1 + (i * 11) % 265,
                    1.5 + i % 7,
                    1_612_137_600_000_000L + i * 1_000_000L,
                    null,
                    null);
            records.add(RideEventJson.encode(valid).getBytes(StandardCharsets.UTF_8));
            expectedIds.add(valid.rideId);
        }
        Map<String, Long> expectedReasons = corpus.stream()
                .filter(c -> !c.scored())
                .collect(Collectors.groupingBy(HostileCorpus.Case::expect, TreeMap::new, Collectors.counting()));

        Configuration conf = new Configuration();
        conf.set(RideScoreOptions.MODE, Mode.ONLINE);
        conf.set(RideScoreOptions.FEATURES, dir.resolve(TestData.FEATURES).toString());
        conf.set(RideScoreOptions.PARALLELISM, 2);
        MemoryRun run = MemoryRun.of(conf, records, 2);

        assertThat(run.counts().in()).isEqualTo(records.size());
        assertThat(run.predictions().size() + run.deadLetters().size())
                .as("in = delivered + dead-lettered")
                .isEqualTo(records.size());
        List<String> ids = new ArrayList<>();
        for (String p : run.predictions()) {
            ids.add(JSON.readTree(p).get("prediction").get("ride_id").asText());
        }
        assertThat(ids).containsExactlyInAnyOrderElementsOf(expectedIds);

        Map<String, Long> reasons = new TreeMap<>();
        Map<String, String> reasonByPayload = new HashMap<>();
        for (String l : run.deadLetters()) {
            JsonNode letter = JSON.readTree(l);
            reasons.merge(letter.get("reason").asText(), 1L, Long::sum);
            reasonByPayload.put(
                    letter.get("payload").asText(), letter.get("reason").asText());
            assertThat(letter.get("payload_escaped") != null)
                    .isEqualTo(letter.get("reason").asText().equals("bad_encoding"));
        }
        assertThat(reasons).isEqualTo(expectedReasons);
        for (HostileCorpus.Case c : corpus) {
            if (!c.scored() && !c.expect().equals("bad_encoding") && !c.expect().equals("oversized_payload")) {
                assertThat(reasonByPayload.get(new String(c.payload(), StandardCharsets.UTF_8)))
                        .as(c.name())
                        .isEqualTo(c.expect());
            }
        }
    }
}
