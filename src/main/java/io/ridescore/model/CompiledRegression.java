package io.ridescore.model;

import io.ridescore.features.Feature;
import io.ridescore.features.FeatureVector;
import org.dmg.pmml.DataDictionary;
import org.dmg.pmml.DataField;
import org.dmg.pmml.DataType;
import org.dmg.pmml.MathContext;
import org.dmg.pmml.MiningField;
import org.dmg.pmml.MiningFunction;
import org.dmg.pmml.OpType;
import org.dmg.pmml.PMML;
import org.dmg.pmml.Target;
import org.dmg.pmml.regression.CategoricalPredictor;
import org.dmg.pmml.regression.NumericPredictor;
import org.dmg.pmml.regression.RegressionModel;
import org.dmg.pmml.regression.RegressionTable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * A PMML RegressionModel compiled to arrays and hash maps: numeric terms as multiply-adds,
 * categorical terms as one hash lookup per field (PU_DO's by zone pair, {@link ZonePairTerms}).
 * It reproduces jpmml-evaluator's arithmetic exactly (numeric terms in document order, then the
 * first matching categorical predictor of each field, then the intercept, as
 * {@code value += coefficient * x}) and handles only what it can reproduce: a ride with a missing,
 * NaN or infinite input is handed back (an empty result) for jpmml-evaluator to treat as the PMML
 * says, and a category the model does not declare is refused as jpmml-evaluator refuses it, or
 * under {@code asIs} matches no term, as there.
 * The normalizations the spec allows for a regression (exp, logit/softmax, cloglog, loglog; not
 * probit or cauchit) and a rescaling target are applied with jpmml-evaluator's own formulas.
 * Models with anything else (transformations, value constraints, non-default missing or invalid
 * treatments, predictor terms, exponents, float math) are not compiled.
 */
final class CompiledRegression implements CompiledModel {
    private static final Set<RegressionModel.NormalizationMethod> COMPILED_NORMALIZATIONS = EnumSet.of(
            RegressionModel.NormalizationMethod.NONE, RegressionModel.NormalizationMethod.EXP,
            RegressionModel.NormalizationMethod.SOFTMAX, RegressionModel.NormalizationMethod.LOGIT,
            RegressionModel.NormalizationMethod.CLOGLOG, RegressionModel.NormalizationMethod.LOGLOG);

    /** What a declared category without a coefficient of its own looks up to: valid, no term. */
    private static final Object NO_TERM = new Object();

    private final Feature[] numericFeatures;
    private final double[] numericCoefficients;
    private final Feature[] categoricalFeatures;
    private final boolean[] integerCategories;
    /**
     * Per categorical field, each category to its coefficient ({@link #NO_TERM} for a declared one
     * without) in one map, so a ride costs one lookup per field: where the field's values are
     * declared, exactly they are keys and a miss is an undeclared value; where it keeps invalid
     * values as they are, only the coefficients are, and a miss is no term.
     */
    private final Map<Object, Object>[] categoryTerms;
    /** Per categorical field, whether a miss is an undeclared value (refused) rather than no term. */
    private final boolean[] declaredOnly;
    /** Per categorical field, its categories by zone pair where the field is PU_DO (a string), else null. */
    private final ZonePairTerms[] zonePairs;

    /** How many coefficients the categorical fields have in all (for {@link #describe()}). */
    private final int categoricalCoefficientCount;

    private final double intercept;
    private final RegressionModel.NormalizationMethod normalization;
    private final Target target;

    private CompiledRegression(
            Feature[] numericFeatures,
            double[] numericCoefficients,
            Feature[] categoricalFeatures,
            boolean[] integerCategories,
            List<Map<Object, Double>> categoricalCoefficients,
            List<Set<Object>> validCategories,
            double intercept,
            RegressionModel.NormalizationMethod normalization,
            Target target) {
        this.numericFeatures = numericFeatures;
        this.numericCoefficients = numericCoefficients;
        this.categoricalFeatures = categoricalFeatures;
        this.integerCategories = integerCategories;
        this.categoryTerms = termMaps(categoricalCoefficients, validCategories);
        this.declaredOnly = new boolean[validCategories.size()];
        for (int i = 0; i < declaredOnly.length; i++) {
            declaredOnly[i] = validCategories.get(i) != null;
        }
        this.categoricalCoefficientCount =
                categoricalCoefficients.stream().mapToInt(Map::size).sum();
        this.zonePairs = new ZonePairTerms[categoricalFeatures.length];
        for (int i = 0; i < zonePairs.length; i++) {
            if (categoricalFeatures[i] == Feature.PU_DO && !integerCategories[i]) {
                zonePairs[i] = ZonePairTerms.of(categoryTerms[i], NO_TERM);
            }
        }
        this.intercept = intercept;
        this.normalization = normalization;
        this.target = target;
    }

