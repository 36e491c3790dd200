package io.ridescore.model;

import io.ridescore.event.DeadLetter;
import io.ridescore.event.RideEvent;
import io.ridescore.event.ScoredRide;
import io.ridescore.features.FeatureVector;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The live model switch in the scorer operator (operator harness): a new release replaces the
 * model between two records, a bad one is refused while the old one serves, and the model in use
 * comes back from a checkpoint even when the URI it was started with no longer serves it.
 */
class LiveModelScoringFunctionTest {
    @TempDir
    Path dir;

    private static FeatureVector ride(String id, double distance) {
        FeatureVector v = new FeatureVector();
        v.ride = new RideEvent(id, false, 3, 4, distance, null, null, null);
        v.pickupHour = 10;
        return v;
    }

    private static BroadcastOperatorTestHarness<FeatureVector, ModelRelease, ScoredRide> harness(
            LiveModelScoringFunction f, OperatorSubtaskState restoreFrom) throws Exception {
        return harness(f, restoreFrom, 1, 0);
    }

    /** Subtask {@code subtask} of {@code parallelism} (max parallelism 4, so state can be rescaled). */
    private static BroadcastOperatorTestHarness<FeatureVector, ModelRelease, ScoredRide> harness(
            LiveModelScoringFunction f, OperatorSubtaskState restoreFrom, int parallelism, int subtask)
            throws Exception {
        BroadcastOperatorTestHarness<FeatureVector, ModelRelease, ScoredRide> h = new BroadcastOperatorTestHarness<>(
                new CoBroadcastWithNonKeyedOperator<>(f, List.of(ModelReleases.SERVING)), 4, parallelism, subtask);
        h.setup();
        if (restoreFrom != null) {
            h.initializeState(restoreFrom);
        }
        h.open();
        return h;
    }

    private static ModelRelease release(Path file) {
        return ModelLoader.poll(new ModelSpec(file.toString(), null));
    }

    private static List<String> labelsAndValues(
            BroadcastOperatorTestHarness<FeatureVector, ModelRelease, ScoredRide> h) {
        return h.extractOutputValues().stream()
                .map(s -> s.rideId + "=" + s.predictedDuration + "@" + s.modelVersion)
                .toList();
    }

    @Test
    void aNewReleaseGoesLiveBetweenRecordsAndABadOneIsRefusedWhileTheOldOneServes() throws Exception {
        Path model = TestModels.withIntercept(dir.resolve("model.pmml"), 2.0, "v1");
        LiveModelScoringFunction scorer =
                new LiveModelScoringFunction(new ModelSpec(model.toString(), null), null, true);
        OperatorSubtaskState checkpoint;
        try (var h = harness(scorer, null)) {
            h.processElement(ride("a", 2.0), 0);
            h.processBroadcastElement(release(model), 0); // the same release again: nothing changes
            h.processElement(ride("b", 2.0), 0);

            TestModels.withIntercept(model, 10.0, "v2");
            h.processBroadcastElement(release(model), 0);
            h.processElement(ride("c", 2.0), 0);

            Files.writeString(model, "<PMML>truncated upload", StandardCharsets.UTF_8);
            h.processBroadcastElement(release(model), 0);
            h.processBroadcastElement(release(model), 0); // polled again: refused once, not on every poll
            h.processBroadcastElement(release(TestModels.needingWeather(dir)), 0);
            h.processBroadcastElement(new ModelRelease(model.toString(), "registry down", null, null, null, null), 0);
            h.processElement(ride("d", 1.0), 0);

            // y = intercept + 3·distance (hour 10, PU_DO 3_4 adds nothing)
            assertThat(labelsAndValues(h)).containsExactly("a=8.0@v1", "b=8.0@v1", "c=16.0@v2", "d=13.0@v2");
            assertThat(scorer.modelSwaps()).isEqualTo(1);
            assertThat(scorer.modelsRefused()).isEqualTo(2);
            assertThat(h.getSideOutput(PmmlScoringFunction.DEAD_LETTERS)).isNull();
            checkpoint = h.snapshot(1, 1);
        }

        // After a restart the URI serves nothing at all; the checkpoint still holds v2, for every
        // subtask, also when the job comes back at a higher parallelism.
        Files.delete(model);
        for (int[] at : new int[][] {{1, 0}, {2, 0}, {2, 1}}) {
            LiveModelScoringFunction restarted =
                    new LiveModelScoringFunction(new ModelSpec(model.toString(), null), null, true);
            OperatorSubtaskState part =
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(checkpoint, 4, 1, at[0], at[1]);
            try (var h = harness(restarted, part, at[0], at[1])) {
                h.processElement(ride("e", 2.0), 0);
                assertThat(labelsAndValues(h))
                        .as("subtask %d of %d", at[1], at[0])
                        .containsExactly("e=16.0@v2");
            }
        }
    }

