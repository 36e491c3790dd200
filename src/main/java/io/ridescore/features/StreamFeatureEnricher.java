package io.ridescore.features;

import io.ridescore.event.DeadLetter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Stream features per pickup zone, point-in-time: a ride picked up at t sees exactly the rides of
 * its zone picked up in [t − 15 min, t). Rides with the same pickup time do not see each other, so
 * the result does not depend on arrival order.
 *
 * <p>To be exact under out-of-order arrival, rides wait in state until the watermark passes their
 * pickup time, then are processed in pickup-time order (an event-time timer per millisecond that
 * has rides). The same code gives the same values in BATCH mode, where the watermark jumps to the
 * end once a key's input is complete. A ride at or behind the watermark when it arrives is late:
 * it is dead-lettered ({@code late_event}), never scored with a wrong count. The window holds one
 * aggregate per distinct pickup microsecond; a cleanup timer per entry drops it once no future ride
 * can see it, so state and timers drain to zero after a quiet window.
 *
 * <p>A watermark that stops moving would hold rides here for good, so it is made visible: gauges of
 * the rides waiting and of the event-time lag (wall clock minus watermark), and a WARN naming the
 * zone when its rides have waited longer than the stall bound (a processing-time timer per zone
 * with waiting rides, which fires once and is not renewed once the zone has drained).
 */
public class StreamFeatureEnricher extends KeyedProcessFunction<Integer, FeatureVector, FeatureVector> {
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("stream-feature-dead-letters") {};
    public static final long WINDOW_MICROS = 15 * 60 * 1_000_000L;
    private static final Logger LOG = LoggerFactory.getLogger(StreamFeatureEnricher.class);

    private final long stallWarningMillis;

    /** Rides waiting for the watermark, by pickup millisecond. */
    private transient MapState<Long, List<FeatureVector>> pending;
    /** Rides already seen, aggregated by pickup microsecond: {count, distance sum}. */
    private transient MapState<Long, double[]> window;
    /** When the stall warning of this zone fires, while it has rides waiting. */
    private transient ValueState<Long> stallTimer;
    /** Wall-clock time minus the pickup time of the last ride emitted: how far behind real time the features are. */
    private transient volatile long lagMillis;

    private transient volatile long watermark;
    private transient long waitingRides;
    private transient Counter stallWarnings;
    /**
     * Each zone's window entries in pickup order, as this subtask holds them in {@link #window}:
     * the state is a map without order, and sorting it again for every timer was a sixth of a month
     * with stream features. Rebuilt from the state after a restore; dropped with the zone's window.
     */
    private transient Map<Integer, ArrayDeque<Map.Entry<Long, double[]>>> ordered;

    public StreamFeatureEnricher(Duration stallWarning) {
        this.stallWarningMillis = stallWarning.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        pending = getRuntimeContext()
                .getMapState(new MapStateDescriptor<>(
                        "pending", Types.LONG, TypeInformation.of(new TypeHint<List<FeatureVector>>() {})));
        window = getRuntimeContext()
                .getMapState(new MapStateDescriptor<>(
                        "window", Types.LONG, PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO));
        stallTimer = getRuntimeContext().getState(new ValueStateDescriptor<>("stall-timer", Types.LONG));
        MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup("ridescore");
        metrics.gauge("stream_feature_lag_ms", () -> lagMillis);
        metrics.gauge(
                "event_time_lag_ms", () -> watermark == Long.MIN_VALUE ? -1 : System.currentTimeMillis() - watermark);
        // Counted by this subtask since it started: rides restored from a checkpoint are not in it.
        metrics.gauge("rides_waiting", () -> Math.max(0, waitingRides));
        stallWarnings = metrics.counter("stall_warnings");
        watermark = Long.MIN_VALUE;
        ordered = new HashMap<>();
    }

    @Override
    public void processElement(FeatureVector ride, Context ctx, Collector<FeatureVector> out) throws Exception {
        long millis = Math.floorDiv(ride.ride.pickupMicros, 1000L);
        watermark = ctx.timerService().currentWatermark();
        if (millis <= ctx.timerService().currentWatermark()) {
            ctx.output(
                    DEAD_LETTERS,
                    DeadLetter.of(
                            DeadLetter.Stage.FEATURES,
                            "late_event",
                            "pickup time is behind the watermark by "
                                    + (ctx.timerService().currentWatermark() - millis) + " ms",
                            ride.ride));
            return;
        }
        if (stallTimer.value() == null) {
            long at = ctx.timerService().currentProcessingTime() + stallWarningMillis;
            ctx.timerService().registerProcessingTimeTimer(at);
            stallTimer.update(at);
        }
        List<FeatureVector> waiting = pending.get(millis);
        if (waiting == null) {
            waiting = new ArrayList<>();
            ctx.timerService().registerEventTimeTimer(millis);
        }
        waiting.add(ride);
        pending.put(millis, waiting);
        waitingRides++;
    }

