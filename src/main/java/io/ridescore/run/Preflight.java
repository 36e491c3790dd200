package io.ridescore.run;

import io.ridescore.Pipeline;
import io.ridescore.config.KinesisSettings;
import io.ridescore.config.Mode;
import io.ridescore.config.RideScoreOptions;
import io.ridescore.config.StartupException;
import io.ridescore.event.RideEventParser;
import io.ridescore.event.RideEventParser.PickupRange;
import io.ridescore.features.BatchFeatureTable;
import io.ridescore.features.Feature;
import io.ridescore.model.ModelException;
import io.ridescore.model.ModelLoader;
import io.ridescore.model.ModelSpec;
import io.ridescore.model.PmmlScorer;
import io.ridescore.sink.KinesisRideOutput;
import io.ridescore.sink.ParquetRideOutput;
import io.ridescore.sink.RideOutput;
import io.ridescore.source.KinesisRideInput;
import io.ridescore.source.ParquetRideInput;
import io.ridescore.source.RideInput;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.Path;
import org.apache.flink.util.TimeUtils;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Everything that can be checked before a task starts: the options, the input (every Parquet
 * footer, or the streams), the model (loaded and verified once, here too), the feature table and
 * the output. Every failure is found, not just the first, and each is one line saying what to do.
 */
public final class Preflight {
    private Preflight() {}

    /** A run, checked: the ends, the stages' settings, and what the start line tells the user. */
    public record Plan(
            Mode mode,
            Pipeline.Settings settings,
            RideInput input,
            RideOutput output,
            MonthRun month,
            String jobName,
            String startLine,
            long totalRows) {}

    /** @param publishMonth whether a batch month is staged and published at the end (an attached run) */
    public static Plan check(Configuration conf, boolean publishMonth) {
        // First and alone: on libraries of another build, every later check could fail far from the cause.
        ClusterLibraries.check();
        Set<String> failures = new LinkedHashSet<>();
        Mode mode = conf.get(RideScoreOptions.MODE);
        Pipeline.Settings checked = attempt(failures, () -> Pipeline.Settings.from(conf));
        // The models parse (about a second for a large one) while the input and output are checked.
        CompletableFuture<PmmlScorer> scorerLoad =
                checked == null ? null : inBackground(() -> model(checked.model(), checked, ""));
        CompletableFuture<PmmlScorer> challengerLoad = checked == null || checked.challenger() == null
                ? null
                : inBackground(() -> model(checked.challenger(), checked, "challenger: "));
        RideEventParser.PickupRange pickupRange = attempt(failures, () -> RideScoreOptions.pickupRange(conf));
        // With a bad range the job will not start, but its input is still checked for the report.
        RideInput input =
                attempt(failures, () -> input(mode, conf, pickupRange == null ? PickupRange.DEFAULT : pickupRange));
        MonthRun month = mode.sink == Mode.SinkKind.PARQUET && publishMonth && conf.get(RideScoreOptions.PUBLISH)
                ? attempt(failures, () -> MonthRun.of(conf))
                : null;
        RideOutput output = month != null ? month.stagedOutput() : attempt(failures, () -> output(mode, conf));
        Long rows = input == null ? null : attempt(failures, input::check);
        PmmlScorer scorer = scorerLoad == null ? null : attempt(failures, () -> joined(scorerLoad));
        PmmlScorer challenger = challengerLoad == null ? null : attempt(failures, () -> joined(challengerLoad));
        Pipeline.Settings settings = checked;
        if (settings != null
                && scorer != null
                && !settings.model().polls()
                && needsNoTable(scorer)
                && (settings.challenger() == null || (challenger != null && needsNoTable(challenger)))) {
            // A model on the ride's own fields (e.g. scikit-learn's DictVectorizer on PU_DO and
            // trip_distance) needs no table: none is read. A polled model may later need one, so it keeps it.
            settings = settings.withoutFeatureTable();
        } else if (settings != null) {
            String table = settings.features();
            attempt(failures, () -> featureTable(table));
        }
        if (output != null) {
            attempt(failures, () -> {
                output.check();
                return null;
            });
        }
        if (!failures.isEmpty()) {
            throw new StartupException(String.join("\n", failures));
        }

        String jobName = "ridescore " + mode + " "
                + conf.getOptional(RideScoreOptions.MONTH).orElse(input.describe());
        String startLine = String.format(
                "%s: model %s version %s (target '%s'), scored by %s, stream features %s%s%s;"
                        + " reading %s%s, writing %s",
                jobName,
                scorer.modelName(),
                scorer.modelVersion(),
                scorer.targetField(),
                scorer.path(),
                settings.streamFeatures() ? "on" : "off",
                challenger == null
                        ? ""
                        : String.format(
                                ", challenger %s version %s scored in shadow by %s",
                                challenger.modelName(), challenger.modelVersion(), challenger.path()),
                settings.model().polls()
                        ? ", new model versions polled every "
                                + TimeUtils.formatWithHighestUnit(
                                        settings.model().pollInterval())
                        : "",
                input.describe(),
                rows >= 0 ? " (" + rows + " rows)" : "",
                // a staged month is seen where it is published, not in its hidden staging directories
                month != null
                        ? month.output() + " (dead letters: " + month.deadLetters() + "), published when complete"
                        : output.describe());
        return new Plan(mode, settings, input, output, month, jobName, startLine, rows);
    }

