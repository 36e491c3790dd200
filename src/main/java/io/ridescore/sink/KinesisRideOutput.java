package io.ridescore.sink;

import io.ridescore.config.KinesisSettings;
import io.ridescore.source.KinesisStreams;
import org.apache.flink.api.connector.sink2.Sink;

/**
 * Predictions to the output stream and dead letters to the dead-letter stream, at least once; a
 * record Kinesis refuses for good becomes a dead letter of its own ({@code sink_rejected}).
 */
public final class KinesisRideOutput extends RecordStreamOutput {
    private final KinesisSettings kinesis;

    public KinesisRideOutput(KinesisSettings kinesis) {
        this.kinesis = kinesis;
    }

    @Override
    public void check() {
        KinesisStreams.requireActive(kinesis, kinesis.outputStream(), kinesis.deadLetterStream());
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
        return kinesis.outputStream() + " (dead letters: " + kinesis.deadLetterStream() + ")";
    }
}
