package io.ridescore.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The part of Flink's REST API that submitting and following jobs needs: upload a jar, run it,
 * poll a job, read its accumulators and its failure. Works with any Flink 1.20 cluster URL.
 */
public final class FlinkRestClient {
    public static final Set<String> TERMINAL = Set.of("FINISHED", "FAILED", "CANCELED");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<Path, String> uploaded = new HashMap<>();

    public FlinkRestClient(String base) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    public String base() {
        return base;
    }

    public JsonNode get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET().build());
    }

    /**
     * Uploads the jar (multipart, streamed from disk, as the web UI does) unless the cluster holds
     * this very build already, and returns its id there. The upload is named after the jar's size
     * and modification time, so a cluster keeps one copy per build instead of one per submission
     * (98 MB each) and a re-submission skips the upload.
     */
    public String uploadJar(Path jar) throws IOException, InterruptedException {
        String known = uploaded.get(jar.toAbsolutePath());
        if (known != null) {
            return known;
        }
        String stem = jar.getFileName().toString().replaceFirst("\\.jar$", "");
        String name = stem + "-" + Files.size(jar) + "-"
                + Files.getLastModifiedTime(jar).toMillis() + ".jar";
        for (JsonNode file : get("/jars").path("files")) {
            if (file.path("name").asText().equals(name)) {
                uploaded.put(jar.toAbsolutePath(), file.path("id").asText());
                return file.path("id").asText();
            }
        }
        String boundary = "ridescore-" + UUID.randomUUID();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\"" + name
                        + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        JsonNode answer = send(HttpRequest.newBuilder(URI.create(base + "/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(
                        HttpRequest.BodyPublishers.ofByteArray(head),
                        HttpRequest.BodyPublishers.ofFile(jar),
                        HttpRequest.BodyPublishers.ofByteArray(tail)))
                .build());
        String id = Path.of(answer.get("filename").asText()).getFileName().toString();
        uploaded.put(jar.toAbsolutePath(), id);
        return id;
    }

    /** Runs an uploaded jar's entry class with the arguments; returns the job id. */
    public String run(String jarId, String entryClass, List<String> args) throws IOException, InterruptedException {
        return run(jarId, entryClass, args, null, false);
    }

    /**
     * Runs the jar's job; with a savepoint, the job starts from its state, every piece of which must
     * be claimed unless {@code allowNonRestoredState}.
     */
    public String run(
            String jarId, String entryClass, List<String> args, String savepoint, boolean allowNonRestoredState)
            throws IOException, InterruptedException {
        ObjectNode request = JSON.createObjectNode();
        request.put("entryClass", entryClass);
        if (savepoint != null) {
            request.put("savepointPath", savepoint);
            request.put("allowNonRestoredState", allowNonRestoredState);
        }
        args.forEach(request.putArray("programArgsList")::add);
        JsonNode answer = send(HttpRequest.newBuilder(URI.create(base + "/jars/" + jarId + "/run"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request)))
                .build());
        return answer.get("jobid").asText();
    }

    public String state(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId).get("state").asText();
    }

    /** Polls until the job reaches a terminal state or the timeout passes; returns the last state. */
    public String await(String jobId, Duration timeout, Consumer<String> progress)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String state = state(jobId);
        // Short polls first, so a month that runs for seconds is published as soon as it has
        // finished; then no more than five requests a second for the hours a backfill can take.
        long pause = 50;
        while (!TERMINAL.contains(state) && System.nanoTime() < deadline) {
            Thread.sleep(pause);
            pause = Math.min(200, pause * 3 / 2);
            state = state(jobId);
            progress.accept(state);
        }
        return state;
    }

    /** The job's user accumulators, by name: counters as numbers, others as the text Flink renders them in. */
    public Map<String, Object> accumulators(String jobId) throws IOException, InterruptedException {
        Map<String, Object> values = new HashMap<>();
        for (JsonNode acc : get("/jobs/" + jobId + "/accumulators").path("user-task-accumulators")) {
            String value = acc.get("value").asText();
            values.put(acc.get("name").asText(), value.matches("-?\\d+") ? (Object) Long.parseLong(value) : value);
        }
        return values;
    }

    /** The first line of the job's root exception, for a failure report. */
    public String failure(String jobId) throws IOException, InterruptedException {
        String root =
                get("/jobs/" + jobId + "/exceptions").path("root-exception").asText("");
        return root.lines().findFirst().orElse("no exception recorded");
    }

    /** The one running job whose name starts with {@code prefix}; fails naming them when there are several or none. */
    public String runningJob(String prefix) throws IOException, InterruptedException {
        List<String> running = new ArrayList<>();
        for (JsonNode job : get("/jobs/overview").path("jobs")) {
            if (job.path("state").asText().equals("RUNNING")
                    && job.path("name").asText().startsWith(prefix)) {
                running.add(job.get("jid").asText() + " (" + job.get("name").asText() + ")");
            }
        }
        if (running.size() != 1) {
            throw new IllegalArgumentException(
                    (running.isEmpty() ? "no running " + prefix + " job" : "several: " + running) + " on " + base
                            + "; name one with --job");
        }
        return running.get(0).substring(0, running.get(0).indexOf(' '));
    }

    /**
     * Takes a savepoint of a running job and waits for it; with {@code stop}, the job then stops
     * (stop-with-savepoint: sources stop, everything in flight is checkpointed, no record is lost).
     * Returns where the savepoint is. {@code directory} null: the cluster's
     * {@code execution.checkpointing.savepoint-dir}.
     */
    public String savepoint(String jobId, String directory, boolean stop, Duration timeout)
            throws IOException, InterruptedException {
        ObjectNode request = JSON.createObjectNode();
        if (stop) {
            request.put("drain", false);
            if (directory != null) {
                request.put("targetDirectory", directory);
            }
        } else {
            request.put("cancel-job", false);
            if (directory != null) {
                request.put("target-directory", directory);
            }
        }
        String trigger = send(HttpRequest.newBuilder(
                                URI.create(base + "/jobs/" + jobId + (stop ? "/stop" : "/savepoints")))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request)))
                        .build())
                .get("request-id")
                .asText();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status = get("/jobs/" + jobId + "/savepoints/" + trigger);
            if (status.path("status").path("id").asText().equals("COMPLETED")) {
                JsonNode operation = status.path("operation");
                if (operation.has("location")) {
                    return operation.get("location").asText();
                }
                throw new IllegalStateException("savepoint of job " + jobId + " failed: "
                        + operation
                                .path("failure-cause")
                                .path("stack-trace")
                                .asText("")
                                .lines()
                                .findFirst()
                                .orElse("?"));
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(
                "savepoint of job " + jobId + " not complete after " + timeout.toSeconds() + " s");
    }

    public void cancel(String jobId) throws IOException, InterruptedException {
        http.send(
                HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "?mode=cancel"))
                        .method("PATCH", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.discarding());
    }

    private JsonNode send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IOException(request.method() + " " + request.uri() + " answered " + response.statusCode() + ": "
                    + response.body().lines().findFirst().orElse(""));
        }
        return JSON.readTree(response.body());
    }
}
