package io.ridescore.testing;

import io.ridescore.config.KinesisSettings;
import io.ridescore.source.KinesisStreams;
import io.ridescore.tools.LocalKinesisMock;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.core.SdkBytes;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.KinesisClient;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A real kinesis-mock for the tests of one class ({@link LocalKinesisMock}), started before them
 * and stopped after, with a client to put and read records. Each test creates its own streams,
 * since the mock slows down as a stream fills.
 */
public final class KinesisMock implements BeforeAllCallback, AfterAllCallback {
    private LocalKinesisMock mock;
    private KinesisClient client;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        mock = LocalKinesisMock.start(
                "",
                new File("target/kinesis-mock-" + context.getRequiredTestClass().getSimpleName() + ".log"));
        client = KinesisStreams.client(mock.settings("unused"));
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (client != null) {
            client.close();
        }
        if (mock != null) {
            mock.close();
        }
    }

    public KinesisClient client() {
        return client;
    }

    public KinesisSettings settings(String prefix) {
        return mock.settings(prefix);
    }

    public void createStream(String name, int shards) throws InterruptedException {
        client.createStream(b -> b.streamName(name).shardCount(shards));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!client.describeStreamSummary(b -> b.streamName(name))
                .streamDescriptionSummary()
                .streamStatusAsString()
                .equals("ACTIVE")) {
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

    /** The mock holds at most 50 shards in all: a test that is done with its streams gives them back. */
    public void deleteStreams(KinesisSettings settings) {
        for (String stream : List.of(settings.inputStream(), settings.outputStream(), settings.deadLetterStream())) {
            client.deleteStream(b -> b.streamName(stream).enforceConsumerDeletion(true));
        }
    }

    /** Puts payloads keyed as given (partition key → payload), in order, in batches of 500. */
    public void put(String stream, List<Map.Entry<String, String>> records) {
        putBytes(
                stream,
                records.stream()
                        .map(r -> Map.entry(r.getKey(), r.getValue().getBytes(StandardCharsets.UTF_8)))
                        .toList());
    }

    /** Puts raw bytes keyed as given, in order, in batches of 500: payloads need not be text. */
    public void putBytes(String stream, List<Map.Entry<String, byte[]>> records) {
        for (int from = 0; from < records.size(); from += 500) {
            List<PutRecordsRequestEntry> batch = new ArrayList<>();
            for (Map.Entry<String, byte[]> r : records.subList(from, Math.min(records.size(), from + 500))) {
                batch.add(PutRecordsRequestEntry.builder()
                        .partitionKey(r.getKey())
                        .data(SdkBytes.fromByteArray(r.getValue()))
                        .build());
            }
            int failed =
                    client.putRecords(b -> b.streamName(stream).records(batch)).failedRecordCount();
            if (failed > 0) {
                throw new IllegalStateException(failed + " records refused by kinesis-mock");
            }
        }
    }

    /** Every record of a stream from its start, read until the condition holds on them or the timeout passes. */
    public List<String> readUntil(String stream, Predicate<List<String>> done, Duration timeout)
            throws InterruptedException {
        KinesisStreams.Reader reader = new KinesisStreams.Reader(client, stream);
        List<String> records = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        reader.poll(records::add);
        while (!done.test(records) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            reader.poll(records::add);
        }
        return records;
    }

    /**
     * Every record of a stream from the start, once at least {@code expected} are there (or the
     * timeout passed). It waits on that condition only: exact counts, extras included, are the
     * in-memory topology tests' to check, where the job ends and its output is complete.
     */
    public List<String> readAll(String stream, int expected, Duration timeout) throws InterruptedException {
        return readUntil(stream, records -> records.size() >= expected, timeout);
    }
}
