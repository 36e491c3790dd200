package io.ridescore.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ridescore.config.InitialPosition;
import io.ridescore.config.KinesisSettings;
import io.ridescore.config.Mode;
import io.ridescore.config.RideScoreOptions;
import io.ridescore.config.StateBackend;
import io.ridescore.event.RideEvent;
import io.ridescore.event.RideEventJson;
import io.ridescore.source.KinesisStreams;
import io.ridescore.testing.LocalS3;
import io.ridescore.testing.SessionCluster;
import io.ridescore.testing.TestData;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.core.SdkBytes;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.KinesisClient;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Operating the job like a Flink service, on a real session cluster of two TaskManagers (2 slots
 * each), checkpoints and savepoints on S3 (Flink's S3 plugin against s3rver), RocksDB state:
 * online-stream reads a 3-shard stream of rides with unique ids while rides keep arriving; one
 * TaskManager is killed and brought back with scripts/cluster; the job is stopped with a savepoint
 * and resumed from it at parallelism 4. Every ride id must come out, and duplicates only from what
 * the restart replayed since its checkpoint.
 */
class ClusterOperationsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RATE = 50;
    private static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(2);

    @RegisterExtension
    static final LocalS3 S3 = LocalS3.withTls("ridescore");

    @TempDir
    static Path dir;

    @Test
    void aTaskManagerLossAndARescaleFromASavepointLoseNoRide() throws Exception {
        TestData.history(dir, 5, 5_000);
        try (LocalKinesisMock kinesis = LocalKinesisMock.start(
                        "ops_events:3,ops_predictions:2,ops_dead_letters:1", new File("target/kinesis-mock-ops.log"));
                SessionCluster cluster = SessionCluster.start(
                        Path.of("target/it-cluster-ops"),
                        // s3rver's certificate is self-signed
                        Map.of("RIDESCORE_CLUSTER_JAVA_OPTS", "-Dcom.amazonaws.sdk.disableCertChecking=true"),
                        2,
                        "taskmanager.numberOfTaskSlots=2",
                        "taskmanager.memory.process.size=1600m",
                        "heartbeat.timeout=30000",
                        "s3.endpoint=" + S3.endpoint(),
                        "s3.path.style.access=true",
                        "s3.access-key=S3RVER",
                        "s3.secret-key=S3RVER",
                        "s3.list.version=1",
                        "execution.checkpointing.dir=s3://ridescore/checkpoints",
                        "execution.checkpointing.savepoint-dir=s3://ridescore/savepoints");
                KinesisClient client = KinesisStreams.client(kinesis.settings("ops"))) {
            KinesisSettings k = kinesis.settings("ops");
            FlinkRestClient flink = new FlinkRestClient(cluster.rest());
            Configuration job = k.applyTo(new Configuration());
            job.set(RideScoreOptions.MODE, Mode.ONLINE_STREAM);
            job.set(RideScoreOptions.INITIAL_POSITION, InitialPosition.TRIM_HORIZON);
            job.set(RideScoreOptions.FEATURES, dir.resolve(TestData.FEATURES).toString());
            job.set(RideScoreOptions.STATE_BACKEND, StateBackend.ROCKSDB);
            job.set(RideScoreOptions.CHECKPOINT_INTERVAL, CHECKPOINT_INTERVAL);
            job.set(RideScoreOptions.PARALLELISM, 2);
            String first = SubmitCommand.submit(flink, SubmitCommand.jobArgs(job));
            await("the job runs", Duration.ofSeconds(60), () -> running(flink, first));

            Producer producer = new Producer(client, k.inputStream());
            Output output = new Output(client, k);
            producer.start();
            try {
                await(
                        "rides flow and two checkpoints complete",
                        Duration.ofSeconds(90),
                        () -> output.poll() > 200 && completedCheckpoints(flink, first) >= 2);

                JsonNode beforeKill = flink.get("/jobs/" + first + "/checkpoints")
                        .path("latest")
                        .path("completed");
                long lastCheckpointBeforeKill =
                        beforeKill.path("trigger_timestamp").asLong();
                long killed = System.currentTimeMillis();
                assertThat(cluster.script("scripts/cluster", "kill-taskmanager", "2"))
                        .isZero();
                assertThat(cluster.script("scripts/cluster", "start")).isZero(); // brings TaskManager 2 back
                await(
                        "the job restores its last checkpoint and runs again",
                        Duration.ofSeconds(180),
                        () -> restoredCheckpoint(flink, first) > 0 && running(flink, first));
                double runningAgainSeconds = (System.currentTimeMillis() - killed) / 1e3;
                int sentAtRestore = producer.sent();
                awaitOutput(output, sentAtRestore, "every ride sent until the restore comes out", flink, first);
                double restoreSeconds = (System.currentTimeMillis() - killed) / 1e3;
                JsonNode restored = flink.get("/jobs/" + first + "/checkpoints")
                        .path("latest")
                        .path("restored");
                long restoredAt = restored.path("restore_timestamp").asLong();

                String savepoint = flink.savepoint(first, null, true, Duration.ofMinutes(2));
                assertThat(savepoint).startsWith("s3://ridescore/savepoints/");
                assertThat(flink.await(first, Duration.ofSeconds(60), s -> {})).isEqualTo("FINISHED");
                job.set(RideScoreOptions.PARALLELISM, 4);
                String second = SubmitCommand.submit(flink, SubmitCommand.jobArgs(job), savepoint, false);
                await(
                        "the job runs again, on 4 slots across both TaskManagers",
                        Duration.ofSeconds(60),
                        () -> running(flink, second));
                assertThat(flink.get("/jobs/" + second + "/checkpoints")
                                .path("latest")
                                .path("restored")
                                .path("external_path")
                                .asText())
                        .isEqualTo(savepoint);

                Thread.sleep(3_000); // rides keep arriving at the rescaled job
                producer.stop();
                int sent = producer.sent();
                awaitOutput(output, sent, "every ride comes out", flink, second);

                int duplicates = output.records() - sent;
                System.out.printf(
                        "cluster operations: %d rides sent, %d outputs (dead letters %s), %d unique, %d duplicates;"
                                + " the last checkpoint before the TaskManager kill was taken %d ms before it; the job"
                                + " last restored (checkpoint %d) %d ms after it, ran again %.1f s after it, and every"
                                + " ride sent until then was out %.1f s after it; savepoint %s; resumed at parallelism 4%n",
                        sent,
                        output.records(),
                        output.deadLettersByReason(),
                        output.unique(),
                        duplicates,
                        killed - lastCheckpointBeforeKill,
                        restored.path("id").asLong(),
                        restoredAt - killed,
                        runningAgainSeconds,
                        restoreSeconds,
                        savepoint);
                assertThat(output.unique()).isEqualTo(sent);
                assertThat(output.containsAll(sent)).isTrue();
                // The rides are valid: a dead letter can only be one the stream features could not wait for.
                assertThat(output.deadLettersByReason().keySet()).isSubsetOf("late_event");
                // At least once: each restart replays what was read between the checkpoint it restores
                // and the failover. All of that lies between the last checkpoint before the kill and the
                // last restore (noticing a lost TaskManager can take two failovers), plus a second of
                // source lag; stop-with-savepoint replays nothing.
                long replayWindowMillis = restoredAt - lastCheckpointBeforeKill + 1_000;
                assertThat(duplicates).isBetween(0, (int) (RATE * replayWindowMillis / 1000));
            } finally {
                producer.stop();
            }
        }
    }

    private static boolean running(FlinkRestClient flink, String jobId) {
        try {
            JsonNode tasks = flink.get("/jobs/" + jobId).path("vertices");
            boolean all = flink.state(jobId).equals("RUNNING");
            for (JsonNode v : tasks) {
                all &= v.path("status").asText().equals("RUNNING");
            }
            return all;
        } catch (Exception notYet) {
            return false;
        }
    }

    /** Waits until the first {@code rides} ride ids are all out; a timeout names what is missing and the job's state. */
    private static void awaitOutput(Output output, int rides, String what, FlinkRestClient flink, String jobId)
            throws Exception {
        try {
            await(what, Duration.ofSeconds(180), () -> output.poll() >= rides && output.containsAll(rides));
        } catch (AssertionError e) {
            throw new AssertionError(
                    e.getMessage() + ": " + output.unique() + " of " + rides + " out, missing "
                            + output.missing(rides) + "; dead letters " + output.deadLettersByReason() + "; job "
                            + flink.state(jobId),
                    e);
        }
    }

    private static long restoredCheckpoint(FlinkRestClient flink, String jobId) {
        try {
            return flink.get("/jobs/" + jobId + "/checkpoints")
                    .path("latest")
                    .path("restored")
                    .path("id")
                    .asLong();
        } catch (Exception notYet) {
            return 0;
        }
    }

    private static long completedCheckpoints(FlinkRestClient flink, String jobId) {
        try {
            return flink.get("/jobs/" + jobId + "/checkpoints")
                    .path("counts")
                    .path("completed")
                    .asLong();
        } catch (Exception notYet) {
            return 0;
        }
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting until " + what);
            }
            Thread.sleep(250);
        }
    }

    /** Puts rides r0, r1, ... at {@link #RATE} per second, picked up as they are put (live traffic, not a replay). */
    private static final class Producer {
        private final KinesisClient client;
        private final String stream;
        private final AtomicInteger sent = new AtomicInteger();
        private final AtomicBoolean stopped = new AtomicBoolean();
        private Thread thread;

        Producer(KinesisClient client, String stream) {
            this.client = client;
            this.stream = stream;
        }

        void start() {
            thread = new Thread(
                    () -> {
                        while (!stopped.get()) {
                            List<PutRecordsRequestEntry> batch = new ArrayList<>();
                            int from = sent.get();
                            for (int i = from; i < from + RATE / 5; i++) {
                                RideEvent ride = new RideEvent(
                                        "r" + i,
                                        false,
                                        1 + (i * 7) % 260,
                                        1 + (i * 13) % 260,
                                        1.0 + i % 9,
                                        1_612_137_600_000_000L + i * 20_000L,
                                        null,
                                        null);
                                batch.add(PutRecordsRequestEntry.builder()
                                        .partitionKey(ride.rideId)
                                        .data(SdkBytes.fromUtf8String(RideEventJson.encode(ride)))
                                        .build());
                            }
                            if (client.putRecords(b -> b.streamName(stream).records(batch))
                                            .failedRecordCount()
                                    == 0) {
                                sent.addAndGet(batch.size());
                            }
                            try {
                                Thread.sleep(200);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    },
                    "ride-producer");
            thread.start();
        }

        void stop() throws InterruptedException {
            stopped.set(true);
            if (thread != null) {
                thread.join(5_000);
            }
        }

        int sent() {
            return sent.get();
        }
    }

    /**
     * The two output streams, read from their start: every ride ends as a prediction or a dead letter
     * (a ride the stream features could not wait for is dead-lettered {@code late_event}, never
     * scored with a wrong count); how often each ride id came out, and the dead letters by reason.
     */
    private static final class Output {
        private final KinesisStreams.Reader predictions;
        private final KinesisStreams.Reader deadLetters;
        private final Map<String, Integer> byRide = new ConcurrentHashMap<>();
        private final Map<String, Integer> reasons = new ConcurrentHashMap<>();
        private int records;

        Output(KinesisClient client, KinesisSettings k) {
            this.predictions = new KinesisStreams.Reader(client, k.outputStream());
            this.deadLetters = new KinesisStreams.Reader(client, k.deadLetterStream());
        }

        int poll() {
            predictions.poll(record ->
                    count(read(record).path("prediction").path("ride_id").asText()));
            deadLetters.poll(record -> {
                JsonNode letter = read(record);
                count(letter.path("ride_id").asText());
                reasons.merge(letter.path("reason").asText(), 1, Integer::sum);
            });
            return records;
        }

        private void count(String rideId) {
            byRide.merge(rideId, 1, Integer::sum);
            records++;
        }

        private static JsonNode read(String record) {
            try {
                return JSON.readTree(record);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + record, e);
            }
        }

        List<String> missing(int rides) {
            List<String> missing = new ArrayList<>();
            for (int i = 0; i < rides && missing.size() < 20; i++) {
                if (!byRide.containsKey("r" + i)) {
                    missing.add("r" + i);
                }
            }
            return missing;
        }

        boolean containsAll(int rides) {
            return missing(rides).isEmpty();
        }

        /** Predictions and dead letters. */
        int records() {
            return records;
        }

        int unique() {
            return new HashMap<>(byRide).size();
        }

        Map<String, Integer> deadLettersByReason() {
            return new HashMap<>(reasons);
        }
    }
}
