package io.ridescore.sink;

import io.ridescore.event.CountRecords;
import io.ridescore.event.ScoredRide;
import org.apache.flink.api.common.functions.OpenContext;

/**
 * Counts each scored ride of a month on its way to the sink and adds its error to the
 * {@link MonthErrors} accumulator: one operator, not two, between the scorer and the sink.
 */
public class CountErrors extends CountRecords<ScoredRide> {
    private transient MonthErrors errors;

    public CountErrors() {
        super("", ride -> SCORED);
    }

    @Override
    public void open(OpenContext openContext) {
        super.open(openContext);
        errors = new MonthErrors();
        getRuntimeContext().addAccumulator(MonthErrors.NAME, errors);
    }

    @Override
    public ScoredRide map(ScoredRide ride) throws Exception {
        errors.add(ride);
        return super.map(ride);
    }
}
