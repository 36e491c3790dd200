package io.ridescore.model;

import org.dmg.pmml.PMML;
import org.jpmml.model.metro.MetroJAXBSerializer;
import org.jpmml.python.FileStorage;
import org.jpmml.python.PickleUtil;
import org.jpmml.xgboost.FeatureMap;
import org.jpmml.xgboost.Learner;
import org.jpmml.xgboost.XGBoostUtil;
import sklearn.pipeline.SkLearnPipeline;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * PMML as the real exporters make it: models saved by scikit-learn and XGBoost
 * ({@code src/test/python/export_models.py}, committed under {@code src/test/resources/exporters})
 * converted here with JPMML-SkLearn and JPMML-XGBoost from Maven Central.
 */
final class Exporters {
    static final Path DIR = Path.of("src/test/resources/exporters");

    static {
        // Registers the Java twins of the Python classes a pickle may name (numpy, scikit-learn).
        PickleUtil.init(Exporters.class.getClassLoader(), "python2pmml.properties");
        PickleUtil.init(Exporters.class.getClassLoader(), "sklearn2pmml.properties");
    }

    private Exporters() {}

    /** A pickled scikit-learn {@code Pipeline}, converted by JPMML-SkLearn. */
    static Path sklearn(String pickle, Path outDir) throws Exception {
        Object pipeline;
        try (FileStorage storage = new FileStorage(DIR.resolve(pickle).toFile())) {
            pipeline = PickleUtil.unpickle(storage);
        }
        return write(((SkLearnPipeline) pipeline).encodePMML(), outDir.resolve(pickle.replace(".pkl", ".pmml")));
    }

    /** An XGBoost model in its JSON format with its feature map, converted by JPMML-XGBoost. */
    static Path xgboost(String model, String featureMap, Path outDir) throws Exception {
        Learner learner;
        FeatureMap features;
        try (InputStream in = Files.newInputStream(DIR.resolve(model)); InputStream fmap = Files.newInputStream(DIR.resolve(featureMap))) {
            learner = XGBoostUtil.loadLearner(in);
            features = XGBoostUtil.loadFeatureMap(fmap);
        }
        PMML pmml = learner.encodePMML(Map.of(), "duration", null, features);
        return write(pmml, outDir.resolve(model.replace(".json", ".pmml")));
    }

    private static Path write(PMML pmml, Path file) throws Exception {
        try (OutputStream out = Files.newOutputStream(file)) {
            new MetroJAXBSerializer().serializePretty(pmml, out);
        }
        return file;
    }
}
