package io.ridescore;

import io.ridescore.event.RunSummary;
import io.ridescore.config.CommandLine;
import io.ridescore.config.KinesisSettings;
import io.ridescore.config.Mode;
import io.ridescore.config.RideScoreOptions;
import io.ridescore.features.BatchFeatureTable;
import io.ridescore.features.Feature;
import io.ridescore.model.ModelException;
import io.ridescore.model.ModelLoader;
import io.ridescore.model.ModelSpec;
import io.ridescore.model.PmmlScorer;
import io.ridescore.sink.MonthErrors;
import io.ridescore.sink.MonthPublisher;
import io.ridescore.sink.MonthReport;
import io.ridescore.sink.ScoredRideParquet;
import io.ridescore.source.KinesisStreams;
import io.ridescore.source.RowGroupEnumerator;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.client.program.StreamContextEnvironment;
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
                    "Scores rides with a PMML model on Flink: batch (Parquet month in, Parquet out), online and"
                            + " online-stream (Kinesis in, Kinesis out).", RideScoreOptions.ALL));
            return;
        }
        if (!(StreamExecutionEnvironment.getExecutionEnvironment() instanceof LocalStreamEnvironment)) {
            // Submitted to a cluster (flink run, REST): errors go to Flink, and exiting would stop the JobManager.
            runSubmitted(CommandLine.parse(args, RideScoreOptions.ALL));
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

    /** On a cluster: an attached client follows the job as locally; a detached one (REST) only submits it. */
    private static void runSubmitted(Configuration conf) throws Exception {
        Started job = start(conf, System.out);
        if (job.attached()) {
            finish(job, System.out);
        } else {
            System.out.println("submitted job " + job.client().getJobID());
        }
    }

    /** Runs a bounded job to its end and returns its counts. */
    public static RunSummary run(Configuration conf, PrintStream console) throws Exception {
        return finish(start(conf, console), console);
    }

    /** Follows a started job to its end; a batch month is then published with its report. */
    private static RunSummary finish(Started job, PrintStream console) throws Exception {
        if (job.settings().mode().runtimeMode != RuntimeExecutionMode.BATCH) {
            return awaitStreaming(job, console);
        }
        JobExecutionResult result = awaitWithProgress(job.client(), job.totalRows(), job.startedNanos(), console);
        double seconds = (System.nanoTime() - job.startedNanos()) / 1e9;
        RunSummary summary = RunSummary.fromAccumulators(result.getAllAccumulatorResults(), result.getNetRuntime());
        console.printf("done: job ran %.1f s (%.0f rows/s); %.1f s with cluster start%n",
                summary.netRuntimeMillis() / 1e3, summary.rowsPerSecond(), seconds);
        String output = job.settings().output();
        String deadLetters = job.settings().deadLetters();
        if (job.publishTo() != null && summary.addsUp()) {
            MonthErrors.Totals errors = result.getAccumulatorResult(MonthErrors.NAME);
            MonthReport.write(java.nio.file.Path.of(output), job.name(), summary, errors);
            MonthPublisher.publish(java.nio.file.Path.of(job.publishTo()[1]), summary.json());
            MonthPublisher.publish(java.nio.file.Path.of(job.publishTo()[0]), summary.json());
            output = job.publishTo()[0];
            deadLetters = job.publishTo()[1];
            console.printf("MAE %.3f min, RMSE %.3f min over %,d scored rides; report: %s%n", errors.mae(), errors.rmse(),
                    errors.rides(), java.nio.file.Path.of(output, MonthReport.MARKDOWN));
        }
        console.println("predictions:  " + output);
        console.println("dead letters: " + deadLetters);
        console.println(summary.line());
        return summary;
    }

    /**
     * A submitted job, with what its caller needs to follow it; {@code publishTo} holds the final
     * prediction and dead-letter directories when the run writes to staging and publishes at the end.
     */
    public record Started(JobClient client, Pipeline.Settings settings, String name, String modelVersion,
                          long totalRows, long startedNanos, boolean attached, String[] publishTo, String restUrl) {}

    /** Checks everything, builds the graph and submits it; returns at once (online jobs never end by themselves). */
    public static Started start(Configuration conf, PrintStream console) throws Exception {
        Mode mode = RideScoreOptions.mode(conf);
        Pipeline.Settings settings = settings(conf, mode);
        StreamExecutionEnvironment env = environment(conf, mode, console);
        // Only a detached submission (the REST API, flink run -d) cannot follow its job to the end.
        boolean attached = !(env instanceof StreamContextEnvironment) || env.getConfiguration().get(DeploymentOptions.ATTACHED);
        String[] publishTo = null;
        if (mode.sink == Mode.SinkKind.PARQUET && attached && conf.get(RideScoreOptions.PUBLISH)) {
            publishTo = new String[] {settings.output(), settings.deadLetters()};
            settings = settings.withOutputs(MonthPublisher.staging(java.nio.file.Path.of(settings.output())).toString(),
                    MonthPublisher.staging(java.nio.file.Path.of(settings.deadLetters())).toString());
        }
        long totalRows = mode.source == Mode.SourceKind.PARQUET ? checkInputs(settings) : -1;
        PmmlScorer scorer = checkModel(settings);
        if (!settings.model().polls() && scorer.requiredFeatures().stream().noneMatch(Feature::fromBatchTable)) {
            // A model on the ride's own fields (e.g. scikit-learn's DictVectorizer on PU_DO and
            // trip_distance) needs no table: none is read. A polled model may later need one, so it keeps it.
            settings = settings.withFeatures(null);
        } else {
            checkFeatures(settings);
        }
        if (mode.source == Mode.SourceKind.KINESIS) {
            checkStreams(settings.kinesis());
        }
        if (mode.sink == Mode.SinkKind.PARQUET) {
            clearOutputs(settings, console);
        }

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
        console.printf("%s: model %s version %s (target '%s'), scored by %s, stream features %s%s%s%n", jobName,
                scorer.modelName(), scorer.modelVersion(), scorer.targetField(), scorer.path(),
                settings.streamFeatures() ? "on" : "off",
                settings.model().polls() ? ", new model versions polled every " + org.apache.flink.util.TimeUtils.formatWithHighestUnit(settings.model().pollInterval()) : "",
                totalRows >= 0 ? ", " + totalRows + " rows in " + settings.inputs()[0] : "");
        long started = System.nanoTime();
        return new Started(env.executeAsync(jobName), settings, jobName, scorer.modelVersion(), totalRows, started,
                attached, publishTo, restUrl(env));
    }

    /** The model options (and their environment variables) as the tasks receive them. */
    public static ModelSpec modelSpec(Configuration conf) {
        boolean unbounded = RideScoreOptions.mode(conf).runtimeMode == RuntimeExecutionMode.STREAMING;
        return new ModelSpec(RideScoreOptions.model(conf), RideScoreOptions.modelFallback(conf),
                RideScoreOptions.mlflowTrackingUri(conf), RideScoreOptions.s3Endpoint(conf),
                RideScoreOptions.modelVersionOverride(conf),
                RideScoreOptions.forceJpmml(conf), unbounded ? conf.get(RideScoreOptions.MODEL_POLL_INTERVAL) : Duration.ZERO);
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
                conf.get(RideScoreOptions.STALL_WARNING), RideScoreOptions.pickupRange(conf),
                parquetIn ? new Path[] {new Path(RideScoreOptions.input(conf))} : new Path[0],
                RideScoreOptions.features(conf),
                modelSpec(conf),
                parquetOut ? RideScoreOptions.output(conf) : null, parquetOut ? RideScoreOptions.deadLetters(conf) : null,
                ScoredRideParquet.pickupColumn(taxiType), KinesisSettings.from(conf));
    }

    /** Fails with the same one line as a run would when a month's input is missing. */
    public static void checkInputExists(Configuration conf) {
        checkInputs(settings(conf, RideScoreOptions.mode(conf)));
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

    /** Where this run writes must start empty: a re-run replaces a month, never adds a second copy of its rows. */
    private static void clearOutputs(Pipeline.Settings s, PrintStream console) throws IOException {
        for (String dir : new String[] {s.output(), s.deadLetters()}) {
            Path path = new Path(dir);
            FileSystem fs = path.getFileSystem();
            if (fs.exists(path)) {
                if (!path.getName().endsWith(".staging")) {
                    console.println("replacing previous output in " + dir);
                }
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

    /**
     * Follows an online job until it stops, printing its counts every 10 s: records in, and what
     * the Kinesis sinks had accepted (scored = delivered), so a stuck sink shows as pending.
     */
    private static RunSummary awaitStreaming(Started job, PrintStream console) throws Exception {
        console.println("online job " + job.client().getJobID() + " running: reading " + job.settings().kinesis().inputStream()
                + ", writing " + job.settings().kinesis().outputStream() + " and " + job.settings().kinesis().deadLetterStream()
                + "; Ctrl-C stops it");
        JobMetrics metrics = job.restUrl() == null ? null : new JobMetrics(job.restUrl());
        var result = job.client().getJobExecutionResult();
        while (true) {
            try {
                JobExecutionResult r = result.get(10, TimeUnit.SECONDS);
                return RunSummary.fromAccumulators(r.getAllAccumulatorResults(), r.getNetRuntime());
            } catch (TimeoutException stillRunning) {
                if (metrics != null) {
                    printDelivered(metrics, job.client().getJobID().toString(), console);
                }
            } catch (ExecutionException e) {
                throw new IllegalStateException("job " + job.client().getJobID() + " failed: " + rootMessage(e), e);
            }
        }
    }

    private static void printDelivered(JobMetrics metrics, String jobId, PrintStream console) {
        try {
            RunSummary now = metrics.counts(jobId);
            long pending = now.in() - now.scored() - now.deadLettered();
            console.printf("progress: in=%d delivered=%d dead_lettered=%d pending=%d restarts=%d%s%n", now.in(), now.scored(),
                    now.deadLettered(), pending, metrics.restarts(jobId),
                    now.deadLetteredByReason().isEmpty() ? "" : " " + now.deadLetteredByReason());
        } catch (IOException | RuntimeException notYetAvailable) {
            // the REST endpoint answers once the job is deployed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Where the job's REST API answers: the local mini cluster's, or the cluster's an attached client submitted to. */
    private static String restUrl(StreamExecutionEnvironment env) {
        org.apache.flink.configuration.ReadableConfig c = env.getConfiguration();
        if (env instanceof LocalStreamEnvironment) {
            return "http://127.0.0.1:" + c.get(RestOptions.PORT);
        }
        return c.getOptional(RestOptions.ADDRESS).map(a -> "http://" + a + ":" + c.get(RestOptions.PORT)).orElse(null);
    }

    private static StreamExecutionEnvironment environment(Configuration conf, Mode mode, PrintStream console) {
        Configuration flink = new Configuration();
        flink.set(ExecutionOptions.RUNTIME_MODE, mode.runtimeMode);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        if (env instanceof LocalStreamEnvironment) {
            int port = freePortFrom(conf.get(RideScoreOptions.WEB_UI_PORT));
            flink.set(RestOptions.PORT, port);
            flink.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
            // Running accumulators reach the client with heartbeats: frequent ones keep the progress line live.
            flink.set(HeartbeatManagerOptions.HEARTBEAT_INTERVAL, Duration.ofSeconds(1));
            flink.set(org.apache.flink.configuration.MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofSeconds(1));
            // A slot per parallel subtask: with fewer, a bounded run schedules its subtasks one after another.
            flink.set(org.apache.flink.configuration.TaskManagerOptions.NUM_TASK_SLOTS, conf.get(RideScoreOptions.PARALLELISM));
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

    /** The web UI's port, or the next free one when it is taken (e.g. by a session cluster on 8081); 0 picks any. */
    private static int freePortFrom(int wanted) {
        for (int port = wanted; wanted > 0 && port < wanted + 20; port++) {
            try (java.net.ServerSocket probe = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // try the next one
            }
        }
        try (java.net.ServerSocket any = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return any.getLocalPort();
        } catch (IOException e) {
            throw new StartupException("no free port on 127.0.0.1 for the Flink web UI: " + e.getMessage());
        }
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
