package io.ridescore.model;

import io.ridescore.features.Feature;
import io.ridescore.features.FeatureVector;
import org.dmg.pmml.DataField;
import org.dmg.pmml.DataType;
import org.dmg.pmml.DerivedField;
import org.dmg.pmml.False;
import org.dmg.pmml.FieldRef;
import org.dmg.pmml.LocalTransformations;
import org.dmg.pmml.MapValues;
import org.dmg.pmml.MathContext;
import org.dmg.pmml.MiningField;
import org.dmg.pmml.MiningFunction;
import org.dmg.pmml.MiningSchema;
import org.dmg.pmml.Model;
import org.dmg.pmml.OpType;
import org.dmg.pmml.PMML;
import org.dmg.pmml.Predicate;
import org.dmg.pmml.SimplePredicate;
import org.dmg.pmml.SimpleSetPredicate;
import org.dmg.pmml.Target;
import org.dmg.pmml.Targets;
import org.dmg.pmml.TransformationDictionary;
import org.dmg.pmml.True;
import org.dmg.pmml.mining.MiningModel;
import org.dmg.pmml.mining.Segment;
import org.dmg.pmml.mining.Segmentation;
import org.dmg.pmml.tree.Node;
import org.dmg.pmml.tree.TreeModel;
import org.jpmml.evaluator.ArrayUtil;
import org.jpmml.evaluator.InlineTableUtil;
import org.jpmml.evaluator.TypeUtil;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * or a tree that gives no prediction, is handed back ({@link #DELEGATE}); a category the model does
 * not declare is refused as jpmml-evaluator refuses it; models with anything else stay with
 * jpmml-evaluator.
 */
final class CompiledTrees implements CompiledModel {
    private static final byte LT = 0, LE = 1, GT = 2, GE = 3, EQ = 4, NE = 5, TRUE = 6, FALSE = 7, IN = 8, NOT_IN = 9;

    private enum Aggregation {
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
    private record Slot(
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
    private record Tree(
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

    private CompiledTrees(
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

    /** Thrown while compiling: the model keeps jpmml-evaluator, for this reason. */
    private static final class NotCompiled extends Exception {
        NotCompiled(String reason) {
            super(reason, null, false, false);
        }
    }

    static Result compile(PMML pmml) {
        try {
            return new Result(new Compiler(pmml).compile(), null);
        } catch (NotCompiled e) {
            return new Result(null, e.getMessage());
        }
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
    public double score(FeatureVector vector) throws ScoringException {
        for (int s = 0; s < slots.length; s++) {
            if (!load(s, slots[s].feature.valueOf(vector))) {
                return DELEGATE;
            }
        }
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
                return DELEGATE;
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
                throw CompiledModel.undeclared(slot.feature.fieldName, value.toString());
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

    /** Walks the PMML once; anything it does not recognise exactly throws {@link NotCompiled}. */
    private static final class Compiler {
        private final PMML pmml;
        private final Map<String, DataField> dataFields = new HashMap<>();
        private final Map<String, DerivedField> derivedFields = new HashMap<>();
        private final Map<String, Integer> slotIndex = new LinkedHashMap<>();
        private final List<Slot> slots = new ArrayList<>();
        private final Set<String> asIs = new HashSet<>();

        Compiler(PMML pmml) {
            this.pmml = pmml;
            pmml.requireDataDictionary().getDataFields().forEach(f -> dataFields.put(f.requireName(), f));
            TransformationDictionary dictionary = pmml.getTransformationDictionary();
            if (dictionary != null) {
                dictionary.getDerivedFields().forEach(f -> derivedFields.put(f.requireName(), f));
            }
        }

        CompiledTrees compile() throws NotCompiled {
            if (pmml.getModels().size() != 1) {
                throw new NotCompiled("not a single model");
            }
            Model model = pmml.getModels().get(0);
            if (model.getMiningFunction() != MiningFunction.REGRESSION) {
                throw new NotCompiled("not a regression");
            }
            if (model.getOutput() != null && model.getOutput().hasOutputFields()) {
                throw new NotCompiled("output fields");
            }
            for (MiningField field : model.requireMiningSchema().getMiningFields()) {
                if (CompiledModel.keepsInvalidAsIs(field)) {
                    asIs.add(field.requireName()); // the value goes on as it is, declared or not
                }
            }
            plainSchema(model, true);
            localTransformations(model.getLocalTransformations());
            String targetName = targetName(model.requireMiningSchema());
            if (targetName == null) {
                throw new NotCompiled("no target field");
            }
            DataType targetType = dataFields.get(targetName).requireDataType();
            if (model instanceof TreeModel tree) {
                if (model.getTargets() != null
                        || model.getModelStats() != null
                        || model.getModelExplanation() != null) {
                    throw new NotCompiled("a TreeModel with targets");
                }
                Tree compiled = tree(tree, targetType);
                return new CompiledTrees(
                        slots.toArray(new Slot[0]),
                        new Tree[] {compiled},
                        null,
                        Aggregation.SINGLE,
                        false,
                        null,
                        targetType,
                        casts());
            }
            if (!(model instanceof MiningModel mining)) {
                throw new NotCompiled("neither a TreeModel nor a MiningModel");
            }
            Segmentation segmentation = mining.requireSegmentation();
            Aggregation aggregation =
                    switch (segmentation.requireMultipleModelMethod()) {
                        case SUM -> Aggregation.SUM;
                        case AVERAGE -> Aggregation.AVERAGE;
                        case WEIGHTED_SUM -> Aggregation.WEIGHTED_SUM;
                        case WEIGHTED_AVERAGE -> Aggregation.WEIGHTED_AVERAGE;
                        default ->
                            throw new NotCompiled("segmentation "
                                    + segmentation.requireMultipleModelMethod().value());
                    };
            if (segmentation.getLocalTransformations() != null) {
                throw new NotCompiled("segmentation-level transformations");
            }
            List<Tree> trees = new ArrayList<>();
            List<Double> weights = new ArrayList<>();
            for (Segment segment : segmentation.requireSegments()) {
                if (!(segment.requirePredicate() instanceof True)) {
                    throw new NotCompiled("a segment with a predicate");
                }
                if (!(segment.requireModel() instanceof TreeModel tree)
                        || tree.getMiningFunction() != MiningFunction.REGRESSION) {
                    throw new NotCompiled("a segment that is not a regression tree");
                }
                if (tree.getTargets() != null || tree.getOutput() != null || tree.getLocalTransformations() != null) {
                    throw new NotCompiled("a segment tree with targets, outputs or transformations");
                }
                plainSchema(tree, false);
                if (segment.getWeight().doubleValue() < 0) {
                    throw new NotCompiled("a negative segment weight");
                }
                // a segment tree without a target of its own reports its score in its math context's type
                String segmentTarget = targetName(tree.requireMiningSchema());
                DataType scoreType = segmentTarget != null
                        ? dataFields.get(segmentTarget).requireDataType()
                        : tree.getMathContext() == MathContext.FLOAT ? DataType.FLOAT : DataType.DOUBLE;
                trees.add(tree(tree, scoreType));
                weights.add(segment.getWeight().doubleValue());
            }
            if (trees.isEmpty()) {
                throw new NotCompiled("no segments");
            }
            Target target = target(mining.getTargets(), targetName);
            boolean floatMath = mining.getMathContext() == MathContext.FLOAT;
            return new CompiledTrees(
                    slots.toArray(new Slot[0]),
                    trees.toArray(new Tree[0]),
                    weights.stream().mapToDouble(Double::doubleValue).toArray(),
                    aggregation,
                    floatMath,
                    target,
                    targetType,
                    casts());
        }

        private String casts() {
            long mapped = slots.stream().filter(s -> s.mapping != null).count();
            long derived = slots.stream()
                    .filter(s -> s.mapping == null && s.casts.length > 1)
                    .count();
            return (derived == 0 ? "" : ", " + derived + " derived casts")
                    + (mapped == 0 ? "" : ", " + mapped + " value mappings");
        }

        private static String targetName(MiningSchema schema) throws NotCompiled {
            try {
                return CompiledModel.targetName(schema);
            } catch (IllegalArgumentException e) {
                throw new NotCompiled(e.getMessage());
            }
        }

        private static Target target(Targets targets, String targetName) throws NotCompiled {
            try {
                return CompiledModel.rescaleOnly(targets, targetName);
            } catch (IllegalArgumentException e) {
                throw new NotCompiled(e.getMessage());
            }
        }

        /** Inputs are prepared by the top model's schema: only there may invalid values go on as they are. */
        private static void plainSchema(Model model, boolean top) throws NotCompiled {
            for (MiningField field : model.requireMiningSchema().getMiningFields()) {
                if (!CompiledModel.plainTreatment(field, top)) {
                    throw new NotCompiled(
                            "mining field " + field.requireName() + " has its own missing/invalid/outlier treatment");
                }
            }
        }

        private void localTransformations(LocalTransformations transformations) {
            if (transformations != null) {
                transformations.getDerivedFields().forEach(f -> derivedFields.put(f.requireName(), f));
            }
        }

        private Tree tree(TreeModel tree, DataType scoreType) throws NotCompiled {
            if (tree.getNoTrueChildStrategy() != TreeModel.NoTrueChildStrategy.RETURN_NULL_PREDICTION
                    && tree.getNoTrueChildStrategy() != TreeModel.NoTrueChildStrategy.RETURN_LAST_PREDICTION) {
                throw new NotCompiled("noTrueChildStrategy " + tree.getNoTrueChildStrategy());
            }
            List<Node> nodes = new ArrayList<>();
            List<int[]> links = new ArrayList<>();
            flatten(tree.requireNode(), nodes, links);
            int n = nodes.size();
            int[] firstChild = new int[n];
            int[] nextSibling = new int[n];
            int[] slot = new int[n];
            byte[] op = new byte[n];
            double[] threshold = new double[n];
            Object[] category = new Object[n];
            double[] score = new double[n];
            for (int i = 0; i < n; i++) {
                Node node = nodes.get(i);
                firstChild[i] = links.get(i)[0];
                nextSibling[i] = links.get(i)[1];
                if (node.getEmbeddedModel() != null || node.getPartition() != null || node.hasScoreDistributions()) {
                    throw new NotCompiled("a node with an embedded model, partition or score distribution");
                }
                score[i] = node.hasScore()
                        ? ((Number) TypeUtil.parseOrCast(scoreType, node.requireScore())).doubleValue()
                        : Double.NaN;
                predicate(node.requirePredicate(), i, slot, op, threshold, category);
            }
            return new Tree(
                    firstChild,
                    nextSibling,
                    slot,
                    op,
                    threshold,
                    category,
                    score,
                    tree.getNoTrueChildStrategy() == TreeModel.NoTrueChildStrategy.RETURN_LAST_PREDICTION);
        }

        /** Depth-first numbering; links[i] = {first child, next sibling}. */
        private static void flatten(Node root, List<Node> nodes, List<int[]> links) {
            nodes.add(root);
            links.add(new int[] {-1, -1});
            int self = nodes.size() - 1;
            int previous = -1;
            for (Node child : root.hasNodes() ? root.getNodes() : List.<Node>of()) {
                int index = nodes.size();
                if (previous < 0) {
                    links.get(self)[0] = index;
                } else {
                    links.get(previous)[1] = index;
                }
                flatten(child, nodes, links);
                previous = index;
            }
        }

        private void predicate(Predicate predicate, int i, int[] slot, byte[] op, double[] threshold, Object[] category)
                throws NotCompiled {
            if (predicate instanceof True) {
                op[i] = TRUE;
                return;
            }
            if (predicate instanceof False) {
                op[i] = FALSE;
                return;
            }
            if (predicate instanceof SimpleSetPredicate set) {
                slot[i] = slot(set.requireField());
                Slot s = slots.get(slot[i]);
                if (!s.categorical()) {
                    throw new NotCompiled("a set predicate on non-categorical field " + set.requireField());
                }
                op[i] = set.requireBooleanOperator() == SimpleSetPredicate.BooleanOperator.IS_IN ? IN : NOT_IN;
                Set<Object> values = new HashSet<>();
                for (Object value : ArrayUtil.getContent(set.requireArray())) {
                    values.add(TypeUtil.parseOrCast(s.categoryType, value));
                }
                category[i] = values;
                return;
            }
            if (!(predicate instanceof SimplePredicate simple)) {
                throw new NotCompiled(predicate.getClass().getSimpleName() + " predicates");
            }
            op[i] = switch (simple.requireOperator()) {
                case LESS_THAN -> LT;
                case LESS_OR_EQUAL -> LE;
                case GREATER_THAN -> GT;
                case GREATER_OR_EQUAL -> GE;
                case EQUAL -> EQ;
                case NOT_EQUAL -> NE;
                default ->
                    throw new NotCompiled("operator " + simple.requireOperator().value());
            };
            slot[i] = slot(simple.requireField());
            Slot s = slots.get(slot[i]);
            if (s.categorical()) {
                if (op[i] != EQ && op[i] != NE) {
                    throw new NotCompiled("an ordering on categorical field " + simple.requireField());
                }
                category[i] = TypeUtil.parseOrCast(s.categoryType, simple.requireValue());
                return;
            }
            DataType type = s.casts[s.casts.length - 1];
            Object parsed;
            try {
                parsed = TypeUtil.parseOrCast(type, simple.requireValue());
            } catch (RuntimeException notOfTheFieldsType) {
                // jpmml-evaluator then compares the field's value as a double with the value parsed as a double
                parsed = TypeUtil.parseOrCast(DataType.DOUBLE, simple.requireValue());
            }
            threshold[i] = ((Number) parsed).doubleValue();
        }

        private int slot(String field) throws NotCompiled {
            Integer known = slotIndex.get(field);
            if (known != null) {
                return known;
            }
            List<DataType> casts = new ArrayList<>();
            String source = field;
            Map<Object, Double> mapping = null;
            MapValues mapValues = null;
            double unmapped = Double.NaN;
            while (derivedFields.containsKey(source) && mapValues == null) {
                DerivedField derived = derivedFields.get(source);
                if (derived.hasValues() || derived.hasIntervals()) {
                    throw new NotCompiled("derived field " + source + " declares values");
                }
                if (derived.requireExpression() instanceof FieldRef ref
                        && ref.getMapMissingTo() == null
                        && derived.getOpType() == OpType.CONTINUOUS) {
                    casts.add(0, numeric(derived.requireDataType(), source));
                    source = ref.requireField();
                } else if (derived.requireExpression() instanceof MapValues map) {
                    casts.add(0, numeric(derived.requireDataType(), source));
                    mapValues = map;
                    // MapValues yields its default as a string of its own type, then the field's cast applies
                    unmapped = map.getDefaultValue() == null
                            ? Double.NaN
                            : ((Number) TypeUtil.parseOrCast(
                                            derived.requireDataType(),
                                            TypeUtil.parseOrCast(
                                                    map.getDataType(DataType.STRING), map.getDefaultValue())))
                                    .doubleValue();
                    source = map.getFieldColumnPairs().get(0).requireField();
                } else {
                    throw new NotCompiled("derived field " + source + " is neither a cast nor a value mapping");
                }
            }
            DataField data = dataFields.get(source);
            Feature feature = Feature.byFieldName(source).orElse(null);
            if (data == null || feature == null) {
                throw new NotCompiled("field " + source + " is not a ridescore feature");
            }
            Slot slot;
            DataType type = data.requireDataType();
            boolean category =
                    data.getOpType() == OpType.CATEGORICAL && (type == DataType.STRING || type == DataType.INTEGER);
            if (category && (casts.isEmpty() || mapValues != null)) {
                Set<Object> categories;
                try {
                    categories = asIs.contains(source)
                            ? null
                            : CompiledModel.declaredValues(data, v -> TypeUtil.parseOrCast(type, v));
                } catch (IllegalArgumentException e) {
                    throw new NotCompiled(e.getMessage());
                }
                if (mapValues == null) {
                    slot = new Slot(feature, new DataType[0], type, categories, null, Double.NaN);
                } else {
                    mapping = mapping(mapValues, type, casts.get(0), field);
                    slot = new Slot(feature, casts.toArray(new DataType[0]), type, categories, mapping, unmapped);
                }
            } else if (data.getOpType() == OpType.CONTINUOUS
                    && !data.hasValues()
                    && !data.hasIntervals()
                    && mapValues == null) {
                casts.add(0, numeric(type, source));
                slot = new Slot(feature, casts.toArray(new DataType[0]), null, null, null, Double.NaN);
            } else {
                throw new NotCompiled(
                        "field " + source + " is neither a plain continuous field nor a string or integer category");
            }
            slotIndex.put(field, slots.size());
            slots.add(slot);
            return slots.size() - 1;
        }

        /** An encoder's table as a hash map, first row winning as in jpmml-evaluator; values in the field's type. */
        private static Map<Object, Double> mapping(MapValues map, DataType keyType, DataType type, String field)
                throws NotCompiled {
            if (map.getFieldColumnPairs().size() != 1
                    || map.getMapMissingTo() != null
                    || map.getInlineTable() == null) {
                throw new NotCompiled("value mapping " + field + " is not one column through an inline table");
            }
            String in = map.getFieldColumnPairs().get(0).requireColumn();
            String out = map.requireOutputColumn();
            DataType outType = map.getDataType(DataType.STRING);
            Map<Object, Double> mapping = new HashMap<>();
            for (Map<String, Object> row :
                    InlineTableUtil.getContent(map.getInlineTable()).rowMap().values()) {
                Object key = row.get(in);
                Object value = row.get(out);
                if (key == null || value == null) {
                    throw new NotCompiled("value mapping " + field + " has an incomplete row");
                }
                mapping.putIfAbsent(
                        TypeUtil.parseOrCast(keyType, key),
                        ((Number) TypeUtil.parseOrCast(type, TypeUtil.parseOrCast(outType, value))).doubleValue());
            }
            return mapping;
        }

        private static DataType numeric(DataType type, String field) throws NotCompiled {
            if (type != DataType.DOUBLE && type != DataType.FLOAT && type != DataType.INTEGER) {
                throw new NotCompiled("field " + field + " is of type " + type.value());
            }
            return type;
        }
    }
}
