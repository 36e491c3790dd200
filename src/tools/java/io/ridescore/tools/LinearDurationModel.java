package io.ridescore.tools;

import io.ridescore.features.Feature;
import io.ridescore.features.FeatureVector;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.dmg.pmml.Application;
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

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * A ridge-regularised linear regression of ride duration on numeric features and one-hot
 * categorical features, fitted by solving the normal equations with a Cholesky decomposition
 * (commons-math3), and written as a PMML RegressionModel through the JPMML model API. The first
 * level of each categorical feature is the baseline and gets no predictor.
 */
final class LinearDurationModel {
    static final String TARGET = "duration";
    static final String MODEL_NAME = "ride_duration_prediction_model";
    private static final double RIDGE = 1e-6;

    private final List<Feature> numeric;
    private final List<Feature> categorical;
    private final List<List<Integer>> levels = new ArrayList<>();
    private double[] coefficients;

    LinearDurationModel(List<Feature> numeric, List<Feature> categorical) {
        this.numeric = numeric;
        this.categorical = categorical;
    }

    LinearDurationModel fit(List<FeatureVector> rows, double[] target) {
        for (Feature f : categorical) {
            TreeSet<Integer> seen = new TreeSet<>();
            rows.forEach(v -> seen.add(((Number) f.valueOf(v)).intValue()));
            levels.add(new ArrayList<>(seen));
        }
        int p = 1 + numeric.size() + levels.stream().mapToInt(l -> l.size() - 1).sum();
        double[][] xtx = new double[p][p];
        double[] xty = new double[p];
        double[] x = new double[p];
        for (int r = 0; r < rows.size(); r++) {
            design(rows.get(r), x);
            for (int i = 0; i < p; i++) {
                if (x[i] == 0) {
                    continue;
                }
                xty[i] += x[i] * target[r];
                for (int j = 0; j < p; j++) {
                    xtx[i][j] += x[i] * x[j];
                }
            }
        }
        for (int i = 1; i < p; i++) {
            xtx[i][i] += RIDGE * rows.size();
        }
        RealMatrix a = new Array2DRowRealMatrix(xtx, false);
        coefficients = new CholeskyDecomposition(a)
                .getSolver()
                .solve(new ArrayRealVector(xty, false))
                .toArray();
        return this;
    }

    private void design(FeatureVector v, double[] x) {
        Arrays.fill(x, 0);
        x[0] = 1;
        int k = 1;
        for (Feature f : numeric) {
            x[k++] = ((Number) f.valueOf(v)).doubleValue();
        }
        for (int c = 0; c < categorical.size(); c++) {
            int value = ((Number) categorical.get(c).valueOf(v)).intValue();
            List<Integer> lv = levels.get(c);
            int idx = lv.indexOf(value);
            if (idx > 0) {
                x[k + idx - 1] = 1;
            }
            k += lv.size() - 1;
        }
    }

    double[] coefficients() {
        return coefficients.clone();
    }

    PMML toPmml(String version, String description) {
        DataDictionary dictionary = new DataDictionary();
        MiningSchema schema = new MiningSchema();
        dictionary.addDataFields(new DataField(TARGET, OpType.CONTINUOUS, DataType.DOUBLE));
        schema.addMiningFields(new MiningField(TARGET).setUsageType(MiningField.UsageType.TARGET));
        RegressionTable table = new RegressionTable(coefficients[0]);
        int k = 1;
        for (Feature f : numeric) {
            dictionary.addDataFields(new DataField(f.fieldName, OpType.CONTINUOUS, DataType.DOUBLE));
            schema.addMiningFields(new MiningField(f.fieldName));
            table.addNumericPredictors(new NumericPredictor(f.fieldName, coefficients[k++]));
        }
        for (int c = 0; c < categorical.size(); c++) {
            Feature f = categorical.get(c);
            DataField field = new DataField(f.fieldName, OpType.CATEGORICAL, DataType.INTEGER);
            for (Integer level : levels.get(c)) {
                field.addValues(new Value(level));
            }
            dictionary.addDataFields(field);
            schema.addMiningFields(new MiningField(f.fieldName));
            List<Integer> lv = levels.get(c);
            for (int i = 1; i < lv.size(); i++) {
                table.addCategoricalPredictors(new CategoricalPredictor(f.fieldName, lv.get(i), coefficients[k++]));
            }
        }
        RegressionModel model = new RegressionModel(MiningFunction.REGRESSION, schema, null)
                .setModelName(MODEL_NAME)
                .addRegressionTables(table);
        Header header = new Header()
                .setApplication(new Application("ridescore-train"))
                .setModelVersion(version)
                .setDescription(description);
        return new PMML(Version.PMML_4_4.getVersion(), header, dictionary).addModels(model);
    }
}
