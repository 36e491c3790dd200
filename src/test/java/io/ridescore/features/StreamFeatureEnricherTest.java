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

import java.time.Duration;
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
        harness = newHarness();
        harness.open();
    }

    private static KeyedOneInputStreamOperatorTestHarness<Integer, FeatureVector, FeatureVector> newHarness()
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new StreamFeatureEnricher(Duration.ofSeconds(30))),
                v -> v.ride.puLocationId,
                Types.INT);
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
        return harness.extractOutputValues().stream()
                .collect(Collectors.toMap(v -> v.ride.rideId, Function.identity()));
    }

    @Test
    void theWindowIsFifteenMinutesBeforeThePickupLowerBoundIncluded() throws Exception {
        send(ride("a", 7, T0, 2.0));
        send(ride("b", 7, T0 + 15 * MINUTE, 4.0)); // sees a: exactly 15 min before is inside
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

    /**
     * Streaming as it happens, not one flush at the end: rides arrive shuffled within two minutes of
     * event time, a watermark follows every 50 rides, and rides that arrive behind it are refused.
     * Every ride that is not late gets exactly the offline value computed without the late ones: a
     * late ride never changes another ride's features.
     */
    @Test
    void aWatermarkEveryFiftyRidesWithOutOfOrderAndLateRidesGivesTheOfflineValues() throws Exception {
        SplittableRandom rnd = new SplittableRandom(11);
        List<FeatureVector> arrivals = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            long micros = T0 + i * 7 * 1_000_000L + rnd.nextLong(120) * 1_000_000L; // up to 2 min out of order
            arrivals.add(ride("r" + i, 1 + rnd.nextInt(4), micros, Math.round(rnd.nextDouble() * 900) / 100.0 + 0.1));
        }
        List<String> late = new ArrayList<>();
        long maxMicros = Long.MIN_VALUE;
        long watermarkMicros = Long.MIN_VALUE;
        for (int i = 0; i < arrivals.size(); i++) {
            FeatureVector v = arrivals.get(i);
            if (i % 97 == 96) { // a straggler: ten minutes behind the newest pickup
                v.ride.pickupMicros = maxMicros - 10 * MINUTE;
            }
            if (v.ride.pickupMicros / 1000 <= watermarkMicros / 1000) {
                late.add(v.ride.rideId);
            }
            send(v);
            maxMicros = Math.max(maxMicros, v.ride.pickupMicros);
            if (i % 50 == 49) {
                watermarkMicros = maxMicros - 2 * MINUTE - 1000;
                watermark(watermarkMicros);
            }
        }
        watermark(maxMicros + 16 * MINUTE);

        List<FeatureVector> offline = new ArrayList<>();
        for (FeatureVector v : arrivals) {
            if (!late.contains(v.ride.rideId)) {
                offline.add(ride(v.ride.rideId, v.ride.puLocationId, v.ride.pickupMicros, v.ride.tripDistance));
            }
        }
        StreamFeatures.computeOffline(offline);
        Map<String, FeatureVector> out = emitted();
        assertThat(late).hasSizeGreaterThan(20);
        assertThat(out).hasSize(arrivals.size() - late.size());
        for (FeatureVector expected : offline) {
            FeatureVector actual = out.get(expected.ride.rideId);
            assertThat(actual.puPickups15m).as(expected.ride.rideId).isEqualTo(expected.puPickups15m);
            assertThat(actual.puMeanDistance15m).as(expected.ride.rideId).isEqualTo(expected.puMeanDistance15m);
        }
        assertThat(harness.getSideOutput(StreamFeatureEnricher.DEAD_LETTERS))
                .extracting(r -> r.getValue().rideId)
                .containsExactlyInAnyOrderElementsOf(late);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    /** Rides waiting for a watermark that never comes: a stall timer per zone fires, warns, re-arms, and goes once drained. */
    @Test
    void ridesWaitingLongerThanTheStallBoundAreWarnedAboutUntilTheyDrain() throws Exception {
        harness.setProcessingTime(0);
        send(ride("a", 7, T0, 1.0));
        send(ride("b", 7, T0 + MINUTE, 1.0));
        send(ride("c", 8, T0, 1.0));
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(2); // one per zone, not per ride
        harness.setProcessingTime(30_000);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(2); // re-armed: still waiting
        assertThat(stallWarnings()).isEqualTo(2);
        watermark(T0 + 20 * MINUTE);
        assertThat(harness.extractOutputValues()).hasSize(3);
        assertThat(harness.numProcessingTimeTimers()).isZero();
        harness.setProcessingTime(120_000);
        assertThat(stallWarnings()).isEqualTo(2);
    }

    /**
     * A subtask restored from a checkpoint taken while windows are full knows its windows only from
     * state: it gives every ride after the restore the value an uninterrupted run gives.
     */
    @Test
    void aRestoredSubtaskGivesTheValuesOfOneThatRanThrough() throws Exception {
        SplittableRandom rnd = new SplittableRandom(5);
        List<FeatureVector> rides = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            long micros = T0 + i * 3 * 1_000_000L + rnd.nextLong(30) * 1_000_000L;
            rides.add(ride("r" + i, 1 + rnd.nextInt(3), micros, Math.round(rnd.nextDouble() * 900) / 100.0 + 0.1));
        }
        List<FeatureVector> offline = new ArrayList<>();
        for (FeatureVector v : rides) {
            offline.add(ride(v.ride.rideId, v.ride.puLocationId, v.ride.pickupMicros, v.ride.tripDistance));
        }
        StreamFeatures.computeOffline(offline);

        Map<String, FeatureVector> out = new java.util.HashMap<>();
        for (int i = 0; i < 1000; i++) {
            send(rides.get(i));
            if (i % 100 == 99) {
                watermark(rides.get(i).ride.pickupMicros - MINUTE);
            }
        }
        var snapshot = harness.snapshot(1, 0);
        out.putAll(emitted());
        harness.close();
        harness = newHarness();
        harness.initializeState(snapshot);
        harness.open();
        assertThat(harness.numKeyedStateEntries()).isPositive(); // windows and waiting rides came back
        for (int i = 1000; i < rides.size(); i++) {
            send(rides.get(i));
            if (i % 100 == 99) {
                watermark(rides.get(i).ride.pickupMicros - MINUTE);
            }
        }
        watermark(T0 + 200 * MINUTE);
        out.putAll(emitted());

        assertThat(out).hasSize(rides.size());
        for (FeatureVector expected : offline) {
            FeatureVector actual = out.get(expected.ride.rideId);
            assertThat(actual.puPickups15m).as(expected.ride.rideId).isEqualTo(expected.puPickups15m);
            assertThat(actual.puMeanDistance15m).as(expected.ride.rideId).isEqualTo(expected.puMeanDistance15m);
        }
        assertThat(offline).anyMatch(v -> v.puPickups15m > 50);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    private long stallWarnings() {
        return ((StreamFeatureEnricher) ((KeyedProcessOperator<?, ?, ?>) harness.getOperator()).getUserFunction())
                .stallWarningCount();
    }
}
