package io.ridescore.event;

import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Parses stream payloads into ride events; payloads that are not ride events become dead letters. */
public class ParseRides extends ProcessFunction<RawRecord, RideEvent> {
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("parse-dead-letters") {};

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<RideEvent> out) {
        try {
            out.collect(RideEventParser.parse(record.payload, record.arrivalMillis));
        } catch (RideEventParser.ParseException e) {
            ctx.output(DEAD_LETTERS, new DeadLetter(DeadLetter.Stage.PARSE, e.reason(), e.getMessage(),
                    record.payload, null, System.currentTimeMillis()));
        }
    }
}
