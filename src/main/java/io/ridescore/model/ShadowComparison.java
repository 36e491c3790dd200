package io.ridescore.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ridescore.sink.MonthErrors;
import org.apache.flink.api.common.accumulators.Accumulator;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The serving model against its challenger, summed in the job as rides are scored (a Flink
 * accumulator), per model pair: how far the two agree ({@link Agreement}), both models' errors
 * against the actual duration on the rides both scored, and what the challenger refused. The batch
 * report, the {@code compare} verdict and the online progress lines all read these totals, so the
 * same rides give the same numbers in every mode.
 */
public final class ShadowComparison implements Accumulator<ShadowComparison.Outcome, ShadowComparison.Totals> {
    public static final String NAME = "shadow_comparison";

    private static final ObjectMapper JSON = new ObjectMapper();

    private Totals totals = new Totals();

    /** One ride through both models: a prediction is null where that model refused the ride. */
    public record Outcome(
            String servingModel,
            String servingVersion,
            Double serving,
            String challengerModel,
            String challengerVersion,
            Double challenger,
            String challengerRefusal,
            Double actual,
            Long pickupMicros) {}

    /** The figures of one serving model and version against one challenger model and version. */
    public static final class Pair implements Serializable {
        public final String serving;
        public final String challenger;
        final Agreement agreement = new Agreement();
        /** Both models' errors on the same rides: those both scored and whose actual duration is known. */
        final MonthErrors.Totals servingErrors = new MonthErrors.Totals();

        final MonthErrors.Totals challengerErrors = new MonthErrors.Totals();
        long challengerOnly;
        /** Rides the serving model scored and the challenger refused, by reason. */
        final TreeMap<String, Long> challengerRefused = new TreeMap<>();

        /** The version labels the errors are kept under (what follows the last '@' of each side). */
        private final String servingVersion;

        private final String challengerVersion;

        Pair(String serving, String challenger) {
            this.serving = serving;
            this.challenger = challenger;
            this.servingVersion = serving.substring(serving.lastIndexOf('@') + 1);
            this.challengerVersion = challenger.substring(challenger.lastIndexOf('@') + 1);
        }

        /** One ride through both models: a prediction is null where that model refused the ride. */
        void add(Double serving, Double challenger, String challengerRefusal, Double actual, Long pickupMicros) {
            if (challenger == null) {
                // A ride both refused is the serving path's dead letter and tells nothing about the challenger.
                if (serving != null) {
                    challengerRefused.merge(challengerRefusal, 1L, Long::sum);
                }
                return;
            }
            if (serving == null) {
                challengerOnly++;
                return;
            }
            agreement.add(serving, challenger);
            if (actual != null) {
                servingErrors.add(actual, serving, pickupMicros, servingVersion);
                challengerErrors.add(actual, challenger, pickupMicros, challengerVersion);
            }
        }

        public Agreement agreement() {
            return agreement;
        }

        public MonthErrors.Totals servingErrors() {
            return servingErrors;
        }

        public MonthErrors.Totals challengerErrors() {
            return challengerErrors;
        }

        /** Rides the challenger scored and the serving model refused (they have no serving prediction). */
        public long challengerOnly() {
            return challengerOnly;
        }

        public Map<String, Long> challengerRefused() {
            return challengerRefused;
        }

        public long challengerRefusedTotal() {
            return challengerRefused.values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
        }

        void add(Pair o) {
            agreement.merge(o.agreement);
            servingErrors.add(o.servingErrors);
            challengerErrors.add(o.challengerErrors);
            challengerOnly += o.challengerOnly;
            o.challengerRefused.forEach((reason, n) -> challengerRefused.merge(reason, n, Long::sum));
        }

        /** The figures added after {@code earlier}, a snapshot of the same pair: for a progress line. */
        public Agreement agreementSince(Pair earlier) {
            return earlier == null ? agreement : agreement.since(earlier.agreement);
        }

