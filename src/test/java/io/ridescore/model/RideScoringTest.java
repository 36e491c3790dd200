package io.ridescore.model;

import io.ridescore.event.DeadLetter;
import io.ridescore.event.RideEvent;
import io.ridescore.event.ScoredRide;
import io.ridescore.features.FeatureVector;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.OperatorMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.streaming.util.MockStreamingRuntimeContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What the scoring functions share, apart from Flink's operators: here, how its latency is sampled. */
class RideScoringTest {
    @TempDir
    Path dir;

    /** Histograms by group and name, as the scorer registers them. */
    private final Map<String, Histogram> histograms = new HashMap<>();

    private final MockStreamingRuntimeContext context = new MockStreamingRuntimeContext(false, 1, 0) {
        @Override
        public OperatorMetricGroup getMetricGroup() {
            return new UnregisteredMetricGroups.UnregisteredOperatorMetricGroup() {
                @Override
                public MetricGroup addGroup(String group) {
                    return new UnregisteredMetricsGroup() {
                        @Override
                        public <H extends Histogram> H histogram(String name, H histogram) {
                            histograms.put(group + "." + name, histogram);
                            return histogram;
                        }
                    };
                }
            };
        }
    };

    private static FeatureVector ride(int i) {
        FeatureVector v = new FeatureVector();
        v.ride = new RideEvent("r" + i, false, 3, 4, 2.0, null, null, null);
        v.pickupHour = 10;
        return v;
    }

    @Test
    void everyRideIsScoredAndTheFirstOfEach64IsTimed() throws Exception {
        RideScoring scoring = new RideScoring(context);
        scoring.use(new PmmlScorer(ModelLoader.load(new ModelSpec(
                TestModels.withIntercept(dir.resolve("model.pmml"), 2.0, "v1").toString(), null))));
        List<ScoredRide> scored = new ArrayList<>();
        List<DeadLetter> refused = new ArrayList<>();
        ListCollector<ScoredRide> out = new ListCollector<>(scored);
        Histogram latency = histograms.get("ridescore.scoring_latency_us");

        scoring.score(ride(0), out, refused::add, shadow -> {});
        assertThat(latency.getCount()).isEqualTo(1);
        for (int i = 1; i < 2 * RideScoring.TIME_ONE_IN + 2; i++) {
            scoring.score(ride(i), out, refused::add, shadow -> {});
        }

        assertThat(scored).hasSize(2 * RideScoring.TIME_ONE_IN + 2);
        assertThat(refused).isEmpty();
        // rides 0, 64 and 128 of 130
        assertThat(latency.getCount()).isEqualTo(3);
    }
}
