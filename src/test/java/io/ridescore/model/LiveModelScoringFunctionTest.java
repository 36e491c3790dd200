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
        LiveModelScoringFunction scorer = new LiveModelScoringFunction(new ModelSpec(model.toString(), null), true);
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
                    new LiveModelScoringFunction(new ModelSpec(model.toString(), null), true);
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
        LiveModelScoringFunction scorer = new LiveModelScoringFunction(new ModelSpec(model.toString(), null), true);
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
}
