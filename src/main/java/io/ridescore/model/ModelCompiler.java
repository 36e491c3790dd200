package io.ridescore.model;

import org.dmg.pmml.DataField;
import org.dmg.pmml.InvalidValueTreatmentMethod;
import org.dmg.pmml.MiningField;
import org.dmg.pmml.MiningSchema;
import org.dmg.pmml.OutlierTreatmentMethod;
import org.dmg.pmml.PMML;
import org.dmg.pmml.Target;
import org.dmg.pmml.Targets;
import org.dmg.pmml.Value;

import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.Function;

/**
 * Compiles a PMML model for the fast path: the first compiler that takes it, and the checks the
 * compilers share on what jpmml-evaluator does to a field or a target before the model sees it.
 */
final class ModelCompiler {
    private ModelCompiler() {}

    /**
     * Compiled regressions by the parsed document they came from (by identity: PMML objects do
     * not define equality). The checks before a local job and each of its tasks are handed one
     * parsed document ({@link ModelLoader} keeps it), and a compiled regression, never changed
     * once built, can be shared as well: its 13,027 categories and zone-pair table took 30 ms of
     * every task's start. Compiled trees keep scratch arrays per scorer and are never shared.
     */
    private static final Map<PMML, CompiledModel.Result> SHARED = Collections.synchronizedMap(new WeakHashMap<>());

    /** The first compiler that takes the model; the reasons of all when none does. */
    static CompiledModel.Result compile(PMML pmml) {
        CompiledModel.Result shared = SHARED.get(pmml);
        if (shared != null) {
            return shared;
        }
        CompiledModel.Result regression = CompiledRegression.compile(pmml);
        if (regression.model() != null) {
            SHARED.put(pmml, regression);
            return regression;
        }
        CompiledModel.Result trees = TreeCompiler.compile(pmml);
        if (trees.model() != null) {
            return trees;
        }
        return new CompiledModel.Result(null, "regression: " + regression.reason() + "; trees: " + trees.reason());
    }

    /**
     * The model's one Target if it only rescales (value × rescaleFactor + rescaleConstant, which
     * both compilers reproduce), null when there is none.
     *
     * @throws IllegalArgumentException with the reason when it does more (bounds, integer casts, target values)
     */
    static Target rescaleOnly(Targets targets, String targetName) {
        if (targets == null) {
            return null;
        }
        Target found = null;
        for (Target t : targets.getTargets()) {
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
    static boolean keepsInvalidAsIs(MiningField field) {
        InvalidValueTreatmentMethod treatment = field.getInvalidValueTreatment();
        return (treatment == InvalidValueTreatmentMethod.AS_IS || treatment == InvalidValueTreatmentMethod.AS_VALUE)
                && field.getInvalidValueReplacement() == null;
    }

    /**
     * The model's target field, null when it names none.
     *
     * @throws IllegalArgumentException when it names more than one
     */
    static String targetName(MiningSchema schema) {
        String name = null;
        for (MiningField field : schema.getMiningFields()) {
            if (field.getUsageType() == MiningField.UsageType.TARGET
                    || field.getUsageType() == MiningField.UsageType.PREDICTED) {
                if (name != null) {
                    throw new IllegalArgumentException("more than one target");
                }
                name = field.requireName();
            }
        }
        return name;
    }

    /**
     * Whether jpmml-evaluator prepares this field's values with no treatment of its own, which is what
     * the compilers reproduce; {@code asIs} invalid values too where {@code asIsAllowed}.
     */
    static boolean plainTreatment(MiningField field, boolean asIsAllowed) {
        return field.getMissingValueReplacement() == null
                && field.getMissingValueTreatment() == null
                && field.getOutlierTreatment() == OutlierTreatmentMethod.AS_IS
                && field.getOpType() == null
                && (field.getInvalidValueTreatment() == InvalidValueTreatmentMethod.RETURN_INVALID
                                && field.getInvalidValueReplacement() == null
                        || asIsAllowed && keepsInvalidAsIs(field));
    }

    /**
     * The values a categorical field declares, as {@code key} makes them; null when it declares none.
     *
     * @throws IllegalArgumentException when it declares invalid or missing values, which the compilers do not treat
     */
    static Set<Object> declaredValues(DataField field, Function<Object, Object> key) {
        if (!field.hasValues()) {
            return null;
        }
        Set<Object> values = new HashSet<>();
        for (Value v : field.getValues()) {
            if (v.getProperty() != Value.Property.VALID) {
                throw new IllegalArgumentException(
                        "field " + field.requireName() + " declares invalid or missing values");
            }
            values.add(key.apply(v.requireValue()));
        }
        return values;
    }
}