    @Override
    public void onTimer(long millis, OnTimerContext ctx, Collector<FeatureVector> out) throws Exception {
        if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
            stallTimer.clear();
            warnIfStalled(ctx);
            return;
        }
        watermark = ctx.timerService().currentWatermark();
        long firstMicros = millis * 1000L;
        ArrayDeque<Map.Entry<Long, double[]>> seen = ordered(ctx.getCurrentKey());
        // Entries older than the window of the earliest ride still to come can never be seen again.
        while (!seen.isEmpty() && seen.peekFirst().getKey() < firstMicros - WINDOW_MICROS) {
            window.remove(seen.pollFirst().getKey());
        }
        List<FeatureVector> rides = pending.get(millis);
        if (rides == null) {
            dropIfEmpty(ctx);
            return;
        }
        pending.remove(millis);
        waitingRides -= rides.size();
        // A fixed order (and summing in key order below) makes every double bit-identical in batch and streaming.
        rides.sort(Comparator.<FeatureVector>comparingLong(r -> r.ride.pickupMicros)
                .thenComparing(r -> r.ride.rideId));
        int i = 0;
        while (i < rides.size()) {
            long t = rides.get(i).ride.pickupMicros;
            long count = 0;
            double distance = 0;
            for (Map.Entry<Long, double[]> e : seen) {
                if (e.getKey() >= t - WINDOW_MICROS && e.getKey() < t) {
                    count += (long) e.getValue()[0];
                    distance += e.getValue()[1];
                }
            }
            int j = i;
            double[] same = new double[2];
            for (; j < rides.size() && rides.get(j).ride.pickupMicros == t; j++) {
                FeatureVector ride = rides.get(j);
                ride.puPickups15m = count;
                ride.puMeanDistance15m = count == 0 ? 0.0 : distance / count;
                out.collect(ride);
                lagMillis = ctx.timerService().currentProcessingTime() - millis;
                same[0] += 1;
                same[1] += ride.ride.tripDistance;
            }
            window.put(t, same);
            seen.addLast(Map.entry(t, same));
            ctx.timerService().registerEventTimeTimer(Math.floorDiv(t + WINDOW_MICROS, 1000L) + 1);
            i = j;
        }
        dropIfEmpty(ctx);
    }

    /**
     * The zone's window in key order. Every entry is processed after all earlier ones of its zone,
     * so entries only ever join at the end and leave at the front; the state is read only when this
     * subtask has no copy yet (its first timer for the zone, or after a restore).
     */
    private ArrayDeque<Map.Entry<Long, double[]>> ordered(Integer zone) throws Exception {
        ArrayDeque<Map.Entry<Long, double[]>> entries = ordered.get(zone);
        if (entries == null) {
            List<Map.Entry<Long, double[]>> stored = new ArrayList<>();
            window.entries().forEach(e -> stored.add(Map.entry(e.getKey(), e.getValue())));
            stored.sort(Map.Entry.comparingByKey());
            entries = new ArrayDeque<>(stored);
            ordered.put(zone, entries);
        }
        return entries;
    }

    private void warnIfStalled(OnTimerContext ctx) throws Exception {
        long rides = 0;
        long oldest = Long.MAX_VALUE;
        for (Map.Entry<Long, List<FeatureVector>> e : pending.entries()) {
            rides += e.getValue().size();
            oldest = Math.min(oldest, e.getKey());
        }
        if (rides == 0) {
            return;
        }
        stallWarnings.inc();
        long wm = ctx.timerService().currentWatermark();
        LOG.warn(
                "stream features of pickup zone {}: {} rides have waited over {} s for the watermark (oldest pickup {},"
                        + " watermark {}); is a source subtask or shard holding event time back?",
                ctx.getCurrentKey(),
                rides,
                stallWarningMillis / 1000,
                Instant.ofEpochMilli(oldest),
                wm == Long.MIN_VALUE ? "not set yet" : Instant.ofEpochMilli(wm));
        long at = ctx.timerService().currentProcessingTime() + stallWarningMillis;
        ctx.timerService().registerProcessingTimeTimer(at);
        stallTimer.update(at);
    }

    /** How many stall warnings this subtask logged (the {@code stall_warnings} metric). */
    long stallWarningCount() {
        return stallWarnings.getCount();
    }

    /** An empty map still holds an entry for its key in the state backend: clear it, so state drains to zero. */
    private void dropIfEmpty(Context ctx) throws Exception {
        if (window.isEmpty()) {
            window.clear();
            ordered.remove(ctx.getCurrentKey());
        }
        if (pending.isEmpty()) {
            pending.clear();
            Long stall = stallTimer.value();
            if (stall != null) {
                ctx.timerService().deleteProcessingTimeTimer(stall);
                stallTimer.clear();
            }
        }
    }
}
