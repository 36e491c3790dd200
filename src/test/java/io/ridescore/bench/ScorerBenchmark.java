package io.ridescore.bench;

import io.ridescore.event.RideEvent;
import io.ridescore.features.BatchFeatureTable;
import io.ridescore.features.FeatureBuilder;
import io.ridescore.features.FeatureVector;
import io.ridescore.model.ModelLoader;
import io.ridescore.model.ModelSpec;
import io.ridescore.model.PmmlScorer;
import io.ridescore.model.ScoringException;
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

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The scorer alone, one thread: the compiled fast path against jpmml-evaluator on the same
 * feature rows (scripts/bench-scorer). Rows cycle through 4,096 random rides.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ScorerBenchmark {
    @Param({"pmml/ride_duration.pmml", "pmml/ride_duration_stream.pmml"})
    public String model;

    private PmmlScorer scorer;
    private FeatureVector[] rows;
    private int next;

    @Setup
    public void setUp() {
        scorer = new PmmlScorer(ModelLoader.load(new ModelSpec(model, null)), true);
        SplittableRandom rnd = new SplittableRandom(1);
        BatchFeatureTable.Builder table = new BatchFeatureTable.Builder();
        for (int i = 0; i < 50_000; i++) {
            table.add(1 + rnd.nextInt(265), 1 + rnd.nextInt(265), 5 + rnd.nextDouble() * 40, rnd.nextDouble() * 10);
        }
        FeatureBuilder features = new FeatureBuilder(table.build());
        rows = new FeatureVector[4096];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = features.build(new RideEvent("b" + i, false, 1 + rnd.nextInt(265), 1 + rnd.nextInt(265),
                    0.1 + rnd.nextDouble() * 15, 1_612_137_600_000_000L + rnd.nextLong(28L * 86_400_000_000L), null, null));
            rows[i].puPickups15m = rnd.nextInt(40);
            rows[i].puMeanDistance15m = rnd.nextDouble() * 6;
        }
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
