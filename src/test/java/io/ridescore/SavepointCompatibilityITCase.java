package io.ridescore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ridescore.config.InitialPosition;
import io.ridescore.config.KinesisSettings;
import io.ridescore.config.Mode;
import io.ridescore.config.RideScoreOptions;
import io.ridescore.event.RideEvent;
import io.ridescore.event.RideEventJson;
import io.ridescore.run.JobFollower;
import io.ridescore.run.JobRunner;
import io.ridescore.testing.KinesisMock;
import io.ridescore.testing.MemoryRideInput;
import io.ridescore.testing.MemoryRun;
import io.ridescore.testing.TestData;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Upgrades keep their state: a savepoint taken by an earlier version of the online-stream job is
 * committed under src/test/resources/savepoints/ and restored here into today's job, with no state
 * left unclaimed. A changed uid, a removed stateful operator or a state serializer that cannot read
 * the old bytes fails the restore, and so this test. The restored state must also be used: a ride
 * after the restore counts the pickups of the rides before the savepoint in its stream features.
 */
class SavepointCompatibilityITCase {
    /** Written by ridescore 0.1.0; a deliberate, incompatible state change gets a new directory beside it. */
    static final Path FIXTURE = Path.of("src/test/resources/savepoints/online-stream-0.1.0");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long PICKUP_08_00 = 1_612_166_400_000_000L; // 2021-02-01T08:00 in micros

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = TestData.miniCluster();

    @RegisterExtension
    static final KinesisMock KINESIS = new KinesisMock();

    @TempDir
    static Path dir;

    @BeforeAll
    static void featureTable() throws Exception {
        TestData.history(dir, 5, 5_000);
    }