    /** v1 knows the zone pair 5_6, v2 (broadcast mid-stream) does not: the same ride is scored, then refused by v2. */
    @Test
    void ridesTheNewModelRefusesAreDeadLetteredByIt() throws Exception {
        Path model = TestModels.withIntercept(dir.resolve("model.pmml"), 2.0, "v1");
        Files.writeString(model, Files.readString(model).replace("value=\"3_4\"", "value=\"5_6\""));
        LiveModelScoringFunction scorer =
                new LiveModelScoringFunction(new ModelSpec(model.toString(), null), null, true);
        try (var h = harness(scorer, null)) {
            h.processElement(ride56("x1"), 0);
            TestModels.withIntercept(model, 2.0, "v2"); // declares 1_2 and 3_4 only
            h.processBroadcastElement(release(model), 0);
            h.processElement(ride56("x2"), 0);
            assertThat(labelsAndValues(h)).containsExactly("x1=8.0@v1");
            assertThat(scorer.modelSwaps()).isEqualTo(1);
            assertThat(h.getSideOutput(PmmlScoringFunction.DEAD_LETTERS))
                    .extracting(r -> (DeadLetter) r.getValue())
                    .singleElement()
                    .satisfies(letter -> {
                        assertThat(letter.rideId).isEqualTo("x2");
                        assertThat(letter.reason).isEqualTo("model_refused");
                    });
        }
    }

    private static FeatureVector ride56(String id) {
        FeatureVector v = ride(id, 2.0);
        v.ride.puLocationId = 5;
        v.ride.doLocationId = 6;
        return v;
    }

    private static ModelRelease challengerRelease(Path file) {
        ModelRelease release = release(file);
        release.challenger = true;
        return release;
    }

    private static List<String> shadow(BroadcastOperatorTestHarness<FeatureVector, ModelRelease, ScoredRide> h) {
        return h.getSideOutput(PmmlScoringFunction.SHADOW).stream()
                .map(r -> (ScoredRide) r.getValue())
                .map(s -> s.rideId + "=" + s.predictedDuration + "@" + s.modelVersion)
                .toList();
    }

    /**
     * The serving model v1 knows zone pair 3_4; challenger c1 knows 5_6 only, then c2 (broadcast
     * mid-stream) knows 3_4. A ride the challenger refuses is served as ever; a ride the serving
     * model refuses is dead-lettered as ever, while the challenger's prediction for it goes to the
     * shadow output; and the challenger in use comes back from a checkpoint.
     */
    @Test
    void aChallengerIsScoredInShadowAndSwappedLiveAndItsRefusalsNeverReachTheServingPath() throws Exception {
        Path model = TestModels.withIntercept(dir.resolve("model.pmml"), 2.0, "v1");
        Path challenger = TestModels.withIntercept(dir.resolve("challenger.pmml"), 5.0, "c1");
        Files.writeString(challenger, Files.readString(challenger).replace("value=\"3_4\"", "value=\"5_6\""));
        ModelSpec challengerSpec = new ModelSpec(challenger.toString(), null);
        LiveModelScoringFunction scorer =
                new LiveModelScoringFunction(new ModelSpec(model.toString(), null), challengerSpec, true);
        OperatorSubtaskState checkpoint;
        try (var h = harness(scorer, null)) {
            h.processElement(ride("a", 2.0), 0);
            h.processElement(ride56("x"), 0);
            TestModels.withIntercept(challenger, 6.0, "c2");
            h.processBroadcastElement(challengerRelease(challenger), 0);
            h.processElement(ride("b", 2.0), 0);

            assertThat(labelsAndValues(h)).containsExactly("a=8.0@v1", "b=8.0@v1");
            List<ScoredRide> served = h.extractOutputValues();
            assertThat(served.get(0).challengerPrediction).isNull();
            assertThat(served.get(0).challengerVersion).isEqualTo("c1");
            assertThat(served.get(1).challengerPrediction).isEqualTo(12.0);
            assertThat(served.get(1).challengerVersion).isEqualTo("c2");
            assertThat(h.getSideOutput(PmmlScoringFunction.DEAD_LETTERS))
                    .extracting(r -> ((DeadLetter) r.getValue()).rideId + ":" + ((DeadLetter) r.getValue()).reason)
                    .containsExactly("x:model_refused");
            assertThat(shadow(h)).containsExactly("x=11.0@c1", "b=12.0@c2");
            assertThat(scorer.modelSwaps()).isEqualTo(1);

            ShadowComparison.Totals totals = (ShadowComparison.Totals) h.getEnvironment()
                    .getAccumulatorRegistry()
                    .getUserMap()
                    .get(ShadowComparison.NAME)
                    .getLocalValue();
            assertThat(totals.pairs())
                    .containsOnlyKeys(
                            "test_duration_model@v1 -> test_duration_model@c1",
                            "test_duration_model@v1 -> test_duration_model@c2");
            ShadowComparison.Pair c1 = totals.pairs().get("test_duration_model@v1 -> test_duration_model@c1");
            assertThat(c1.challengerRefused()).containsExactly(Map.entry("model_refused", 1L));
            assertThat(c1.challengerOnly()).isEqualTo(1);
            ShadowComparison.Pair c2 = totals.pairs().get("test_duration_model@v1 -> test_duration_model@c2");
            assertThat(c2.agreement().pairs()).isEqualTo(1);
            assertThat(c2.agreement().meanAbsDiff()).isEqualTo(4.0);
            checkpoint = h.snapshot(1, 1);
        }

        Files.delete(challenger);
        LiveModelScoringFunction restarted =
                new LiveModelScoringFunction(new ModelSpec(model.toString(), null), challengerSpec, true);
        try (var h = harness(restarted, checkpoint)) {
            h.processElement(ride("c", 2.0), 0);
            assertThat(shadow(h)).containsExactly("c=12.0@c2");
        }
    }
}
