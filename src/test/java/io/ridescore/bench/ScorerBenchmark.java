package io.ridescore.bench;

import io.ridescore.config.TaxiType;
import io.ridescore.event.RideEvent;
import io.ridescore.event.RideRules;
import io.ridescore.features.BatchFeatureTable;
import io.ridescore.features.FeatureBuilder;
import io.ridescore.features.FeatureVector;
import io.ridescore.model.Exporters;
import io.ridescore.model.ModelLoader;
import io.ridescore.model.ModelSpec;
import io.ridescore.model.PmmlScorer;
import io.ridescore.model.ScoringException;
import io.ridescore.source.TlcParquetReader;
import io.ridescore.tools.TripDataGenerator;
import org.apache.flink.core.fs.Path;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Files;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The scorer alone, one thread: the compiled fast path against jpmml-evaluator on the same
 * feature rows (scripts/bench-scorer), for the shipped models and the exporters' models
 * (scikit-learn and XGBoost, converted by the JPMML converters). Rows are the valid rides of a
 * generated month (2021-02, not the month the models were trained on) that the model scores:
 * rides it refuses (a zone pair a DictVectorizer never saw) are left out, they are dead letters.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ScorerBenchmark {
    @Param({
        "pmml/ride_duration.pmml",
        "pmml/ride_duration_stream.pmml",
        "sklearn_dictvectorizer_linear.pkl",
        "sklearn_dictvectorizer_forest.pkl",
        "sklearn_gbm.pkl",
        "sklearn_ordinal_gbm.pkl",
        "sklearn_hist_gbm.pkl",
        "xgboost_regressor.json"
    })
    public String model;

    private PmmlScorer scorer;
    private FeatureVector[] rows;
    private int next;

    @Setup
    public void setUp() throws Exception {
        java.nio.file.Path dir = Files.createTempDirectory("bench-scorer");
        String file = model.startsWith("pmml/")
                ? model
                : Exporters.convert(model, dir).toString();
        scorer = new PmmlScorer(ModelLoader.load(new ModelSpec(file, null)), true);
        java.nio.file.Path month = dir.resolve("green_tripdata_2021-02.parquet");
        new TripDataGenerator(42)
                .write(YearMonth.of(2021, 2), 65_000, TaxiType.GREEN, new Path(month.toString()), n -> {});
        List<RideEvent> valid = new ArrayList<>();
        try (TlcParquetReader reader = TlcParquetReader.open(new Path(month.toString()))) {
            RideEvent r;
            while ((r = reader.next()) != null) {
                if (RideRules.check(r) == null) {
                    valid.add(r);
                }
            }
        }
        BatchFeatureTable.Builder table = new BatchFeatureTable.Builder();
        valid.forEach(r -> table.add(r.puLocationId, r.doLocationId, r.actualDurationMinutes(), r.tripDistance));
        FeatureBuilder features = new FeatureBuilder(table.build());
        SplittableRandom rnd = new SplittableRandom(1);
        List<FeatureVector> scored = new ArrayList<>();
        for (RideEvent r : valid) {
            FeatureVector v = features.build(r);
            v.puPickups15m = rnd.nextInt(40);
            v.puMeanDistance15m = rnd.nextDouble() * 6;
            try {
                scorer.scoreWithJpmml(v);
                scored.add(v);
            } catch (ScoringException refused) {
                // a dead letter in the job, not a scoring
            }
        }
        rows = scored.subList(0, 4096).toArray(new FeatureVector[0]);
        System.out.printf(
                "%n%s: %s; %,d of %,d valid rides scored (the rest refused by the model)%n",
                model, scorer.path(), scored.size(), valid.size());
    }

    @Benchmark
    public double fastPath() throws ScoringException {
        return scorer.score(rows[next++ & 4095]);
    }

    @Benchmark
    public double jpmml() throws ScoringException {
        return scorer.scoreWithJpmml(rows[next++ & 4095]);
    }
}
