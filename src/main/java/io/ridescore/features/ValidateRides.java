package io.ridescore.features;

import io.ridescore.event.DeadLetter;
import io.ridescore.event.RideEvent;
import io.ridescore.event.RideRules;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Passes scoreable rides on and sends every other ride to the dead-letter output with its reason. */
public class ValidateRides extends ProcessFunction<FeatureVector, FeatureVector> {
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("validate-dead-letters") {};

    /** Which of {@link RideRules}' rule sets this operator applies. */
    public enum Rules {
        EVENT,
        ACTUALS
    }

    private final Rules rules;

    public ValidateRides(Rules rules) {
        this.rules = rules;
    }

    @Override
    public void processElement(FeatureVector vector, Context ctx, Collector<FeatureVector> out) {
        RideEvent ride = vector.ride;
        RideRules.Violation violation =
                rules == Rules.EVENT ? RideRules.checkEvent(ride) : RideRules.checkActuals(ride);
        if (violation == null) {
            out.collect(vector);
        } else {
            ctx.output(
                    DEAD_LETTERS,
                    DeadLetter.of(DeadLetter.Stage.VALIDATE, violation.reason(), violation.detail(), ride));
        }
    }
}