    private static RideInput input(Mode mode, Configuration conf, PickupRange pickupRange) {
        return switch (mode.source) {
            case PARQUET -> new ParquetRideInput(new Path(RideScoreOptions.input(conf)));
            case KINESIS -> new KinesisRideInput(KinesisSettings.from(conf), pickupRange);
        };
    }

    private static RideOutput output(Mode mode, Configuration conf) {
        return switch (mode.sink) {
            case PARQUET ->
                new ParquetRideOutput(
                        RideScoreOptions.output(conf),
                        RideScoreOptions.deadLetters(conf),
                        conf.get(RideScoreOptions.TAXI_TYPE),
                        conf.getOptional(RideScoreOptions.CHALLENGER).isPresent());
            case KINESIS ->
                new KinesisRideOutput(
                        KinesisSettings.from(conf),
                        conf.getOptional(RideScoreOptions.CHALLENGER).isPresent()
                                ? conf.get(RideScoreOptions.SHADOW_STREAM)
                                : null);
        };
    }

    private static PmmlScorer model(ModelSpec model, Pipeline.Settings settings, String role) {
        try {
            return new PmmlScorer(ModelLoader.load(model), settings.streamFeatures());
        } catch (ModelException e) {
            throw new StartupException(role + e.getMessage());
        }
    }

    private static boolean needsNoTable(PmmlScorer scorer) {
        return scorer.requiredFeatures().stream().noneMatch(Feature::fromBatchTable);
    }

    private static Void featureTable(String table) {
        try {
            BatchFeatureTable.read(new Path(table));
            return null;
        } catch (FileNotFoundException e) {
            throw new StartupException("batch feature table not found: " + table
                    + " (build one with: scripts/ridescore features --months YYYY-MM)");
        } catch (IOException | RuntimeException e) {
            throw new StartupException("batch feature table " + table + " cannot be read: " + e.getMessage());
        }
    }

    /**
     * On a thread of its own: the common pool has one thread on two cores, and the local cluster's
     * start may hold it.
     */
    private static <T> CompletableFuture<T> inBackground(Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, task -> {
            Thread thread = new Thread(task, "ridescore-preflight");
            thread.setDaemon(true);
            thread.start();
        });
    }

    private static <T> T joined(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    /** Runs one check; its failure becomes a line and the run goes on to the next check. */
    private static <T> T attempt(Set<String> failures, Supplier<T> check) {
        try {
            return check.get();
        } catch (StartupException | IllegalArgumentException e) {
            failures.add(e.getMessage());
            return null;
        }
    }
}
