package io.ridescore.model;

import io.ridescore.features.Feature;
import io.ridescore.features.FeatureVector;
import org.dmg.pmml.MiningFunction;
import org.jpmml.evaluator.Evaluator;
import org.jpmml.evaluator.EvaluatorUtil;
import org.jpmml.evaluator.InputField;
import org.jpmml.evaluator.TargetField;
import org.jpmml.model.PMMLException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Scores feature vectors with a PMML model, without Flink. The model says what it needs: each
 * input field is bound by name to a {@link Feature} once, here, and a field with no such feature
 * refuses the model. The target is whatever field the model names (exporters call it
 * {@code duration}, {@code y}, ...). Not thread-safe: one instance per task.
 */
public final class PmmlScorer {
    private final LoadedModel model;
    private final Evaluator evaluator;
    private final InputField[] inputs;
    private final Feature[] features;
    private final String target;
    private final Map<String, Object> arguments = new HashMap<>();
    /** Null when the model is scored by jpmml-evaluator alone; see {@link #path()}. */
    private final CompiledModel compiled;

    private final String path;

    /** A scorer for a topology that computes every feature, stream features included. */
    public PmmlScorer(LoadedModel model) {
        this(model, true);
    }

    /** @param streamFeatures whether the topology computes stream features; a model needing them is refused without */
    public PmmlScorer(LoadedModel model, boolean streamFeatures) {
        this.model = model;
        this.evaluator = model.evaluator();
        if (evaluator.getMiningFunction() != MiningFunction.REGRESSION) {
            throw new ModelException("model " + model.name() + " is a " + evaluator.getMiningFunction()
                    + " model; ride duration needs a regression model");
        }
        List<? extends TargetField> targets = evaluator.getTargetFields();
        if (targets.size() != 1) {
            throw new ModelException(
                    "model " + model.name() + " has " + targets.size() + " target fields; expected one");
        }
        this.target = targets.get(0).getName();
        List<? extends InputField> fields = evaluator.getInputFields();
        this.inputs = fields.toArray(new InputField[0]);
        this.features = new Feature[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            String name = inputs[i].getName();
            features[i] = Feature.byFieldName(name)
                    .orElseThrow(() -> new ModelException("model " + model.name()
                            + " needs input field '" + name + "', which ridescore cannot supply (available: "
                            + Feature.allFieldNames() + ")"));
            if (features[i].stream && !streamFeatures) {
                throw new ModelException(
                        "model " + model.name() + " needs input field '" + name
                                + "', a stream feature: run with stream features on (--mode online-stream or --stream-features true)");
            }
        }
        CompiledModel.Result fast = model.forceJpmml()
                ? new CompiledModel.Result(null, "jpmml forced by --scorer jpmml")
                : ModelCompiler.compile(model.pmml());
        this.compiled = fast.model();
        this.path = compiled != null
                ? "fast path (" + compiled.describe() + ")"
                : "jpmml-evaluator (" + fast.reason() + ")";
    }

    /** Which evaluator scores this model, and why: logged once per task and printed at start. */
    public String path() {
        return path;
    }

    public String modelName() {
        return model.name();
    }

    public String modelVersion() {
        return model.version();
    }

    public String targetField() {
        return target;
    }

    public List<Feature> requiredFeatures() {
        return List.of(features);
    }

    /** The predicted value of the target field: the compiled fast path where it applies, else jpmml-evaluator. */
    public double score(FeatureVector vector) throws ScoringException {
        OptionalDouble fast = scoreWithFastPathOnly(vector);
        return fast.isPresent() ? fast.getAsDouble() : scoreWithJpmml(vector);
    }

    /**
     * The fast path's own verdict, without falling back: its value or its refusal, or empty when
     * there is no fast path or it hands this ride to jpmml-evaluator. What the differential tests
     * compare, so that they never hold jpmml-evaluator to itself.
     */
    public OptionalDouble scoreWithFastPathOnly(FeatureVector vector) throws ScoringException {
        if (compiled == null) {
            return OptionalDouble.empty();
        }
        OptionalDouble fast;
        try {
            fast = compiled.score(vector);
        } catch (ScoringException refused) {
            throw new ScoringException(
                    refused.reason(), "model " + model.name() + " refused the ride: " + refused.getMessage());
        }
        return fast.isPresent() ? OptionalDouble.of(checked(fast.getAsDouble())) : fast;
    }

    /** The reference evaluator, always: what the fast path is tested against. */
    public double scoreWithJpmml(FeatureVector vector) throws ScoringException {
        Map<String, ?> results;
        try {
            for (int i = 0; i < inputs.length; i++) {
                arguments.put(inputs[i].getName(), inputs[i].prepare(features[i].valueOf(vector)));
            }
            results = evaluator.evaluate(arguments);
        } catch (PMMLException e) {
            throw new ScoringException(
                    "model_refused", "model " + model.name() + " refused the ride: " + ModelLoader.firstLine(e));
        }
        Object value = EvaluatorUtil.decode(results.get(target));
        if (!(value instanceof Number)) {
            throw new ScoringException("no_prediction", "model " + model.name() + " gave no value for " + target);
        }
        return checked(((Number) value).doubleValue());
    }

    private double checked(double prediction) throws ScoringException {
        if (!Double.isFinite(prediction)) {
            throw new ScoringException("non_finite_prediction", "model " + model.name() + " predicted " + prediction);
        }
        return prediction;
    }
}
