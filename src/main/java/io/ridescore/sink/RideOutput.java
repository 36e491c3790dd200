package io.ridescore.sink;

import io.ridescore.Pipeline;
import io.ridescore.event.DeadLetter;
import io.ridescore.event.ScoredRide;
import org.apache.flink.streaming.api.datastream.DataStream;

import java.io.IOException;
import java.io.PrintStream;

/**
 * Where predictions and dead letters go: the end of the graph, given to
 * {@link Pipeline} rather than chosen inside it (Parquet files, Kinesis streams, or
 * memory in tests). An output counts what it delivers: {@code scored} and
 * {@code dead_lettered.<reason>}.
 */
public interface RideOutput {

    /** Checks what can be checked before the job starts (e.g. that the streams exist). */
    void check();

    /** Readies the output once the checks have passed, e.g. empties the directories a run replaces. */
    default void prepare(PrintStream console) throws IOException {}

    /** Adds the prediction sink; returns the predictions it refuses before writing (stage {@code sink}), or null. */
    DataStream<DeadLetter> writePredictions(DataStream<ScoredRide> scored);

    /**
     * Adds the sink of the challenger's predictions (with {@code --challenger}), apart from the
     * serving outputs, which it leaves exactly as they are.
     */
    void writeShadow(DataStream<ScoredRide> shadow);

    /** Adds one stage's dead-letter sink, chained to that stage. */
    void writeDeadLetters(DataStream<DeadLetter> letters, String stage);

    /** Where predictions and dead letters go, for the start line. */
    String describe();
}
