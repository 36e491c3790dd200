package io.ridescore.source;

import io.ridescore.config.KinesisSettings;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.core.retry.RetryPolicy;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.http.apache.ApacheHttpClient;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.regions.Region;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.KinesisClient;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.KinesisClientBuilder;

import java.net.URI;
import java.time.Duration;

/**
 * A plain Kinesis client for what is not the job: the startup check, replay and tests. It is the
 * AWS SDK v2 that the connector ships (relocated), so the project carries one SDK, not two.
 */
public final class KinesisStreams {
    private KinesisStreams() {}

    public static KinesisClient client(KinesisSettings settings) {
        AwsCredentialsProvider credentials = settings.isLocalMock()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(KinesisSettings.MOCK_KEY, KinesisSettings.MOCK_KEY))
                : DefaultCredentialsProvider.create();
        KinesisClientBuilder builder = KinesisClient.builder()
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials)
                .httpClientBuilder(ApacheHttpClient.builder().connectionTimeout(Duration.ofSeconds(3)))
                .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofSeconds(10)).retryPolicy(RetryPolicy.none()));
        if (settings.endpoint() != null) {
            builder.endpointOverride(URI.create(settings.endpoint()));
        }
        return builder.build();
    }

    /** Fails with one line naming the first stream that is missing or unreachable. */
    public static void requireActive(KinesisSettings settings, String... streams) {
        try (KinesisClient client = client(settings)) {
            for (String stream : streams) {
                try {
                    String status = client.describeStreamSummary(b -> b.streamName(stream))
                            .streamDescriptionSummary().streamStatusAsString();
                    if (!status.equals("ACTIVE") && !status.equals("UPDATING")) {
                        throw new IllegalStateException("Kinesis stream '" + stream + "' is " + status);
                    }
                } catch (RuntimeException e) {
                    if (e instanceof IllegalStateException) {
                        throw e;
                    }
                    String where = settings.endpoint() != null ? settings.endpoint() : "AWS " + settings.region();
                    throw new IllegalStateException("Kinesis stream '" + stream + "' is not reachable at " + where
                            + ": " + firstLine(e));
                }
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
