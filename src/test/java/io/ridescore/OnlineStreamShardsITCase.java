package io.ridescore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ridescore.config.InitialPosition;
import io.ridescore.config.KinesisSettings;
import io.ridescore.config.Mode;
import io.ridescore.config.RideScoreOptions;
import io.ridescore.config.TaxiType;
import io.ridescore.event.DeadLetterJson;
import io.ridescore.event.ParquetFiles;
import io.ridescore.event.RideEvent;
import io.ridescore.event.RideEventJson;
import io.ridescore.event.RunSummary;
import io.ridescore.run.JobRunner;
import io.ridescore.testing.KinesisMock;
import io.ridescore.testing.MemoryRideInput;
import io.ridescore.testing.MemoryRun;
import io.ridescore.testing.TestData;
import io.ridescore.tools.ReplayCommand;
import io.ridescore.tools.TripDataGenerator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.Path;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.parquet.example.data.Group;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * online-stream on any shard count. Event time is tracked per shard and a source subtask without a
 * shard goes idle, so rides are scored whether there are fewer, as many or more shards than
 * source subtasks; and a replayed month gives, ride for ride, batch mode's predictions with stream
 * features, with no ride late, on 1 and 4 shards, flat out and paced.
 */
class OnlineStreamShardsITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Refused before the stream features in both modes; the rest of batch's refusals need the dropoff. */
    private static final Set<String> ACTUALS_REASONS =
            Set.of("missing_time", "dropoff_before_pickup", "duration_out_of_range");

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = TestData.miniClusterWithMetrics(4);

    @RegisterExtension
    static final KinesisMock KINESIS = new KinesisMock();

    @TempDir
    static java.nio.file.Path dir;

    static String features;
    static Path month;
    static Map<String, Double> batchPredictions;
    static RunSummary batchSummary;

    @BeforeAll
    static void batchWithStreamFeatures() throws Exception {
        TestData.history(dir, 5, 10_000);
        features = dir.resolve(TestData.FEATURES).toString();

        month = new Path(dir.resolve("green_tripdata_2021-02.parquet").toString());
        new TripDataGenerator(5).write(YearMonth.of(2021, 2), 3_000, TaxiType.GREEN, month, n -> {});
        Configuration batch = new Configuration();
        batch.set(RideScoreOptions.MODE, Mode.BATCH);
        batch.set(RideScoreOptions.STREAM_FEATURES, true);
        batch.set(RideScoreOptions.INPUT, month.toString());
        batch.set(RideScoreOptions.FEATURES, features);
        batch.set(RideScoreOptions.OUTPUT, dir.resolve("batch/predictions").toString());
        batch.set(
                RideScoreOptions.DEAD_LETTERS, dir.resolve("batch/dead_letters").toString());
        batch.set(RideScoreOptions.PARALLELISM, 2);
        batchSummary = JobRunner.run(batch, new PrintStream(new ByteArrayOutputStream()));
        batchPredictions = new HashMap<>();
        try (Stream<java.nio.file.Path> parts = Files.list(dir.resolve("batch/predictions"))) {
            for (java.nio.file.Path part :
                    parts.filter(p -> p.toString().endsWith(".parquet")).toList()) {
                for (Group row : ParquetFiles.readAll(new Path(part.toString()))) {
                    batchPredictions.put(row.getString("ride_id", 0), row.getDouble("predicted_duration", 0));
                }
            }
        }
        assertThat(batchPredictions).hasSize((int) batchSummary.scored());
    }

    private static Configuration onlineStream(KinesisSettings k, int parallelism) {
        Configuration conf = k.applyTo(new Configuration());
        conf.set(RideScoreOptions.MODE, Mode.ONLINE_STREAM);
        conf.set(RideScoreOptions.INITIAL_POSITION, InitialPosition.TRIM_HORIZON);
        conf.set(RideScoreOptions.FEATURES, features);
        conf.set(RideScoreOptions.PARALLELISM, parallelism);
        return conf;
    }

    /** The reference's 1-shard streams left online-stream scoring nothing: the subtask without a shard held event time. */
    @ParameterizedTest(name = "{0} shards, parallelism {1}")
    @CsvSource({"1, 2", "2, 2", "3, 2", "1, 4", "2, 4", "3, 4"})
    void twentyEventsPutToARunningJobAreAllScored(int shards, int parallelism) throws Exception {
        KinesisSettings k = KINESIS.settings("shards" + shards + "p" + parallelism);
        KINESIS.createStreams(k, shards);
        JobRunner.Started job =
                JobRunner.start(onlineStream(k, parallelism), new PrintStream(new ByteArrayOutputStream()));
        try {
            List<Map.Entry<String, String>> events = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                RideEvent ride = new RideEvent(
                        "z" + i, false, 1 + i % 5, 50, 2.5, 1_612_137_600_000_000L + i * 20_000_000L, null, null);
                events.add(Map.entry(ride.rideId, RideEventJson.encode(ride)));
            }
            KINESIS.put(k.inputStream(), events);
            assertThat(KINESIS.readAll(k.outputStream(), 20, Duration.ofSeconds(60)))
                    .hasSize(20);
            assertThat(KINESIS.readAll(k.deadLetterStream(), 0, Duration.ofSeconds(1)))
                    .isEmpty();
        } finally {
            job.client().cancel().get();
            KINESIS.deleteStreams(k);
        }
    }

    /**
     * A month through the online topology with in-memory ends, its records spread over 1 or 4
     * shards: every ride gets the bit-identical prediction of batch mode with stream features, no
     * ride is late, and the refusals agree by reason.
     */
    @ParameterizedTest(name = "{0} shards")
    @ValueSource(ints = {1, 4})
    void aMonthThroughTheOnlineTopologyMatchesBatchRideForRide(int shards) throws Exception {
        List<ReplayCommand.Event> events = ReplayCommand.events(month, 0);
        Configuration conf = new Configuration();
        conf.set(RideScoreOptions.MODE, Mode.ONLINE_STREAM);
        conf.set(RideScoreOptions.FEATURES, features);
        conf.set(RideScoreOptions.PARALLELISM, 2);
        MemoryRun run = MemoryRun.of(
                conf,
                MemoryRideInput.utf8(
                        events.stream().map(ReplayCommand.Event::payload).toList()),
                shards);
        assertThat(run.counts().in()).isEqualTo(events.size());
        assertMatchesBatch(run.predictions(), run.deadLetters(), events.size());
    }

    /**
     * The same month replayed by the replay tool to kinesis-mock at 400 events/s, on one shard read by
     * two source subtasks (the reference's layout that once scored nothing), at the default
     * out-of-orderness of 500 ms: the same predictions, none late.
     */
    @Test
    void aMonthReplayedToKinesisMatchesBatchRideForRide() throws Exception {
        KinesisSettings k = KINESIS.settings("replay");
        KINESIS.createStreams(k, 1);
        JobRunner.Started job = JobRunner.start(onlineStream(k, 2), new PrintStream(new ByteArrayOutputStream()));
        try {
            List<ReplayCommand.Event> events = ReplayCommand.events(month, 0);
            assertThat(ReplayCommand.send(KINESIS.client(), k.inputStream(), events, 400))
                    .isEqualTo(events.size());
            int expectedScored = expectedScored();
            List<String> predictions = KINESIS.readAll(k.outputStream(), expectedScored, Duration.ofSeconds(120));
            List<String> letters =
                    KINESIS.readAll(k.deadLetterStream(), events.size() - expectedScored, Duration.ofSeconds(20));
            assertMatchesBatch(predictions, letters, events.size());
        } finally {
            job.client().cancel().get();
            KINESIS.deleteStreams(k);
        }
    }

    /** Batch refuses some rides for their actuals (the dropoff), which events do not carry: online scores those. */
    private static int expectedScored() {
        long refusedForActuals = ACTUALS_REASONS.stream()
                .mapToLong(r -> batchSummary.deadLetteredByReason().getOrDefault(r, 0L))
                .sum();
        return (int) (batchSummary.scored() + refusedForActuals);
    }

    private static void assertMatchesBatch(List<String> predictions, List<String> letters, int events)
            throws Exception {
        Map<String, Long> expectedLetters = new TreeMap<>(batchSummary.deadLetteredByReason());
        ACTUALS_REASONS.forEach(expectedLetters::remove);
        Map<String, Long> reasons = new TreeMap<>();
        letters.forEach(l -> reasons.merge(DeadLetterJson.decode(l).reason, 1L, Long::sum));
        assertThat(reasons).doesNotContainKey("late_event").isEqualTo(expectedLetters);
        assertThat(predictions).hasSize(expectedScored());
        assertThat(predictions.size() + letters.size()).isEqualTo(events);
        Map<String, Double> online = new HashMap<>();
        for (String p : predictions) {
            JsonNode node = JSON.readTree(p);
            online.put(
                    node.get("prediction").get("ride_id").asText(),
                    node.get("prediction").get("ride_duration").asDouble());
        }
        assertThat(online).hasSize(expectedScored()).containsAllEntriesOf(batchPredictions);
    }
}
