package io.ridescore.model;

import io.ridescore.features.Feature;
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
 * Compiles a tree model to {@link CompiledTrees}' flat arrays. It walks the PMML once and takes
 * only what it recognises exactly: a TreeModel, or a MiningModel of trees aggregated by sum,
 * average, weighted sum or weighted average, with the casts exporters put in front of the trees and
 * a target rescale. Split values are parsed by jpmml-evaluator's own {@link TypeUtil}, so the
 * evaluator compares exactly what jpmml-evaluator would. Anything else throws {@link NotCompiled}
 * with the reason the model stays with jpmml-evaluator.
 */
final class TreeCompiler {
    /** Thrown while compiling: the model keeps jpmml-evaluator, for this reason. */
    private static final class NotCompiled extends Exception {
        NotCompiled(String reason) {
            super(reason, null, false, false);
        }
    }

    static CompiledModel.Result compile(PMML pmml) {
        try {
            return new CompiledModel.Result(new TreeCompiler(pmml).compile(), null);
        } catch (NotCompiled e) {
            return new CompiledModel.Result(null, e.getMessage());
        }
    }

    private final PMML pmml;
    private final Map<String, DataField> dataFields = new HashMap<>();
    private final Map<String, DerivedField> derivedFields = new HashMap<>();
    private final Map<String, Integer> slotIndex = new LinkedHashMap<>();
    private final List<CompiledTrees.Slot> slots = new ArrayList<>();
    private final Set<String> asIs = new HashSet<>();

