package io.ridescore.model;

import io.ridescore.features.Feature;
import io.ridescore.features.FeatureVector;
import org.dmg.pmml.DataType;
import org.dmg.pmml.Target;
import org.jpmml.evaluator.TypeUtil;

import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Tree models compiled to flat arrays: a TreeModel, or a MiningModel whose segments are all trees
 * aggregated by sum, average, weighted sum or weighted average (random forests, scikit-learn
 * gradient boosting, XGBoost), with the casts exporters put in front of the trees
 * ({@code double(float(x))}) and a target rescale. It reproduces jpmml-evaluator's arithmetic to
 * the bit: values converted to each field's data type as jpmml-evaluator converts them (its own
 * {@link TypeUtil} parses the split values and scores here, at compile time), the first child
 * whose predicate holds, the segments summed in document order in the model's math context
 * (double, or float as XGBoost declares), then rescaled. A ride with a missing or non-finite input,
 * or a tree that gives no prediction, is handed back (an empty result); a category the model does
 * not declare is refused as jpmml-evaluator refuses it; models with anything else stay with
 * jpmml-evaluator.
 */
final class CompiledTrees implements CompiledModel {
    static final byte LT = 0, LE = 1, GT = 2, GE = 3, EQ = 4, NE = 5, TRUE = 6, FALSE = 7, IN = 8, NOT_IN = 9;

    enum Aggregation {
        SINGLE,
        SUM,
        AVERAGE,
        WEIGHTED_SUM,
        WEIGHTED_AVERAGE
    }

    /**
     * A field the trees split on: a ridescore feature; for a category (string or integer) its type and
     * declared values (null: any value, as asIs treats them); optionally a value mapping (an encoder's
     * MapValues; {@code unmapped} NaN when an unmapped value would be missing); then the data types
     * jpmml-evaluator converts a number through.
     */
    record Slot(
            Feature feature,
            DataType[] casts,
            DataType categoryType,
            Set<Object> categories,
            Map<Object, Double> mapping,
            double unmapped) {
        /** A category the trees compare as it is (not mapped to a number first). */
        boolean categorical() {
            return categoryType != null && mapping == null;
        }
    }

    /**
     * One tree: node i's children are firstChild[i], nextSibling[firstChild[i]], ...; score NaN = no
     * score; category[i] is the value of a categorical (in)equality or the set of an isIn/isNotIn.
     */
    record Tree(
            int[] firstChild,
            int[] nextSibling,
            int[] slot,
            byte[] op,
            double[] threshold,
            Object[] category,
            double[] score,
            boolean returnLastPrediction) {}

    private final Slot[] slots;
    private final Tree[] trees;
    private final double[] weights;
    private final Aggregation aggregation;
    private final boolean floatMath;
    private final Target target;
    private final DataType targetType;
    private final String description;
    private final double[] numbers;
    private final Object[] categories;

    CompiledTrees(
            Slot[] slots,
            Tree[] trees,
            double[] weights,
            Aggregation aggregation,
            boolean floatMath,
            Target target,
            DataType targetType,
            String description) {
        this.slots = slots;
        this.trees = trees;
        this.weights = weights;
        this.aggregation = aggregation;
        this.floatMath = floatMath;
        this.target = target;
        this.targetType = targetType;
        this.description = description;
        this.numbers = new double[slots.length];
        this.categories = new Object[slots.length];
    }

    @Override
    public String describe() {
        int nodes = 0;
        for (Tree t : trees) {
            nodes += t.score.length;
        }
        return "compiled "
                + (aggregation == Aggregation.SINGLE
                        ? "TreeModel"
                        : "MiningModel (" + aggregation.name().toLowerCase() + " of " + trees.length + " trees)")
                + ": " + nodes + " nodes as flat arrays, "
                + (floatMath ? "float" : "double") + " math" + description;
    }

    @Override
    public OptionalDouble score(FeatureVector vector) throws ScoringException {
        for (int s = 0; s < slots.length; s++) {
            if (!load(s, slots[s].feature.valueOf(vector))) {
                return OptionalDouble.empty();
            }
        }
        double value = aggregate();
        return Double.isNaN(value) ? OptionalDouble.empty() : OptionalDouble.of(value);
    }

