package io.ridescore.tools;

import com.fasterxml.jackson.databind.JsonNode;
import io.ridescore.config.KinesisSettings;
import io.ridescore.config.Mode;
import io.ridescore.config.RideScoreOptions;
import io.ridescore.config.StartupException;
import io.ridescore.event.ParquetFiles;
import io.ridescore.event.RideEvent;
import io.ridescore.event.RideEventJson;
import io.ridescore.source.KinesisStreams;
import io.ridescore.testing.SessionCluster;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.core.SdkBytes;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.KinesisClient;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The real thing: scripts/cluster starts a JobManager and a TaskManager (on free ports) from the Maven-resolved
 * Flink jars; the shaded jar is submitted through REST for a batch month, a backfill (twice, then
 * forced) and the online job against a real kinesis-mock, whose metrics are read through REST and
 * Prometheus; then the cluster stops and no process is left.
 */
class SessionClusterIT {
    @TempDir
    static Path data;

    static SessionCluster cluster;
    static FlinkRestClient flink;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = SessionCluster.start(Path.of("target/it-cluster"), 1);
        flink = new FlinkRestClient(cluster.rest());
        Configuration gen = new Configuration();
        gen.set(RideScoreOptions.DATA_DIR, data.toString());
        gen.set(ToolOptions.MONTHS, "2021-01..2021-02");
        gen.set(ToolOptions.ROWS, 8_000);
        assertThat(new DatagenCommand().run(gen)).isZero();
        gen.set(ToolOptions.MONTHS, "2021-01");
        assertThat(new FeaturesCommand().run(gen)).isZero();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.close();
    }

    private static Configuration month(String month) {
        Configuration conf = new Configuration();
        conf.set(RideScoreOptions.DATA_DIR, data.toString());
        conf.set(RideScoreOptions.MONTH, month);
        return conf;
    }

    private static List<String> rows(Path dir) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Stream<Path> parts = Files.list(dir)) {
            for (Path part :
                    parts.filter(p -> p.toString().endsWith(".parquet")).toList()) {
                ParquetFiles.readAll(new org.apache.flink.core.fs.Path(part.toString()))
                        .forEach(g -> rows.add(g.toString()));
            }
        }
        rows.sort(null);
        return rows;
    }

    @Test
    void batchMonthAndBackfillOnTheCluster() throws Exception {
        Configuration feb = month("2021-02");
        String jobId = SubmitCommand.submit(flink, SubmitCommand.jobArgs(feb));
        assertThat(flink.get("/jobs/" + jobId).get("name").asText()).isEqualTo("ridescore batch 2021-02");
        // This cluster serves the libraries: the job went up without them (and runs below).
        assertThat(flink.get("/jars").path("files"))
                .singleElement()
                .satisfies(jar -> assertThat(jar.path("name").asText()).startsWith("ridescore-job-thin-"));
        assertThat(flink.await(jobId, Duration.ofMinutes(3), s -> {})).isEqualTo("FINISHED");
        long scored = (Long) flink.accumulators(jobId).get("scored");
        Path febOut = Path.of(RideScoreOptions.output(feb));
        assertThat(rows(febOut)).hasSize((int) scored);
        JsonNode vertices = flink.get("/jobs/" + jobId).get("vertices");
        assertThat(vertices.toString()).contains("pmml-scorer", "validate", "parquet-prediction-sink");

        Configuration backfill = new Configuration();
        backfill.set(RideScoreOptions.DATA_DIR, data.toString());
        backfill.set(BackfillCommand.FROM, "2021-01");
        backfill.set(BackfillCommand.TO, "2021-02");
        backfill.set(ToolOptions.CLUSTER, cluster.rest());
        assertThat(new BackfillCommand().run(backfill)).isZero();
        Path janOut = Path.of(RideScoreOptions.output(month("2021-01")));
        assertThat(janOut.resolve("_SUCCESS")).exists();
        assertThat(janOut.resolve("report.md")).exists();
        assertThat(janOut.resolve("error_by_hour.png")).exists();
        List<String> janRows = rows(janOut);
        long janMarker = Files.getLastModifiedTime(janOut.resolve("_SUCCESS")).toMillis();
        int jobsBefore = flink.get("/jobs").get("jobs").size();

        assertThat(new BackfillCommand().run(backfill)).isZero(); // both months complete: nothing runs
        assertThat(flink.get("/jobs").get("jobs").size()).isEqualTo(jobsBefore);
        assertThat(Files.getLastModifiedTime(janOut.resolve("_SUCCESS")).toMillis())
                .isEqualTo(janMarker);

        backfill.set(BackfillCommand.FORCE, true);
        assertThat(new BackfillCommand().run(backfill)).isZero();
        assertThat(flink.get("/jobs").get("jobs").size()).isEqualTo(jobsBefore + 2);
        assertThat(rows(janOut)).isEqualTo(janRows);
        assertThat(Files.readString(janOut.resolve("_SUCCESS"))).contains("\"in\":8000");
    }

    @Test
    void aJobItsChecksRefuseComesBackAsTheirLinesAndNeverRuns() throws Exception {
        Configuration refused = month("2021-02");
        String absent = data.resolve("absent.pmml").toString();
        refused.set(RideScoreOptions.MODEL, absent);
        int jobsBefore = flink.get("/jobs").get("jobs").size();

        assertThatThrownBy(() -> SubmitCommand.submit(flink, SubmitCommand.jobArgs(refused)))
                .isInstanceOf(StartupException.class)
                .hasMessage("model not found: " + absent);
        assertThat(flink.get("/jobs").get("jobs").size()).isEqualTo(jobsBefore);
    }

    @Test
    void onlineJobOnTheClusterWithMetricsInRestAndPrometheus() throws Exception {
        try (LocalKinesisMock mock = LocalKinesisMock.start(
                "it_events:2,it_predictions:2,it_dead_letters:1", new File("target/kinesis-mock-it.log"))) {
            KinesisSettings k = mock.settings("it");
            Configuration online = k.applyTo(new Configuration());
            online.set(RideScoreOptions.MODE, Mode.ONLINE);
            online.set(RideScoreOptions.DATA_DIR, data.toString());
            String jobId = SubmitCommand.submit(flink, SubmitCommand.jobArgs(online));
            try (KinesisClient client = KinesisStreams.client(k)) {
                List<PutRecordsRequestEntry> events = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    RideEvent ride = new RideEvent(
                            Integer.toString(i),
                            true,
                            1 + i,
                            100 + i,
                            1.0 + i / 10.0,
                            1_614_556_800_000_000L + i * 60_000_000L,
                            null,
                            null);
                    events.add(PutRecordsRequestEntry.builder()
                            .partitionKey(ride.rideId)
                            .data(SdkBytes.fromUtf8String(RideEventJson.encode(ride)))
                            .build());
                }
                client.putRecords(b -> b.streamName(k.inputStream()).records(events));
                assertThat(readAll(client, k.outputStream(), 50, Duration.ofSeconds(90)))
                        .hasSize(50);
            }
            assertThat(flink.state(jobId)).isEqualTo("RUNNING");
            JsonNode vertices = flink.get("/jobs/" + jobId).get("vertices");
            assertThat(vertices)
                    .extracting(v -> v.get("name").asText())
                    .anyMatch(name -> name.contains("pmml-scorer"))
                    .anyMatch(name -> name.contains("model-releases"));
            // The web UI's metric fetcher refreshes every few seconds: the first answers can be empty.
            List<String> wanted = List.of(
                    "ridescore.scored",
                    "ridescore.scoring_latency_us",
                    "ridescore.feature_misses",
                    "ridescore.model_swaps",
                    "ridescore.models_refused",
                    "ridescore.model_poll_failures");
            String metricIds = "[]";
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!wanted.stream().allMatch(metricIds::contains) && System.nanoTime() < deadline) {
                Thread.sleep(1000);
                StringBuilder all = new StringBuilder();
                for (JsonNode v : vertices) {
                    all.append(flink.get(
                            "/jobs/" + jobId + "/vertices/" + v.get("id").asText() + "/metrics"));
                }
                metricIds = all.toString();
            }
            assertThat(metricIds).contains(wanted);
            String prometheus = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(cluster.prometheus(1)))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            assertThat(prometheus)
                    .contains(
                            "ridescore_scored",
                            "ridescore_scoring_latency_us",
                            "ridescore_feature_misses",
                            "ridescore_model_version_loaded",
                            "model=\"ride_duration_prediction_model\"",
                            "ridescore_model_swaps");
            flink.cancel(jobId);
            assertThat(flink.await(jobId, Duration.ofSeconds(60), s -> {})).isEqualTo("CANCELED");
        }
    }

    private static List<String> readAll(KinesisClient client, String stream, int expected, Duration timeout)
            throws InterruptedException {
        KinesisStreams.Reader reader = new KinesisStreams.Reader(client, stream);
        List<String> records = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (records.size() < expected && System.nanoTime() < deadline) {
            reader.poll(records::add);
            Thread.sleep(200);
        }
        return records;
    }
}