    static Result compile(PMML pmml) {
        if (pmml.getModels().size() != 1 || !(pmml.getModels().get(0) instanceof RegressionModel model)) {
            return new Result(null, "not a single RegressionModel");
        }
        if (model.getMiningFunction() != MiningFunction.REGRESSION) {
            return new Result(null, "not a regression");
        }
        RegressionModel.NormalizationMethod normalization = model.getNormalizationMethod();
        if (!COMPILED_NORMALIZATIONS.contains(normalization)) {
            return new Result(null, "regression normalization " + normalization.value());
        }
        if (model.getLocalTransformations() != null
                || model.getOutput() != null
                || pmml.getTransformationDictionary() != null
                || model.getMathContext() != MathContext.DOUBLE) {
            return new Result(null, "transformations, output fields or float math");
        }
        Target target;
        try {
            target = ModelCompiler.rescaleOnly(model.getTargets(), ModelCompiler.targetName(model.getMiningSchema()));
        } catch (IllegalArgumentException e) {
            return new Result(null, e.getMessage());
        }
        if (model.getRegressionTables().size() != 1) {
            return new Result(null, "more than one regression table");
        }
        RegressionTable table = model.getRegressionTables().get(0);
        if (table.hasPredictorTerms()) {
            return new Result(null, "predictor terms");
        }
        Set<String> asIs = new HashSet<>();
        for (MiningField field : model.getMiningSchema().getMiningFields()) {
            if (ModelCompiler.keepsInvalidAsIs(field)) {
                asIs.add(field.getName()); // an undeclared category goes on as it is and matches no term
            }
            if (!ModelCompiler.plainTreatment(field, true)) {
                return new Result(
                        null, "mining field " + field.getName() + " has its own missing/invalid/outlier treatment");
            }
        }
        Map<String, DataField> fields = new HashMap<>();
        DataDictionary dictionary = pmml.getDataDictionary();
        dictionary.getDataFields().forEach(f -> fields.put(f.getName(), f));

        List<Feature> numeric = new ArrayList<>();
        List<Double> coefficients = new ArrayList<>();
        for (NumericPredictor p : table.getNumericPredictors()) {
            DataField field = fields.get(p.getField());
            if (field == null
                    || p.getExponent() != 1
                    || field.getOpType() != OpType.CONTINUOUS
                    || field.getDataType() != DataType.DOUBLE
                    || field.hasIntervals()
                    || field.hasValues()) {
                return new Result(null, "numeric predictor " + p.getField() + " is not a plain double field");
            }
            numeric.add(feature(p.getField()));
            coefficients.add(p.getCoefficient().doubleValue());
        }
        Map<String, Map<Object, Double>> byField = new LinkedHashMap<>();
        for (CategoricalPredictor p : table.getCategoricalPredictors()) {
            DataField field = fields.get(p.getField());
            if (field == null
                    || field.getOpType() != OpType.CATEGORICAL
                    || (field.getDataType() != DataType.STRING && field.getDataType() != DataType.INTEGER)) {
                return new Result(null, "categorical predictor " + p.getField() + " is not a string or integer field");
            }
            Object key = key(p.getValue(), field.getDataType() == DataType.INTEGER);
            byField.computeIfAbsent(p.getField(), f -> new HashMap<>())
                    .putIfAbsent(key, p.getCoefficient().doubleValue());
        }
        Feature[] categorical = new Feature[byField.size()];
        boolean[] integer = new boolean[byField.size()];
        List<Set<Object>> valid = new ArrayList<>();
        int i = 0;
        for (String name : byField.keySet()) {
            DataField field = fields.get(name);
            categorical[i] = feature(name);
            integer[i] = field.getDataType() == DataType.INTEGER;
            boolean integerField = integer[i];
            try {
                valid.add(asIs.contains(name) ? null : ModelCompiler.declaredValues(field, v -> key(v, integerField)));
            } catch (IllegalArgumentException e) {
                return new Result(null, e.getMessage());
            }
            i++;
        }
        Set<String> used = new HashSet<>(byField.keySet());
        table.getNumericPredictors().forEach(p -> used.add(p.getField()));
        for (MiningField field : model.getMiningSchema().getMiningFields()) {
            boolean active = field.getUsageType() == MiningField.UsageType.ACTIVE;
            if (active && !used.contains(field.getName())) {
                return new Result(
                        null, "input " + field.getName() + " has no predictor (jpmml-evaluator still validates it)");
            }
        }
        if (numeric.contains(null) || Arrays.asList(categorical).contains(null)) {
            return new Result(null, "an input is not a ridescore feature");
        }
        return new Result(
                new CompiledRegression(
                        numeric.toArray(new Feature[0]),
                        coefficients.stream().mapToDouble(Double::doubleValue).toArray(),
                        categorical,
                        integer,
                        new ArrayList<>(byField.values()),
                        valid,
                        table.getIntercept().doubleValue(),
                        normalization,
                        target),
                null);
    }

