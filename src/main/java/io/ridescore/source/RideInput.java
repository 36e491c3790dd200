package io.ridescore.source;

import io.ridescore.Pipeline;
import io.ridescore.event.CountRecords;
import io.ridescore.event.DeadLetter;
import io.ridescore.event.ParseRides;
import io.ridescore.event.RawRecord;
import io.ridescore.event.RideEvent;
import io.ridescore.event.RideEventParser;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Where rides come from: the start of the graph, given to {@link Pipeline} rather than
 * chosen inside it, so the topology runs on TLC Parquet, Kinesis, or records held in memory (tests).
 */
public interface RideInput {

    /** Checks what can be checked before the job starts; returns how many rides the input holds, or -1 for a stream. */
    long check();

    /** Adds the source to the graph. Every record it reads is counted as {@code in} on its way in. */
    Rides read(StreamExecutionEnvironment env);

    /** Whether rides carry their dropoff time, so the actual duration exists (and the 1..60 min rule applies). */
    boolean carriesActuals();

    /** What is read, for the start line: a path or a stream name. */
    String describe();

    /** The rides, and the records that could not be read as one (null when the source yields typed rows only). */
    record Rides(DataStream<RideEvent> events, DataStream<DeadLetter> refused) {}

    /**
     * Rides from raw stream records (JSON as the producers write it): counted, then parsed by the
     * strict parser, so every record becomes a ride or a dead letter.
     */
    static Rides parsed(DataStream<RawRecord> records, RideEventParser.PickupRange pickupRange) {
        SingleOutputStreamOperator<RideEvent> parsed = records.map(
                        CountRecords.<RawRecord>as(CountRecords.IN), records.getType())
                .name("count-in")
                .uid("count-in")
                .process(new ParseRides(pickupRange))
                .name("parse")
                .uid("parse");
        return new Rides(parsed, parsed.getSideOutput(ParseRides.DEAD_LETTERS));
    }
}
