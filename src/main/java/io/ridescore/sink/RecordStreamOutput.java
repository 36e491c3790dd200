package io.ridescore.sink;

import io.ridescore.event.CountRecords;
import io.ridescore.event.DeadLetter;
import io.ridescore.event.ScoredRide;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Predictions and dead letters (and a challenger's predictions) as records of streams, in the contract's JSON. A prediction
 * that no stream would take (see {@link KinesisEntry#violation}) is refused before the sink. The
 * stream itself is left to the subclass: Kinesis in production, memory in tests.
 */
public abstract class RecordStreamOutput implements RideOutput {

    /** The sink of the prediction stream; it counts {@code scored} where the stream accepted a record. */
    protected abstract Sink<KinesisEntry> predictionSink();

    /** The sink of the shadow stream, for the challenger's predictions; it counts {@code shadow} where the stream accepted one. */
    protected abstract Sink<KinesisEntry> shadowSink();

    /** The sink of the dead-letter stream; it counts {@code dead_lettered.<reason>} where the stream accepted a letter. */
    protected abstract Sink<KinesisEntry> deadLetterSink();

    @Override
    public DataStream<DeadLetter> writePredictions(DataStream<ScoredRide> scored) {
        SingleOutputStreamOperator<KinesisEntry> records = scored.process(new PredictionRecords(CountRecords.SCORED))
                .name("prediction-records")
                .uid("prediction-records");
        records.sinkTo(predictionSink()).name("prediction-sink").uid("prediction-sink");
        return records.getSideOutput(PredictionRecords.DEAD_LETTERS);
    }

    /** The challenger's predictions in the prediction contract, so a consumer of predictions reads them as they are. */
    @Override
    public void writeShadow(DataStream<ScoredRide> shadow) {
        shadow.process(new PredictionRecords(CountRecords.SHADOW))
                .name("shadow-records")
                .uid("shadow-records")
                .sinkTo(shadowSink())
                .name("shadow-sink")
                .uid("shadow-sink");
    }

    @Override
    public void writeDeadLetters(DataStream<DeadLetter> letters, String stage) {
        letters.map(DeadLetterRecords::of)
                .name("dead-letter-records-" + stage)
                .uid("dead-letter-records-" + stage)
                .sinkTo(deadLetterSink())
                .name("dead-letter-sink-" + stage)
                .uid("dead-letter-sink-" + stage);
    }
}
