package io.ridescore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ridescore.config.KinesisSettings;
import io.ridescore.config.Mode;
import io.ridescore.config.RideScoreOptions;
import io.ridescore.event.DeadLetter;
import io.ridescore.event.DeadLetterJson;
import io.ridescore.event.RideEvent;
import io.ridescore.event.RideEventJson;
import io.ridescore.features.BatchFeatureTable;
import io.ridescore.model.Agreement;
import io.ridescore.model.ModelLoader;
import io.ridescore.model.ModelSpec;
import io.ridescore.model.PmmlScorer;
import io.ridescore.run.JobRunner;
import io.ridescore.testing.FakeMlflow;
import io.ridescore.testing.JpmmlReference;
import io.ridescore.testing.KinesisMock;
import io.ridescore.testing.MemoryRideInput;
import io.ridescore.testing.MemoryRun;
import io.ridescore.testing.TestData;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The online mode on a MiniCluster (parallelism 2): the contract and its refusals exactly, with
 * in-memory ends; at-least-once across a TaskManager loss and a model promoted mid-stream, against a
 * real kinesis-mock (the Kinesis ends' smoke tests).
 */
class OnlineModesITCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = TestData.miniCluster();

    @RegisterExtension
    static final KinesisMock KINESIS = new KinesisMock();

    @TempDir
    static Path dir;

    static String features;
    static BatchFeatureTable table;

    @BeforeAll
    static void featureTable() throws Exception {
        table = TestData.history(dir, 5, 20_000);
        features = dir.resolve(TestData.FEATURES).toString();
    }

    private static Configuration online(Mode mode, KinesisSettings k) {
        Configuration conf = k.applyTo(new Configuration());
        conf.set(RideScoreOptions.MODE, mode);
        conf.set(RideScoreOptions.FEATURES, features);
        conf.set(RideScoreOptions.PARALLELISM, 2);
        conf.set(RideScoreOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(2));
        return conf;
    }

    private static long micros(String isoLocal) {
        return LocalDateTime.parse(isoLocal).toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
    }

    private static Map.Entry<String, String> event(String key, String payload) {
        return Map.entry(key, payload);
    }

    @Test
    void onlineAnswersTheContractAndDeadLettersEveryKindOfBadRecord() throws Exception {
        String example = "{\"ride\": {\"PULocationID\": 130, \"DOLocationID\": 205, \"trip_distance\": 3.66,"
                + " \"pickup_datetime\": \"2021-01-01T00:15:56\"}, \"ride_id\": 156}";
        List<Map.Entry<String, String>> good = new ArrayList<>(
                List.of(
                        event("156", example),
                        event(
                                "abc-1",
                                "{\"ride\": {\"PULocationID\": 10, \"DOLocationID\": 50, \"trip_distance\": 40,"
                                        + " \"pickup_datetime\": \"2021-03-02T08:01:00\"}, \"ride_id\": \"abc-1\"}"),
                        event(
                                "no-time",
                                "{\"ride\": {\"PULocationID\": 10, \"DOLocationID\": 50, \"trip_distance\": 4}, \"ride_id\": \"no-time\"}")));
        // What each good event says, written out by hand (not parsed by the job's parser).
        Map<String, RideEvent> inputs = new HashMap<>(Map.of(
                "156", new RideEvent("156", true, 130, 205, 3.66, micros("2021-01-01T00:15:56"), null, null),
                "abc-1", new RideEvent("abc-1", false, 10, 50, 40.0, micros("2021-03-02T08:01:00"), null, null)));
        for (int i = 0; i < 20; i++) {
            RideEvent r = new RideEvent(
                    "g" + i,
                    false,
                    1 + i * 13,
                    265 - i * 7,
                    0.5 + i,
                    1_614_556_800_000_000L + i * 977_000_000L,
                    null,
                    null);
            good.add(event(r.rideId, RideEventJson.encode(r)));
            inputs.put(r.rideId, r);
        }
        Map<String, String> bad = new TreeMap<>(Map.ofEntries(
                Map.entry("not json at all", "bad_json"),
                Map.entry("[1, 2, 3]", "bad_json"),
                Map.entry(
                        "{\"ride\": {\"PULocationID\": 1, \"DOLocationID\": 2, \"trip_distance\": 1}}",
                        "missing_field"),
                Map.entry("{\"ride_id\": 7}", "missing_field"),
                Map.entry(
                        "{\"ride\": {\"PULocationID\": \"130\", \"DOLocationID\": 2, \"trip_distance\": 1}, \"ride_id\": 8}",
                        "wrong_type"),
                Map.entry(
                        "{\"ride\": {\"PULocationID\": 130.5, \"DOLocationID\": 2, \"trip_distance\": 1}, \"ride_id\": 9}",
                        "wrong_type"),
                Map.entry(
                        "{\"ride\": {\"PULocationID\": 1, \"DOLocationID\": 2, \"trip_distance\": 1}, \"ride_id\": {\"a\": 1}}",
                        "wrong_type"),
                Map.entry(
                        "{\"ride\": {\"PULocationID\": 1, \"DOLocationID\": 2, \"trip_distance\": NaN}, \"ride_id\": 10}",
                        "non_finite_distance"),
                Map.entry(
                        "{\"ride\": {\"PULocationID\": 1, \"DOLocationID\": 2, \"trip_distance\": -1.5}, \"ride_id\": 11}",
                        "non_positive_distance"),
                Map.entry(
                        "{\"ride\": {\"PULocationID\": 999, \"DOLocationID\": 2, \"trip_distance\": 1}, \"ride_id\": 12}",
                        "unknown_zone"),
                Map.entry(
                        "{\"ride\": {\"DOLocationID\": 2, \"trip_distance\": 1}, \"ride_id\": 13}", "missing_location"),
                Map.entry(
                        "{\"ride\": {\"PULocationID\": 1, \"DOLocationID\": 2, \"trip_distance\": 1, \"pickup_datetime\": \"yesterday\"}, \"ride_id\": 14}",
                        "bad_timestamp"),
                Map.entry(
                        "{\"ride\": {\"PULocationID\": 1, \"DOLocationID\": 2, \"trip_distance\": 1}, \"ride_id\": 15, \"pad\": \""
                                + "x".repeat(70_000) + "\"}",
                        "oversized_payload")));
        List<String> all =
                new ArrayList<>(good.stream().map(Map.Entry::getValue).toList());
        all.addAll(bad.keySet());
        MemoryRun run = MemoryRun.of(online(Mode.ONLINE, KINESIS.settings("online")), MemoryRideInput.utf8(all), 2);
        List<String> predictions = run.predictions();
        List<String> letters = run.deadLetters();
        assertThat(run.counts().in()).isEqualTo(all.size());

        PmmlScorer scorer = new PmmlScorer(ModelLoader.load(new ModelSpec("pmml/ride_duration.pmml", null)), false);
        JpmmlReference reference = new JpmmlReference(Files.readAllBytes(Path.of("pmml/ride_duration.pmml")), table);
        Map<String, JsonNode> byId = new HashMap<>();
        for (String p : predictions) {
            JsonNode node = JSON.readTree(p);
            assertThat(node.get("model").asText()).isEqualTo("ride_duration_prediction_model");
            assertThat(node.get("version").asText()).isEqualTo(scorer.modelVersion());
            byId.put(node.get("prediction").get("ride_id").asText(), node);
        }
        assertThat(predictions).hasSize(good.size());
        assertThat(byId.get("156").get("prediction").get("ride_id").isNumber()).isTrue();
        assertThat(byId.get("abc-1").get("prediction").get("ride_id").isTextual())
                .isTrue();
        for (Map.Entry<String, String> e : good) {
            if (e.getKey().equals("no-time")) {
                continue; // its event time is its arrival time
            }
            double expected = reference.score(inputs.get(e.getKey()));
            assertThat(byId.get(e.getKey())
                            .get("prediction")
                            .get("ride_duration")
                            .asDouble())
                    .as(e.getKey())
                    .isEqualTo(expected);
        }

        Map<String, String> refused = new TreeMap<>();
        for (String l : letters) {
            DeadLetter letter = DeadLetterJson.decode(l);
            refused.put(letter.payload, letter.reason);
        }
        assertThat(letters).hasSize(bad.size());
        Map<String, String> expectedLetters = new TreeMap<>(); // a letter keeps the first 64 Ki characters of a payload
        bad.forEach((payload, reason) -> expectedLetters.put(
                payload.substring(0, Math.min(payload.length(), DeadLetterJson.MAX_PAYLOAD_CHARS)), reason));
        assertThat(refused).isEqualTo(expectedLetters);
    }

    /** At-least-once across a failure: a TaskManager dies mid-stream, the job restarts from its checkpoint. */
    @Test
    void aRestartFromACheckpointLosesNoEvent(@InjectMiniCluster MiniCluster cluster) throws Exception {
        KinesisSettings k = KINESIS.settings("restart");
        KINESIS.createStreams(k, 2);
        KINESIS.put(k.inputStream(), events(0, 200));
        JobRunner.Started job = JobRunner.start(online(Mode.ONLINE, k), new PrintStream(new ByteArrayOutputStream()));
        try {
            assertThat(rideIds(KINESIS.readAll(k.outputStream(), 200, Duration.ofSeconds(90))))
                    .hasSize(200);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (completedCheckpoints(cluster, job) < 2 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(completedCheckpoints(cluster, job)).isGreaterThanOrEqualTo(2);

            cluster.terminateTaskManager(0).get();
            cluster.startTaskManager();
            KINESIS.put(k.inputStream(), events(200, 400));

            List<String> predictions =
                    KINESIS.readUntil(k.outputStream(), p -> rideIds(p).size() >= 400, Duration.ofSeconds(120));
            assertThat(rideIds(predictions)).hasSize(400); // every ride, duplicates allowed (at-least-once)
            assertThat(job.client().getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
            // It restarted from a checkpoint, not from the start of the stream: the restore is on
            // record, and the first 200 rides (checkpointed as read) were not all predicted again.
            var restored = cluster.getArchivedExecutionGraph(job.client().getJobID())
                    .get()
                    .getCheckpointStatsSnapshot()
                    .getLatestRestoredCheckpoint();
            assertThat(restored).isNotNull();
            assertThat(restored.getCheckpointId()).isGreaterThanOrEqualTo(2);
            assertThat(predictions.size()).isLessThan(200 + 400);
        } finally {
            job.client().cancel().get();
        }
    }

    /**
     * The registry's Production stage moves to a retrained version mid-stream: it goes live with no
     * restart and no lost ride, and every prediction carries the version that made it. A registry
     * outage does not swap to the fallback, and a broken release is refused while version 2 serves.
     */
    @Test
    void aPromotedVersionGoesLiveMidStream() throws Exception {
        byte[] v1 = Files.readAllBytes(Path.of("pmml/ride_duration.pmml"));
        String shipped = new String(v1, StandardCharsets.UTF_8);
        byte[] v2 = shipped.replaceFirst("intercept=\"[^\"]+\"", "intercept=\"4.25\"")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(v2).isNotEqualTo(v1);
        Map<String, JpmmlReference> byVersion =
                Map.of("1", new JpmmlReference(v1, table), "2", new JpmmlReference(v2, table));
        KinesisSettings k = KINESIS.settings("swap");
        KINESIS.createStreams(k, 2);
        try (FakeMlflow mlflow = new FakeMlflow()) {
            mlflow.register("ride-duration", "1", "Production", "run-1", v1);
            Configuration conf = online(Mode.ONLINE, k);
            conf.set(RideScoreOptions.MODEL, "models:/ride-duration/Production");
            conf.set(RideScoreOptions.MLFLOW_TRACKING_URI, mlflow.uri());
            conf.set(RideScoreOptions.MODEL_FALLBACK, "pmml/ride_duration.pmml");
            conf.set(RideScoreOptions.MODEL_POLL_INTERVAL, Duration.ofMillis(300));
            KINESIS.put(k.inputStream(), events(0, 100));
            JobRunner.Started job = JobRunner.start(conf, new PrintStream(new ByteArrayOutputStream()));
            try {
                int sent = 100;
                assertThat(versions(KINESIS.readAll(k.outputStream(), sent, Duration.ofSeconds(90)), byVersion))
                        .containsOnly(Map.entry("1", 100L));

                mlflow.register("ride-duration", "2", "Production", "run-2", v2);
                sent = probeUntilVersionServes(k, sent, "2", byVersion);
                long probes = sent - 100;

                mlflow.setDown(true); // polls now fail; the fallback must not replace version 2
                awaitRequests(mlflow, 3);
                KINESIS.put(k.inputStream(), events(sent, sent + 100));
                sent += 100;
                int duringOutage = sent;
                // Read them while the registry is still down (several polls fail meanwhile), then bring it back.
                List<String> outage = KINESIS.readUntil(
                        k.outputStream(), p -> rideIds(p).size() >= duringOutage, Duration.ofSeconds(60));
                assertThat(rideIds(outage)).hasSize(duringOutage);
                assertThat(versionsOf(outage, duringOutage - 100, duringOutage, byVersion))
                        .containsOnly(Map.entry("2", 100L));
                mlflow.setDown(false);
                mlflow.register(
                        "ride-duration",
                        "3",
                        "Production",
                        "run-3",
                        "<PMML>an upload cut short".getBytes(StandardCharsets.UTF_8));
                awaitRequests(mlflow, 4);
                KINESIS.put(k.inputStream(), events(sent, sent + 100));
                sent += 100;

                List<String> predictions = KINESIS.readAll(k.outputStream(), sent, Duration.ofSeconds(90));
                assertThat(rideIds(predictions)).hasSize(sent).hasSize(predictions.size()); // each ride once
                Map<String, Long> labels = versions(predictions, byVersion);
                assertThat(labels.get("1") + labels.get("2")).isEqualTo(sent);
                assertThat(labels.get("2"))
                        .as("the last 200 rides and at least the last probes")
                        .isBetween(210L, 200L + probes);
                assertThat(KINESIS.readAll(k.deadLetterStream(), 0, Duration.ofSeconds(1)))
                        .isEmpty();
            } finally {
                job.client().cancel().get();
            }
        }
    }

    /**
     * Promote on evidence: the registry's Staging version is scored in shadow beside Production on
     * real Kinesis streams, each model's predictions exactly its own on its own stream, the progress
     * lines give the agreement the two streams show, and moving Staging to Production puts it live
     * with no restart.
     */
    @Test
    void aStagingChallengerIsShadowedLiveAndThenPromotedWithoutARestart() throws Exception {
        byte[] v1 = Files.readAllBytes(Path.of("pmml/ride_duration.pmml"));
        byte[] v2 = new String(v1, StandardCharsets.UTF_8)
                .replaceFirst("intercept=\"[^\"]+\"", "intercept=\"4.25\"")
                .getBytes(StandardCharsets.UTF_8);
        Map<String, JpmmlReference> byVersion =
                Map.of("1", new JpmmlReference(v1, table), "2", new JpmmlReference(v2, table));
        KinesisSettings k = KINESIS.settings("shadow");
        KINESIS.createStreams(k, 2);
        String shadowStream = "shadow_predictions_shadow";
        KINESIS.createStream(shadowStream, 1);
        try (FakeMlflow mlflow = new FakeMlflow()) {
            mlflow.register("ride-duration", "1", "Production", "run-1", v1);
            mlflow.register("ride-duration", "2", "Staging", "run-2", v2);
            Configuration conf = online(Mode.ONLINE, k);
            conf.set(RideScoreOptions.MODEL, "models:/ride-duration/Production");
            conf.set(RideScoreOptions.CHALLENGER, "models:/ride-duration/Staging");
            conf.set(RideScoreOptions.MLFLOW_TRACKING_URI, mlflow.uri());
            conf.set(RideScoreOptions.MODEL_POLL_INTERVAL, Duration.ofMillis(300));
            conf.set(RideScoreOptions.SHADOW_STREAM, shadowStream);
            KINESIS.put(k.inputStream(), events(0, 100));
            ByteArrayOutputStream console = new ByteArrayOutputStream();
            PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);
            JobRunner.Started job = JobRunner.start(conf, out);
            Thread follower = new Thread(() -> {
                try {
                    JobRunner.finish(job, out);
                } catch (Exception cancelledAtTheEnd) {
                    // the test cancels the job
                }
            });
            follower.setDaemon(true);
            follower.start();
            try {
                List<String> served = KINESIS.readAll(k.outputStream(), 100, Duration.ofSeconds(90));
                List<String> shadow = KINESIS.readAll(shadowStream, 100, Duration.ofSeconds(60));
                assertThat(versions(served, byVersion)).containsOnly(Map.entry("1", 100L));
                assertThat(versions(shadow, byVersion)).containsOnly(Map.entry("2", 100L));

                Map<String, Double> challenger = new HashMap<>();
                for (String p : shadow) {
                    JsonNode prediction = JSON.readTree(p).get("prediction");
                    challenger.put(
                            prediction.get("ride_id").asText(),
                            prediction.get("ride_duration").asDouble());
                }
                Agreement expected = new Agreement();
                for (String p : served) {
                    JsonNode prediction = JSON.readTree(p).get("prediction");
                    expected.add(
                            prediction.get("ride_duration").asDouble(),
                            challenger.get(prediction.get("ride_id").asText()));
                }
                String line = "shadow ride-duration@1 -> ride-duration@2: last 10s ";
                String whole = "; whole run " + expected.describe() + "; challenger refused 0";
                long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
                while (!console.toString(StandardCharsets.UTF_8).contains(whole) && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                assertThat(console.toString(StandardCharsets.UTF_8))
                        .contains(line)
                        .contains(whole);

                mlflow.transition("ride-duration", "2", "Production");
                probeUntilVersionServes(k, 100, "2", byVersion);
                assertThat(KINESIS.readAll(k.deadLetterStream(), 0, Duration.ofSeconds(1)))
                        .isEmpty();
            } finally {
                job.client().cancel().get();
            }
        }
    }

    /**
     * Puts probes of 10 rides (over both shards) until a whole batch comes back from {@code version},
     * for at most 60 s; returns how many rides have been sent in all.
     */
    private static int probeUntilVersionServes(
            KinesisSettings k, int sent, String version, Map<String, JpmmlReference> byVersion) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long fromVersion = versions(KINESIS.readAll(k.outputStream(), sent, Duration.ofSeconds(30)), byVersion)
                .getOrDefault(version, 0L);
        boolean all = false;
        while (!all && System.nanoTime() < deadline) {
            KINESIS.put(k.inputStream(), events(sent, sent + 10));
            sent += 10;
            long now = versions(KINESIS.readAll(k.outputStream(), sent, Duration.ofSeconds(30)), byVersion)
                    .getOrDefault(version, 0L);
            all = now - fromVersion == 10;
            fromVersion = now;
        }
        assertThat(all).as("version %s went live within 60 s", version).isTrue();
        return sent;
    }

    /** Counts predictions per version label, checking each value is exactly what that version predicts. */
    private static Map<String, Long> versions(List<String> predictions, Map<String, JpmmlReference> byVersion)
            throws Exception {
        return versionsOf(predictions, 0, Integer.MAX_VALUE, byVersion);
    }

    /** The same, for the rides e{from}..e{to - 1} only. */
    private static Map<String, Long> versionsOf(
            List<String> predictions, int from, int to, Map<String, JpmmlReference> byVersion) throws Exception {
        Map<String, Long> counts = new TreeMap<>();
        for (String p : predictions) {
            JsonNode node = JSON.readTree(p);
            int i = Integer.parseInt(
                    node.get("prediction").get("ride_id").asText().substring(1));
            if (i < from || i >= to) {
                continue;
            }
            String version = node.get("version").asText();
            assertThat(node.get("model").asText()).isEqualTo("ride-duration");
            assertThat(byVersion).containsKey(version);
            assertThat(node.get("prediction").get("ride_duration").asDouble())
                    .as("ride e%d by version %s", i, version)
                    .isEqualTo(byVersion.get(version).score(ride(i)));
            counts.merge(version, 1L, Long::sum);
        }
        return counts;
    }

    /** Waits (bounded) until the registry has answered this many more requests: that many polls happened. */
    private static void awaitRequests(FakeMlflow mlflow, int more) throws InterruptedException {
        int target = mlflow.requests().size() + more;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (mlflow.requests().size() < target && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(mlflow.requests().size()).isGreaterThanOrEqualTo(target);
    }

    private static long completedCheckpoints(MiniCluster cluster, JobRunner.Started job) throws Exception {
        return cluster.getArchivedExecutionGraph(job.client().getJobID())
                .get()
                .getCheckpointStatsSnapshot()
                .getCounts()
                .getNumberOfCompletedCheckpoints();
    }

    /** Ride e{i}, as the test writes it. */
    private static RideEvent ride(int i) {
        return new RideEvent(
                "e" + i,
                false,
                1 + i % 265,
                1 + (i * 7) % 265,
                0.5 + i % 13,
                1_614_556_800_000_000L + i * 1_000_000L,
                null,
                null);
    }

    private static List<Map.Entry<String, String>> events(int from, int to) {
        List<Map.Entry<String, String>> events = new ArrayList<>();
        for (int i = from; i < to; i++) {
            events.add(event("e" + i, RideEventJson.encode(ride(i))));
        }
        return events;
    }

    private static Set<String> rideIds(List<String> predictions) {
        Set<String> ids = new HashSet<>();
        for (String p : predictions) {
            try {
                ids.add(JSON.readTree(p).get("prediction").get("ride_id").asText());
            } catch (IOException e) {
                throw new IllegalStateException("not a prediction: " + p, e);
            }
        }
        return ids;
    }
}
