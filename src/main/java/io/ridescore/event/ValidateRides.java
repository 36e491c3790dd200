package io.ridescore.event;

import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Passes scoreable rides on and sends every other ride to the dead-letter output with its reason. */
public class ValidateRides extends ProcessFunction<RideEvent, RideEvent> {
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("validate-dead-letters") {};

    private final boolean actualsRequired;

    public ValidateRides(boolean actualsRequired) {
        this.actualsRequired = actualsRequired;
    }

    @Override
    public void processElement(RideEvent ride, Context ctx, Collector<RideEvent> out) {
        RideRules.Violation violation = RideRules.check(ride, actualsRequired);
        if (violation == null) {
            out.collect(ride);
        } else {
            ctx.output(DEAD_LETTERS, DeadLetter.of(DeadLetter.Stage.VALIDATE, violation.reason(), violation.detail(), ride));
        }
    }
}
