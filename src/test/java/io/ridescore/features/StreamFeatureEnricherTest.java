package io.ridescore.features;

import io.ridescore.event.DeadLetter;
import io.ridescore.event.RideEvent;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class StreamFeatureEnricherTest {
    private static final long MINUTE = 60_000_000L;
    private static final long T0 = 1_612_137_600_000_000L; // 2021-02-01T00:00 in micros

    private KeyedOneInputStreamOperatorTestHarness<Integer, FeatureVector, FeatureVector> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new StreamFeatureEnricher(java.time.Duration.ofSeconds(30))),
                v -> v.ride.puLocationId, Types.INT);
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private static FeatureVector ride(String id, int zone, long micros, double distance) {
        return FeatureVector.of(new RideEvent(id, false, zone, 1, distance, micros, null, null));
    }

    private void send(FeatureVector v) throws Exception {
        harness.processElement(new StreamRecord<>(v, Math.floorDiv(v.ride.pickupMicros, 1000L)));
    }

    private void watermark(long micros) throws Exception {
        harness.processWatermark(Math.floorDiv(micros, 1000L));
    }

    private Map<String, FeatureVector> emitted() {
        return harness.extractOutputValues().stream().collect(Collectors.toMap(v -> v.ride.rideId, Function.identity()));
    }

    @Test
    void theWindowIsFifteenMinutesBeforeThePickupLowerBoundIncluded() throws Exception {
        send(ride("a", 7, T0, 2.0));
        send(ride("b", 7, T0 + 15 * MINUTE, 4.0));     // sees a: exactly 15 min before is inside
        send(ride("c", 7, T0 + 15 * MINUTE + 1, 6.0)); // a is now 1 µs too old; sees b only
        send(ride("other-zone", 8, T0 + MINUTE, 9.0));
        watermark(T0 + 16 * MINUTE);
        Map<String, FeatureVector> out = emitted();
        assertThat(out.get("a").puPickups15m).isZero();
        assertThat(out.get("a").puMeanDistance15m).isZero();
        assertThat(out.get("b").puPickups15m).isEqualTo(1);
        assertThat(out.get("b").puMeanDistance15m).isEqualTo(2.0);
        assertThat(out.get("c").puPickups15m).isEqualTo(1);
        assertThat(out.get("c").puMeanDistance15m).isEqualTo(4.0);
        assertThat(out.get("other-zone").puPickups15m).isZero();
    }

    @Test
    void ridesWithTheSamePickupTimeDoNotSeeEachOther() throws Exception {
        send(ride("a", 7, T0, 1.0));
        send(ride("b", 7, T0 + MINUTE, 3.0));
        send(ride("c", 7, T0 + MINUTE, 5.0));
        send(ride("d", 7, T0 + MINUTE + 1, 7.0));
        watermark(T0 + 2 * MINUTE);
        Map<String, FeatureVector> out = emitted();
        assertThat(out.get("b").puPickups15m).isEqualTo(1);
        assertThat(out.get("c").puPickups15m).isEqualTo(1);
        assertThat(out.get("d").puPickups15m).isEqualTo(3);
        assertThat(out.get("d").puMeanDistance15m).isEqualTo(3.0);
    }

    @Test
    void outOfOrderRidesWithinTheBoundAreProcessedInPickupOrder() throws Exception {
        send(ride("late-arriving-later-pickup", 7, T0 + 5 * MINUTE, 4.0));
        send(ride("early", 7, T0, 2.0));
        assertThat(harness.extractOutputValues()).isEmpty(); // both wait for the watermark
        watermark(T0 + 5 * MINUTE);
        List<FeatureVector> out = harness.extractOutputValues();
        assertThat(out).extracting(v -> v.ride.rideId).containsExactly("early", "late-arriving-later-pickup");
        assertThat(out.get(1).puPickups15m).isEqualTo(1);
    }

    @Test
    void ridesBehindTheWatermarkAreDeadLetteredNotScoredWithAWrongCount() throws Exception {
        send(ride("on-time", 7, T0 + MINUTE, 2.0));
        watermark(T0 + MINUTE);
        send(ride("late", 7, T0 + 30_000_000L, 2.0));
        assertThat(emitted()).containsOnlyKeys("on-time");
        List<DeadLetter> letters = new ArrayList<>();
        harness.getSideOutput(StreamFeatureEnricher.DEAD_LETTERS).forEach(r -> letters.add(r.getValue()));
        assertThat(letters).singleElement().satisfies(l -> {
            assertThat(l.stage).isEqualTo("features");
            assertThat(l.reason).isEqualTo("late_event");
            assertThat(l.rideId).isEqualTo("late");
            assertThat(l.detail).isEqualTo("pickup time is behind the watermark by 30000 ms");
        });
    }

    @Test
    void stateAndTimersDrainOnceTheWindowHasPassed() throws Exception {
        send(ride("a", 7, T0, 1.0));
        send(ride("b", 7, T0 + 3 * MINUTE, 1.0));
        send(ride("c", 9, T0 + 4 * MINUTE, 1.0));
        watermark(T0 + 4 * MINUTE);
        assertThat(harness.numKeyedStateEntries()).isPositive();
        assertThat(harness.numEventTimeTimers()).isPositive();
        watermark(T0 + 4 * MINUTE + 15 * MINUTE + 1000);
        assertThat(harness.extractOutputValues()).hasSize(3);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void theOfflineComputationForTrainingGivesBitIdenticalValues() throws Exception {
        SplittableRandom rnd = new SplittableRandom(3);
        List<FeatureVector> streamed = new ArrayList<>();
        List<FeatureVector> offline = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            long micros = T0 + rnd.nextLong(6 * 60 * MINUTE) / 1_000_000L * 1_000_000L; // seconds: many equal times
            int zone = 1 + rnd.nextInt(5);
            double distance = Math.round(rnd.nextDouble() * 1000) / 100.0 + 0.01;
            streamed.add(ride("r" + i, zone, micros, distance));
            offline.add(ride("r" + i, zone, micros, distance));
        }
        for (FeatureVector v : streamed) {
            send(v);
        }
        watermark(T0 + 7 * 60 * MINUTE);
        StreamFeatures.computeOffline(offline);
        Map<String, FeatureVector> out = emitted();
        assertThat(out).hasSize(3000);
        for (FeatureVector expected : offline) {
            FeatureVector actual = out.get(expected.ride.rideId);
            assertThat(actual.puPickups15m).isEqualTo(expected.puPickups15m);
            assertThat(actual.puMeanDistance15m).isEqualTo(expected.puMeanDistance15m);
        }
        assertThat(offline).anyMatch(v -> v.puPickups15m > 20);
    }
}
