package io.ridescore.model;

import io.ridescore.event.RideEvent;
import io.ridescore.features.FeatureVector;
import org.dmg.pmml.DataDictionary;
import org.dmg.pmml.DataField;
import org.dmg.pmml.DataType;
import org.dmg.pmml.Header;
import org.dmg.pmml.MiningField;
import org.dmg.pmml.MiningFunction;
import org.dmg.pmml.MiningSchema;
import org.dmg.pmml.OpType;
import org.dmg.pmml.PMML;
import org.dmg.pmml.Target;
import org.dmg.pmml.Targets;
import org.dmg.pmml.Value;
import org.dmg.pmml.Version;
import org.dmg.pmml.regression.CategoricalPredictor;
import org.dmg.pmml.regression.NumericPredictor;
import org.dmg.pmml.regression.RegressionModel;
import org.dmg.pmml.regression.RegressionTable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Differential tests: on real rides, random rides and edge cases, the compiled fast path gives
 * jpmml-evaluator's double exactly, or the same refusal, for every model the project ships or
 * generates; and a model it cannot reproduce exactly is left to jpmml-evaluator.
 */
class CompiledRegressionTest {
    @TempDir
    static Path dir;

    static List<FeatureVector> rides = new ArrayList<>();

    @BeforeAll
    static void rides() throws Exception {
        rides = DifferentialRides.generate(dir);
    }

    private static PmmlScorer scorer(String file) {
        return new PmmlScorer(ModelLoader.load(new ModelSpec(file, null)), true);
    }

