package io.ridescore.model;

import io.ridescore.event.RideEvent;
import io.ridescore.features.FeatureVector;
import org.assertj.core.api.Assertions;
import org.dmg.pmml.InvalidValueTreatmentMethod;
import org.dmg.pmml.MapValues;
import org.dmg.pmml.PMML;
import org.dmg.pmml.SimplePredicate;
import org.dmg.pmml.Visitor;
import org.dmg.pmml.VisitorAction;
import org.dmg.pmml.regression.RegressionModel;
import org.jpmml.evaluator.InlineTableUtil;
import org.jpmml.model.visitors.AbstractVisitor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Models as data scientists hand them over: scikit-learn pipelines and an XGBoost booster, saved
 * by the real libraries ({@code src/test/python/export_models.py}) and converted to PMML here by
 * JPMML-SkLearn and JPMML-XGBoost. Each one serves (inputs matched by name, target from the model),
 * takes the fast path, and gives jpmml-evaluator's double exactly on generated rides, random rides,
 * rides at every split value of the model (and one ulp either side), and edge cases; a category the
 * model has never seen is refused as its PMML says, by both paths.
 */
class ExporterModelsTest {
    @TempDir
    static Path dir;

    static List<FeatureVector> rides;

    @BeforeAll
    static void rides() throws Exception {
        rides = DifferentialRides.generate(dir);
    }

    private static PmmlScorer scorer(Path pmml) {
        return new PmmlScorer(ModelLoader.load(new ModelSpec(pmml.toString(), null)), true);
    }

    /**
     * The rides a model is checked on, and how many were added at its split values, by the field
     * the split names (those the mapping below does not know are counted under their own name with
     * no ride added, so a model whose splits are missed shows in the counts).
     */
    record ModelRides(List<FeatureVector> all, Map<String, Integer> splitRides) {}

    /** The shared rides plus rides at the model's own categories and split values. */
    private static ModelRides ridesFor(PMML pmml) {
        TreeSet<String> categories = new TreeSet<>(declaredPuDo(pmml));
        List<SimplePredicate> splits = new ArrayList<>();
        TreeSet<String> mapped = new TreeSet<>();
        Visitor visitor = new AbstractVisitor() {
            @Override
            public VisitorAction visit(SimplePredicate predicate) {
                splits.add(predicate);
                return super.visit(predicate);
            }

            /** An encoder's value mapping (PU_DO → code): a ride at every pair it maps hits every code a split can name. */
            @Override
            public VisitorAction visit(MapValues mapValues) {
                String column = mapValues.getFieldColumnPairs().get(0).requireColumn();
                InlineTableUtil.getContent(mapValues.requireInlineTable())
                        .column(column)
                        .values()
                        .forEach(v -> mapped.add(v.toString()));
                return super.visit(mapValues);
            }
        };
        visitor.applyTo(pmml);
        List<FeatureVector> all = new ArrayList<>(rides);
        SplittableRandom rnd = new SplittableRandom(11);
        List<String> someCategories = categories.stream().limit(3_000).toList();
        for (String puDo : someCategories) {
            String[] zones = puDo.split("_");
            all.add(ride(
                    Integer.parseInt(zones[0]),
                    Integer.parseInt(zones[1]),
                    0.2 + rnd.nextDouble() * 15,
                    rnd.nextInt(24)));
        }
        Map<String, Integer> splitRides = new TreeMap<>();
        Set<String> splitPairs = new HashSet<>();
        int mappedRides = 0;
        for (String puDo : mapped) {
            if (!someCategories.contains(puDo)) {
                mappedRides++;
                String[] zones = puDo.split("_");
                all.add(ride(
                        Integer.parseInt(zones[0]),
                        Integer.parseInt(zones[1]),
                        0.2 + rnd.nextDouble() * 15,
                        rnd.nextInt(24)));
            }
        }
        for (SimplePredicate split : splits) {
            String field = split.requireField()
                    .replaceAll("^(double|float)\\(|\\)", "")
                    .replaceAll("[()]|double|float", "");
            if (!split.hasValue()) {
                continue;
            }
            String value = split.requireValue().toString();
            if (value.contains("_")) { // a zone pair: a ride at it, unless one is there already
                if (!someCategories.contains(value) && !mapped.contains(value) && splitPairs.add(value)) {
                    String[] zones = value.split("_");
                    all.add(ride(
                            Integer.parseInt(zones[0]),
                            Integer.parseInt(zones[1]),
                            0.2 + rnd.nextDouble() * 15,
                            rnd.nextInt(24)));
                    splitRides.merge(field, 1, Integer::sum);
                }
                continue;
            }
            int before = all.size();
            double at = Double.parseDouble(split.requireValue().toString());
            for (double x : new double[] {
                at, Math.nextUp(at), Math.nextDown(at), (float) at, Math.nextUp((float) at), Math.nextDown((float) at)
            }) {
                int zone = (int) Math.max(1, Math.min(265, Math.round(x)));
                int hour = (int) Math.max(0, Math.min(23, Math.round(x)));
                switch (field) {
                    case "trip_distance" ->
                        all.add(ride(1 + rnd.nextInt(265), 1 + rnd.nextInt(265), x, rnd.nextInt(24)));
                    case "PULocationID" -> all.add(ride(zone, 1 + rnd.nextInt(265), 3.0, rnd.nextInt(24)));
                    case "DOLocationID" -> all.add(ride(1 + rnd.nextInt(265), zone, 3.0, rnd.nextInt(24)));
                    case "pickup_hour" -> all.add(ride(1 + rnd.nextInt(265), 1 + rnd.nextInt(265), 3.0, hour));
                    default -> {}
                }
            }
            // A split on an encoded pair is hit by the rides at every mapped pair, added once above.
            if (field.endsWith("PU_DO")) {
                splitRides.put(field, mappedRides);
            } else {
                splitRides.merge(field, all.size() - before, Integer::sum);
            }
        }
        return new ModelRides(all, splitRides);
    }

