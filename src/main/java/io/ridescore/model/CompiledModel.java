package io.ridescore.model;

import io.ridescore.features.FeatureVector;
import org.dmg.pmml.PMML;

/**
 * A PMML model compiled into a compact in-memory scorer that gives exactly jpmml-evaluator's
 * double. Each compiler takes only the shapes it reproduces to the bit; everything else, and
 * every ride it cannot treat exactly, stays with jpmml-evaluator.
 */
interface CompiledModel {
    /** Returned by {@link #score} for a ride only jpmml-evaluator can treat exactly. */
    double DELEGATE = Double.NaN;

    /**
     * The prediction, or {@link #DELEGATE} when only jpmml-evaluator can treat this ride exactly.
     *
     * @throws ScoringException where jpmml-evaluator would refuse the ride too (a category the model
     *         does not declare, under the default invalid-value treatment)
     */
    double score(FeatureVector vector) throws ScoringException;

    /**
     * The model's one Target if it only rescales (value × rescaleFactor + rescaleConstant, which
     * both compilers reproduce), null when there is none.
     *
     * @throws IllegalArgumentException with the reason when it does more (bounds, integer casts, target values)
     */
    static org.dmg.pmml.Target rescaleOnly(org.dmg.pmml.Targets targets, String targetName) {
        if (targets == null) {
            return null;
        }
        org.dmg.pmml.Target found = null;
        for (org.dmg.pmml.Target t : targets.getTargets()) {
            if (t.getTargetField() != null && !t.getTargetField().equals(targetName) || found != null) {
                throw new IllegalArgumentException("targets for other fields");
            }
            if (t.getMin() != null || t.getMax() != null || t.getCastInteger() != null || t.hasTargetValues()) {
                throw new IllegalArgumentException("a target with bounds, integer cast or target values");
            }
            found = t;
        }
        return found;
    }

    /**
     * Whether an invalid value of this field goes on unchanged: {@code asIs}, which jpmml-model reads
     * as PMML 4.4's {@code asValue} without a replacement.
     */
    static boolean keepsInvalidAsIs(org.dmg.pmml.MiningField field) {
        org.dmg.pmml.InvalidValueTreatmentMethod treatment = field.getInvalidValueTreatment();
        return (treatment == org.dmg.pmml.InvalidValueTreatmentMethod.AS_IS
                || treatment == org.dmg.pmml.InvalidValueTreatmentMethod.AS_VALUE) && field.getInvalidValueReplacement() == null;
    }

    static ScoringException undeclared(String field, String value) {
        return new ScoringException("model_refused", "field " + field + " does not accept value \"" + value
                + "\" (not among the model's values)");
    }

    /** What was compiled, for the log line and the job's start banner. */
    String describe();

    /** The compiled model, or why the model stays with jpmml-evaluator. */
    record Result(CompiledModel model, String reason) {}

    /** The first compiler that takes the model; the reasons of all when none does. */
    static Result compile(PMML pmml) {
        Result regression = CompiledRegression.compile(pmml);
        if (regression.model() != null) {
            return regression;
        }
        Result trees = CompiledTrees.compile(pmml);
        if (trees.model() != null) {
            return trees;
        }
        return new Result(null, "regression: " + regression.reason() + "; trees: " + trees.reason());
    }
}
