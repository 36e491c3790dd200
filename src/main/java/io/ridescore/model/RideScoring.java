package io.ridescore.model;

import io.ridescore.event.DeadLetter;
import io.ridescore.event.ScoredRide;
import io.ridescore.features.FeatureVector;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.util.Collector;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What both scoring functions do with a ride and which metrics they keep: the scorer in use, the
 * scoring latency histogram, and the version labels of every model that has served.
 */
final class RideScoring {
    private final MetricGroup metrics;
    private final Histogram latencyMicros;
    private final Set<String> labelled = new HashSet<>();
    private PmmlScorer scorer;

    RideScoring(MetricGroup operatorMetrics) {
        this.metrics = operatorMetrics.addGroup("ridescore");
        this.latencyMicros = metrics.histogram("scoring_latency_us", new DescriptiveStatisticsHistogram(10_000));
    }

    MetricGroup metrics() {
        return metrics;
    }

    PmmlScorer scorer() {
        return scorer;
    }

    /**
     * Serves with this scorer from the next ride on. Its name and version become labels of a
     * gauge: Prometheus shows the version serving (1) and those that served before (0).
     */
    void use(PmmlScorer next) {
        scorer = next;
        if (labelled.add(next.modelName() + "\u0000" + next.modelVersion())) {
            metrics.addGroup("model", next.modelName())
                    .addGroup("version", next.modelVersion())
                    .gauge(
                            "loaded",
                            () -> scorer.modelName().equals(next.modelName())
                                            && scorer.modelVersion().equals(next.modelVersion())
                                    ? 1
                                    : 0);
        }
    }

    void score(FeatureVector vector, Collector<ScoredRide> out, Consumer<DeadLetter> deadLetters) {
        try {
            long started = System.nanoTime();
            double prediction = scorer.score(vector);
            latencyMicros.update((System.nanoTime() - started) / 1000);
            out.collect(new ScoredRide(vector.ride, prediction, scorer.modelName(), scorer.modelVersion()));
        } catch (ScoringException e) {
            deadLetters.accept(DeadLetter.of(DeadLetter.Stage.SCORE, e.reason(), e.getMessage(), vector.ride));
        }
    }
}