    TreeCompiler(PMML pmml) {
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
            if (ModelCompiler.keepsInvalidAsIs(field)) {
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
            if (model.getTargets() != null || model.getModelStats() != null || model.getModelExplanation() != null) {
                throw new NotCompiled("a TreeModel with targets");
            }
            CompiledTrees.Tree compiled = tree(tree, targetType);
            return new CompiledTrees(
                    slots.toArray(new CompiledTrees.Slot[0]),
                    new CompiledTrees.Tree[] {compiled},
                    null,
                    CompiledTrees.Aggregation.SINGLE,
                    false,
                    null,
                    targetType,
                    casts());
        }
        if (!(model instanceof MiningModel mining)) {
            throw new NotCompiled("neither a TreeModel nor a MiningModel");
        }
        Segmentation segmentation = mining.requireSegmentation();
        CompiledTrees.Aggregation aggregation =
                switch (segmentation.requireMultipleModelMethod()) {
                    case SUM -> CompiledTrees.Aggregation.SUM;
                    case AVERAGE -> CompiledTrees.Aggregation.AVERAGE;
                    case WEIGHTED_SUM -> CompiledTrees.Aggregation.WEIGHTED_SUM;
                    case WEIGHTED_AVERAGE -> CompiledTrees.Aggregation.WEIGHTED_AVERAGE;
                    default ->
                        throw new NotCompiled("segmentation "
                                + segmentation.requireMultipleModelMethod().value());
                };
        if (segmentation.getLocalTransformations() != null) {
            throw new NotCompiled("segmentation-level transformations");
        }
        List<CompiledTrees.Tree> trees = new ArrayList<>();
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
                slots.toArray(new CompiledTrees.Slot[0]),
                trees.toArray(new CompiledTrees.Tree[0]),
                weights.stream().mapToDouble(Double::doubleValue).toArray(),
                aggregation,
                floatMath,
                target,
                targetType,
                casts());
    }

    private String casts() {
        long mapped = slots.stream().filter(s -> s.mapping() != null).count();
        long derived = slots.stream()
                .filter(s -> s.mapping() == null && s.casts().length > 1)
                .count();
        return (derived == 0 ? "" : ", " + derived + " derived casts")
                + (mapped == 0 ? "" : ", " + mapped + " value mappings");
    }

    private static String targetName(MiningSchema schema) throws NotCompiled {
        try {
            return ModelCompiler.targetName(schema);
        } catch (IllegalArgumentException e) {
            throw new NotCompiled(e.getMessage());
        }
    }

    private static Target target(Targets targets, String targetName) throws NotCompiled {
        try {
            return ModelCompiler.rescaleOnly(targets, targetName);
        } catch (IllegalArgumentException e) {
            throw new NotCompiled(e.getMessage());
        }
    }

    /** Inputs are prepared by the top model's schema: only there may invalid values go on as they are. */
    private static void plainSchema(Model model, boolean top) throws NotCompiled {
        for (MiningField field : model.requireMiningSchema().getMiningFields()) {
            if (!ModelCompiler.plainTreatment(field, top)) {
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

    private CompiledTrees.Tree tree(TreeModel tree, DataType scoreType) throws NotCompiled {
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
        return new CompiledTrees.Tree(
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
            op[i] = CompiledTrees.TRUE;
            return;
        }
        if (predicate instanceof False) {
            op[i] = CompiledTrees.FALSE;
            return;
        }
        if (predicate instanceof SimpleSetPredicate set) {
            slot[i] = slot(set.requireField());
            CompiledTrees.Slot s = slots.get(slot[i]);
            if (!s.categorical()) {
                throw new NotCompiled("a set predicate on non-categorical field " + set.requireField());
            }
            op[i] = set.requireBooleanOperator() == SimpleSetPredicate.BooleanOperator.IS_IN
                    ? CompiledTrees.IN
                    : CompiledTrees.NOT_IN;
            Set<Object> values = new HashSet<>();
            for (Object value : ArrayUtil.getContent(set.requireArray())) {
                values.add(TypeUtil.parseOrCast(s.categoryType(), value));
            }
            category[i] = values;
            return;
        }
        if (!(predicate instanceof SimplePredicate simple)) {
            throw new NotCompiled(predicate.getClass().getSimpleName() + " predicates");
        }
        op[i] = switch (simple.requireOperator()) {
            case LESS_THAN -> CompiledTrees.LT;
            case LESS_OR_EQUAL -> CompiledTrees.LE;
            case GREATER_THAN -> CompiledTrees.GT;
            case GREATER_OR_EQUAL -> CompiledTrees.GE;
            case EQUAL -> CompiledTrees.EQ;
            case NOT_EQUAL -> CompiledTrees.NE;
            default ->
                throw new NotCompiled("operator " + simple.requireOperator().value());
        };
        slot[i] = slot(simple.requireField());
        CompiledTrees.Slot s = slots.get(slot[i]);
        if (s.categorical()) {
            if (op[i] != CompiledTrees.EQ && op[i] != CompiledTrees.NE) {
                throw new NotCompiled("an ordering on categorical field " + simple.requireField());
            }
            category[i] = TypeUtil.parseOrCast(s.categoryType(), simple.requireValue());
            return;
        }
        DataType type = s.casts()[s.casts().length - 1];
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
                                        TypeUtil.parseOrCast(map.getDataType(DataType.STRING), map.getDefaultValue())))
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
        CompiledTrees.Slot slot;
        DataType type = data.requireDataType();
        boolean category =
                data.getOpType() == OpType.CATEGORICAL && (type == DataType.STRING || type == DataType.INTEGER);
        if (category && (casts.isEmpty() || mapValues != null)) {
            Set<Object> categories;
            try {
                categories = asIs.contains(source)
                        ? null
                        : ModelCompiler.declaredValues(data, v -> TypeUtil.parseOrCast(type, v));
            } catch (IllegalArgumentException e) {
                throw new NotCompiled(e.getMessage());
            }
            if (mapValues == null) {
                slot = new CompiledTrees.Slot(feature, new DataType[0], type, categories, null, Double.NaN);
            } else {
                mapping = mapping(mapValues, type, casts.get(0), field);
                slot = new CompiledTrees.Slot(
                        feature, casts.toArray(new DataType[0]), type, categories, mapping, unmapped);
            }
        } else if (data.getOpType() == OpType.CONTINUOUS
                && !data.hasValues()
                && !data.hasIntervals()
                && mapValues == null) {
            casts.add(0, numeric(type, source));
            slot = new CompiledTrees.Slot(feature, casts.toArray(new DataType[0]), null, null, null, Double.NaN);
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
        if (map.getFieldColumnPairs().size() != 1 || map.getMapMissingTo() != null || map.getInlineTable() == null) {
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
