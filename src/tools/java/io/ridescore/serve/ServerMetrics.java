package io.ridescore.serve;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/** Requests by status, rides predicted, and a latency histogram, in the Prometheus text format. */
final class ServerMetrics {
    private static final double[] BUCKETS_SECONDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1
    };

    private final Map<Integer, LongAdder> requestsByStatus = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errorsByReason = new ConcurrentHashMap<>();
    private final LongAdder rides = new LongAdder();
    private final AtomicLongArray bucketCounts = new AtomicLongArray(BUCKETS_SECONDS.length);
    private final AtomicLong latencyNanosSum = new AtomicLong();
    private final LongAdder latencyCount = new LongAdder();

    void request(int status, long nanos) {
        requestsByStatus.computeIfAbsent(status, s -> new LongAdder()).increment();
        double seconds = nanos / 1e9;
        for (int i = 0; i < BUCKETS_SECONDS.length; i++) {
            if (seconds <= BUCKETS_SECONDS[i]) {
                bucketCounts.incrementAndGet(i);
                break;
            }
        }
        latencyNanosSum.addAndGet(nanos);
        latencyCount.increment();
    }

    void error(String reason) {
        errorsByReason.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    void predicted(int count) {
        rides.add(count);
    }

    /** @param shadow the challenger's figures, or null without one */
    String render(String model, String version, ShadowScores shadow) {
        StringBuilder out = new StringBuilder();
        out.append("# HELP ridescore_http_requests_total HTTP requests by status code.\n")
                .append("# TYPE ridescore_http_requests_total counter\n");
        requestsByStatus.forEach((status, n) -> out.append("ridescore_http_requests_total{code=\"")
                .append(status)
                .append("\"} ")
                .append(n.sum())
                .append('\n'));
        out.append("# HELP ridescore_request_errors_total Refused requests by reason.\n")
                .append("# TYPE ridescore_request_errors_total counter\n");
        errorsByReason.forEach((reason, n) -> out.append("ridescore_request_errors_total{reason=\"")
                .append(reason)
                .append("\"} ")
                .append(n.sum())
                .append('\n'));
        out.append(
                        "# HELP ridescore_rides_predicted_total Rides predicted.\n# TYPE ridescore_rides_predicted_total counter\n")
                .append("ridescore_rides_predicted_total ")
                .append(rides.sum())
                .append('\n');
        out.append("# HELP ridescore_request_duration_seconds Time to answer a request.\n")
                .append("# TYPE ridescore_request_duration_seconds histogram\n");
        long cumulative = 0;
        for (int i = 0; i < BUCKETS_SECONDS.length; i++) {
            cumulative += bucketCounts.get(i);
            out.append("ridescore_request_duration_seconds_bucket{le=\"")
                    .append(BUCKETS_SECONDS[i])
                    .append("\"} ")
                    .append(cumulative)
                    .append('\n');
        }
        out.append("ridescore_request_duration_seconds_bucket{le=\"+Inf\"} ")
                .append(latencyCount.sum())
                .append('\n')
                .append("ridescore_request_duration_seconds_sum ")
                .append(latencyNanosSum.get() / 1e9)
                .append('\n')
                .append("ridescore_request_duration_seconds_count ")
                .append(latencyCount.sum())
                .append('\n');
        out.append("# HELP ridescore_model_info The model being served.\n# TYPE ridescore_model_info gauge\n")
                .append("ridescore_model_info{model=\"")
                .append(model)
                .append("\",version=\"")
                .append(version)
                .append("\"} 1\n");
        if (shadow != null) {
            shadow.render(out);
        }
        return out.toString();
    }
}