    private static Set<String> declaredPuDo(PMML pmml) {
        return pmml.requireDataDictionary().getDataFields().stream()
                .filter(f -> f.requireName().equals("PU_DO"))
                .flatMap(f -> f.getValues().stream())
                .map(v -> v.requireValue().toString())
                .collect(Collectors.toSet());
    }

    private static FeatureVector ride(int pu, int dO, double distance, int hour) {
        FeatureVector v = new FeatureVector();
        v.ride = new RideEvent("m" + pu + "_" + dO + "_" + distance, false, pu, dO, distance, null, null, null);
        v.pickupHour = hour;
        return v;
    }

    @Test
    void theReferencePipelineDictVectorizerAndLinearRegression() throws Exception {
        Path file = Exporters.sklearn("sklearn_dictvectorizer_linear.pkl", dir);
        PmmlScorer scorer = scorer(file);
        PMML pmml = TestModels.read(file);
        assertThat(scorer.targetField()).isEqualTo("y");
        assertThat(scorer.requiredFeatures())
                .extracting(f -> f.fieldName)
                .containsExactlyInAnyOrder("PU_DO", "trip_distance");
        assertThat(scorer.path())
                .startsWith(
                        "fast path (compiled RegressionModel: 1 numeric terms, 1 categorical fields with 13027 coefficients");
        ModelRides modelRides = ridesFor(pmml);
        List<FeatureVector> all = modelRides.all();
        assertThat(modelRides.splitRides()).isEmpty(); // a linear model has no splits
        DifferentialRides.Agreement agreement = DifferentialRides.assertSameAsJpmml(scorer, all);
        assertThat(agreement.decidedByFastPath()).isEqualTo(12894);
        int scored = agreement.scored();
        // unseen PU_DO pairs are refused by both paths, and so is an infinite distance (an infinite prediction)
        Set<String> declared = declaredPuDo(pmml);
        assertThat(scored)
                .isEqualTo(all.stream()
                        .filter(v -> declared.contains(v.puDo()) && Double.isFinite(v.ride.tripDistance))
                        .count());
        assertThatUnseenIsRefused(scorer);
    }

