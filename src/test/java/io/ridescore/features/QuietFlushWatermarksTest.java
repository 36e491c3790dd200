package io.ridescore.features;

import io.ridescore.event.RideEvent;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-shard watermark generator, driven by a hand-moved clock. */
class QuietFlushWatermarksTest {
    private static final long MS = 1_000_000L;
    private static final long T = 1_612_137_600_000L; // pickup times, epoch millis

    private long now = 5_000 * MS;
    private final QuietFlushWatermarks generator = new QuietFlushWatermarks(500, 1000, 1000, () -> now);
    private final List<String> out = new ArrayList<>();
    private final WatermarkOutput output = new WatermarkOutput() {
        @Override
        public void emitWatermark(Watermark watermark) {
            out.add("wm " + (watermark.getTimestamp() - T));
        }

        @Override
        public void markIdle() {
            out.add("idle");
        }

        @Override
        public void markActive() {
            out.add("active");
        }
    };

    private void ride(String shard, long pickupOffsetMillis) {
        FeatureVector v =
                FeatureVector.of(new RideEvent("r", false, 1, 2, 1.0, (T + pickupOffsetMillis) * 1000, null, null));
        v.ride.shardId = shard;
        generator.onEvent(v, T + pickupOffsetMillis, output);
    }

    private List<String> tick(long millis) {
        now += millis * MS;
        out.clear();
        generator.onPeriodicEmit(output);
        return List.copyOf(out);
    }

    @Test
    void aSubtaskThatOwnsNoShardGoesIdleAfterTheStartupHoldAndHoldsNoOneBack() {
        assertThat(tick(999)).isEmpty();
        assertThat(tick(1)).containsExactly("idle");
        assertThat(tick(200)).isEmpty(); // idle once, not again on every tick
    }

    @Test
    void aRestartedSubtaskHoldsEventTimeUntilItsStartupIsOverSoAShardThatStartsLateIsNotLate() {
        QuietFlushWatermarks restarted = new QuietFlushWatermarks(500, 1000, 15_000, () -> now);
        FeatureVector early = FeatureVector.of(new RideEvent("a", false, 1, 2, 1.0, (T + 60_000) * 1000, null, null));
        early.ride.shardId = "s0";
        restarted.onEvent(early, T + 60_000, output);
        for (int i = 0; i < 13; i++) {
            now += 1000 * MS;
            restarted.onEvent(early, T + 60_000, output); // s0 replays; s1 has not started
            restarted.onPeriodicEmit(output);
        }
        assertThat(out).isEmpty(); // neither a watermark nor idle, though s0 alone is busy
        FeatureVector late = FeatureVector.of(new RideEvent("b", false, 1, 2, 1.0, T * 1000, null, null));
        late.ride.shardId = "s1";
        restarted.onEvent(late, T, output);
        now += 2000 * MS;
        restarted.onEvent(early, T + 60_000, output);
        restarted.onEvent(late, T, output);
        restarted.onPeriodicEmit(output);
        assertThat(out).containsExactly("wm -501"); // s1's rides, a minute older, are not behind it
    }

    @Test
    void noWatermarkUntilEveryShardHadAQuietPeriodToBePolled() {
        ride("s0", 60_000);
        assertThat(tick(500)).isEmpty();
        ride("s1", 1_000);
        assertThat(tick(499)).isEmpty();
        ride("s0", 60_001);
        assertThat(tick(1)).containsExactly("wm 499"); // the slower shard s1 holds it: 1000 - 500 - 1
    }

    @Test
    void theWatermarkIsTheLowestOverActiveShardsSoAReplayMakesNoRideLate() {
        ride("s0", 0);
        ride("s1", 0);
        tick(1000);
        ride("s0", 3_600_000); // s0 was polled an hour of event time ahead
        ride("s1", 10_000);
        assertThat(tick(100)).containsExactly("wm 9499");
        ride("s1", 20_000);
        assertThat(tick(100)).containsExactly("wm 19499");
    }

    @Test
    void aShardQuietForTheQuietPeriodStopsHoldingTheWatermarkBack() {
        ride("s0", 0);
        ride("s1", 0);
        tick(900);
        ride("s0", 100);
        ride("s1", 100);
        assertThat(tick(200)).containsExactly("wm -401");
        for (int i = 1; i <= 12; i++) { // s1 closed by a reshard: only s0 delivers
            ride("s0", i * 1000L);
            assertThat(tick(100)).containsExactly(i < 8 ? "wm -401" : "wm " + (i * 1000L - 501));
        }
    }

    @Test
    void aQuietSubtaskFlushesToItsNewestPickupAndGoesIdleAndTheNextRideWakesIt() {
        ride("s0", 0);
        ride("s1", 5_000);
        assertThat(tick(999)).isEmpty();
        assertThat(tick(1)).containsExactly("wm 5000", "idle");
        assertThat(tick(1000)).isEmpty();
        out.clear();
        ride("s0", 7_000);
        assertThat(out).containsExactly("active");
        assertThat(tick(10)).containsExactly("wm 6499"); // s1, quiet for over a second, no longer counts
    }
}
