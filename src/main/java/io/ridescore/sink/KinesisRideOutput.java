package io.ridescore.sink;

import io.ridescore.config.KinesisSettings;
import io.ridescore.source.KinesisStreams;
import org.apache.flink.api.connector.sink2.Sink;

import java.util.Objects;
import java.util.stream.Stream;

/**
 * Predictions to the output stream and dead letters to the dead-letter stream, at least once; a
 * record Kinesis refuses for good becomes a dead letter of its own ({@code sink_rejected}).
 */
public final class KinesisRideOutput extends RecordStreamOutput {
    private final KinesisSettings kinesis;
    private final String shadowStream;

    /** @param shadowStream the stream of a challenger's predictions, or null without a challenger */
    public KinesisRideOutput(KinesisSettings kinesis, String shadowStream) {
        this.kinesis = kinesis;
        this.shadowStream = shadowStream;
    }

    @Override
    public void check() {
        KinesisStreams.requireActive(
                kinesis,
                Stream.of(kinesis.outputStream(), kinesis.deadLetterStream(), shadowStream)
                        .filter(Objects::nonNull)
                        .toArray(String[]::new));
    }

    @Override
    protected Sink<KinesisEntry> shadowSink() {
        return new KinesisRecordSink(kinesis, shadowStream, null);
    }

    @Override
    protected Sink<KinesisEntry> predictionSink() {
        return new KinesisRecordSink(kinesis, kinesis.outputStream(), kinesis.deadLetterStream());
    }

    @Override
    protected Sink<KinesisEntry> deadLetterSink() {
        return new KinesisRecordSink(kinesis, kinesis.deadLetterStream(), null);
    }

    @Override
    public String describe() {
        return kinesis.outputStream() + " (dead letters: " + kinesis.deadLetterStream()
                + (shadowStream == null ? "" : ", challenger's predictions: " + shadowStream) + ")";
    }
}
