package io.ridescore.sink;

import io.ridescore.event.CountRecords;
import io.ridescore.event.DeadLetter;
import io.ridescore.event.PredictionJson;
import io.ridescore.event.ScoredRide;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.nio.charset.StandardCharsets;

/**
 * Predictions as Kinesis records (the prediction contract, partition key = ride_id), checked against
 * what PutRecords accepts before they reach the sink: one that Kinesis would refuse becomes a dead
 * letter ({@code sink_rejected}) here instead of a request the sink retries forever.
 */
public class PredictionRecords extends ProcessFunction<ScoredRide, KinesisEntry> {
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("sink-dead-letters") {};

    private final String counter;
    private transient Counter shadowRejected;

    /** @param counter what an accepted record counts as: {@code scored}, or {@code shadow} for a challenger's */
    public PredictionRecords(String counter) {
        this.counter = counter;
    }

    @Override
    public void open(OpenContext openContext) {
        shadowRejected =
                getRuntimeContext().getMetricGroup().addGroup("ridescore").counter("shadow_rejected");
    }

    @Override
    public void processElement(ScoredRide ride, Context ctx, Collector<KinesisEntry> out) {
        String json = PredictionJson.encode(ride);
        KinesisEntry entry = new KinesisEntry(json.getBytes(StandardCharsets.UTF_8), ride.rideId, counter, ride.rideId);
        String violation = entry.violation();
        if (violation == null) {
            out.collect(entry);
        } else if (!counter.equals(CountRecords.SCORED)) {
            // A shadow prediction no stream would take is not a ride's outcome: it is counted, not dead-lettered.
            shadowRejected.inc();
        } else {
            ctx.output(
                    DEAD_LETTERS,
                    new DeadLetter(
                            DeadLetter.Stage.SINK,
                            "sink_rejected",
                            "Kinesis would refuse this prediction: " + violation,
                            json,
                            null,
                            System.currentTimeMillis()));
        }
    }
}
