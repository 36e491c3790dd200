package io.ridescore.model;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Models from a registry. MLflow itself cannot be installed here (no PyPI), so a small HTTP server
 * on loopback speaks the documented MLflow REST endpoints the loader uses: get-latest-versions,
 * model-versions/get, get-artifact and the proxied mlflow-artifacts download.
 */
class ModelSourceTest {
    static final String SHIPPED = "pmml/ride_duration.pmml";
    static HttpServer mlflow;
    static String tracking;
    static final List<String> requests = new CopyOnWriteArrayList<>();
    static volatile boolean failing;

    @BeforeAll
    static void startFakeMlflow() throws IOException {
        byte[] model = Files.readAllBytes(Path.of(SHIPPED));
        mlflow = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        mlflow.createContext("/", exchange -> {
            String target = exchange.getRequestMethod() + " " + exchange.getRequestURI();
            requests.add(target);
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (failing) {
                respond(exchange, 503, "{\"error_code\":\"TEMPORARILY_UNAVAILABLE\"}".getBytes(StandardCharsets.UTF_8));
            } else if (target.equals("POST /api/2.0/mlflow/registered-models/get-latest-versions")
                    && body.contains("\"name\":\"ride-duration\"") && body.contains("\"Production\"")) {
                respond(exchange, 200, json("{\"model_versions\":[{\"name\":\"ride-duration\",\"version\":\"3\","
                        + "\"current_stage\":\"Production\",\"run_id\":\"abc123\",\"source\":\"runs:/abc123/model\"}]}"));
            } else if (target.equals("POST /api/2.0/mlflow/registered-models/get-latest-versions")) {
                respond(exchange, 200, json("{}"));
            } else if (target.equals("GET /api/2.0/mlflow/model-versions/get?name=ride-duration&version=2")) {
                respond(exchange, 200, json("{\"model_version\":{\"name\":\"ride-duration\",\"version\":\"2\","
                        + "\"run_id\":\"def456\",\"source\":\"mlflow-artifacts:/1/def456/artifacts/model\"}}"));
            } else if (target.equals("GET /get-artifact?run_uuid=abc123&path=model%2Fmodel.pmml")
                    || target.equals("GET /api/2.0/mlflow-artifacts/artifacts/1/def456/artifacts/model/model.pmml")
                    || target.equals("GET /files/plain.pmml")) {
                respond(exchange, 200, model);
            } else {
                respond(exchange, 404, json("{\"error_code\":\"RESOURCE_DOES_NOT_EXIST\"}"));
            }
        });
        mlflow.start();
        tracking = "http://127.0.0.1:" + mlflow.getAddress().getPort();
    }

    @AfterAll
    static void stop() {
        mlflow.stop(0);
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private static LoadedModel load(String uri, String fallback, String trackingUri) {
        return ModelLoader.load(new ModelSpec(uri, fallback, trackingUri, null, false));
    }

    @Test
    void aStageResolvesToItsLatestVersionWithTheRegistrysNameAndVersion() {
        LoadedModel model = load("models:/ride-duration/Production", null, tracking);
        assertThat(model.name()).isEqualTo("ride-duration");
        assertThat(model.version()).isEqualTo("3");
        assertThat(model.source()).contains("version 3", "run abc123", "from " + tracking);
        assertThat(new PmmlScorer(model, false).targetField()).isEqualTo("duration");
    }

    @Test
    void aVersionNumberResolvesThroughModelVersionsAndTheArtifactProxy() {
        LoadedModel model = load("models:/ride-duration/2", null, tracking);
        assertThat(model.version()).isEqualTo("2");
        assertThat(requests).contains("GET /api/2.0/mlflow-artifacts/artifacts/1/def456/artifacts/model/model.pmml");
    }

    @Test
    void aRunUriReportsTheRunIdAsVersion() {
        LoadedModel model = load("runs:/abc123/model", null, tracking);
        assertThat(model.version()).isEqualTo("abc123");
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
        assertThat(model.source()).contains(Path.of(SHIPPED).toAbsolutePath().toString(), "(fallback: ", "is unreachable");
        assertThat(model.version()).startsWith("linear-");

        failing = true;
        try {
            assertThat(load("models:/ride-duration/Production", SHIPPED, tracking).source()).contains("answered 503");
        } finally {
            failing = false;
        }
        assertThatThrownBy(() -> load("models:/ride-duration/Production", null, down))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("is unreachable").hasMessageEndingWith("and no fallback model is set (--model-fallback)");
    }

    @Test
    void registryMistakesFailWithOneClearLine() {
        assertThatThrownBy(() -> load("models:/ride-duration/Production", null, null))
                .hasMessage("model URI models:/ride-duration/Production needs the MLflow tracking server: set MLFLOW_TRACKING_URI");
        assertThatThrownBy(() -> load("models:/ride-duration/Archived", null, tracking))
                .hasMessage("registry at " + tracking + " has no version of ride-duration in stage Archived");
        assertThatThrownBy(() -> load("runs:/nope/model", null, tracking))
                .hasMessageContaining("answered 404");
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
