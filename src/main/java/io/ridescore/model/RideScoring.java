package io.ridescore.model;

import io.ridescore.event.DeadLetter;
import io.ridescore.event.RideRules;
import io.ridescore.event.ScoredRide;
import io.ridescore.features.FeatureVector;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.util.Collector;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What both scoring functions do with a ride and which metrics they keep: the scorer in use, the
 * scoring latency histogram, and the version labels of every model that has served. With a
 * challenger, every ride is scored by it too, after the serving model and apart from it: its
 * refusal never reaches the serving path, its prediction goes to the shadow output, and the two
 * are compared ({@link ShadowComparison}, and rolling agreement gauges per model pair).
 */
final class RideScoring {
    /** The rolling agreement gauges cover this many of the latest rides both models scored. */
    static final int AGREEMENT_WINDOW = 10_000;

    /**
     * A compiled model scores a ride in a fraction of a microsecond: reading the clock twice for
     * every ride cost a fifth as much again (1M-ride profile). A steady sample shows the same
     * distribution.
     */
    static final int TIME_ONE_IN = 64;

    private final MetricGroup metrics;
    private final Histogram latencyMicros;
    private int untilTimed = 1;
    private final Set<String> labelled = new HashSet<>();
    private final Map<String, PairMetrics> pairMetrics = new HashMap<>();
    private final RuntimeContext context;
    private PmmlScorer scorer;
    private PmmlScorer challenger;
    private ShadowComparison comparison;
    private PairMetrics pair;

    RideScoring(RuntimeContext context) {
        this.context = context;
        this.metrics = context.getMetricGroup().addGroup("ridescore");
        this.latencyMicros = metrics.histogram("scoring_latency_us", new DescriptiveStatisticsHistogram(10_000));
    }

    MetricGroup metrics() {
        return metrics;
    }

    PmmlScorer scorer() {
        return scorer;
    }

    PmmlScorer challenger() {
        return challenger;
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
        pair = null;
    }

    /** Scores every ride with this challenger too, from the next ride on. */
    void challenge(PmmlScorer next) {
        if (comparison == null) {
            comparison = new ShadowComparison();
            context.addAccumulator(ShadowComparison.NAME, comparison);
        }
        challenger = next;
        pair = null;
    }

    /**
     * The serving model's prediction to {@code out} (or its refusal to {@code deadLetters}), exactly
     * as without a challenger; the challenger's prediction to {@code shadow}.
     */
    void score(
            FeatureVector vector,
            Collector<ScoredRide> out,
            Consumer<DeadLetter> deadLetters,
            Consumer<ScoredRide> shadow) {
        ScoredRide ride = null;
        ScoringException refusal = null;
        try {
            double prediction;
            if (--untilTimed > 0) {
                prediction = scorer.score(vector);
            } else {
                untilTimed = TIME_ONE_IN;
                long started = System.nanoTime();
                prediction = scorer.score(vector);
                latencyMicros.update((System.nanoTime() - started) / 1000);
            }
            ride = new ScoredRide(vector.ride, prediction, scorer.modelName(), scorer.modelVersion());
        } catch (ScoringException e) {
            refusal = e;
        }
        if (challenger != null) {
            shadowScore(vector, ride, shadow);
        }
        if (ride != null) {
            out.collect(ride);
        } else {
            deadLetters.accept(
                    DeadLetter.of(DeadLetter.Stage.SCORE, refusal.reason(), refusal.getMessage(), vector.ride));
        }
    }

    private void shadowScore(FeatureVector vector, ScoredRide served, Consumer<ScoredRide> shadow) {
        Double prediction = null;
        String refusal = null;
        try {
            prediction = challenger.score(vector);
        } catch (ScoringException | RuntimeException e) {
            // Whatever the challenger does with a ride, the serving path goes on.
            refusal = e instanceof ScoringException s ? s.reason() : "challenger_error";
        }
        if (pair == null) {
            pair = pairMetrics.computeIfAbsent(
                    scorer.modelName() + "\u0000" + scorer.modelVersion() + "\u0000" + challenger.modelName() + "\u0000"
                            + challenger.modelVersion(),
                    k -> new PairMetrics(
                            metrics.addGroup("shadow")
                                    .addGroup("serving_model", scorer.modelName())
                                    .addGroup("serving_version", scorer.modelVersion())
                                    .addGroup("challenger_model", challenger.modelName())
                                    .addGroup("challenger_version", challenger.modelVersion()),
                            comparison.pair(
                                    scorer.modelName(),
                                    scorer.modelVersion(),
                                    challenger.modelName(),
                                    challenger.modelVersion())));
        }
        Double serving = served == null ? null : served.predictedDuration;
        pair.totals.add(
                serving,
                prediction,
                refusal,
                // An actual duration counts where batch would have scored the ride with it: the same rides, the same
                // figures.
                RideRules.checkActuals(vector.ride) == null ? vector.ride.actualDurationMinutes() : null,
                vector.ride.pickupMicros);
        if (served != null) {
            served.challengerName = challenger.modelName();
            served.challengerVersion = challenger.modelVersion();
            served.challengerPrediction = prediction;
        }
        if (prediction == null) {
            if (served != null) {
                pair.refused(refusal);
            }
            return;
        }
        if (serving != null) {
            pair.window.add(serving, prediction);
        }
        pair.scored.inc();
        shadow.accept(new ScoredRide(vector.ride, prediction, challenger.modelName(), challenger.modelVersion()));
    }

    /**
     * One model pair's live figures: the rolling agreement, the challenger's rides by outcome, and
     * the pair's running totals in the job's {@link ShadowComparison}.
     */
    private static final class PairMetrics {
        final AgreementWindow window = new AgreementWindow(AGREEMENT_WINDOW);
        final ShadowComparison.Pair totals;
        final MetricGroup group;
        final Counter scored;
        final Map<String, Counter> refusedByReason = new HashMap<>();

        PairMetrics(MetricGroup group, ShadowComparison.Pair totals) {
            this.group = group;
            this.totals = totals;
            this.scored = group.counter("challenger_scored");
            group.gauge("agreement_pairs", () -> window.agreement().pairs());
            group.gauge("agreement_mean_abs_diff", () -> window.agreement().meanAbsDiff());
            group.gauge("agreement_p95_abs_diff", () -> window.agreement().p95AbsDiff());
            group.gauge("agreement_within_1min", () -> window.agreement().withinMinuteShare());
        }

        void refused(String reason) {
            refusedByReason
                    .computeIfAbsent(reason, r -> group.addGroup("reason", r).counter("challenger_refused"))
                    .inc();
        }
    }
}
