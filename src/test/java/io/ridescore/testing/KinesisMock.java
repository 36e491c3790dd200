package io.ridescore.testing;

import io.ridescore.config.KinesisSettings;
import io.ridescore.source.KinesisStreams;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.core.SdkBytes;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.KinesisClient;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.Record;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.Shard;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real kinesis-mock (npm package kinesis-local, installed by {@code npm ci}) on free loopback
 * ports for the tests of one class, started before them and stopped after. Each test creates its
 * own streams, since the mock slows down as a stream fills.
 */
public final class KinesisMock implements BeforeAllCallback, AfterAllCallback {
    private static final Path MAIN_JS = Path.of("node_modules", "kinesis-local", "main.js");
    private Process process;
    private int port;
    private KinesisClient client;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (!Files.exists(MAIN_JS)) {
            throw new IllegalStateException("kinesis-mock is not installed: run npm ci in the project root");
        }
        port = freePort();
        ProcessBuilder pb = new ProcessBuilder("node", MAIN_JS.toString());
        pb.environment().put("KINESIS_MOCK_CERT_PATH", MAIN_JS.resolveSibling("server.json").toAbsolutePath().toString());
        pb.environment().put("KINESIS_MOCK_PLAIN_PORT", Integer.toString(port));
        pb.environment().put("KINESIS_MOCK_TLS_PORT", Integer.toString(freePort()));
        pb.environment().put("AWS_REGION", "us-east-1");
        pb.environment().put("LOG_LEVEL", "WARN");
        pb.environment().put("CREATE_STREAM_DURATION", "100ms");
        File log = new File("target/kinesis-mock-" + port + ".log");
        pb.redirectErrorStream(true).redirectOutput(log);
        process = pb.start();
        client = KinesisStreams.client(settings("unused"));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                client.listStreams();
                return;
            } catch (RuntimeException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("kinesis-mock did not start; see " + log, notYet);
                }
                Thread.sleep(200);
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (client != null) {
            client.close();
        }
        if (process != null) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** Settings for a job on this mock, with the three streams named after a prefix. */
    public KinesisSettings settings(String prefix) {
        return new KinesisSettings("us-east-1", endpoint(), prefix + "_events", prefix + "_predictions",
                prefix + "_dead_letters", "TRIM_HORIZON", 50, 10);
    }

    public void createStream(String name, int shards) throws InterruptedException {
        client.createStream(b -> b.streamName(name).shardCount(shards));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!client.describeStreamSummary(b -> b.streamName(name)).streamDescriptionSummary()
                .streamStatusAsString().equals("ACTIVE")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("stream " + name + " did not become ACTIVE");
            }
            Thread.sleep(100);
        }
    }

    public void createStreams(KinesisSettings settings, int inputShards) throws InterruptedException {
        createStream(settings.inputStream(), inputShards);
        createStream(settings.outputStream(), 2);
        createStream(settings.deadLetterStream(), 1);
    }

    /** Puts payloads keyed as given (partition key → payload), in order, in batches of 500. */
    public void put(String stream, List<Map.Entry<String, String>> records) {
        for (int from = 0; from < records.size(); from += 500) {
            List<PutRecordsRequestEntry> batch = new ArrayList<>();
            for (Map.Entry<String, String> r : records.subList(from, Math.min(records.size(), from + 500))) {
                batch.add(PutRecordsRequestEntry.builder().partitionKey(r.getKey())
                        .data(SdkBytes.fromUtf8String(r.getValue())).build());
            }
            int failed = client.putRecords(b -> b.streamName(stream).records(batch)).failedRecordCount();
            if (failed > 0) {
                throw new IllegalStateException(failed + " records refused by kinesis-mock");
            }
        }
    }

    /**
     * Every record of a stream, from the start: polls until at least {@code expected} are read or
     * the timeout passes, then once more after a short grace, so extra records would show too.
     */
    public List<String> readAll(String stream, int expected, Duration timeout) throws InterruptedException {
        Map<String, String> iterators = new HashMap<>();
        for (Shard shard : client.listShards(b -> b.streamName(stream)).shards()) {
            iterators.put(shard.shardId(), client.getShardIterator(b -> b.streamName(stream).shardId(shard.shardId())
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator());
        }
        List<String> records = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean graceDone = false;
        while (true) {
            for (Map.Entry<String, String> it : iterators.entrySet()) {
                GetRecordsResponse response = client.getRecords(b -> b.shardIterator(it.getValue()));
                for (Record r : response.records()) {
                    records.add(r.data().asUtf8String());
                }
                it.setValue(response.nextShardIterator());
            }
            if (records.size() >= expected || System.nanoTime() > deadline) {
                if (graceDone) {
                    return records;
                }
                graceDone = true;
                Thread.sleep(1500);
            } else {
                Thread.sleep(200);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
