package io.ridescore.run;

import io.ridescore.config.Mode;
import io.ridescore.config.RideScoreOptions;
import io.ridescore.config.TaxiType;
import io.ridescore.event.RunSummary;
import io.ridescore.testing.TestData;
import io.ridescore.tools.TripDataGenerator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.YearMonth;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A run as the CLI makes it, on the local mini cluster this process starts (no test cluster
 * around it): the cluster is started while the checks run, serves the web UI, runs the month to its
 * published end, and goes with the job; one discarded before its job (a check failed) is closed.
 */
class LocalRunITCase {
    @TempDir
    java.nio.file.Path dir;

    private Configuration month(int webUiPort) throws IOException {
        TestData.history(dir, 3, 2_000);
        Path input = new Path(dir.resolve("green_tripdata_2021-02.parquet").toString());
        new TripDataGenerator(3).write(YearMonth.of(2021, 2), 1_000, TaxiType.GREEN, input, n -> {});
        Configuration conf = new Configuration();
        conf.set(RideScoreOptions.MODE, Mode.BATCH);
        conf.set(RideScoreOptions.INPUT, input.toString());
        conf.set(RideScoreOptions.FEATURES, dir.resolve(TestData.FEATURES).toString());
        conf.set(RideScoreOptions.OUTPUT, dir.resolve("predictions").toString());
        conf.set(RideScoreOptions.DEAD_LETTERS, dir.resolve("dead_letters").toString());
        conf.set(RideScoreOptions.WEB_UI_PORT, webUiPort);
        return conf;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean listening(int port) {
        try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException closed) {
            return false;
        }
    }

    @Test
    void aLocalRunServesTheWebUiAndPublishesItsMonth() throws Exception {
        int port = freePort();
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        JobRunner.Started job = JobRunner.start(month(port), new PrintStream(console, true));
        assertThat(job.environment().restUrl()).isEqualTo("http://127.0.0.1:" + port);
        HttpResponse<String> overview = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(job.environment().restUrl() + "/jobs/overview"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(overview.statusCode()).isEqualTo(200);
        assertThat(overview.body()).contains(job.client().getJobID().toString());

        RunSummary summary = JobRunner.finish(job, new PrintStream(console, true));
        assertThat(summary.in()).isEqualTo(1_000);
        assertThat(summary.addsUp()).isTrue();
        assertThat(dir.resolve("predictions/_SUCCESS")).exists();
        assertThat(console.toString()).startsWith("Flink web UI: http://localhost:" + port);
    }

    /** What a run whose checks fail does with the cluster started for it (JobRunner.start on any failure). */
    @Test
    void aLocalClusterDiscardedBeforeItsJobStartsIsClosed() throws Exception {
        int port = freePort();
        JobEnvironment environment = JobEnvironment.create(month(port), new PrintStream(new ByteArrayOutputStream()));
        environment.discard().get(60, TimeUnit.SECONDS);
        assertThat(listening(port)).as("the web UI port is released").isFalse();
    }
}
