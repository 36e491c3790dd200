package io.ridescore.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where a model's bytes come from: a path or {@code file://}, {@code s3://}, {@code http(s)://}, or the MLflow
 * registry through its REST API ({@code models:/<name>/<stage or version>},
 * {@code runs:/<run_id>/<path>}, tracking server from {@code MLFLOW_TRACKING_URI}). When the
 * registry cannot be reached, the fallback URI is tried, as the reference does ("if the server is
 * down, download from S3"), and {@link Fetched#servedBy} says which source served.
 */
final class ModelSource {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelSource() {}

    /** A model's bytes, what served them, and the registry's name and version when there is one. */
    record Fetched(byte[] bytes, String servedBy, String registryName, String registryVersion) {}

    /** The registry (or a server it names) could not be reached: the fallback may serve instead. */
    static final class Unreachable extends IOException {
        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static Fetched fetch(ModelSpec spec) {
        String fallback = spec.fallbackUri();
        try {
            return fetch(spec.uri(), spec);
        } catch (Unreachable down) {
            if (fallback == null) {
                throw new ModelException(down.getMessage() + " and no fallback model is set (--model-fallback)", down);
            }
            try {
                Fetched served = fetch(fallback, spec);
                return new Fetched(
                        served.bytes(), served.servedBy() + " (fallback: " + down.getMessage() + ")", null, null);
            } catch (IOException e) {
                throw new ModelException(
                        down.getMessage() + "; the fallback " + fallback + " failed too: " + e.getMessage(), e);
            }
        } catch (IOException e) {
            throw new ModelException(e.getMessage(), e);
        }
    }

    /** The model from the URI alone, never the fallback: what a poll for a new release asks. */
    static Fetched fetchWithoutFallback(ModelSpec spec) {
        try {
            return fetch(spec.uri(), spec);
        } catch (IOException e) {
            throw new ModelException(e.getMessage(), e);
        }
    }

    private static Fetched fetch(String uri, ModelSpec spec) throws IOException {
        if (uri.startsWith("models:/")) {
            return registryModel(uri, tracking(uri, spec.trackingUri()), spec);
        }
        if (uri.startsWith("runs:/")) {
            String[] parts = uri.substring("runs:/".length()).split("/", 2);
            if (parts.length < 2 || parts[0].isEmpty()) {
                throw new IOException("model URI " + uri + " is not runs:/<run_id>/<path>");
            }
            String tracking = tracking(uri, spec.trackingUri());
            return new Fetched(runArtifact(tracking, parts[0], parts[1]), uri + " from " + tracking, null, parts[0]);
        }
        if (uri.startsWith("http://") || uri.startsWith("https://")) {
            return new Fetched(get(URI.create(uri)), uri, null, null);
        }
        if (uri.startsWith("s3://")) {
            return new Fetched(
                    S3Objects.get(uri, spec.s3Endpoint()),
                    uri + (spec.s3Endpoint() == null ? "" : " from " + spec.s3Endpoint()),
                    null,
                    null);
        }
        if (uri.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*") && !uri.startsWith("file:")) {
            throw new IOException("model URI scheme not supported: " + uri
                    + " (use a path, file://, s3://, http(s)://, models:/ or runs:/)");
        }
        Path path = uri.startsWith("file:") ? Path.of(URI.create(uri)) : Path.of(uri);
        try {
            return new Fetched(Files.readAllBytes(path), path.toAbsolutePath().toString(), null, null);
        } catch (NoSuchFileException e) {
            throw new IOException("model not found: " + path.toAbsolutePath());
        }
    }

    /** {@code models:/<name>/<version>} or {@code models:/<name>/<stage>} through the model-version endpoints. */
    private static Fetched registryModel(String uri, String tracking, ModelSpec spec) throws IOException {
        String[] parts = uri.substring("models:/".length()).split("/", 2);
        if (parts.length < 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new IOException("model URI " + uri + " is not models:/<name>/<stage or version>");
        }
        String name = parts[0];
        JsonNode version;
        if (parts[1].matches("\\d+")) {
            version = getJson(URI.create(tracking + "/api/2.0/mlflow/model-versions/get?name=" + encode(name)
                            + "&version=" + parts[1]))
                    .path("model_version");
        } else {
            ObjectNode request = JSON.createObjectNode().put("name", name);
            request.putArray("stages").add(parts[1]);
            JsonNode versions = postJson(
                            URI.create(tracking + "/api/2.0/mlflow/registered-models/get-latest-versions"), request)
                    .path("model_versions");
            if (versions.isEmpty()) {
                throw new IOException(
                        "registry at " + tracking + " has no version of " + name + " in stage " + parts[1]);
            }
            version = versions.get(0);
        }
        String source = version.path("source").asText();
        String runId = version.path("run_id").asText();
        byte[] bytes;
        if (source.startsWith("runs:/")) {
            String[] run = source.substring("runs:/".length()).split("/", 2);
            bytes = runArtifact(tracking, run[0], run.length > 1 ? run[1] : "");
        } else if (source.startsWith("mlflow-artifacts:/")) {
            bytes = get(URI.create(tracking + "/api/2.0/mlflow-artifacts/artifacts/"
                    + pmmlFile(source.substring("mlflow-artifacts:/".length()).replaceFirst("^/+", ""))));
        } else {
            bytes = fetch(pmmlFile(source), spec).bytes();
        }
        return new Fetched(
                bytes,
                uri + " = version " + version.path("version").asText() + " (run " + runId + ", " + source + ") from "
                        + tracking,
                name,
                version.path("version").asText());
    }

    private static byte[] runArtifact(String tracking, String runId, String path) throws IOException {
        return get(
                URI.create(tracking + "/get-artifact?run_uuid=" + encode(runId) + "&path=" + encode(pmmlFile(path))));
    }

    /** A model directory's PMML file is model.pmml; a path ending in .pmml is the file itself. */
    private static String pmmlFile(String path) {
        return path.endsWith(".pmml")
                ? path
                : (path.isEmpty() ? "" : path.replaceFirst("/+$", "") + "/") + "model.pmml";
    }

    private static String tracking(String uri, String trackingUri) throws IOException {
        if (trackingUri == null || trackingUri.isBlank()) {
            throw new IOException("model URI " + uri + " needs the MLflow tracking server: set MLFLOW_TRACKING_URI");
        }
        return trackingUri.replaceFirst("/+$", "");
    }

    private static JsonNode getJson(URI uri) throws IOException {
        return JSON.readTree(get(uri));
    }

    private static JsonNode postJson(URI uri, JsonNode body) throws IOException {
        return JSON.readTree(send(HttpRequest.newBuilder(uri)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .timeout(Duration.ofSeconds(20))
                .build()));
    }

    private static byte[] get(URI uri) throws IOException {
        return send(HttpRequest.newBuilder(uri)
                .GET()
                .timeout(Duration.ofSeconds(60))
                .build());
    }

    /**
     * A client for one request, never one kept in a static field: a JDK client's selector thread
     * lives as long as the client and holds the class loader that created it, and a JobManager runs
     * every submission's main in a class loader of its own. A kept client pinned one per submission
     * (and its classes): a session cluster's JobManager ran out of Metaspace after 15 batch months.
     */
    private static HttpClient client() {
        return HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    /** 5xx and connection failures mean the server is down (fallback); 4xx means the request is wrong. */
    private static byte[] send(HttpRequest request) throws IOException {
        HttpResponse<byte[]> response;
        try {
            response = client().send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new Unreachable(
                    request.uri().getScheme() + "://" + request.uri().getAuthority() + " is unreachable ("
                            + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + request.uri(), e);
        }
        if (response.statusCode() >= 500) {
            throw new Unreachable(request.uri().getAuthority() + " answered " + response.statusCode(), null);
        }
        if (response.statusCode() != 200) {
            throw new IOException(request.method() + " " + request.uri() + " answered " + response.statusCode());
        }
        return response.body();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