    private static DifferentialRides.Agreement assertSameAsJpmml(PmmlScorer scorer) {
        return DifferentialRides.assertSameAsJpmml(scorer, rides);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pmml/ride_duration.pmml", "pmml/ride_duration_stream.pmml"})
    void theShippedModelsCompileAndAgreeExactly(String file) {
        PmmlScorer scorer = scorer(file);
        assertThat(scorer.path()).startsWith("fast path (compiled RegressionModel");
        // Of 9,896 rides, jpmml-evaluator scores 9,894; the fast path decides 9,657 itself and hands 239 over.
        assertThat(assertSameAsJpmml(scorer)).isEqualTo(new DifferentialRides.Agreement(9894, 9657));
    }

    @Test
    void aCategoricalHeavyReferenceStyleModelCompilesAndAgreesExactly() throws Exception {
        Path file = referenceStyleModel(dir.resolve("reference.pmml"));
        PmmlScorer scorer = scorer(file.toString());
        assertThat(scorer.path()).contains("1 categorical fields with 9000 coefficients");
        assertThat(assertSameAsJpmml(scorer)).isEqualTo(new DifferentialRides.Agreement(6483, 9894));
    }

    @Test
    void theSmallTestModelWithStringAndIntegerCategoriesAgrees() throws Exception {
        PmmlScorer scorer = scorer(TestModels.known(dir, "1").toString());
        assertThat(scorer.path()).startsWith("fast path");
        // Rides at both of its zone pairs at every hour: the hour-8 term and the PU_DO term both apply somewhere.
        List<FeatureVector> all = new ArrayList<>(rides);
        for (int hour = 0; hour < 24; hour++) {
            for (int[] pair : new int[][] {{1, 2}, {3, 4}}) {
                FeatureVector v = FeatureVector.of(new RideEvent(
                        "known-" + pair[0] + "-" + hour,
                        false,
                        pair[0],
                        pair[1],
                        2.5,
                        1_609_459_200_000_000L + hour * 3_600_000_000L,
                        null,
                        null));
                v.pickupHour = hour;
                all.add(v);
            }
        }
        assertThat(DifferentialRides.assertSameAsJpmml(scorer, all))
                .isEqualTo(new DifferentialRides.Agreement(50, 9705));
        FeatureVector at8 = all.stream()
                .filter(v -> v.ride.rideId.equals("known-1-8"))
                .findFirst()
                .orElseThrow();
        FeatureVector at9 = all.stream()
                .filter(v -> v.ride.rideId.equals("known-1-9"))
                .findFirst()
                .orElseThrow();
        FeatureVector other8 = all.stream()
                .filter(v -> v.ride.rideId.equals("known-3-8"))
                .findFirst()
                .orElseThrow();
        // y = 2 + 3 distance + 5 [hour 8] - 0.5 [PU_DO 1_2]
        assertThat(scorer.scoreWithFastPathOnly(at8)).hasValue(2 + 3 * 2.5 + 5 - 0.5);
        assertThat(scorer.scoreWithFastPathOnly(at9)).hasValue(2 + 3 * 2.5 - 0.5);
        assertThat(scorer.scoreWithFastPathOnly(other8)).hasValue(2 + 3 * 2.5 + 5);
    }

    @ParameterizedTest
    @CsvSource({"exp, 6465", "logit, 6484", "softmax, 6484", "cloglog, 6484", "loglog, 6484"})
    void normalizationsAndATargetRescaleCompileAndAgreeExactly(String method, int scored) throws Exception {
        PMML pmml = referenceStyle(puDoValues(9_000));
        RegressionModel model = (RegressionModel) pmml.getModels().get(0);
        // small coefficients, so exp() stays finite
        model.getRegressionTables().get(0).getNumericPredictors().get(0).setCoefficient(0.031);
        model.getRegressionTables()
                .get(0)
                .getCategoricalPredictors()
                .forEach(p -> p.setCoefficient(p.getCoefficient().doubleValue() / 40));
        model.getRegressionTables().get(0).setIntercept(0.3);
        model.setNormalizationMethod(RegressionModel.NormalizationMethod.fromValue(method));
        model.setTargets(new Targets()
                .addTargets(
                        new Target().setTargetField("y").setRescaleFactor(7.5).setRescaleConstant(1.25)));
        PmmlScorer scorer =
                scorer(TestModels.write(pmml, dir.resolve(method + ".pmml")).toString());
        assertThat(scorer.path()).startsWith("fast path").endsWith(", " + method + " normalization, rescaled)");
        assertThat(assertSameAsJpmml(scorer)).isEqualTo(new DifferentialRides.Agreement(scored, 9894));
    }

    /**
     * The checks and every task of a local job are handed one parsed document: a compiled
     * regression (never changed once built) is shared between them, compiled trees (scratch arrays
     * of their own) never are, and another document is compiled for itself.
     */
    @Test
    void aRegressionIsCompiledOnceForItsDocumentTreesForEachScorer() throws Exception {
        PMML regression = TestModels.read(TestModels.known(dir, "shared"));
        CompiledModel compiled = ModelCompiler.compile(regression).model();
        assertThat(compiled).isInstanceOf(CompiledRegression.class);
        assertThat(ModelCompiler.compile(regression).model()).isSameAs(compiled);
        assertThat(ModelCompiler.compile(TestModels.read(TestModels.known(dir, "shared")))
                        .model())
                .isInstanceOf(CompiledRegression.class)
                .isNotSameAs(compiled);

        PMML trees = TestModels.read(Exporters.convert("sklearn_gbm.pkl", dir));
        CompiledModel tree = ModelCompiler.compile(trees).model();
        assertThat(tree).isInstanceOf(CompiledTrees.class);
        assertThat(ModelCompiler.compile(trees).model())
                .isInstanceOf(CompiledTrees.class)
                .isNotSameAs(tree);
    }

    @Test
    void whatTheCompilerCannotReproduceStaysWithJpmml() throws Exception {
        PMML pmml = referenceStyle(puDoValues(9_000));
        ((RegressionModel) pmml.getModels().get(0)).setNormalizationMethod(RegressionModel.NormalizationMethod.PROBIT);
        Path file = TestModels.write(pmml, dir.resolve("probit.pmml"));
        PmmlScorer scorer = scorer(file.toString());
        assertThat(scorer.path())
                .startsWith("jpmml-evaluator (regression: regression normalization probit")
                .contains("trees: neither a TreeModel nor a MiningModel");
        // No fast path at all: every ride goes to jpmml-evaluator, and none is compared with itself.
        assertThat(assertSameAsJpmml(scorer).decidedByFastPath()).isZero();
        PmmlScorer forced =
                new PmmlScorer(ModelLoader.load(new ModelSpec("pmml/ride_duration.pmml", null, true)), false);
        assertThat(forced.path()).isEqualTo("jpmml-evaluator (jpmml forced by --scorer jpmml)");
    }

    /**
     * PU_DO read by zone pair (ZonePairTerms) decides every ride as jpmml-evaluator does: categories
     * spelled as no ride's PU_DO is ("01_2", "+1_2"), zones at and beyond the table's edges, a zone
     * missing, and declared values without a coefficient; with values declared (undeclared ones are
     * refused) and with invalid values kept as they are (they match no term).
     */
    @ParameterizedTest
    @CsvSource({"false, 10, 102", "true, 102, 102"})
    void zonePairsAtAndBeyondTheTableAgreeExactly(boolean asIs, int scored, int decided) throws Exception {
        List<String> categories = new ArrayList<>(List.of(
                "1_2",
                "01_2",
                "1_02",
                "+1_2",
                "1_2_3",
                "0_0",
                "0_265",
                "265_265",
                "265_0",
                "266_1",
                "1_266",
                "300_300",
                "-1_5",
                "5_-1",
                "2147483648_1",
                "_",
                "1_",
                "_1",
                "a_b"));
        PMML pmml = referenceStyle(categories);
        DataField puDo = pmml.getDataDictionary().getDataFields().get(2);
        for (String declaredWithoutTerm : List.of("7_8", "0_1", "08_7")) {
            puDo.addValues(new Value(declaredWithoutTerm));
        }
        if (asIs) {
            ((RegressionModel) pmml.getModels().get(0))
                    .getMiningSchema()
                    .getMiningFields()
                    .get(1)
                    .setInvalidValueTreatment(org.dmg.pmml.InvalidValueTreatmentMethod.AS_IS);
        }
        PmmlScorer scorer = scorer(TestModels.write(pmml, dir.resolve("zone-pairs-" + asIs + ".pmml"))
                .toString());
        assertThat(scorer.path()).startsWith("fast path");
        List<FeatureVector> edges = new ArrayList<>();
        int[] zones = {-1, 0, 1, 2, 7, 8, 264, 265, 266, 300};
        for (int pu : zones) {
            for (int dO : zones) {
                edges.add(vector(pu, dO));
            }
        }
        edges.add(vector(null, 2));
        edges.add(vector(1, null));

        // 10 of the 102 rides have a declared pair (1_2, 0_0, 0_1, 7_8, 0_265, 265_0, 265_265, and beyond the table
        // 266_1, 1_266, 300_300); with invalid values as they are, every ride is scored.
        assertThat(DifferentialRides.assertSameAsJpmml(scorer, edges))
                .isEqualTo(new DifferentialRides.Agreement(scored, decided));
    }

    private static FeatureVector vector(Integer pu, Integer dO) {
        return FeatureVector.of(new RideEvent(pu + "-" + dO, false, pu, dO, 2.5, 1_609_491_600_000_000L, null, null));
    }

    /** The PU_DO values of the test rides first, then others, up to {@code count} distinct ones. */
    private static List<String> puDoValues(int count) {
        LinkedHashSet<String> values = new LinkedHashSet<>();
        rides.stream().limit(count * 2L / 3).forEach(v -> values.add(v.puDo()));
        for (int k = 0; values.size() < count; k++) {
            values.add((1 + k / 34) + "_" + (1 + (k * 7) % 265));
        }
        return new ArrayList<>(values).subList(0, count);
    }

    /** What JPMML-SkLearn makes of DictVectorizer + LinearRegression on PU_DO and trip_distance. */
    private static PMML referenceStyle(List<String> categories) {
        SplittableRandom rnd = new SplittableRandom(8);
        DataField puDo = new DataField("PU_DO", OpType.CATEGORICAL, DataType.STRING);
        RegressionTable table =
                new RegressionTable(12.5).addNumericPredictors(new NumericPredictor("trip_distance", 3.1));
        for (String value : categories) {
            puDo.addValues(new Value(value));
            table.addCategoricalPredictors(new CategoricalPredictor("PU_DO", value, rnd.nextDouble() * 20 - 10));
        }
        DataDictionary dd = new DataDictionary()
                .addDataFields(
                        new DataField("y", OpType.CONTINUOUS, DataType.DOUBLE),
                        new DataField("trip_distance", OpType.CONTINUOUS, DataType.DOUBLE),
                        puDo);
        MiningSchema schema = new MiningSchema()
                .addMiningFields(
                        new MiningField("y").setUsageType(MiningField.UsageType.TARGET),
                        new MiningField("PU_DO"),
                        new MiningField("trip_distance"));
        return new PMML(Version.PMML_4_4.getVersion(), new Header(), dd)
                .addModels(new RegressionModel(MiningFunction.REGRESSION, schema, null).addRegressionTables(table));
    }

    private static Path referenceStyleModel(Path file) throws Exception {
        return TestModels.write(referenceStyle(puDoValues(9_000)), file);
    }
}