    /**
     * Tree ensembles: what each exporter makes, compiled, and equal to jpmml-evaluator on every ride.
     * Which rides a model cannot score is exact: NaN always; an undeclared zone pair where the model
     * declares its pairs and refuses others; no pickup hour where scikit-learn's trees give no
     * prediction for a missing value (XGBoost and HistGradientBoosting trees take a default child).
     */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "sklearn_dictvectorizer_forest.pkl | y        | average of 20 trees | double math, 1 derived casts                   | unseen pairs | {PU_DO=22, trip_distance=18384} | 31300",
                "sklearn_gbm.pkl                   | y        | sum of 60 trees     | double math, 4 derived casts                   | no hour      | {DOLocationID=114, PULocationID=516, pickup_hour=876, trip_distance=1014} | 12177",
                "sklearn_ordinal_gbm.pkl           | y        | sum of 40 trees     | double math, 1 derived casts, 1 value mappings | none         | {continuousencoderPU_DO=10027, trip_distance=1530} | 24451",
                "sklearn_hist_gbm.pkl              | y        | sum of 40 trees     | double math                                    | none         | {DOLocationID=1704, PULocationID=5892, pickup_hour=6, trip_distance=3540} | 20799",
                "xgboost_regressor.json            | duration | sum of 40 trees     | float math                                     | none         | {DOLocationID=6324, PULocationID=10620, pickup_hour=5892, trip_distance=6432} | 38925"
            })
    void treeEnsembles(
            String model,
            String target,
            String segmentation,
            String math,
            String refuses,
            String splitRidesByField,
            int decidedByFastPath)
            throws Exception {
        Path file = Exporters.convert(model, dir);
        PmmlScorer scorer = scorer(file);
        PMML pmml = TestModels.read(file);
        assertThat(scorer.targetField()).isEqualTo(target);
        assertThat(scorer.path())
                .startsWith("fast path (compiled MiningModel (" + segmentation + ")")
                .endsWith(math + ")");
        ModelRides modelRides = ridesFor(pmml);
        assertThat(modelRides.splitRides().toString()).isEqualTo(splitRidesByField);
        List<FeatureVector> all = modelRides.all();
        Set<String> declared = declaredPuDo(pmml);
        long refused = all.stream()
                .filter(v -> Double.isNaN(v.ride.tripDistance)
                        || refuses.equals("unseen pairs") && !declared.contains(v.puDo())
                        || refuses.equals("no hour") && v.pickupHour == null)
                .count();
        assertThat(refused).isGreaterThan(refuses.equals("none") ? 0 : 1);
        DifferentialRides.Agreement agreement = DifferentialRides.assertSameAsJpmml(scorer, all);
        assertThat(agreement.scored()).isEqualTo(all.size() - refused);
        assertThat(agreement.decidedByFastPath()).isEqualTo(decidedByFastPath);
        if (refuses.equals("unseen pairs")) {
            assertThatUnseenIsRefused(scorer);
        }
    }

    @Test
    void anUnseenCategoryIsTreatedAsTheModelsPmmlSays() throws Exception {
        Path file = Exporters.sklearn("sklearn_dictvectorizer_linear.pkl", dir);
        PMML pmml = TestModels.read(file);
        RegressionModel model = (RegressionModel) pmml.getModels().get(0);
        model.getMiningSchema().getMiningFields().stream()
                .filter(f -> f.requireName().equals("PU_DO"))
                .findFirst()
                .orElseThrow()
                .setInvalidValueTreatment(InvalidValueTreatmentMethod.AS_IS);
        PmmlScorer scorer = scorer(TestModels.write(pmml, dir.resolve("as_is.pmml")));
        assertThat(scorer.path()).startsWith("fast path (compiled RegressionModel");
        FeatureVector unseen = ride(264, 264, 2.0, 8);
        unseen.ride.puLocationId = 999;
        // asIs: the value is kept, matches no category term, and the ride is scored on the rest
        var table = model.getRegressionTables().get(0);
        double expected = 0;
        expected += table.getNumericPredictors().get(0).getCoefficient().doubleValue() * 2.0;
        expected += table.getIntercept().doubleValue();
        assertThat(scorer.score(unseen)).isEqualTo(expected);
        DifferentialRides.assertSameAsJpmml(scorer, rides);
    }

    /** The model's PMML declares its PU_DO values; one it has never seen is refused, not scored as zero. */
    private static void assertThatUnseenIsRefused(PmmlScorer scorer) {
        FeatureVector unseen = ride(264, 264, 2.0, 8);
        unseen.ride.puLocationId = 999;
        Assertions.assertThatThrownBy(() -> scorer.score(unseen))
                .isInstanceOf(ScoringException.class)
                .hasMessageContaining("PU_DO");
    }
}