    /** Before the savepoint: 40 pickups in zone 10 between 08:00 and 08:06:30, and 10 elsewhere. */
    static List<String> ridesBeforeTheSavepoint() {
        List<String> rides = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int zone = i < 40 ? 10 : 100 + i;
            rides.add(RideEventJson.encode(new RideEvent(
                    "before-" + i, false, zone, 50, 2.0 + i % 5, PICKUP_08_00 + i * 10_000_000L, null, null)));
        }
        return rides;
    }

    /** After the restore: zone 10 at 08:10, within 15 minutes of the 40 pickups before. */
    static String probe() {
        return RideEventJson.encode(
                new RideEvent("probe", false, 10, 50, 3.0, PICKUP_08_00 + 600_000_000L, null, null));
    }

    private static Configuration onlineStream(KinesisSettings k) {
        Configuration conf = k.applyTo(new Configuration());
        conf.set(RideScoreOptions.MODE, Mode.ONLINE_STREAM);
        conf.set(RideScoreOptions.INITIAL_POSITION, InitialPosition.TRIM_HORIZON);
        conf.set(RideScoreOptions.FEATURES, dir.resolve(TestData.FEATURES).toString());
        // the model the fixture was taken with: the live-swap state holds it, and the expected answer uses it
        conf.set(
                RideScoreOptions.MODEL,
                FIXTURE.resolve("model.pmml").toAbsolutePath().toString());
        conf.set(RideScoreOptions.PARALLELISM, 2);
        return conf;
    }

    @Test
    void aSavepointOfTheLastVersionRestoresWithEveryStateClaimedAndInUse() throws Exception {
        assertThat(FIXTURE.resolve("_metadata")).exists();
        KinesisSettings k = KINESIS.settings("restored");
        // What the probe's prediction is with the rides before the savepoint in its window, and without
        List<String> all = new ArrayList<>(ridesBeforeTheSavepoint());
        all.add(probe());
        double withHistory = probeDuration(MemoryRun.of(onlineStream(k), MemoryRideInput.utf8(all), 1));
        double alone = probeDuration(MemoryRun.of(onlineStream(k), MemoryRideInput.utf8(List.of(probe())), 1));
        assertThat(withHistory).isNotEqualTo(alone);

        KINESIS.createStreams(k, 1);
        Configuration conf = onlineStream(k);
        conf.set(
                RideScoreOptions.FROM_SAVEPOINT,
                FIXTURE.toAbsolutePath().toUri().toString());
        JobRunner.Started job = JobRunner.start(conf, new PrintStream(new ByteArrayOutputStream()));
        try {
            awaitRestored(job);
            KINESIS.put(k.inputStream(), List.of(Map.entry("probe", probe())));
            List<String> predictions = KINESIS.readAll(k.outputStream(), 1, Duration.ofSeconds(90));
            assertThat(predictions).hasSize(1);
            assertThat(duration(predictions.get(0))).isEqualTo(withHistory);
            assertThat(job.client().getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        } finally {
            if (!job.client().getJobStatus().get().isGloballyTerminalState()) {
                job.client().cancel().get();
            }
        }
    }

    /**
     * Shadowing is an upgrade like any other: the last version's savepoint restores into a job with a
     * challenger (its state used, the challenger's predictions on the shadow stream), and when the
     * challenger goes again, that job's savepoint is refused for the shadow sink's state, with
     * Flink's reason, unless {@code --allow-non-restored-state} drops it.
     */
    @Test
    void aChallengerComesAndGoesAcrossSavepoints() throws Exception {
        KinesisSettings k = KINESIS.settings("challenged");
        KINESIS.createStreams(k, 1);
        String shadowStream = "challenged_predictions_shadow";
        KINESIS.createStream(shadowStream, 1);
        List<String> all = new ArrayList<>(ridesBeforeTheSavepoint());
        all.add(probe());
        double withHistory = probeDuration(MemoryRun.of(onlineStream(k), MemoryRideInput.utf8(all), 1));

        Configuration challenged = onlineStream(k);
        challenged.set(RideScoreOptions.CHALLENGER, "pmml/ride_duration.pmml");
        challenged.set(RideScoreOptions.SHADOW_STREAM, shadowStream);
        challenged.set(
                RideScoreOptions.FROM_SAVEPOINT,
                FIXTURE.toAbsolutePath().toUri().toString());
        JobRunner.Started job = JobRunner.start(challenged, new PrintStream(new ByteArrayOutputStream()));
        String taken;
        try {
            awaitRestored(job);
            KINESIS.put(k.inputStream(), List.of(Map.entry("probe", probe())));
            assertThat(duration(KINESIS.readAll(k.outputStream(), 1, Duration.ofSeconds(90))
                            .get(0)))
                    .isEqualTo(withHistory);
            assertThat(KINESIS.readAll(shadowStream, 1, Duration.ofSeconds(30)))
                    .singleElement()
                    .satisfies(p -> assertThat(JSON.readTree(p).path("version").asText())
                            .startsWith("linear-2021-01-"));
            taken = job.client()
                    .stopWithSavepoint(
                            false, dir.resolve("challenged").toUri().toString(), SavepointFormatType.CANONICAL)
                    .get();
        } finally {
            if (!job.client().getJobStatus().get().isGloballyTerminalState()) {
                job.client().cancel().get();
            }
        }

        Configuration plain = onlineStream(k);
        plain.set(RideScoreOptions.FROM_SAVEPOINT, taken);
        assertThatThrownBy(() -> awaitRestored(JobRunner.start(plain, new PrintStream(new ByteArrayOutputStream()))))
                .satisfies(e -> assertThat(JobFollower.rootMessage(e))
                        .contains("Cannot map checkpoint/savepoint state for operator"));

        plain.set(RideScoreOptions.ALLOW_NON_RESTORED_STATE, true);
        JobRunner.Started dropped = JobRunner.start(plain, new PrintStream(new ByteArrayOutputStream()));
        try {
            awaitRestored(dropped);
            assertThat(dropped.client().getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        } finally {
            dropped.client().cancel().get();
        }
    }

    /**
     * Writes the fixture with the code as it is: run it deliberately, for a new version directory,
     * when a state change cannot be read by the old savepoint on purpose:
     * {@code RIDESCORE_WRITE_SAVEPOINT=<directory> mvn verify -Dit.test=SavepointCompatibilityITCase}.
     */
    @Test
    @EnabledIfEnvironmentVariable(named = "RIDESCORE_WRITE_SAVEPOINT", matches = ".+")
    void writeTheFixture() throws Exception {
        Path target = Path.of(System.getenv("RIDESCORE_WRITE_SAVEPOINT"));
        Files.createDirectories(target);
        Files.copy(
                Path.of("pmml/ride_duration_stream.pmml"),
                target.resolve("model.pmml"),
                StandardCopyOption.REPLACE_EXISTING);
        KinesisSettings k = KINESIS.settings("fixture");
        KINESIS.createStreams(k, 1);
        Configuration conf = onlineStream(k);
        conf.set(
                RideScoreOptions.MODEL,
                target.resolve("model.pmml").toAbsolutePath().toString());
        JobRunner.Started job = JobRunner.start(conf, new PrintStream(new ByteArrayOutputStream()));
        List<String> rides = ridesBeforeTheSavepoint();
        List<Map.Entry<String, String>> records = new ArrayList<>();
        rides.forEach(r -> records.add(Map.entry(Integer.toString(records.size()), r)));
        KINESIS.put(k.inputStream(), records);
        assertThat(KINESIS.readAll(k.outputStream(), rides.size(), Duration.ofSeconds(90)))
                .hasSize(rides.size());
        Thread.sleep(3_000); // past the quiet flush: no ride left waiting for the watermark
        Path taken = Path.of(new URI(job.client()
                .stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                .get()));
        try (Stream<Path> files = Files.list(taken)) {
            for (Path f : files.toList()) {
                Files.copy(f, target.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** Fails at once with Flink's reason when the savepoint cannot be mapped onto today's job. */
    private static void awaitRestored(JobRunner.Started job) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JobStatus status = job.client().getJobStatus().get();
        while (status != JobStatus.RUNNING && System.nanoTime() < deadline) {
            if (status.isGloballyTerminalState() || status == JobStatus.RESTARTING) {
                Throwable cause =
                        job.client().getJobExecutionResult().handle((r, e) -> e).get();
                throw new AssertionError(
                        "the savepoint did not restore: "
                                + (cause == null ? "the job is " + status : JobFollower.rootMessage(cause)),
                        cause);
            }
            Thread.sleep(100);
            status = job.client().getJobStatus().get();
        }
        assertThat(status).isEqualTo(JobStatus.RUNNING);
    }

    private static double duration(String prediction) throws Exception {
        return JSON.readTree(prediction)
                .path("prediction")
                .path("ride_duration")
                .asDouble();
    }

    private static double probeDuration(MemoryRun run) throws Exception {
        for (String p : run.predictions()) {
            JsonNode node = JSON.readTree(p);
            if (node.path("prediction").path("ride_id").asText().equals("probe")) {
                return node.path("prediction").path("ride_duration").asDouble();
            }
        }
        throw new AssertionError("no prediction for the probe in " + run.predictions());
    }
}
