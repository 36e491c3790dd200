package io.ridescore.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ridescore.config.StartupException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
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
import java.util.Optional;
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
    /** The file name the libraries jar has on a cluster that serves them. */
    static final String LIBRARIES_JAR = "ridescore-libraries.jar";

    private final String base;
    private final Map<Path, String> uploaded = new HashMap<>();

    public FlinkRestClient(String base) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    public String base() {
        return base;
    }

    public JsonNode get(String path) throws IOException, InterruptedException {
        return send("GET", path, null, 0, null);
    }

    /**
     * Uploads the jar (multipart, streamed from disk, as the web UI does) unless the cluster holds
     * this very build already, and returns its id there. The upload is named after the jar's size
     * and modification time, so a cluster keeps one copy per build instead of one per submission
     * (62 MB each) and a re-submission skips the upload.
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
        JsonNode answer = send(
                "POST",
                "/jars/upload",
                "multipart/form-data; boundary=" + boundary,
                head.length + Files.size(jar) + tail.length,
                out -> {
                    out.write(head);
                    Files.copy(jar, out);
                    out.write(tail);
                });
        String id = Path.of(answer.get("filename").asText()).getFileName().toString();
        uploaded.put(jar.toAbsolutePath(), id);
        return id;
    }

    /**
     * Whether the cluster serves ridescore's libraries itself (scripts/cluster and docker-compose.yml
     * put target/ridescore-libraries.jar on every process's classpath), as its JobManager's classpath
     * says; false where the cluster cannot say.
     */
    public boolean servesLibraries() throws IOException, InterruptedException {
        try {
            return servesLibraries(get("/jobmanager/environment"));
        } catch (Refused e) {
            return false;
        }
    }

    static boolean servesLibraries(JsonNode environment) {
        for (JsonNode entry : environment.path("classpath")) {
            if (Path.of(entry.asText()).endsWith(LIBRARIES_JAR)) {
                return true;
            }
        }
        return false;
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
        try {
            return postJson("/jars/" + jarId + "/run", request).get("jobid").asText();
        } catch (Refused e) {
            // The JobManager ran the job's main, whose checks refused it: their lines, not Flink's stack trace.
            Optional<String> reason = refusal(e.body);
            if (reason.isPresent()) {
                throw new StartupException(reason.get());
            }
            throw e;
        }
    }

    /**
     * The message of the deepest "Caused by:" in a REST error's stack trace: for a job whose checks
     * failed on the JobManager, ridescore's own lines (one per failure).
     */
    static Optional<String> refusal(String body) {
        try {
            for (JsonNode error : JSON.readTree(body).path("errors")) {
                String trace = error.asText();
                int cause = trace.lastIndexOf("Caused by: ");
                if (cause < 0) {
                    continue;
                }
                String thrown = trace.substring(cause + "Caused by: ".length());
                int colon = thrown.indexOf(": ");
                int frames = thrown.indexOf("\n\tat ");
                if (colon > 0 && (frames < 0 || colon < frames)) {
                    return Optional.of(thrown.substring(colon + 2, frames < 0 ? thrown.length() : frames)
                            .strip());
                }
            }
        } catch (IOException notJson) {
            // no stack trace to read: the caller keeps the status line
        }
        return Optional.empty();
    }

    /**
     * Asked of the dispatcher itself: {@code /jobs/<id>} answers from a graph cache that may be as
     * old as web.refresh-interval (3 s), which would hold back every month by up to that long.
     */
    public String state(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId + "/status").get("status").asText();
    }

    /** How long a job is polled every 25 ms before every 200 ms. */
    private static final Duration SHORT_POLLS = Duration.ofSeconds(20);

    /** Polls until the job reaches a terminal state or the timeout passes; returns the last state. */
    public String await(String jobId, Duration timeout, Consumer<String> progress)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String state = state(jobId);
        // Short polls for the first seconds, so a month that runs for seconds is published as soon
        // as it has finished (a poll costs the dispatcher next to nothing); then no more than five
        // requests a second for the hours a backfill can take.
        long shortPolls = System.nanoTime() + SHORT_POLLS.toNanos();
        while (!TERMINAL.contains(state) && System.nanoTime() < deadline) {
            Thread.sleep(System.nanoTime() < shortPolls ? 25 : 200);
            state = state(jobId);
            progress.accept(state);
        }
        return state;
    }

    /**
     * An ended job's user accumulators, by name: counters as numbers, others as the text Flink
     * renders them in. They come from the graph cache, so first that cache must have the ended job,
     * not a running one's partial counts (it does within web.refresh-interval).
     */
    public Map<String, Object> accumulators(String jobId) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!TERMINAL.contains(get("/jobs/" + jobId).get("state").asText())) {
            if (System.nanoTime() > deadline) {
                throw new IOException("job " + jobId + " has ended, but the cluster still reports it running");
            }
            Thread.sleep(100);
        }
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
        String trigger = postJson("/jobs/" + jobId + (stop ? "/stop" : "/savepoints"), request)
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

    /**
     * Flink cancels on PATCH, which HttpURLConnection does not speak; the JDK's HttpClient does, and
     * its selector thread lives only as long as this command.
     */
    public void cancel(String jobId) throws IOException, InterruptedException {
        HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "?mode=cancel"))
                                .method("PATCH", HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
    }

    private JsonNode postJson(String path, ObjectNode request) throws IOException {
        byte[] body = JSON.writeValueAsBytes(request);
        return send("POST", path, "application/json", body.length, out -> out.write(body));
    }

    /** What a request sends. */
    @FunctionalInterface
    private interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Plain blocking HTTP: the JDK's HttpClient keeps a selector thread in native code, and a JVM
     * waits 300 ms at exit for such a thread before it gives up on it, which every submit paid.
     */
    private JsonNode send(String method, String path, String contentType, long length, Body body) throws IOException {
        HttpURLConnection http =
                (HttpURLConnection) URI.create(base + path).toURL().openConnection();
        http.setConnectTimeout(5_000);
        http.setRequestMethod(method);
        if (body != null) {
            http.setDoOutput(true);
            http.setRequestProperty("Content-Type", contentType);
            http.setFixedLengthStreamingMode(length);
            try (OutputStream out = http.getOutputStream()) {
                body.writeTo(out);
            }
        }
        int status = http.getResponseCode();
        String text;
        try (InputStream in = status >= 400 ? http.getErrorStream() : http.getInputStream()) {
            text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (status >= 300) {
            throw new Refused(
                    method + " " + base + path + " answered " + status + ": "
                            + text.lines().findFirst().orElse(""),
                    text);
        }
        return JSON.readTree(text);
    }

    /** A request the cluster answered with an error status, with the whole answer. */
    private static final class Refused extends IOException {
        final String body;

        Refused(String message, String body) {
            super(message);
            this.body = body;
        }
    }
}
