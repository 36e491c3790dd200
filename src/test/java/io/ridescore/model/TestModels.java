package io.ridescore.model;

import org.dmg.pmml.DataDictionary;
import org.dmg.pmml.DataField;
import org.dmg.pmml.DataType;
import org.dmg.pmml.Header;
import org.dmg.pmml.MiningField;
import org.dmg.pmml.MiningFunction;
import org.dmg.pmml.MiningSchema;
import org.dmg.pmml.OpType;
import org.dmg.pmml.PMML;
import org.dmg.pmml.Value;
import org.dmg.pmml.Version;
import org.dmg.pmml.regression.CategoricalPredictor;
import org.dmg.pmml.regression.NumericPredictor;
import org.dmg.pmml.regression.RegressionModel;
import org.dmg.pmml.regression.RegressionTable;
import org.jpmml.model.PMMLUtil;
import org.jpmml.model.metro.MetroJAXBSerializer;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Small PMML models with known predictions, built with the JPMML model API (as exporters do):
 * y = 2 + 3·trip_distance + 5·[pickup_hour = 8] − 0.5·[PU_DO = "1_2"].
 * The target is called {@code y}, as several exporters name it.
 */
final class TestModels {
    private TestModels() {}

    static Path known(Path dir, String modelVersion) throws Exception {
        return write(dir.resolve("known.pmml"), model(null, 2.0), modelVersion);
    }

    /** The same model with another intercept, written to {@code file}: a retrained release. */
    static Path withIntercept(Path file, double intercept, String modelVersion) throws Exception {
        return write(file, model(null, intercept), modelVersion);
    }

    /** The same model plus an input ridescore cannot supply. */
    static Path needingWeather(Path dir) throws Exception {
        return write(dir.resolve("weather.pmml"), model("weather_index", 2.0), "1");
    }

    private static PMML model(String extraInput, double intercept) {
        DataDictionary dd = new DataDictionary()
                .addDataFields(
                        new DataField("y", OpType.CONTINUOUS, DataType.DOUBLE),
                        new DataField("trip_distance", OpType.CONTINUOUS, DataType.DOUBLE),
                        new DataField("PU_DO", OpType.CATEGORICAL, DataType.STRING)
                                .addValues(new Value("1_2"), new Value("3_4")),
                        new DataField("pickup_hour", OpType.CATEGORICAL, DataType.INTEGER).addValues(hours()));
        MiningSchema schema = new MiningSchema()
                .addMiningFields(
                        new MiningField("y").setUsageType(MiningField.UsageType.TARGET),
                        new MiningField("trip_distance"),
                        new MiningField("PU_DO"),
                        new MiningField("pickup_hour"));
        RegressionTable table = new RegressionTable(intercept)
                .addNumericPredictors(new NumericPredictor("trip_distance", 3.0))
                .addCategoricalPredictors(
                        new CategoricalPredictor("pickup_hour", 8, 5.0),
                        new CategoricalPredictor("PU_DO", "1_2", -0.5));
        if (extraInput != null) {
            dd.addDataFields(new DataField(extraInput, OpType.CONTINUOUS, DataType.DOUBLE));
            schema.addMiningFields(new MiningField(extraInput));
            table.addNumericPredictors(new NumericPredictor(extraInput, 1.0));
        }
        RegressionModel model = new RegressionModel(MiningFunction.REGRESSION, schema, null)
                .setModelName("test_duration_model")
                .addRegressionTables(table);
        return new PMML(Version.PMML_4_4.getVersion(), new Header(), dd).addModels(model);
    }

    private static Value[] hours() {
        Value[] values = new Value[24];
        for (int h = 0; h < 24; h++) {
            values[h] = new Value(h);
        }
        return values;
    }

    private static Path write(Path file, PMML pmml, String modelVersion) throws Exception {
        pmml.getHeader().setModelVersion(modelVersion);
        return write(pmml, file);
    }

    /** Writes a PMML document, as the tests' models and converters produce them. */
    static Path write(PMML pmml, Path file) throws Exception {
        try (OutputStream out = Files.newOutputStream(file)) {
            new MetroJAXBSerializer().serializePretty(pmml, out);
        }
        return file;
    }

    /** Reads a PMML document back, to look into what an exporter wrote. */
    static PMML read(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return PMMLUtil.unmarshal(in);
        }
    }
}
