package io.ridescore.source;

import io.ridescore.config.KinesisSettings;
import io.ridescore.config.StartupException;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.core.retry.RetryPolicy;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.http.apache.ApacheHttpClient;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.regions.Region;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.KinesisClient;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.KinesisClientBuilder;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A plain Kinesis client for what is not the job: the startup check, replay and tests. It is the
 * AWS SDK v2 that the connector ships (relocated), so the project carries one SDK, not two.
 */
public final class KinesisStreams {
    private KinesisStreams() {}

    public static KinesisClient client(KinesisSettings settings) {
        AwsCredentialsProvider credentials = settings.isLocalMock()
                ? StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(KinesisSettings.MOCK_KEY, KinesisSettings.MOCK_KEY))
                : DefaultCredentialsProvider.create();
        KinesisClientBuilder builder = KinesisClient.builder()
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials)
                .httpClientBuilder(ApacheHttpClient.builder().connectionTimeout(Duration.ofSeconds(3)))
                .overrideConfiguration(
                        c -> c.apiCallTimeout(Duration.ofSeconds(10)).retryPolicy(RetryPolicy.none()));
        if (settings.endpoint() != null) {
            builder.endpointOverride(URI.create(settings.endpoint()));
        }
        return builder.build();
    }

    /**
     * Fails with one line naming the first stream that is missing or unreachable, and how to start
     * the local kinesis-mock when that is where the streams were looked for.
     */
    public static void requireActive(KinesisSettings settings, String... streams) {
        try {
            requireActiveStreams(settings, streams);
        } catch (IllegalStateException e) {
            throw new StartupException(e.getMessage()
                    + (settings.isLocalMock() ? " (start the local one with: scripts/kinesis-local start)" : ""));
        }
    }

    private static void requireActiveStreams(KinesisSettings settings, String... streams) {
        try (KinesisClient client = client(settings)) {
            for (String stream : streams) {
                try {
                    String status = client.describeStreamSummary(b -> b.streamName(stream))
                            .streamDescriptionSummary()
                            .streamStatusAsString();
                    if (!status.equals("ACTIVE") && !status.equals("UPDATING")) {
                        throw new IllegalStateException("Kinesis stream '" + stream + "' is " + status);
                    }
                } catch (RuntimeException e) {
                    if (e instanceof IllegalStateException) {
                        throw e;
                    }
                    String where = settings.endpoint() != null ? settings.endpoint() : "AWS " + settings.region();
                    throw new IllegalStateException(
                            "Kinesis stream '" + stream + "' is not reachable at " + where + ": " + firstLine(e));
                }
            }
        }
    }

    /** Reads a stream from its start, shard by shard: for replays' checks, benchmarks and tests. */
    public static final class Reader {
        private final KinesisClient client;
        private final Map<String, String> iterators = new LinkedHashMap<>();

        public Reader(KinesisClient client, String stream) {
            this.client = client;
            for (var shard : client.listShards(b -> b.streamName(stream)).shards()) {
                iterators.put(
                        shard.shardId(),
                        client.getShardIterator(b -> b.streamName(stream)
                                        .shardId(shard.shardId())
                                        .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
                                .shardIterator());
            }
        }

        /** One GetRecords per shard; hands each record's text to the consumer as it arrives. */
        public void poll(Consumer<String> records) {
            for (var it : iterators.entrySet()) {
                var response = client.getRecords(b -> b.shardIterator(it.getValue()));
                response.records().forEach(r -> records.accept(r.data().asUtf8String()));
                it.setValue(response.nextShardIterator());
            }
        }
    }

    private static String firstLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return m.lines().findFirst().orElse(m);
    }
}
