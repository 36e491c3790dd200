package io.ridescore.features;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

import java.time.Duration;

/**
 * Bounded out-of-orderness, plus a flush when the input is quiet: once no ride has arrived for the
 * quiet period (wall clock), the watermark moves up to the newest pickup time, so the last rides
 * before a lull are scored instead of waiting for the next ride, and the subtask is marked idle. A ride that then arrives older
 * than that is late, and the stream-feature operator dead-letters it. The two knobs are apart
 * because replays compress event time: a month replayed in seconds needs a bound of days but
 * still a flush within a second.
 */
public final class QuietFlushWatermarks implements WatermarkGenerator<FeatureVector> {
    private final long boundMillis;
    private final long quietMillis;
    private long maxTimestamp = Long.MIN_VALUE;
    private long lastArrivalNanos = System.nanoTime();

    private QuietFlushWatermarks(long boundMillis, long quietMillis) {
        this.boundMillis = boundMillis;
        this.quietMillis = quietMillis;
    }

    public static WatermarkStrategy<FeatureVector> strategy(Duration outOfOrderness, Duration quietFlush) {
        long bound = outOfOrderness.toMillis();
        long quiet = quietFlush.toMillis();
        return WatermarkStrategy.<FeatureVector>forGenerator(ctx -> new QuietFlushWatermarks(bound, quiet))
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
        boolean quiet = (System.nanoTime() - lastArrivalNanos) / 1_000_000L >= quietMillis;
        if (quiet) {
            // Idle, so that a quiet source subtask holding older rides does not hold back the others:
            // once every subtask is idle, downstream takes the highest of their watermarks.
            output.emitWatermark(new Watermark(maxTimestamp));
            output.markIdle();
        } else {
            output.emitWatermark(new Watermark(maxTimestamp - boundMillis - 1));
        }
    }
}