        /** One line: which model did better on the rides both scored, by how much, on how many. */
        public String verdict() {
            long rides = challengerErrors.rides();
            if (rides == 0) {
                return "no verdict: no ride was scored by both models with a known actual duration";
            }
            double s = servingErrors.mae();
            double c = challengerErrors.mae();
            String better = c < s ? "challenger " + challenger : c > s ? "serving " + serving : null;
            return String.format(
                    "%s: MAE %.3f min (challenger) vs %.3f min (serving), %+.1f%%; RMSE %.3f vs %.3f min;"
                            + " on %,d rides both scored%s",
                    better == null ? "no difference" : better + " is better",
                    c,
                    s,
                    s == 0 ? 0 : 100 * (c - s) / s,
                    challengerErrors.rmse(),
                    servingErrors.rmse(),
                    rides,
                    challengerRefused.isEmpty()
                            ? ""
                            : String.format(
                                    "; the challenger refused %,d rides the serving model scored %s",
                                    challengerRefusedTotal(), challengerRefused));
        }
    }

    /** The pairs seen in a run, by {@code serving name@version -> challenger name@version}. */
    public static final class Totals implements Serializable {
        final TreeMap<String, Pair> pairs = new TreeMap<>();

        public Map<String, Pair> pairs() {
            return pairs;
        }

        Pair pair(String serving, String challenger) {
            return pairs.computeIfAbsent(serving + " -> " + challenger, k -> new Pair(serving, challenger));
        }

        void add(Totals o) {
            o.pairs.forEach((key, p) -> pair(p.serving, p.challenger).add(p));
        }

        /** As JSON with the exact doubles: what the REST API hands a client, and what {@link #parse} reads. */
        @Override
        public String toString() {
            ArrayNode all = JSON.createArrayNode();
            pairs.values().forEach(p -> {
                ObjectNode n = all.addObject()
                        .put("serving", p.serving)
                        .put("challenger", p.challenger)
                        .put("agreement", p.agreement.toString())
                        .put("serving_errors", p.servingErrors.toString())
                        .put("challenger_errors", p.challengerErrors.toString())
                        .put("challenger_only", p.challengerOnly);
                ObjectNode refused = n.putObject("challenger_refused");
                p.challengerRefused.forEach(refused::put);
            });
            return all.toString();
        }

        public static Totals parse(String text) {
            Totals t = new Totals();
            try {
                for (JsonNode n : JSON.readTree(text)) {
                    Pair p = t.pair(
                            n.get("serving").asText(), n.get("challenger").asText());
                    p.agreement.merge(Agreement.parse(n.get("agreement").asText()));
                    p.servingErrors.add(
                            MonthErrors.Totals.parse(n.get("serving_errors").asText()));
                    p.challengerErrors.add(
                            MonthErrors.Totals.parse(n.get("challenger_errors").asText()));
                    p.challengerOnly = n.get("challenger_only").asLong();
                    n.get("challenger_refused")
                            .fields()
                            .forEachRemaining(e -> p.challengerRefused.put(
                                    e.getKey(), e.getValue().asLong()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("shadow comparison totals cannot be read: " + text, e);
            }
            return t;
        }
    }

    /**
     * The running figures of one model pair, for a scorer that adds to them ride by ride and looks
     * them up only when a model changes (not once per ride).
     */
    Pair pair(String servingModel, String servingVersion, String challengerModel, String challengerVersion) {
        return totals.pair(servingModel + "@" + servingVersion, challengerModel + "@" + challengerVersion);
    }

    @Override
    public void add(Outcome o) {
        pair(o.servingModel(), o.servingVersion(), o.challengerModel(), o.challengerVersion())
                .add(o.serving(), o.challenger(), o.challengerRefusal(), o.actual(), o.pickupMicros());
    }

    @Override
    public Totals getLocalValue() {
        return totals;
    }

    @Override
    public void resetLocal() {
        totals = new Totals();
    }

    @Override
    public void merge(Accumulator<Outcome, Totals> other) {
        totals.add(other.getLocalValue());
    }

    @Override
    public ShadowComparison clone() {
        ShadowComparison copy = new ShadowComparison();
        copy.totals.add(totals);
        return copy;
    }
}
