package io.ridescore;

import io.ridescore.config.CommandLine;
import io.ridescore.config.KinesisSettings;
import io.ridescore.config.Mode;
import io.ridescore.config.RideScoreOptions;
import io.ridescore.features.BatchFeatureTable;
import io.ridescore.model.ModelException;
import io.ridescore.model.ModelLoader;
import io.ridescore.model.ModelSpec;
import io.ridescore.model.PmmlScorer;
import io.ridescore.sink.ScoredRideParquet;
import io.ridescore.source.KinesisStreams;
import io.ridescore.source.RowGroupEnumerator;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The scoring job. {@code main} parses options, checks everything that can be checked before a
 * task starts (input, feature table, model and its inputs), wires {@link Pipeline} and runs it:
 * on the cluster it was submitted to, or else on a local mini cluster with the Flink web UI.
 */
public final class RideScoreJob {
    private RideScoreJob() {}

    /** A misconfiguration found before the job starts; its message is the one line the user sees. */
    public static final class StartupException extends RuntimeException {
        public StartupException(String message) {
            super(message);
        }
    }

    public static void main(String[] args) throws Exception {
        if (CommandLine.wantsHelp(args)) {
            System.out.print(CommandLine.help("ridescore score [options]",
                    "Scores rides with a PMML model on Flink; batch mode reads a TLC Parquet month and writes Parquet.",
                    RideScoreOptions.ALL));
            return;
        }
        RunSummary summary;
        try {
            summary = run(CommandLine.parse(args, RideScoreOptions.ALL), System.out);
        } catch (CommandLine.UsageException | StartupException | IllegalArgumentException e) {
            System.err.println("ridescore: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (summary != null && !summary.addsUp()) {
            System.exit(1);
        }
    }

    /** Runs a bounded job to its end and returns its counts. */
    public static RunSummary run(Configuration conf, PrintStream console) throws Exception {
        Started job = start(conf, console);
        if (job.settings().mode().runtimeMode != RuntimeExecutionMode.BATCH) {
            return awaitStreaming(job, console);
        }
        JobExecutionResult result = awaitWithProgress(job.client(), job.totalRows(), job.startedNanos(), console);
        double seconds = (System.nanoTime() - job.startedNanos()) / 1e9;
        RunSummary summary = RunSummary.fromAccumulators(result.getAllAccumulatorResults(), result.getNetRuntime());
        console.printf("done: job ran %.1f s (%.0f rows/s); %.1f s with cluster start%n",
                summary.netRuntimeMillis() / 1e3, summary.rowsPerSecond(), seconds);
        console.println("predictions:  " + job.settings().output());
        console.println("dead letters: " + job.settings().deadLetters());
        console.println(summary.line());
        return summary;
    }

    /** A submitted job, with what its caller needs to follow it. */
    public record Started(JobClient client, Pipeline.Settings settings, long totalRows, long startedNanos) {}

    /** Checks everything, builds the graph and submits it; returns at once (online jobs never end by themselves). */
    public static Started start(Configuration conf, PrintStream console) throws Exception {
        Mode mode = RideScoreOptions.mode(conf);
        Pipeline.Settings settings = settings(conf, mode);
        long totalRows = mode.source == Mode.SourceKind.PARQUET ? checkInputs(settings) : -1;
        PmmlScorer scorer = checkModel(settings);
        checkFeatures(settings);
        if (mode.source == Mode.SourceKind.KINESIS) {
            checkStreams(settings.kinesis());
        }
        if (mode.sink == Mode.SinkKind.PARQUET) {
            clearOutputs(settings, console);
        }

        StreamExecutionEnvironment env = environment(conf, mode, console);
        // Operators only create records and never hold one after passing it on, so reuse is safe
        // and saves a copy per record between chained operators.
        env.getConfig().enableObjectReuse();
        if (mode.runtimeMode == RuntimeExecutionMode.STREAMING) {
            env.enableCheckpointing(conf.get(RideScoreOptions.CHECKPOINT_INTERVAL).toMillis());
            // Network buffers otherwise wait up to 100 ms to fill: at tens of events/s, that is the latency.
            env.setBufferTimeout(conf.get(RideScoreOptions.BUFFER_TIMEOUT).toMillis());
        }
        Pipeline.build(env, settings);

        String jobName = "ridescore " + mode.label() + (mode.source == Mode.SourceKind.PARQUET
                ? " " + conf.getOptional(RideScoreOptions.MONTH).orElse(settings.inputs()[0].getName())
                : " " + settings.kinesis().inputStream() + " -> " + settings.kinesis().outputStream());
        console.printf("%s: model %s version %s (target '%s'), stream features %s%s%n", jobName, scorer.modelName(),
                scorer.modelVersion(), scorer.targetField(), settings.streamFeatures() ? "on" : "off",
                totalRows >= 0 ? ", " + totalRows + " rows in " + settings.inputs()[0] : "");
        long started = System.nanoTime();
        return new Started(env.executeAsync(jobName), settings, totalRows, started);
    }

    static Pipeline.Settings settings(Configuration conf, Mode mode) {
        String taxiType = conf.get(RideScoreOptions.TAXI_TYPE);
        if (!taxiType.equals("green") && !taxiType.equals("yellow")) {
            throw new StartupException("taxi type must be green or yellow, not '" + taxiType + "'");
        }
        boolean parquetIn = mode.source == Mode.SourceKind.PARQUET;
        boolean parquetOut = mode.sink == Mode.SinkKind.PARQUET;
        return new Pipeline.Settings(mode, RideScoreOptions.streamFeatures(conf),
                conf.get(RideScoreOptions.OUT_OF_ORDERNESS), conf.get(RideScoreOptions.QUIET_FLUSH),
                parquetIn ? new Path[] {new Path(RideScoreOptions.input(conf))} : new Path[0],
                RideScoreOptions.features(conf),
                new ModelSpec(RideScoreOptions.model(conf), RideScoreOptions.modelVersionOverride(conf)),
                parquetOut ? RideScoreOptions.output(conf) : null, parquetOut ? RideScoreOptions.deadLetters(conf) : null,
                ScoredRideParquet.pickupColumn(taxiType), KinesisSettings.from(conf));
    }

    private static long checkInputs(Pipeline.Settings s) {
        try {
            long rows = RowGroupEnumerator.countRows(s.inputs());
            if (RowGroupEnumerator.listParquetFiles(s.inputs()).isEmpty()) {
                throw new StartupException("no Parquet files in " + s.inputs()[0]);
            }
            return rows;
        } catch (java.io.FileNotFoundException e) {
            throw new StartupException("input not found: " + s.inputs()[0]
                    + " (generate a month with: scripts/ridescore datagen --months YYYY-MM)");
        } catch (IOException e) {
            throw new StartupException("input " + s.inputs()[0] + " cannot be read: " + e.getMessage());
        }
    }

    /** Loads the model once here too, so a bad model or an unknown input field fails before any task starts. */
    private static PmmlScorer checkModel(Pipeline.Settings s) {
        try {
            return new PmmlScorer(ModelLoader.load(s.model()), s.streamFeatures());
        } catch (ModelException e) {
            throw new StartupException(e.getMessage());
        }
    }

    private static void checkFeatures(Pipeline.Settings s) {
        try {
            BatchFeatureTable.read(new Path(s.features()));
        } catch (java.io.FileNotFoundException e) {
            throw new StartupException("batch feature table not found: " + s.features()
                    + " (build one with: scripts/ridescore features --months YYYY-MM)");
        } catch (IOException | RuntimeException e) {
            throw new StartupException("batch feature table " + s.features() + " cannot be read: " + e.getMessage());
        }
    }

    /** A re-run of a month replaces its output instead of adding a second copy of every row. */
    private static void clearOutputs(Pipeline.Settings s, PrintStream console) throws IOException {
        for (String dir : new String[] {s.output(), s.deadLetters()}) {
            Path path = new Path(dir);
            FileSystem fs = path.getFileSystem();
            if (fs.exists(path)) {
                console.println("replacing previous output in " + dir);
                fs.delete(path, true);
            }
        }
    }

    private static void checkStreams(KinesisSettings kinesis) {
        try {
            KinesisStreams.requireActive(kinesis, kinesis.inputStream(), kinesis.outputStream(), kinesis.deadLetterStream());
        } catch (IllegalStateException e) {
            throw new StartupException(e.getMessage()
                    + (kinesis.isLocalMock() ? " (start the local one with: scripts/kinesis-local start)" : ""));
        }
    }

    /** Follows an online job until it stops, printing its counts every 10 s. */
    private static RunSummary awaitStreaming(Started job, PrintStream console) throws Exception {
        console.println("online job " + job.client().getJobID() + " running: reading " + job.settings().kinesis().inputStream()
                + ", writing " + job.settings().kinesis().outputStream() + " and " + job.settings().kinesis().deadLetterStream()
                + "; Ctrl-C stops it");
        var result = job.client().getJobExecutionResult();
        while (true) {
            try {
                JobExecutionResult r = result.get(10, TimeUnit.SECONDS);
                return RunSummary.fromAccumulators(r.getAllAccumulatorResults(), r.getNetRuntime());
            } catch (TimeoutException stillRunning) {
                printProgress(job.client(), -1, job.startedNanos(), console);
            } catch (ExecutionException e) {
                throw new IllegalStateException("job " + job.client().getJobID() + " failed: " + rootMessage(e), e);
            }
        }
    }

    private static StreamExecutionEnvironment environment(Configuration conf, Mode mode, PrintStream console) {
        Configuration flink = new Configuration();
        flink.set(ExecutionOptions.RUNTIME_MODE, mode.runtimeMode);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        if (env instanceof LocalStreamEnvironment) {
            int port = conf.get(RideScoreOptions.WEB_UI_PORT);
            flink.set(RestOptions.PORT, port);
            flink.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
            // Running accumulators reach the client with heartbeats: frequent ones keep the progress line live.
            flink.set(HeartbeatManagerOptions.HEARTBEAT_INTERVAL, Duration.ofSeconds(1));
            env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink);
            console.println("Flink web UI: http://localhost:" + port);
        }
        env.setParallelism(conf.get(RideScoreOptions.PARALLELISM));
        return env;
    }

