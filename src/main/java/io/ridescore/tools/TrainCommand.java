package io.ridescore.tools;

import io.ridescore.config.RideScoreOptions;
import io.ridescore.event.RideEvent;
import io.ridescore.features.BatchFeatureTable;
import io.ridescore.features.Feature;
import io.ridescore.features.FeatureBuilder;
import io.ridescore.features.FeatureVector;
import io.ridescore.model.ModelLoader;
import io.ridescore.model.ModelSpec;
import io.ridescore.model.PmmlScorer;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.jpmml.model.metro.MetroJAXBSerializer;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.YearMonth;
import java.util.HexFormat;
import java.util.List;

/**
 * Trains the shipped duration model: batch features from the training month, a linear model on
 * them, written as PMML, then measured on the validation month by the same scorer the job uses,
 * so the model card states what production will see.
 */
final class TrainCommand implements Command {
    static final List<Feature> NUMERIC = List.of(Feature.TRIP_DISTANCE, Feature.PU_DO_MEAN_DURATION,
            Feature.PU_DO_MEAN_DISTANCE, Feature.PU_MEAN_DURATION, Feature.DO_MEAN_DURATION);
    static final List<Feature> CATEGORICAL = List.of(Feature.PICKUP_HOUR, Feature.PICKUP_DOW);

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "Trains a linear duration model on a month's batch features, writes PMML and a model card, "
                + "and reports MAE/RMSE on the validation month.";
    }

    @Override
    public List<ConfigOption<?>> options() {
        return List.of(ToolOptions.TRAIN_MONTH, ToolOptions.VALIDATE_MONTH, ToolOptions.MODEL_OUT,
                RideScoreOptions.TAXI_TYPE, RideScoreOptions.DATA_DIR);
    }

    @Override
    public int run(Configuration conf) throws Exception {
        YearMonth trainMonth = YearMonth.parse(conf.get(ToolOptions.TRAIN_MONTH));
        YearMonth validateMonth = YearMonth.parse(conf.get(ToolOptions.VALIDATE_MONTH));
        List<RideEvent> train = ValidRides.read(DatagenCommand.rawFile(conf, trainMonth));
        List<RideEvent> validate = ValidRides.read(DatagenCommand.rawFile(conf, validateMonth));
        BatchFeatureTable table = ValidRides.featureTable(train);
        FeatureBuilder features = new FeatureBuilder(table);
        System.out.printf("training on %s: %,d valid rides; validating on %s: %,d%n", trainMonth, train.size(),
                validateMonth, validate.size());

        List<FeatureVector> trainRows = train.stream().map(features::build).toList();
        double[] y = train.stream().mapToDouble(RideEvent::actualDurationMinutes).toArray();
        LinearDurationModel model = new LinearDurationModel(NUMERIC, CATEGORICAL).fit(trainRows, y);
        String version = "linear-" + trainMonth + "-" + fingerprint(model.coefficients());

        Path out = Path.of(conf.get(ToolOptions.MODEL_OUT));
        Files.createDirectories(out.toAbsolutePath().getParent());
        try (OutputStream os = Files.newOutputStream(out)) {
            new MetroJAXBSerializer().serializePretty(model.toPmml(version,
                    "Ride duration (minutes) from batch features of " + trainMonth), os);
        }

        PmmlScorer scorer = new PmmlScorer(ModelLoader.load(new ModelSpec(out.toString(), null)));
        Metrics served = new Metrics();
        Metrics lookup = new Metrics();
        Metrics mean = new Metrics();
        for (RideEvent ride : validate) {
            FeatureVector v = features.build(ride);
            double actual = ride.actualDurationMinutes();
            served.add(actual, scorer.score(v));
            lookup.add(actual, v.puDoMeanDuration);
            mean.add(actual, table.globalMeanDuration());
        }
        String card = ModelCard.render(out.getFileName().toString(), version, trainMonth, train.size(), validateMonth,
                validate.size(), NUMERIC, CATEGORICAL, served, lookup, mean);
        Path cardFile = out.resolveSibling(out.getFileName().toString().replaceFirst("\\.pmml$", "") + ".md");
        Files.writeString(cardFile, card);
        System.out.printf("wrote %s (version %s) and %s%n", out, version, cardFile);
        System.out.printf("validation %s: MAE %.3f min, RMSE %.3f min (PU_DO mean lookup: MAE %.3f; global mean: MAE %.3f)%n",
                validateMonth, served.mae(), served.rmse(), lookup.mae(), mean.mae());
        return 0;
    }

    /** A stable short name for a fit: the same data gives the same version, a different fit another. */
    private static String fingerprint(double[] coefficients) throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(coefficients.length * Double.BYTES);
        for (double c : coefficients) {
            buf.putDouble(c);
        }
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(buf.array())).substring(0, 8);
    }

    /** Mean absolute and root mean squared error. */
    static final class Metrics {
        private double absSum;
        private double sqSum;
        private long n;

        void add(double actual, double predicted) {
            double e = actual - predicted;
            absSum += Math.abs(e);
            sqSum += e * e;
            n++;
        }

        double mae() {
            return absSum / n;
        }

        double rmse() {
            return Math.sqrt(sqSum / n);
        }
    }
}
