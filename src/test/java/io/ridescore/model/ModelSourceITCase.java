package io.ridescore.model;

import io.ridescore.testing.FakeMlflow;
import io.ridescore.testing.LocalS3;
import org.dmg.pmml.regression.RegressionModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Models from a registry, against {@link FakeMlflow}: MLflow itself cannot be installed here (no
 * PyPI), so a small HTTP server on loopback speaks the documented MLflow REST endpoints the loader
 * uses.
 */
class ModelSourceITCase {
    static final String SHIPPED = "pmml/ride_duration.pmml";
    static FakeMlflow mlflow;
    static String tracking;

    @BeforeAll
    static void startFakeMlflow() throws IOException {
        byte[] model = Files.readAllBytes(Path.of(SHIPPED));
        mlflow = new FakeMlflow();
        // Each version serves its own content, so serving the wrong version's artifact shows.
        mlflow.registerInArtifactStore("ride-duration", "2", "Staging", "def456", withIntercept(model, "2.25"));
        mlflow.register("ride-duration", "3", "Production", "abc123", withIntercept(model, "3.25"));
        mlflow.serveFile("plain.pmml", model);
        tracking = mlflow.uri();
    }

    /** The shipped model with another intercept: the same inputs, a different answer. */
    static byte[] withIntercept(byte[] pmml, String intercept) {
        return new String(pmml, StandardCharsets.UTF_8)
                .replaceFirst("intercept=\"[^\"]+\"", "intercept=\"" + intercept + "\"")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The intercept of the model that was loaded, read from its PMML document. */
    static double intercept(LoadedModel model) {
        var regression = (RegressionModel) model.pmml().getModels().get(0);
        return regression.getRegressionTables().get(0).getIntercept().doubleValue();
    }

    @RegisterExtension
    static final LocalS3 S3 = new LocalS3();

    @AfterAll
    static void stop() {
        mlflow.close();
    }

    private static LoadedModel load(String uri, String fallback, String trackingUri) {
        return ModelLoader.load(
                new ModelSpec(uri, fallback, trackingUri, S3.endpoint(), null, false, Duration.ZERO, null));
    }

    @Test
    void s3ServesThroughTheSdkAndAnS3CompatibleEndpoint() throws IOException {
        S3.put("ride-duration/model.pmml", Files.readAllBytes(Path.of(SHIPPED)));
        LoadedModel model = load("s3://models/ride-duration/model.pmml", null, null);
        assertThat(model.source()).isEqualTo("s3://models/ride-duration/model.pmml from " + S3.endpoint());
        assertThat(model.version()).isEqualTo("linear-2021-01-c1cbc1c7");

        assertThatThrownBy(() -> load("s3://models/ride-duration/nope.pmml", null, null))
                .isInstanceOf(ModelException.class)
                .hasMessage("model not found: s3://models/ride-duration/nope.pmml");
        assertThatThrownBy(() -> load("s3://models", null, null))
                .hasMessage("model URI s3://models is not s3://<bucket>/<key>");
    }

    @Test
    void aRegistryVersionStoredInS3IsDownloadedFromS3() throws IOException {
        S3.put("mlflow/1/s3run/artifacts/model/model.pmml", Files.readAllBytes(Path.of(SHIPPED)));
        mlflow.registerAt("ride-duration-s3", "7", "Production", "s3run", "s3://models/mlflow/1/s3run/artifacts/model");
        LoadedModel model = load("models:/ride-duration-s3/Production", null, tracking);
        assertThat(model.name()).isEqualTo("ride-duration-s3");
        assertThat(model.version()).isEqualTo("7");
        assertThat(model.source()).contains("s3://models/mlflow/1/s3run/artifacts/model");
    }

    @Test
    void withoutCredentialsS3FailsWithOneClearLine() {
        String key = System.clearProperty("aws.accessKeyId");
        try {
            assertThatThrownBy(() -> load("s3://models/ride-duration/model.pmml", SHIPPED, null))
                    .isInstanceOf(ModelException.class)
                    .hasMessage("no AWS credentials to read s3://models/ride-duration/model.pmml"
                            + " (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run with a role)");
        } finally {
            System.setProperty("aws.accessKeyId", key);
        }
    }

    @Test
    void whenS3IsUnreachableTheFallbackServes() throws IOException {
        String down = "http://127.0.0.1:" + closedPort();
        LoadedModel model = ModelLoader.load(new ModelSpec(
                "s3://models/ride-duration/model.pmml", SHIPPED, null, down, null, false, Duration.ZERO, null));
        assertThat(model.source())
                .contains("(fallback: " + down + " is unreachable for s3://models/ride-duration/model.pmml");
    }

    @Test
    void aStageResolvesToItsLatestVersionWithTheRegistrysNameAndVersion() {
        LoadedModel model = load("models:/ride-duration/Production", null, tracking);
        assertThat(model.name()).isEqualTo("ride-duration");
        assertThat(model.version()).isEqualTo("3");
        assertThat(intercept(model)).isEqualTo(3.25);
        assertThat(model.source()).contains("version 3", "run abc123", "from " + tracking);
        assertThat(new PmmlScorer(model, false).targetField()).isEqualTo("duration");
    }

    @Test
    void aVersionNumberResolvesThroughModelVersionsAndTheArtifactProxy() {
        LoadedModel model = load("models:/ride-duration/2", null, tracking);
        assertThat(model.version()).isEqualTo("2");
        assertThat(intercept(model)).isEqualTo(2.25);
        assertThat(intercept(load("models:/ride-duration/Staging", null, tracking)))
                .isEqualTo(2.25);
        assertThat(mlflow.requests())
                .contains("GET /api/2.0/mlflow-artifacts/artifacts/1/def456/artifacts/model/model.pmml");
    }

    @Test
    void aRunUriReportsTheRunIdAsVersion() {
        LoadedModel model = load("runs:/abc123/model", null, tracking);
        assertThat(model.version()).isEqualTo("abc123");
        assertThat(intercept(model)).isEqualTo(3.25);
        assertThat(model.name()).isEqualTo("ride_duration_prediction_model");
    }

    @Test
    void plainHttpServesTheFileWithItsHeaderVersion() {
        LoadedModel model = load(tracking + "/files/plain.pmml", null, null);
        assertThat(model.version()).startsWith("linear-");
    }

    @Test
    void whenTheRegistryIsDownTheFallbackServesAndSaysSo() throws IOException {
        String down = "http://127.0.0.1:" + closedPort();
        LoadedModel model = load("models:/ride-duration/Production", SHIPPED, down);
        assertThat(model.source())
                .contains(Path.of(SHIPPED).toAbsolutePath().toString(), "(fallback: ", "is unreachable");
        assertThat(model.version()).startsWith("linear-");

        mlflow.setDown(true);
        try {
            assertThat(load("models:/ride-duration/Production", SHIPPED, tracking)
                            .source())
                    .contains("answered 503");
        } finally {
            mlflow.setDown(false);
        }
        assertThatThrownBy(() -> load("models:/ride-duration/Production", null, down))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("is unreachable")
                .hasMessageEndingWith("and no fallback model is set (--model-fallback)");
    }

    @Test
    void registryMistakesFailWithOneClearLine() {
        assertThatThrownBy(() -> load("models:/ride-duration/Production", null, null))
                .hasMessage(
                        "model URI models:/ride-duration/Production needs the MLflow tracking server: set MLFLOW_TRACKING_URI");
        assertThatThrownBy(() -> load("models:/ride-duration/Archived", null, tracking))
                .hasMessage("registry at " + tracking + " has no version of ride-duration in stage Archived");
        assertThatThrownBy(() -> load("runs:/nope/model", null, tracking)).hasMessageContaining("answered 404");
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
