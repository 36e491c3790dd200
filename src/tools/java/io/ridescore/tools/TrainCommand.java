package io.ridescore.tools;

import io.ridescore.config.RideScoreOptions;
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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Trains the shipped duration model: batch features from the training month, a linear model on
 * them, written as PMML, then measured on the validation month by the same scorer the job uses,
 * so the model card states what production will see.
 */
final class TrainCommand implements Command {
    static final List<Feature> NUMERIC = List.of(
            Feature.TRIP_DISTANCE,
            Feature.PU_DO_MEAN_DURATION,
            Feature.PU_DO_MEAN_DISTANCE,
            Feature.PU_MEAN_DURATION,
            Feature.DO_MEAN_DURATION);
    static final List<Feature> STREAM = List.of(Feature.PU_PICKUPS_15M, Feature.PU_MEAN_DISTANCE_15M);
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
        return List.of(
                RideScoreOptions.MONTH,
                ToolOptions.VALIDATE_MONTH,
                ToolOptions.OUT,
                RideScoreOptions.STREAM_FEATURES,
                RideScoreOptions.TAXI_TYPE,
                RideScoreOptions.DATA_DIR);
    }

    @Override
    public int run(Configuration conf) throws Exception {
        YearMonth trainMonth =
                YearMonth.parse(conf.getOptional(RideScoreOptions.MONTH).orElse("2021-01"));
        YearMonth validateMonth = YearMonth.parse(conf.get(ToolOptions.VALIDATE_MONTH));
        // With stream features the card compares MAE with and without them.
        boolean withStream = conf.getOptional(RideScoreOptions.STREAM_FEATURES).orElse(false);
        List<FeatureVector> train = ValidRides.withStreamFeatures(DatagenCommand.rawFile(conf, trainMonth));
        List<FeatureVector> validate = ValidRides.withStreamFeatures(DatagenCommand.rawFile(conf, validateMonth));
        BatchFeatureTable table =
                ValidRides.featureTable(train.stream().map(v -> v.ride).toList());
        FeatureBuilder features = new FeatureBuilder(table);
        train.forEach(features::fill);
        validate.forEach(features::fill);
        System.out.printf(
                "training on %s: %,d valid rides; validating on %s: %,d%n",
                trainMonth, train.size(), validateMonth, validate.size());

        List<Feature> numeric = withStream ? concat(NUMERIC, STREAM) : NUMERIC;
        double[] y =
                train.stream().mapToDouble(v -> v.ride.actualDurationMinutes()).toArray();
        LinearDurationModel model = new LinearDurationModel(numeric, CATEGORICAL).fit(train, y);
        String version =
                (withStream ? "linear-stream-" : "linear-") + trainMonth + "-" + fingerprint(model.coefficients());
        Path out = Path.of(conf.getOptional(ToolOptions.OUT)
                .orElse(withStream ? "pmml/ride_duration_stream.pmml" : "pmml/ride_duration.pmml"));
        write(
                model,
                version,
                "Ride duration (minutes) from " + (withStream ? "batch and stream" : "batch") + " features of "
                        + trainMonth,
                out);

        Metrics served = evaluate(out, validate, withStream);
        Metrics withoutStream = withStream ? evaluate(withoutStream(train, y, trainMonth), validate, false) : served;
        Metrics lookup = new Metrics();
        Metrics mean = new Metrics();
        for (FeatureVector v : validate) {
            lookup.add(v.ride.actualDurationMinutes(), v.puDoMeanDuration);
            mean.add(v.ride.actualDurationMinutes(), table.globalMeanDuration());
        }
        String card = ModelCard.render(
                out.getFileName().toString(),
                version,
                trainMonth,
                train.size(),
                validateMonth,
                validate.size(),
                numeric,
                CATEGORICAL,
                served,
                withStream ? withoutStream : null,
                lookup,
                mean);
        Path cardFile = out.resolveSibling(out.getFileName().toString().replaceFirst("\\.pmml$", "") + ".md");
        Files.writeString(cardFile, card);
        System.out.printf("wrote %s (version %s) and %s%n", out, version, cardFile);
        System.out.printf(
                "validation %s: MAE %.3f min, RMSE %.3f min%s (PU_DO mean lookup: MAE %.3f; global mean: MAE %.3f)%n",
                validateMonth,
                served.mae(),
                served.rmse(),
                withStream ? String.format("; without stream features MAE %.3f", withoutStream.mae()) : "",
                lookup.mae(),
                mean.mae());
        return 0;
    }

    /** The same fit without stream features, written to a temporary file, as the card's comparison. */
    private static Path withoutStream(List<FeatureVector> train, double[] y, YearMonth trainMonth) throws Exception {
        LinearDurationModel model = new LinearDurationModel(NUMERIC, CATEGORICAL).fit(train, y);
        Path tmp = Files.createTempFile("ridescore-baseline", ".pmml");
        tmp.toFile().deleteOnExit();
        write(model, "baseline-" + trainMonth, "comparison fit without stream features", tmp);
        return tmp;
    }

    private static void write(LinearDurationModel model, String version, String description, Path out)
            throws Exception {
        if (out.toAbsolutePath().getParent() != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
        }
        try (OutputStream os = Files.newOutputStream(out)) {
            new MetroJAXBSerializer().serializePretty(model.toPmml(version, description), os);
        }
    }

    /** Scores the validation rides with the written model through the job's own scorer. */
    private static Metrics evaluate(Path model, List<FeatureVector> rides, boolean streamFeatures) throws Exception {
        PmmlScorer scorer = new PmmlScorer(ModelLoader.load(new ModelSpec(model.toString(), null)), streamFeatures);
        Metrics metrics = new Metrics();
        for (FeatureVector v : rides) {
            metrics.add(v.ride.actualDurationMinutes(), scorer.score(v));
        }
        return metrics;
    }

    private static List<Feature> concat(List<Feature> a, List<Feature> b) {
        List<Feature> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** A stable short name for a fit: the same data gives the same version, a different fit another. */
    private static String fingerprint(double[] coefficients) throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(coefficients.length * Double.BYTES);
        for (double c : coefficients) {
            buf.putDouble(c);
        }
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(buf.array()))
                .substring(0, 8);
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
