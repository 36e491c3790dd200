package io.ridescore.features;

import io.ridescore.event.DeadLetter;
import io.ridescore.event.RideEvent;
import io.ridescore.event.RideRules;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Passes scoreable rides on, each as the {@link FeatureVector} the later stages fill, and sends
 * every other ride to the dead-letter output with its reason. Checks the event rules, and the
 * actuals rules too when nothing stands between the two ({@link ValidateActuals} checks them after
 * the stream features otherwise).
 */
public class ValidateRides extends ProcessFunction<RideEvent, FeatureVector> {
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("validate-dead-letters") {};

    private final boolean actuals;

    /** @param actuals whether the rides' actual durations are checked here as well */
    public ValidateRides(boolean actuals) {
        this.actuals = actuals;
    }

    @Override
    public void processElement(RideEvent ride, Context ctx, Collector<FeatureVector> out) {
        RideRules.Violation violation = RideRules.checkEvent(ride);
        if (violation == null && actuals) {
            violation = RideRules.checkActuals(ride);
        }
        if (violation == null) {
            out.collect(FeatureVector.of(ride));
        } else {
            refuse(violation, ride, ctx);
        }
    }

    static void refuse(RideRules.Violation violation, RideEvent ride, ProcessFunction<?, ?>.Context ctx) {
        ctx.output(
                DEAD_LETTERS, DeadLetter.of(DeadLetter.Stage.VALIDATE, violation.reason(), violation.detail(), ride));
    }
}