    @Override
    public String describe() {
        return "compiled RegressionModel: " + numericFeatures.length + " numeric terms, " + categoricalFeatures.length
                + " categorical fields with " + categoricalCoefficientCount + " coefficients as hash lookups"
                + (normalization == RegressionModel.NormalizationMethod.NONE
                        ? ""
                        : ", " + normalization.value() + " normalization")
                + (target == null ? "" : ", rescaled");
    }

    @Override
    public OptionalDouble score(FeatureVector vector) throws ScoringException {
        double result = 0;
        for (int i = 0; i < numericFeatures.length; i++) {
            Object value = numericFeatures[i].valueOf(vector);
            if (!(value instanceof Number)) {
                return OptionalDouble.empty();
            }
            double x = ((Number) value).doubleValue();
            if (!Double.isFinite(x)) {
                return OptionalDouble.empty();
            }
            result += numericCoefficients[i] * x;
        }
        for (int i = 0; i < categoricalFeatures.length; i++) {
            int pair = zonePairs[i] == null
                    ? -1
                    : ZonePairTerms.indexOf(vector.ride.puLocationId, vector.ride.doLocationId);
            if (pair >= 0) {
                switch (zonePairs[i].kind(pair)) {
                    case ZonePairTerms.TERM -> result += zonePairs[i].coefficient(pair);
                    case ZonePairTerms.ABSENT -> {
                        if (declaredOnly[i]) {
                            throw ScoringException.undeclared(categoricalFeatures[i].fieldName, vector.puDo());
                        }
                    }
                    default -> {} // declared, without a term of its own
                }
                continue;
            }
            Object value = categoricalFeatures[i].valueOf(vector);
            if (value == null) {
                return OptionalDouble.empty();
            }
            Object key;
            if (integerCategories[i]) {
                if (!(value instanceof Integer) && !(value instanceof Long)) {
                    return OptionalDouble.empty();
                }
                key = ((Number) value).longValue();
            } else {
                key = value.toString();
            }
            Object term = categoryTerms[i].get(key);
            if (term == null) {
                if (declaredOnly[i]) {
                    throw ScoringException.undeclared(categoricalFeatures[i].fieldName, key.toString());
                }
            } else if (term != NO_TERM) {
                result += (Double) term;
            }
        }
        if (intercept != 0d) {
            result += intercept;
        }
        // jpmml-evaluator's DoubleValue arithmetic, in its order: normalize, then rescale
        result = switch (normalization) {
            case NONE -> result;
            case EXP -> Math.exp(result);
            case SOFTMAX, LOGIT -> 1d / (1d + Math.exp(-result));
            case CLOGLOG -> 1d - Math.exp(-Math.exp(result));
            case LOGLOG -> Math.exp(-Math.exp(-result));
            default -> throw new IllegalStateException(normalization.value());
        };
        if (target != null) {
            result *= target.getRescaleFactor().doubleValue();
            result += target.getRescaleConstant().doubleValue();
        }
        // NaN (e.g. infinities that cancel) is for jpmml-evaluator to judge; infinity is refused downstream
        return Double.isNaN(result) ? OptionalDouble.empty() : OptionalDouble.of(result);
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object>[] termMaps(
            List<Map<Object, Double>> coefficients, List<Set<Object>> validCategories) {
        Map<Object, Object>[] terms = new Map[coefficients.size()];
        for (int i = 0; i < terms.length; i++) {
            Set<Object> valid = validCategories.get(i);
            Map<Object, Double> byCategory = coefficients.get(i);
            terms[i] = new HashMap<>(valid == null ? byCategory.size() * 2 : valid.size() * 2);
            if (valid == null) {
                terms[i].putAll(byCategory);
            } else {
                // A coefficient of a value the field does not declare is never reached: the value is refused first.
                for (Object category : valid) {
                    terms[i].put(category, byCategory.containsKey(category) ? byCategory.get(category) : NO_TERM);
                }
            }
        }
        return terms;
    }

    private static Feature feature(String name) {
        return Feature.byFieldName(name).orElse(null);
    }

    private static Object key(Object pmmlValue, boolean integer) {
        return integer ? Long.parseLong(pmmlValue.toString()) : pmmlValue.toString();
    }
}