    /** The trees' aggregated, rescaled prediction; NaN when a tree gives none. */
    private double aggregate() {
        if (aggregation == Aggregation.SINGLE) {
            return evaluate(trees[0]);
        }
        double sum = 0;
        float floatSum = 0f;
        double weightSum = 0;
        float floatWeightSum = 0f;
        for (int t = 0; t < trees.length; t++) {
            double value = evaluate(trees[t]);
            if (Double.isNaN(value)) {
                return Double.NaN;
            }
            switch (aggregation) {
                case SUM, AVERAGE -> {
                    sum += value;
                    floatSum += (float) value;
                }
                default -> {
                    double w = weights[t];
                    // jpmml-evaluator multiplies only weights other than 1
                    sum += w != 1d ? w * value : value;
                    floatSum += w != 1d ? (float) w * (float) value : (float) value;
                    weightSum += w;
                    floatWeightSum += (float) w;
                }
            }
        }
        if (floatMath) {
            if (aggregation == Aggregation.AVERAGE) {
                floatSum /= (float) trees.length;
            } else if (aggregation == Aggregation.WEIGHTED_AVERAGE) {
                floatSum /= floatWeightSum;
            }
            if (target != null) {
                floatSum *= target.getRescaleFactor().floatValue();
                floatSum += target.getRescaleConstant().floatValue();
            }
            return targetType == DataType.FLOAT ? floatSum : (double) floatSum;
        }
        if (aggregation == Aggregation.AVERAGE) {
            sum /= trees.length;
        } else if (aggregation == Aggregation.WEIGHTED_AVERAGE) {
            sum /= weightSum;
        }
        if (target != null) {
            sum *= target.getRescaleFactor().doubleValue();
            sum += target.getRescaleConstant().doubleValue();
        }
        return targetType == DataType.FLOAT ? (double) (float) sum : sum;
    }

    /** Converts a feature value as jpmml-evaluator's TypeUtil would; false when jpmml-evaluator must judge it. */
    private boolean load(int s, Object value) throws ScoringException {
        Slot slot = slots[s];
        if (value == null) {
            return false;
        }
        double x;
        if (slot.categoryType != null) {
            if (slot.categoryType == DataType.STRING ? !(value instanceof String) : !(value instanceof Integer)) {
                return false;
            }
            if (slot.categories != null && !slot.categories.contains(value)) {
                throw ScoringException.undeclared(slot.feature.fieldName, value.toString());
            }
            if (slot.categorical()) {
                categories[s] = value;
                return true;
            }
            x = slot.mapping.getOrDefault(value, slot.unmapped);
        } else if (value instanceof Double || value instanceof Integer) {
            x = ((Number) value).doubleValue();
        } else {
            return false;
        }
        if (!Double.isFinite(x)) {
            return false;
        }
        for (DataType cast : slot.casts) {
            switch (cast) {
                case DOUBLE -> {}
                // TypeUtil returns its shared zero for -0 as well
                case FLOAT -> x = (float) x == 0f ? 0d : (double) (float) x;
                case INTEGER -> {
                    if (x != Math.rint(x) || Math.abs(x) > Integer.MAX_VALUE) {
                        return false;
                    }
                }
                default -> throw new IllegalStateException(cast.name());
            }
        }
        numbers[s] = x;
        return true;
    }

    /** The score of the node the ride reaches, or NaN for no prediction. */
    private double evaluate(Tree tree) {
        int node = 0;
        if (!holds(tree, node)) {
            return Double.NaN;
        }
        while (tree.firstChild[node] >= 0) {
            int child = tree.firstChild[node];
            while (child >= 0 && !holds(tree, child)) {
                child = tree.nextSibling[child];
            }
            if (child < 0) {
                return tree.returnLastPrediction ? tree.score[node] : Double.NaN;
            }
            node = child;
        }
        return tree.score[node];
    }

    private boolean holds(Tree tree, int node) {
        byte op = tree.op[node];
        if (op == TRUE) {
            return true;
        }
        if (op == FALSE) {
            return false;
        }
        int s = tree.slot[node];
        if (op == IN || op == NOT_IN) {
            boolean in = ((Set<?>) tree.category[node]).contains(categories[s]);
            return op == IN ? in : !in;
        }
        if (tree.category[node] != null) {
            boolean equal = tree.category[node].equals(categories[s]);
            return op == EQ ? equal : !equal;
        }
        int order = Double.compare(numbers[s], tree.threshold[node]);
        return switch (op) {
            case LT -> order < 0;
            case LE -> order <= 0;
            case GT -> order > 0;
            case GE -> order >= 0;
            case EQ -> order == 0;
            default -> order != 0;
        };
    }
}
