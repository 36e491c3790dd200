package io.ridescore.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ridescore.event.CountRecords;
import io.ridescore.event.RunSummary;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The counts of a running unbounded job, from its operators' {@code ridescore} metrics through
 * Flink's REST API: {@code in} where records enter, and {@code scored} and {@code dead_lettered_*}
 * where the Kinesis sinks had them accepted, summed over subtasks. (Sink writers have no
 * accumulators, so metrics are the one place where "delivered" can be counted.)
 */
public final class JobMetrics {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String base;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public JobMetrics(String restBase) {
        this.base = restBase.endsWith("/") ? restBase.substring(0, restBase.length() - 1) : restBase;
    }

    /** In, delivered and dead-lettered by reason, summed over every vertex and subtask. */
    public RunSummary counts(String jobId) throws IOException, InterruptedException {
        Map<String, Object> counts = new HashMap<>();
        for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
            String path = "/jobs/" + jobId + "/vertices/" + vertex.get("id").asText() + "/subtasks/metrics";
            List<String> ids = new ArrayList<>();
            for (JsonNode metric : get(path)) {
                String id = metric.get("id").asText();
                if (counterName(id) != null) {
                    ids.add(id);
                }
            }
            if (ids.isEmpty()) {
                continue;
            }
            for (JsonNode metric :
                    get(path + "?agg=sum&get=" + URLEncoder.encode(String.join(",", ids), StandardCharsets.UTF_8))) {
                counts.merge(
                        counterName(metric.get("id").asText()),
                        metric.get("sum").asLong(),
                        (a, b) -> (Long) a + (Long) b);
            }
        }
        return RunSummary.fromAccumulators(counts, 0);
    }

    /** How often the job has restarted since it was submitted. */
    public long restarts(String jobId) throws IOException, InterruptedException {
        for (JsonNode metric : get("/jobs/" + jobId + "/metrics?get=numRestarts")) {
            return metric.get("value").asLong();
        }
        return 0;
    }

    /** The summary's name for a metric id such as {@code prediction-sink: Writer.ridescore.scored}; null for others. */
    private static String counterName(String metricId) {
        int at = metricId.lastIndexOf(".ridescore.");
        if (at < 0) {
            return null;
        }
        String name = metricId.substring(at + ".ridescore.".length());
        if (name.equals(CountRecords.IN) || name.equals(CountRecords.SCORED)) {
            return name;
        }
        String letters = CountRecords.DEAD_LETTERED_PREFIX.replace('.', '_');
        return name.startsWith(letters) ? CountRecords.DEAD_LETTERED_PREFIX + name.substring(letters.length()) : null;
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(Duration.ofSeconds(5))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IOException("GET " + path + " answered " + response.statusCode());
        }
        return JSON.readTree(response.body());
    }
}
