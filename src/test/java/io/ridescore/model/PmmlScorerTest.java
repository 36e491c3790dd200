package io.ridescore.model;

import io.ridescore.event.RideEvent;
import io.ridescore.features.FeatureVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PmmlScorerTest {
    @TempDir
    Path dir;

    private static FeatureVector vector(int pu, int dO, double distance, Integer hour) {
        FeatureVector v = new FeatureVector();
        v.ride = new RideEvent("1", true, pu, dO, distance, null, null, null);
        v.pickupHour = hour;
        return v;
    }

    @Test
    void scoresWithKnownCoefficientsAndReadsTheTargetNameFromTheModel() throws Exception {
        PmmlScorer scorer = new PmmlScorer(
                ModelLoader.load(new ModelSpec(TestModels.known(dir, "7").toString(), null)));
        assertThat(scorer.targetField()).isEqualTo("y");
        assertThat(scorer.score(vector(3, 4, 2.0, 10))).isEqualTo(8.0);
        assertThat(scorer.score(vector(3, 4, 2.0, 8))).isEqualTo(13.0);
        assertThat(scorer.score(vector(1, 2, 1.5, 8))).isEqualTo(11.0);
    }

    @Test
    void nameAndVersionComeFromTheModelUnlessTheRunOverridesThem() throws Exception {
        String file = TestModels.known(dir, "2024.1").toString();
        PmmlScorer fromHeader = new PmmlScorer(ModelLoader.load(new ModelSpec(file, null)));
        assertThat(fromHeader.modelName()).isEqualTo("test_duration_model");
        assertThat(fromHeader.modelVersion()).isEqualTo("2024.1");
        PmmlScorer overridden = new PmmlScorer(ModelLoader.load(new ModelSpec("file://" + file, "run-abc")));
        assertThat(overridden.modelVersion()).isEqualTo("run-abc");
    }

    @Test
    void withoutAHeaderVersionTheVersionIsAContentHash() throws Exception {
        Path file = TestModels.known(dir, null);
        String version = ModelLoader.load(new ModelSpec(file.toString(), null)).version();
        // The first 12 hex digits of the SHA-256 of the file's bytes, computed here apart.
        String expected = HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)))
                .substring(0, 12);
        assertThat(version).isEqualTo("sha256-" + expected);
        // Other content, another version: a one-byte change shows.
        Path other = TestModels.withIntercept(dir.resolve("other.pmml"), 2.5, null);
        assertThat(ModelLoader.load(new ModelSpec(other.toString(), null)).version())
                .isNotEqualTo(version)
                .startsWith("sha256-");
    }

    @Test
    void aValueTheModelRefusesIsAScoringErrorNotACrash() throws Exception {
        PmmlScorer scorer = new PmmlScorer(
                ModelLoader.load(new ModelSpec(TestModels.known(dir, "7").toString(), null)));
        // PU_DO "5_6" is not among the model's values; its default invalid-value treatment refuses it.
        assertThatThrownBy(() -> scorer.score(vector(5, 6, 2.0, 10)))
                .isInstanceOf(ScoringException.class)
                .satisfies(e -> assertThat(((ScoringException) e).reason()).isEqualTo("model_refused"))
                .hasMessageContaining("PU_DO");
    }

    @Test
    void aModelAskingForAnUnknownFieldIsRefusedWithOneLineNamingIt() throws Exception {
        Path file = TestModels.needingWeather(dir);
        assertThatThrownBy(() -> new PmmlScorer(ModelLoader.load(new ModelSpec(file.toString(), null))))
                .isInstanceOf(ModelException.class)
                .hasMessageStartingWith(
                        "model test_duration_model needs input field 'weather_index', which ridescore cannot supply")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void missingAndCorruptModelsFailClearly() throws Exception {
        assertThatThrownBy(() ->
                        ModelLoader.load(new ModelSpec(dir.resolve("nope.pmml").toString(), null)))
                .isInstanceOf(ModelException.class)
                .hasMessageStartingWith("model not found: ");
        Path corrupt = Files.writeString(dir.resolve("corrupt.pmml"), "<PMML><oops");
        assertThatThrownBy(() -> ModelLoader.load(new ModelSpec(corrupt.toString(), null)))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("is not a valid PMML model");
        assertThatThrownBy(() -> ModelLoader.load(new ModelSpec("gs://bucket/model.pmml", null)))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("scheme not supported");
    }

    @Test
    void theShippedModelBindsToOurFeatures() {
        PmmlScorer scorer = new PmmlScorer(ModelLoader.load(new ModelSpec("pmml/ride_duration.pmml", null)));
        assertThat(scorer.modelName()).isEqualTo("ride_duration_prediction_model");
        assertThat(scorer.targetField()).isEqualTo("duration");
        assertThat(scorer.requiredFeatures()).hasSize(7);
    }
}
