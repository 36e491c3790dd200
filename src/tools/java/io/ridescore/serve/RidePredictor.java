package io.ridescore.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ridescore.event.RideEvent;
import io.ridescore.event.RideEventParser;
import io.ridescore.event.RideRules;
import io.ridescore.features.BatchFeatureTable;
import io.ridescore.features.FeatureBuilder;
import io.ridescore.features.FeatureVector;
import io.ridescore.model.LoadedModel;
import io.ridescore.model.PmmlScorer;
import io.ridescore.model.ScoringException;

/**
 * The web service's answer to one request body, without HTTP: the same parser, rules, features and
 * scorer as the Flink job, so a ride gets the same prediction here as in batch and streaming.
 * Thread-safe: the evaluator is shared, the scorer's argument map is per thread.
 */
final class RidePredictor {
    private final LoadedModel model;
    private final FeatureBuilder features;
    private final ThreadLocal<PmmlScorer> scorers;
    /** Null without a challenger. */
    private final ShadowScores shadow;

    RidePredictor(LoadedModel model, LoadedModel challenger, BatchFeatureTable table) {
        this.model = model;
        this.features = new FeatureBuilder(table);
        new PmmlScorer(model, false); // refuses, at start, a model this service cannot feed
        this.scorers = ThreadLocal.withInitial(() -> new PmmlScorer(model, false));
        this.shadow = challenger == null ? null : new ShadowScores(challenger);
    }

    /** A request the service refuses: the status, a stable reason and a sentence saying what is wrong. */
    static final class Refused extends Exception {
        final int status;
        final String reason;

        Refused(int status, String reason, String detail) {
            super(detail);
            this.status = status;
            this.reason = reason;
        }
    }

    LoadedModel model() {
        return model;
    }

    /** The challenger's figures, or null without one. */
    ShadowScores shadow() {
        return shadow;
    }

    /**
     * One ride object gives one answer; an array of rides gives an array of answers, or one refusal
     * naming the ride. With {@code shadowed} (and a challenger), each ride the serving model answered
     * is scored by the challenger too; the answer stays the serving model's.
     */
    JsonNode predict(byte[] body, long nowMillis, boolean shadowed) throws Refused {
        JsonNode root;
        try {
            root = RideEventParser.readJson(RideEventParser.decodeUtf8(body));
        } catch (RideEventParser.ParseException e) {
            throw new Refused(400, e.reason(), e.getMessage());
        }
        if (!root.isArray()) {
            return answer(root, nowMillis, "", shadowed);
        }
        if (root.isEmpty()) {
            throw new Refused(400, "missing_field", "the array holds no ride");
        }
        ArrayNode answers = JsonNodeFactory.instance.arrayNode(root.size());
        for (int i = 0; i < root.size(); i++) {
            answers.add(answer(root.get(i), nowMillis, "ride " + i + ": ", shadowed));
        }
        return answers;
    }

    private ObjectNode answer(JsonNode node, long nowMillis, String where, boolean shadowed) throws Refused {
        RideEvent ride;
        try {
            ride = RideEventParser.parseRide(node, nowMillis, RideEventParser.PickupRange.DEFAULT);
        } catch (RideEventParser.ParseException e) {
            throw new Refused(400, e.reason(), where + e.getMessage());
        }
        RideRules.Violation v = RideRules.checkEvent(ride);
        if (v != null) {
            throw new Refused(400, v.reason(), where + v.detail());
        }
        double duration;
        FeatureVector vector = features.build(ride);
        try {
            duration = scorers.get().score(vector);
        } catch (ScoringException e) {
            throw new Refused(422, e.reason(), where + e.getMessage());
        }
        if (shadowed && shadow != null) {
            shadow.score(vector, duration);
        }
        ObjectNode answer = JsonNodeFactory.instance.objectNode();
        answer.put("duration", duration);
        answer.put("model_version", model.version());
        return answer;
    }
}
