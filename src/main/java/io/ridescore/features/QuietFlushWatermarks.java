package io.ridescore.features;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Event time per Kinesis shard, so that neither a replay nor a shard without traffic breaks it.
 *
 * <ul>
 *   <li><b>Per shard.</b> A shard delivers its records in the order they were put, so each shard's
 *       watermark is its newest pickup time minus the out-of-orderness bound, and this subtask's is
 *       the lowest over its active shards. A replay (event time running far ahead of wall time) then
 *       makes no ride late because another shard was polled a little earlier, which a single
 *       bound over the whole subtask cannot promise.
 *   <li><b>A shard quiet for the quiet period</b> (wall clock), e.g. closed by a reshard, stops holding
 *       the watermark back.
 *   <li><b>A subtask quiet for the quiet period</b>, or that has had no ride for 15 s since it
 *       started (it owns no shard: more subtasks than shards), flushes: the watermark moves to its newest pickup time, so the last rides before a
 *       lull are scored, and the subtask is marked idle so that it holds back no one downstream.
 *       The next ride marks it active again.
 *   <li><b>At start</b>, and after every restore, no watermark is emitted for 15 s, nor for one quiet
 *       period after the first ride, so every shard of this subtask has been polled before any of
 *       them moves event time.
 * </ul>
 *
 * The connector's own per-shard watermarks (a periodic assigner on the consumer, with
 * {@code SHARD_IDLE_INTERVAL_MILLIS}) were not enough: they are evaluated only when a record
 * arrives, so a quiet stream never flushes its last rides, and they would need the payload parsed
 * in the deserializer, before the dead-letter path.
 */
public final class QuietFlushWatermarks implements WatermarkGenerator<FeatureVector> {
    /**
     * How long a (re)started subtask emits no watermark and does not take itself for one without a
     * shard. Longer than the quiet period: after a restore the Kinesis consumer needs seconds to seed
     * its shards, one shard can start seconds after another, and event time moved on too early makes
     * the later shard's rides late (595 were dead-lettered late in the cluster test of a TaskManager
     * loss with a 1 s hold; 5 after a rescale with a hold only for subtasks without a shard).
     */
    static final Duration STARTUP = Duration.ofSeconds(15);

    private final long boundMillis;
    private final long quietNanos;
    private final long startupNanos;
    private final LongSupplier clock;
    private final long createdNanos;
    /** Shard → {newest pickup millis, wall-clock nanos of its last ride}. */
    private final Map<String, long[]> shards = new HashMap<>();

    private long firstArrivalNanos;
    private long lastArrivalNanos;
    private boolean idle;

    QuietFlushWatermarks(long boundMillis, long quietMillis, long startupMillis, LongSupplier nanoClock) {
        this.boundMillis = boundMillis;
        this.quietNanos = quietMillis * 1_000_000L;
        this.startupNanos = Math.max(quietMillis, startupMillis) * 1_000_000L;
        this.clock = nanoClock;
        this.createdNanos = nanoClock.getAsLong();
    }

    public static WatermarkStrategy<FeatureVector> strategy(Duration outOfOrderness, Duration quietFlush) {
        long bound = outOfOrderness.toMillis();
        long quiet = quietFlush.toMillis();
        return WatermarkStrategy.<FeatureVector>forGenerator(
                        ctx -> new QuietFlushWatermarks(bound, quiet, STARTUP.toMillis(), System::nanoTime))
                .withTimestampAssigner((vector, previous) -> Math.floorDiv(vector.ride.pickupMicros, 1000L));
    }

    @Override
    public void onEvent(FeatureVector event, long eventTimestamp, WatermarkOutput output) {
        long now = clock.getAsLong();
        if (shards.isEmpty()) {
            firstArrivalNanos = now;
        }
        String shard = event.ride.shardId == null ? "" : event.ride.shardId;
        long[] s = shards.computeIfAbsent(shard, k -> new long[] {Long.MIN_VALUE, now});
        s[0] = Math.max(s[0], eventTimestamp);
        s[1] = now;
        lastArrivalNanos = now;
        if (idle) {
            idle = false;
            output.markActive();
        }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        long now = clock.getAsLong();
        // A (re)started subtask says nothing for a while: its shards may start minutes of replay
        // seconds apart, and it may turn out to own none.
        boolean starting = now - createdNanos < startupNanos;
        if (shards.isEmpty()) {
            if (!idle && !starting) {
                markIdle(output);
            }
            return;
        }
        if (starting || now - firstArrivalNanos < quietNanos) {
            return;
        }
        if (now - lastArrivalNanos >= quietNanos) {
            if (!idle) {
                long newest = Long.MIN_VALUE;
                for (long[] s : shards.values()) {
                    newest = Math.max(newest, s[0]);
                }
                output.emitWatermark(new Watermark(newest));
                markIdle(output);
            }
            return;
        }
        long lowest = Long.MAX_VALUE;
        for (long[] s : shards.values()) {
            if (now - s[1] < quietNanos) {
                lowest = Math.min(lowest, s[0] - boundMillis - 1);
            }
        }
        output.emitWatermark(new Watermark(lowest));
    }

    private void markIdle(WatermarkOutput output) {
        idle = true;
        output.markIdle();
    }
}
