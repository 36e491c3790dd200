package io.ridescore.tools;

import io.ridescore.RideScoreJob;
import io.ridescore.event.RunSummary;
import io.ridescore.config.RideScoreOptions;
import io.ridescore.event.RideEvent;
import io.ridescore.features.BatchFeatureTable;
import io.ridescore.features.FeatureBuilder;
import io.ridescore.features.FeatureVector;
import io.ridescore.model.ModelLoader;
import io.ridescore.model.ModelSpec;
import io.ridescore.model.PmmlScorer;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.Path;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.YearMonth;
import java.util.List;

/**
 * The batch benchmark: a generated month of --rows rides scored end to end by the real job on the
 * local mini cluster, against a plain single-threaded loop calling the same evaluator on the same
 * feature rows (features built before the clock starts). Prints both rates and their ratio.
 */
final class BenchBatchCommand implements Command {
    private static final YearMonth HISTORY = YearMonth.of(2021, 1);
    private static final YearMonth MONTH = YearMonth.of(2021, 3);

    @Override
    public String name() {
        return "bench-batch";
    }

    @Override
    public String summary() {
        return "Benchmark: batch mode end to end on a generated month vs a plain evaluator loop (data in <data-dir>).";
    }

    @Override
    public List<ConfigOption<?>> options() {
        return List.of(ToolOptions.ROWS, RideScoreOptions.DATA_DIR, RideScoreOptions.MODEL, RideScoreOptions.PARALLELISM,
                RideScoreOptions.WEB_UI_PORT);
    }

    @Override
    public int run(Configuration conf) throws Exception {
        Configuration bench = conf.clone();
        bench.set(ToolOptions.ROWS, conf.getOptional(ToolOptions.ROWS).orElse(1_000_000));
        bench.set(RideScoreOptions.DATA_DIR, conf.getOptional(RideScoreOptions.DATA_DIR).orElse("data/bench"));
        int rows = bench.get(ToolOptions.ROWS);
        Path input = DatagenCommand.rawFile(bench, MONTH);
        if (!Files.exists(java.nio.file.Path.of(input.getPath()))
                || io.ridescore.source.RowGroupEnumerator.countRows(new Path[] {input}) != rows) {
            Configuration gen = bench.clone();
            gen.set(ToolOptions.MONTHS, MONTH.toString());
            new DatagenCommand().run(gen);
        }
        Configuration history = bench.clone();
        history.set(ToolOptions.MONTHS, HISTORY.toString());
        history.set(ToolOptions.ROWS, TripDataGenerator.DEFAULT_ROWS);
        if (!Files.exists(java.nio.file.Path.of(DatagenCommand.rawFile(history, HISTORY).getPath()))) {
            new DatagenCommand().run(history);
        }
        new FeaturesCommand().run(history);

        System.out.printf("%n[1/2] batch mode end to end, %,d rides, parallelism %d%n", rows,
                bench.get(RideScoreOptions.PARALLELISM));
        Configuration score = bench.clone();
        score.set(RideScoreOptions.MONTH, MONTH.toString());
        long started = System.nanoTime();
        RunSummary summary = RideScoreJob.run(score, System.out);
        double endToEndSeconds = (System.nanoTime() - started) / 1e9;
        double endToEnd = summary.rowsPerSecond();

        System.out.printf("%n[2/2] plain evaluator loop, one thread, same model and feature rows%n");
        BatchFeatureTable table = BatchFeatureTable.read(new Path(RideScoreOptions.features(bench)));
        FeatureBuilder features = new FeatureBuilder(table);
        List<FeatureVector> vectors = ValidRides.read(input).stream().map(features::build).toList();
        PmmlScorer scorer = new PmmlScorer(ModelLoader.load(new ModelSpec(RideScoreOptions.model(bench), null)));
        double sink = 0;
        for (int i = 0; i < Math.min(200_000, vectors.size()); i++) {
            sink += scorer.score(vectors.get(i));
        }
        // Best of three passes: the first ones still pay for JIT compilation and GC of the job's garbage.
        double loopSeconds = Double.MAX_VALUE;
        for (int pass = 0; pass < 3; pass++) {
            long loopStart = System.nanoTime();
            for (FeatureVector v : vectors) {
                sink += scorer.score(v);
            }
            loopSeconds = Math.min(loopSeconds, (System.nanoTime() - loopStart) / 1e9);
        }
        double loop = vectors.size() / loopSeconds;

        System.out.printf("%nresults (checksum %.1f)%n", sink);
        System.out.printf("  end to end:      %,10.0f rows/s  (%,d rows, Parquet in to Parquet out, job ran %.2f s;"
                + " %.2f s with mini cluster start: %,.0f rows/s)%n", endToEnd, summary.in(),
                summary.netRuntimeMillis() / 1e3, endToEndSeconds, summary.in() / endToEndSeconds);
        System.out.printf("  evaluator loop:  %,10.0f rows/s  (%,d feature rows in %.2f s, 1 thread, best of 3)%n", loop,
                vectors.size(), loopSeconds);
        System.out.printf("  ratio end-to-end / evaluator loop: %.2f%n", endToEnd / loop);
        System.out.printf("  vs the reference Python scorer (~130,000 rows/s): %.2fx%n", endToEnd / 130_000);
        return 0;
    }
}
