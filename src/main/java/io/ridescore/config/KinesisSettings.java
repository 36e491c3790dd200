package io.ridescore.config;

import io.ridescore.source.KinesisStreams;
import org.apache.flink.configuration.Configuration;

import java.io.Serializable;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Properties;

/**
 * Where the streams are and how to reach them, for the source, the sinks and the startup check.
 * Credentials come from the AWS default chain; only an endpoint on this machine's loopback (the
 * local kinesis-mock, which checks no signature) gets a fixed placeholder key pair instead.
 */
public record KinesisSettings(
        String region,
        String endpoint,
        String inputStream,
        String outputStream,
        String deadLetterStream,
        String initialPosition,
        long pollMillis,
        long sinkBufferMillis)
        implements Serializable {

    /** The placeholder that stands for credentials against a loopback kinesis-mock. */
    public static final String MOCK_KEY = "kinesis-mock";

    public static KinesisSettings from(Configuration conf) {
        String position = conf.get(RideScoreOptions.INITIAL_POSITION).name();
        return new KinesisSettings(
                conf.get(RideScoreOptions.KINESIS_REGION),
                conf.getOptional(RideScoreOptions.KINESIS_ENDPOINT).orElse(null),
                conf.get(RideScoreOptions.INPUT_STREAM),
                conf.get(RideScoreOptions.OUTPUT_STREAM),
                conf.get(RideScoreOptions.DEAD_LETTER_STREAM),
                position,
                conf.get(RideScoreOptions.POLL_INTERVAL).toMillis(),
                conf.get(RideScoreOptions.SINK_BUFFER_TIME).toMillis());
    }

    /** Sets these settings as the job's options: the inverse of {@link #from}. */
    public Configuration applyTo(Configuration conf) {
        conf.set(RideScoreOptions.KINESIS_REGION, region);
        if (endpoint != null) {
            conf.set(RideScoreOptions.KINESIS_ENDPOINT, endpoint);
        }
        conf.set(RideScoreOptions.INPUT_STREAM, inputStream);
        conf.set(RideScoreOptions.OUTPUT_STREAM, outputStream);
        conf.set(RideScoreOptions.DEAD_LETTER_STREAM, deadLetterStream);
        conf.set(RideScoreOptions.INITIAL_POSITION, InitialPosition.valueOf(initialPosition));
        conf.set(RideScoreOptions.POLL_INTERVAL, Duration.ofMillis(pollMillis));
        conf.set(RideScoreOptions.SINK_BUFFER_TIME, Duration.ofMillis(sinkBufferMillis));
        return conf;
    }

    public boolean isLocalMock() {
        if (endpoint == null) {
            return false;
        }
        try {
            String host = URI.create(endpoint).getHost();
            return host != null && InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Properties of the Kinesis consumer (source); the sinks use {@link KinesisStreams#client}. */
    public Properties consumerProperties() {
        Properties p = new Properties();
        p.setProperty("flink.stream.initpos", initialPosition);
        p.setProperty("flink.shard.getrecords.intervalmillis", Long.toString(pollMillis));
        p.setProperty("aws.region", region);
        if (endpoint != null) {
            p.setProperty("aws.endpoint", endpoint);
        }
        if (isLocalMock()) {
            p.setProperty("aws.credentials.provider", "BASIC");
            p.setProperty("aws.credentials.provider.basic.accesskeyid", MOCK_KEY);
            p.setProperty("aws.credentials.provider.basic.secretkey", MOCK_KEY);
        } else {
            p.setProperty("aws.credentials.provider", "AUTO");
        }
        return p;
    }
}
