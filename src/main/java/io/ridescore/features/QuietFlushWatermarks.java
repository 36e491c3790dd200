package io.ridescore.features;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

import java.time.Duration;

/**
 * Bounded out-of-orderness, plus a flush when the input is quiet: once no ride has arrived for
 * the same bound in wall-clock time, the watermark moves up to the newest pickup time, so the last
 * rides before a lull are scored instead of waiting for the next ride. A ride that then arrives
 * older than that is late, and the stream-feature operator dead-letters it.
 */
public final class QuietFlushWatermarks implements WatermarkGenerator<FeatureVector> {
    private final long boundMillis;
    private long maxTimestamp = Long.MIN_VALUE;
    private long lastArrivalNanos = System.nanoTime();

    private QuietFlushWatermarks(long boundMillis) {
        this.boundMillis = boundMillis;
    }

    public static WatermarkStrategy<FeatureVector> strategy(Duration outOfOrderness) {
        return WatermarkStrategy.<FeatureVector>forGenerator(ctx -> new QuietFlushWatermarks(outOfOrderness.toMillis()))
                .withTimestampAssigner((vector, previous) -> Math.floorDiv(vector.ride.pickupMicros, 1000L));
    }

    @Override
    public void onEvent(FeatureVector event, long eventTimestamp, WatermarkOutput output) {
        maxTimestamp = Math.max(maxTimestamp, eventTimestamp);
        lastArrivalNanos = System.nanoTime();
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        if (maxTimestamp == Long.MIN_VALUE) {
            return;
        }
        boolean quiet = (System.nanoTime() - lastArrivalNanos) / 1_000_000L >= boundMillis;
        output.emitWatermark(new Watermark(quiet ? maxTimestamp : maxTimestamp - boundMillis - 1));
    }
}