    private static JobExecutionResult awaitWithProgress(JobClient client, long totalRows, long started,
                                                        PrintStream console) throws Exception {
        var result = client.getJobExecutionResult();
        while (true) {
            try {
                return result.get(2, TimeUnit.SECONDS);
            } catch (TimeoutException stillRunning) {
                printProgress(client, totalRows, started, console);
            } catch (ExecutionException e) {
                throw new IllegalStateException("job " + client.getJobID() + " failed: "
                        + rootMessage(e), e);
            }
        }
    }

    private static void printProgress(JobClient client, long totalRows, long started, PrintStream console) {
        Map<String, Object> acc;
        try {
            acc = client.getAccumulators().get(5, TimeUnit.SECONDS);
        } catch (Exception notYetAvailable) {
            return;
        }
        RunSummary now = RunSummary.fromAccumulators(acc, 0);
        double seconds = (System.nanoTime() - started) / 1e9;
        String of = totalRows < 0 ? "" : String.format("/%d (%.0f%%)", totalRows,
                totalRows == 0 ? 100.0 : 100.0 * now.in() / totalRows);
        console.printf("progress: in=%d%s scored=%d dead_lettered=%d, %.0f records/s%n", now.in(), of, now.scored(),
                now.deadLettered(), now.in() / seconds);
    }

    /** The innermost message of a failure: Flink wraps the user's cause several levels deep. */
    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
