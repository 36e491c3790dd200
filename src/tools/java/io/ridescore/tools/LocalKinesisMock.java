package io.ridescore.tools;

import io.ridescore.config.KinesisSettings;
import io.ridescore.source.KinesisStreams;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.KinesisClient;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A kinesis-mock process (npm package kinesis-local, installed by {@code npm ci}) on a free
 * loopback port, for tests and benchmarks that need a fresh one: the mock slows down as its
 * streams fill. Streams are created at start ({@code name:shards,...}).
 */
public final class LocalKinesisMock implements AutoCloseable {
    private static final Path MAIN_JS = Path.of("node_modules", "kinesis-local", "main.js");

    private final Process process;
    private final int port;

    private LocalKinesisMock(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static LocalKinesisMock start(String streams, File log) throws IOException, InterruptedException {
        if (!Files.exists(MAIN_JS)) {
            throw new IllegalStateException("kinesis-mock is not installed: run npm ci in the project root");
        }
        int port = freePort();
        ProcessBuilder pb = new ProcessBuilder("node", MAIN_JS.toString());
        pb.environment()
                .put(
                        "KINESIS_MOCK_CERT_PATH",
                        MAIN_JS.resolveSibling("server.json").toAbsolutePath().toString());
        pb.environment().put("KINESIS_MOCK_PLAIN_PORT", Integer.toString(port));
        pb.environment().put("KINESIS_MOCK_TLS_PORT", Integer.toString(freePort()));
        pb.environment().put("AWS_REGION", "us-east-1");
        pb.environment().put("LOG_LEVEL", "WARN");
        pb.environment().put("CREATE_STREAM_DURATION", "100ms");
        if (!streams.isEmpty()) {
            pb.environment().put("INITIALIZE_STREAMS", streams);
        }
        log.getParentFile().mkdirs();
        LocalKinesisMock mock = new LocalKinesisMock(
                pb.redirectErrorStream(true).redirectOutput(log).start(), port);
        try (KinesisClient client = KinesisStreams.client(mock.settings("ready-check"))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                try {
                    client.listStreams();
                    return mock;
                } catch (RuntimeException notYet) {
                    if (!mock.process.isAlive() || System.nanoTime() > deadline) {
                        mock.close();
                        throw new IllegalStateException("kinesis-mock did not start; see " + log, notYet);
                    }
                    Thread.sleep(200);
                }
            }
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** Settings for a job on this mock, with the three streams named after a prefix. */
    public KinesisSettings settings(String prefix) {
        return new KinesisSettings(
                "us-east-1",
                endpoint(),
                prefix + "_events",
                prefix + "_predictions",
                prefix + "_dead_letters",
                "TRIM_HORIZON",
                50,
                10);
    }

    /** Stops the mock; under load it may ignore SIGTERM, so it is killed after 5 s. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** A free port on the loopback address (kinesis-mock's, and the benchmarks' own cluster's). */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
