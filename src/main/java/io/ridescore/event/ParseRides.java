package io.ridescore.event;

import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Parses stream payloads into ride events; payloads that are not ride events become dead letters. */
public class ParseRides extends ProcessFunction<RawRecord, RideEvent> {
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("parse-dead-letters") {};

    private final RideEventParser.PickupRange pickupRange;

    public ParseRides(RideEventParser.PickupRange pickupRange) {
        this.pickupRange = pickupRange;
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<RideEvent> out) {
        if (record.encodingError != null) {
            DeadLetter letter = new DeadLetter(
                    DeadLetter.Stage.PARSE,
                    "bad_encoding",
                    record.encodingError
                            + "; the payload is kept with each byte outside printable ASCII written as \\xNN",
                    record.payload,
                    null,
                    System.currentTimeMillis());
            letter.payloadEscaped = true;
            ctx.output(DEAD_LETTERS, letter);
            return;
        }
        try {
            RideEvent ride = RideEventParser.parse(record.payload, record.arrivalMillis, pickupRange);
            ride.shardId = record.shardId;
            out.collect(ride);
        } catch (RideEventParser.ParseException e) {
            ctx.output(
                    DEAD_LETTERS,
                    new DeadLetter(
                            DeadLetter.Stage.PARSE,
                            e.reason(),
                            e.getMessage(),
                            record.payload,
                            null,
                            System.currentTimeMillis()));
        }
    }
}
