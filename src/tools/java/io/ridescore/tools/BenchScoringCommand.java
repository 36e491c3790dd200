package io.ridescore.tools;

import io.ridescore.config.RideScoreOptions;
import io.ridescore.config.Scorer;
import io.ridescore.features.BatchFeatureTable;
import io.ridescore.features.FeatureBuilder;
import io.ridescore.features.FeatureVector;
import io.ridescore.model.ModelLoader;
import io.ridescore.model.ModelSpec;
import io.ridescore.model.PmmlScorer;
import io.ridescore.model.ScoringException;
import io.ridescore.run.JobRunner;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.Path;

import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;

/**
 * Where batch time goes for one model, fast path against jpmml-evaluator: a generated month of
 * --rows rides scored end to end by the job on the local mini cluster with each scorer, and plain
 * single-threaded loops calling each on the same feature rows (built before the clock starts).
 * What a user waits for, against the Python peer, is bench-batch; scripts/bench-models runs this
 * for every exporter model.
 */
final class BenchScoringCommand implements Command {
    private static final YearMonth MONTH = BenchBatchCommand.MONTH;

    @Override
    public String name() {
        return "bench-scoring";
    }

    @Override
    public String summary() {
        return "Benchmark: one model's batch job and scoring loops, fast path vs jpmml-evaluator (data in <data-dir>).";
    }

    @Override
    public List<ConfigOption<?>> options() {
        return List.of(
                ToolOptions.ROWS,
                RideScoreOptions.DATA_DIR,
                RideScoreOptions.MODEL,
                RideScoreOptions.PARALLELISM,
                RideScoreOptions.WEB_UI_PORT);
    }

    @Override
    public int run(Configuration conf) throws Exception {
        Configuration bench = conf.clone();
        bench.set(ToolOptions.ROWS, conf.getOptional(ToolOptions.ROWS).orElse(1_000_000));
        bench.set(
                RideScoreOptions.DATA_DIR,
                conf.getOptional(RideScoreOptions.DATA_DIR).orElse("data/bench"));
        int rows = bench.get(ToolOptions.ROWS);
        Path input = BenchBatchCommand.prepareMonth(bench);

        double endToEndFast = endToEnd(bench, Scorer.AUTO, "[1/3] batch mode end to end, fast path");
        double endToEndJpmml = endToEnd(bench, Scorer.JPMML, "[2/3] batch mode end to end, jpmml-evaluator");

        System.out.printf("%n[3/3] plain scoring loops, one thread, same model and feature rows%n");
        BatchFeatureTable table = BatchFeatureTable.read(new Path(RideScoreOptions.features(bench)));
        FeatureBuilder features = new FeatureBuilder(table);
        List<FeatureVector> vectors =
                ValidRides.read(input).stream().map(features::build).toList();
        PmmlScorer scorer = new PmmlScorer(ModelLoader.load(new ModelSpec(RideScoreOptions.model(bench), null)));
        List<FeatureVector> scored = new ArrayList<>();
        for (FeatureVector v : vectors) {
            try {
                scorer.scoreWithJpmml(v);
                scored.add(v);
            } catch (ScoringException refused) {
                // a dead letter in the job (e.g. a zone pair the model never saw), not a scoring
            }
        }
        double fastLoop = loop(scored, scorer::score);
        double jpmmlLoop = loop(scored, scorer::scoreWithJpmml);

        System.out.printf(
                "%nresults (%,d rides, %,d valid, %,d scored by the model; %s)%n",
                rows, vectors.size(), scored.size(), scorer.path());
        System.out.printf(
                "  end to end, fast path:       %,10.0f rows/s  (Parquet in to Parquet out, job run time)%n",
                endToEndFast);
        System.out.printf("  end to end, jpmml-evaluator: %,10.0f rows/s%n", endToEndJpmml);
        System.out.printf("  scoring loop, fast path:     %,10.0f rows/s%n", fastLoop);
        System.out.printf(
                "  scoring loop, jpmml:         %,10.0f rows/s  (fast path %.1fx)%n", jpmmlLoop, fastLoop / jpmmlLoop);
        System.out.printf("  ratio end-to-end / evaluator loop (jpmml): %.2f%n", endToEndJpmml / jpmmlLoop);
        return 0;
    }

    private static double endToEnd(Configuration bench, Scorer scorer, String title) throws Exception {
        System.out.printf(
                "%n%s, %,d rides, parallelism %d%n",
                title, bench.get(ToolOptions.ROWS), bench.get(RideScoreOptions.PARALLELISM));
        Configuration score = bench.clone();
        score.set(RideScoreOptions.MONTH, MONTH.toString());
        score.set(RideScoreOptions.SCORER, scorer);
        return JobRunner.run(score, System.out).rowsPerSecond();
    }

    private interface Scoring {
        double score(FeatureVector vector) throws Exception;
    }

    /** Rows per second of the best of three passes: the first ones still pay for JIT compilation. */
    private static double loop(List<FeatureVector> vectors, Scoring scoring) throws Exception {
        double checksum = 0;
        double best = Double.MAX_VALUE;
        for (int pass = 0; pass < 3; pass++) {
            long start = System.nanoTime();
            for (FeatureVector v : vectors) {
                checksum += scoring.score(v);
            }
            best = Math.min(best, (System.nanoTime() - start) / 1e9);
        }
        if (checksum == 42) {
            System.out.println(); // keeps the JIT from dropping the loop
        }
        return vectors.size() / best;
    }
}
