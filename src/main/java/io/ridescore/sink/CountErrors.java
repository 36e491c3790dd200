package io.ridescore.sink;

import io.ridescore.event.ScoredRide;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/** Adds each scored ride of a month to the {@link MonthErrors} accumulator on its way to the sink. */
public class CountErrors extends RichMapFunction<ScoredRide, ScoredRide> {
    private transient MonthErrors errors;

    @Override
    public void open(OpenContext openContext) {
        errors = new MonthErrors();
        getRuntimeContext().addAccumulator(MonthErrors.NAME, errors);
    }

    @Override
    public ScoredRide map(ScoredRide ride) {
        errors.add(ride);
        return ride;
    }
}
