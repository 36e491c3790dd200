package io.ridescore.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An MLflow tracking server and model registry on loopback, for tests. MLflow itself cannot be
 * installed here (no PyPI), so this speaks the documented REST endpoints ridescore uses:
 * {@code registered-models/get-latest-versions}, {@code model-versions/get}, the run artifact
 * download {@code get-artifact} and the proxied {@code mlflow-artifacts} download. Versions can be
 * registered and moved between stages while a job polls, and the whole server can be made to
 * answer 503 as a registry that is down.
 */
public final class FakeMlflow implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Version(String name, String version, String runId, String source, String stage) {}

    private final HttpServer server;
    private final List<Version> versions = new CopyOnWriteArrayList<>();
    private final Map<String, byte[]> artifacts = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile boolean down;

    public FakeMlflow() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    public String uri() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Registers a version logged by a run under {@code runs:/<runId>/model}; earlier holders of the stage are archived. */
    public synchronized void register(String name, String version, String stage, String runId, byte[] pmml) {
        artifacts.put(runId + "/model/model.pmml", pmml);
        add(new Version(name, version, runId, "runs:/" + runId + "/model", stage));
    }

    /** Registers a version whose source is in the proxied artifact store ({@code mlflow-artifacts:/...}). */
    public synchronized void registerInArtifactStore(
            String name, String version, String stage, String runId, byte[] pmml) {
        String path = "1/" + runId + "/artifacts/model";
        artifacts.put(path + "/model.pmml", pmml);
        add(new Version(name, version, runId, "mlflow-artifacts:/" + path, stage));
    }

    /** Registers a version whose artifacts live elsewhere, e.g. {@code s3://bucket/1/<run>/artifacts/model}. */
    public synchronized void registerAt(String name, String version, String stage, String runId, String source) {
        add(new Version(name, version, runId, source, stage));
    }

    /** Serves a file at {@code /files/<path>}, as any web server would. */
    public void serveFile(String path, byte[] content) {
        artifacts.put("files/" + path, content);
    }

    /** Moves a version into a stage, archiving the version that held it (MLflow's archive_existing_versions). */
    public synchronized void transition(String name, String version, String stage) {
        Version v = find(name, version);
        versions.remove(v);
        add(new Version(v.name, v.version, v.runId, v.source, stage));
    }

    public void setDown(boolean down) {
        this.down = down;
    }

    /** Every request as "METHOD /path?query", in arrival order. */
    public List<String> requests() {
        return requests;
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void add(Version v) {
        for (Version held : new ArrayList<>(versions)) {
            if (held.name.equals(v.name) && held.stage.equals(v.stage)) {
                versions.remove(held);
                versions.add(new Version(held.name, held.version, held.runId, held.source, "Archived"));
            }
        }
        versions.add(v);
    }

    private Version find(String name, String version) {
        return versions.stream()
                .filter(v -> v.name.equals(name) && v.version.equals(version))
                .findFirst()
                .orElse(null);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String query = exchange.getRequestURI().getRawQuery();
        requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
        byte[] body = exchange.getRequestBody().readAllBytes();
        if (down) {
            respond(exchange, 503, json(JSON.createObjectNode().put("error_code", "TEMPORARILY_UNAVAILABLE")));
        } else if (path.equals("/api/2.0/mlflow/registered-models/get-latest-versions")) {
            JsonNode request = JSON.readTree(body);
            ArrayNode latest = JSON.createArrayNode();
            for (JsonNode stage : request.path("stages")) {
                versions.stream()
                        .filter(v -> v.name.equals(request.path("name").asText()) && v.stage.equals(stage.asText()))
                        .max(Comparator.comparingInt(v -> Integer.parseInt(v.version)))
                        .ifPresent(v -> latest.add(describe(v)));
            }
            ObjectNode answer = JSON.createObjectNode();
            if (!latest.isEmpty()) {
                answer.set("model_versions", latest);
            }
            respond(exchange, 200, json(answer));
        } else if (path.equals("/api/2.0/mlflow/model-versions/get")) {
            Map<String, String> params = params(query);
            Version v = find(params.get("name"), params.get("version"));
            if (v == null) {
                notFound(exchange);
            } else {
                respond(exchange, 200, json(JSON.createObjectNode().set("model_version", describe(v))));
            }
        } else if (path.equals("/get-artifact")) {
            Map<String, String> params = params(query);
            artifact(exchange, params.get("run_uuid") + "/" + params.get("path"));
        } else if (path.startsWith("/api/2.0/mlflow-artifacts/artifacts/")) {
            artifact(exchange, path.substring("/api/2.0/mlflow-artifacts/artifacts/".length()));
        } else if (path.startsWith("/files/")) {
            artifact(exchange, path.substring(1));
        } else {
            notFound(exchange);
        }
    }

    private static ObjectNode describe(Version v) {
        return JSON.createObjectNode()
                .put("name", v.name)
                .put("version", v.version)
                .put("current_stage", v.stage)
                .put("run_id", v.runId)
                .put("source", v.source);
    }

    private void artifact(HttpExchange exchange, String key) throws IOException {
        byte[] content = artifacts.get(key);
        if (content == null) {
            notFound(exchange);
        } else {
            respond(exchange, 200, content);
        }
    }

    private static Map<String, String> params(String query) {
        Map<String, String> params = new ConcurrentHashMap<>();
        for (String pair : query == null ? new String[0] : query.split("&")) {
            String[] kv = pair.split("=", 2);
            params.put(
                    URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                    kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        return params;
    }

    private static void notFound(HttpExchange exchange) throws IOException {
        respond(exchange, 404, json(JSON.createObjectNode().put("error_code", "RESOURCE_DOES_NOT_EXIST")));
    }

    private static byte[] json(JsonNode node) {
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }
}
