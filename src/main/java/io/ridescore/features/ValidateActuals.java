package io.ridescore.features;

import io.ridescore.event.RideRules;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The actuals rules, after the stream features: a ride with an impossible dropoff still was a
 * pickup, so it counts as demand in its zone before it is refused.
 */
public class ValidateActuals extends ProcessFunction<FeatureVector, FeatureVector> {
    @Override
    public void processElement(FeatureVector vector, Context ctx, Collector<FeatureVector> out) {
        RideRules.Violation violation = RideRules.checkActuals(vector.ride);
        if (violation == null) {
            out.collect(vector);
        } else {
            ValidateRides.refuse(violation, vector.ride, ctx);
        }
    }
}
