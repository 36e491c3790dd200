package io.ridescore.serve;

import io.ridescore.features.FeatureVector;
import io.ridescore.model.Agreement;
import io.ridescore.model.AgreementWindow;
import io.ridescore.model.LoadedModel;
import io.ridescore.model.PmmlScorer;
import io.ridescore.model.ScoringException;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The web service's challenger: scores a ride after the serving model has answered it and keeps
 * only figures (the rolling agreement, rides scored, refusals by reason) for {@code /metrics}. The
 * client's answer is the serving model's, whatever the challenger does. Thread-safe.
 */
final class ShadowScores {
    /** The agreement gauges cover this many of the latest rides both models scored. */
    static final int WINDOW = 10_000;

    private final LoadedModel model;
    private final ThreadLocal<PmmlScorer> scorers;
    private final AgreementWindow window = new AgreementWindow(WINDOW);
    private final LongAdder scored = new LongAdder();
    private final Map<String, LongAdder> refused = new ConcurrentHashMap<>();

    ShadowScores(LoadedModel model) {
        this.model = model;
        new PmmlScorer(model, false); // refuses, at start, a challenger this service cannot feed
        this.scorers = ThreadLocal.withInitial(() -> new PmmlScorer(model, false));
    }

    LoadedModel model() {
        return model;
    }

    void score(FeatureVector ride, double serving) {
        double prediction;
        try {
            prediction = scorers.get().score(ride);
        } catch (ScoringException | RuntimeException e) {
            refused.computeIfAbsent(
                            e instanceof ScoringException s ? s.reason() : "challenger_error", r -> new LongAdder())
                    .increment();
            return;
        }
        scored.increment();
        synchronized (window) {
            window.add(serving, prediction);
        }
    }

    /** The figures in the Prometheus text format, labelled with the challenger's name and version. */
    void render(StringBuilder out) {
        Agreement a;
        synchronized (window) {
            a = Agreement.parse(window.agreement().toString());
        }
        String labels = "{challenger_model=\"" + model.name() + "\",challenger_version=\"" + model.version() + "\"}";
        out.append("# HELP ridescore_shadow_rides_total Rides the challenger scored in shadow.\n")
                .append("# TYPE ridescore_shadow_rides_total counter\n")
                .append("ridescore_shadow_rides_total")
                .append(labels)
                .append(' ')
                .append(scored.sum())
                .append('\n')
                .append("# HELP ridescore_shadow_refused_total Rides the challenger refused, by reason.\n")
                .append("# TYPE ridescore_shadow_refused_total counter\n");
        new TreeMap<>(refused)
                .forEach((reason, n) -> out.append("ridescore_shadow_refused_total{reason=\"")
                        .append(reason)
                        .append("\"} ")
                        .append(n.sum())
                        .append('\n'));
        gauge(out, "ridescore_shadow_agreement_pairs", "Rides in the agreement window.", labels, a.pairs());
        gauge(
                out,
                "ridescore_shadow_agreement_mean_abs_diff_minutes",
                "Mean |serving - challenger| over the window.",
                labels,
                a.meanAbsDiff());
        gauge(
                out,
                "ridescore_shadow_agreement_p95_abs_diff_minutes",
                "p95 of |serving - challenger| over the window (0.01 min bins).",
                labels,
                a.p95AbsDiff());
        gauge(
                out,
                "ridescore_shadow_agreement_within_1min_ratio",
                "Share of the window's rides whose predictions lie within a minute.",
                labels,
                a.withinMinuteShare());
    }

    private static void gauge(StringBuilder out, String name, String help, String labels, double value) {
        out.append("# HELP ")
                .append(name)
                .append(' ')
                .append(help)
                .append("\n# TYPE ")
                .append(name)
                .append(" gauge\n")
                .append(name)
                .append(labels)
                .append(' ')
                .append(value)
                .append('\n');
    }
}
