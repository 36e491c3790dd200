package io.ridescore.model;

import org.dmg.pmml.PMML;
import org.jpmml.python.FileStorage;
import org.jpmml.python.PickleUtil;
import org.jpmml.xgboost.FeatureMap;
import org.jpmml.xgboost.Learner;
import org.jpmml.xgboost.XGBoostUtil;
import sklearn.pipeline.SkLearnPipeline;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * PMML as the real exporters make it: models saved by scikit-learn and XGBoost
 * ({@code src/test/python/export_models.py}, committed under {@code src/test/resources/exporters})
 * converted here with JPMML-SkLearn and JPMML-XGBoost from Maven Central.
 */
public final class Exporters {
    static final Path DIR = Path.of("src/test/resources/exporters");
    /** Every exporter model the tests and benchmarks use, by the file the library saved. */
    public static final List<String> MODELS = List.of(
            "sklearn_dictvectorizer_linear.pkl",
            "sklearn_dictvectorizer_forest.pkl",
            "sklearn_gbm.pkl",
            "sklearn_ordinal_gbm.pkl",
            "sklearn_hist_gbm.pkl",
            "xgboost_regressor.json");

    static {
        // Registers the Java twins of the Python classes a pickle may name (numpy, scikit-learn).
        PickleUtil.init(Exporters.class.getClassLoader(), "python2pmml.properties");
        PickleUtil.init(Exporters.class.getClassLoader(), "sklearn2pmml.properties");
    }

    private Exporters() {}

    /** Converts one of {@link #MODELS} with its exporter's converter into {@code outDir}. */
    public static Path convert(String model, Path outDir) throws Exception {
        return model.endsWith(".pkl")
                ? sklearn(model, outDir)
                : xgboost(model, model.replace(".json", ".fmap"), outDir);
    }

    /** Writes every exporter model as PMML into the directory given, for scripts/bench-models. */
    public static void main(String[] args) throws Exception {
        Path out = Files.createDirectories(Path.of(args[0]));
        for (String model : MODELS) {
            System.out.println("wrote " + convert(model, out));
        }
    }

    /** A pickled scikit-learn {@code Pipeline}, converted by JPMML-SkLearn. */
    static Path sklearn(String pickle, Path outDir) throws Exception {
        Object pipeline;
        try (FileStorage storage = new FileStorage(DIR.resolve(pickle).toFile())) {
            pipeline = PickleUtil.unpickle(storage);
        }
        return TestModels.write(
                ((SkLearnPipeline) pipeline).encodePMML(), outDir.resolve(pickle.replace(".pkl", ".pmml")));
    }

    /** An XGBoost model in its JSON format with its feature map, converted by JPMML-XGBoost. */
    static Path xgboost(String model, String featureMap, Path outDir) throws Exception {
        Learner learner;
        FeatureMap features;
        try (InputStream in = Files.newInputStream(DIR.resolve(model));
                InputStream fmap = Files.newInputStream(DIR.resolve(featureMap))) {
            learner = XGBoostUtil.loadLearner(in);
            features = XGBoostUtil.loadFeatureMap(fmap);
        }
        PMML pmml = learner.encodePMML(Map.of(), "duration", null, features);
        return TestModels.write(pmml, outDir.resolve(model.replace(".json", ".pmml")));
    }
}
