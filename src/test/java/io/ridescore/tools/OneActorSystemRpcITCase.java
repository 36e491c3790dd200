package io.ridescore.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.RpcServiceSharing;
import org.apache.flink.runtime.rpc.RpcSystem;
import org.apache.flink.util.Reference;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A local run's mini cluster with one actor system: the metric query service runs in the cluster's
 * own, and the web UI's metrics (which the REST API fetches from it) still answer.
 */
class OneActorSystemRpcITCase {
    private static final String METRIC = "Status.JVM.Memory.Heap.Used";

    @Test
    void theMetricQueryServiceSharesTheClustersActorSystemAndAnswersTheWebUi() throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofMillis(100));
        MiniClusterConfiguration mini = new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(1)
                .setRpcServiceSharing(RpcServiceSharing.SHARED)
                .build();
        try (MiniCluster cluster =
                new MiniCluster(mini, () -> Reference.owned(new OneActorSystemRpc(RpcSystem.load(conf))))) {
            cluster.start();

            // Pekko names an actor system's threads after it; the metrics one would be "flink-metrics-...".
            assertThat(Thread.getAllStackTraces().keySet())
                    .extracting(Thread::getName)
                    .noneMatch(name -> name.startsWith(OneActorSystemRpc.METRICS_COMPONENT))
                    .anyMatch(name -> name.startsWith("flink-pekko"));

            URI metrics = cluster.getRestAddress().get().resolve("/jobmanager/metrics?get=" + METRIC);
            HttpClient http = HttpClient.newHttpClient();
            JsonNode answer = new ObjectMapper().createArrayNode();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            // The fetcher asks the query service in the background: the first answers can be empty.
            while (answer.isEmpty() && System.nanoTime() < deadline) {
                answer = new ObjectMapper()
                        .readTree(
                                http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString())
                                        .body());
                Thread.sleep(100);
            }
            assertThat(answer).hasSize(1);
            assertThat(answer.get(0).get("id").asText()).isEqualTo(METRIC);
            assertThat(answer.get(0).get("value").asLong()).isPositive();
        }
    }
}
