package io.ridescore.config;

import io.ridescore.event.RideEventParser;
import io.ridescore.model.ModelSpec;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * Every option of the scoring job, typed, with its default, in one place. The command-line names
 * are the option keys ({@code --month 2021-02}). Paths left unset are derived from
 * {@link #DATA_DIR}, the taxi type and the month by the resolvers below, never elsewhere.
 */
public final class RideScoreOptions {
    private RideScoreOptions() {}

    public static final ConfigOption<Mode> MODE = ConfigOptions.key("mode")
            .enumType(Mode.class)
            .defaultValue(Mode.BATCH)
            .withDescription("Execution mode: batch, online or online-stream.");
    public static final ConfigOption<String> MONTH = ConfigOptions.key("month")
            .stringType()
            .noDefaultValue()
            .withDescription("Month, YYYY-MM: the one to score (it names the default input and output paths),"
                    + " or for train the one to train on (then default 2021-01).");
    public static final ConfigOption<TaxiType> TAXI_TYPE = ConfigOptions.key("taxi-type")
            .enumType(TaxiType.class)
            .defaultValue(TaxiType.GREEN)
            .withDescription("TLC taxi type: green (lpep_*) or yellow (tpep_*).");
    public static final ConfigOption<String> DATA_DIR = ConfigOptions.key("data-dir")
            .stringType()
            .defaultValue("data")
            .withDescription("Root of the default input, feature and output paths.");
    public static final ConfigOption<String> INPUT = ConfigOptions.key("input")
            .stringType()
            .noDefaultValue()
            .withDescription("TLC Parquet file or directory. Default: <data-dir>/raw/<taxi>_tripdata_<month>.parquet");
    public static final ConfigOption<String> OUTPUT = ConfigOptions.key("output")
            .stringType()
            .noDefaultValue()
            .withDescription(
                    "Prediction directory. Default: <data-dir>/predictions/taxi_type=<taxi>/year=YYYY/month=MM");
    public static final ConfigOption<String> DEAD_LETTERS = ConfigOptions.key("dead-letters")
            .stringType()
            .noDefaultValue()
            .withDescription(
                    "Dead-letter directory (JSON lines). Default: <data-dir>/dead_letters/taxi_type=<taxi>/year=YYYY/month=MM");
    public static final ConfigOption<String> FEATURES = ConfigOptions.key("features")
            .stringType()
            .noDefaultValue()
            .withDescription("Batch feature table (Parquet). Default: <data-dir>/features/batch_features.parquet");
    public static final ConfigOption<String> MODEL = ConfigOptions.key("model")
            .stringType()
            .noDefaultValue()
            .withDescription(
                    "PMML model: a path, file://, s3://<bucket>/<key>, http(s)://, models:/<name>/<stage or version>"
                            + " or runs:/<run_id>/<path> (MLflow). Default: env MODEL_LOCATION, else pmml/ride_duration.pmml,"
                            + " or pmml/ride_duration_stream.pmml when stream features are on.");
    public static final ConfigOption<String> MODEL_FALLBACK = ConfigOptions.key("model-fallback")
            .stringType()
            .noDefaultValue()
            .withDescription(
                    "Model URI tried when the registry cannot be reached." + " Default: env MODEL_FALLBACK_LOCATION.");
    public static final ConfigOption<String> MLFLOW_TRACKING_URI = ConfigOptions.key("mlflow-tracking-uri")
            .stringType()
            .noDefaultValue()
            .withDescription("MLflow tracking server for models:/ and runs:/ URIs. Default: env MLFLOW_TRACKING_URI.");
    public static final ConfigOption<String> S3_ENDPOINT = ConfigOptions.key("s3-endpoint")
            .stringType()
            .noDefaultValue()
            .withDescription(
                    "Endpoint of an S3-compatible store for s3:// model URIs (MinIO, Ceph, ...)."
                            + " Default: env MLFLOW_S3_ENDPOINT_URL, else AWS (credentials and region from the default chains).");
    public static final ConfigOption<String> MODEL_VERSION = ConfigOptions.key("model-version")
            .stringType()
            .noDefaultValue()
            .withDescription(
                    "Model version reported with every prediction. Default: env RUN_ID, else the PMML header's modelVersion.");
    public static final ConfigOption<Duration> MODEL_POLL_INTERVAL = ConfigOptions.key("model-poll-interval")
            .durationType()
            .defaultValue(Duration.ofSeconds(30))
            .withDescription("Online modes: how often the model URI"
                    + " (file, URL or registry stage) is checked for a new release, which goes live without a restart;"
                    + " 0 turns it off. Batch runs keep the model they started with.");
    public static final ConfigOption<String> MODEL_CACHE = ConfigOptions.key("model-cache")
            .stringType()
            .defaultValue(System.getProperty("user.home") + "/.cache/ridescore/models")
            .withDescription(
                    "Directory where parsed models are kept by content hash, so that a model is parsed"
                            + " once per machine rather than once per run (a large PMML takes about a second); empty keeps none.");
    public static final ConfigOption<String> CHALLENGER = ConfigOptions.key("challenger")
            .stringType()
            .noDefaultValue()
            .withDescription("A second model scored in shadow on every ride (a model URI as for --model, polled and"
                    + " swapped like it): its predictions go to the shadow stream online and to challenger_* columns"
                    + " in batch, and the two models are compared live; the serving outputs do not change.");
    public static final ConfigOption<Boolean> PUBLISH = ConfigOptions.key("publish")
            .booleanType()
            .defaultValue(true)
            .withDescription("Batch: write into a hidden staging directory and publish the month atomically at the end,"
                    + " with _SUCCESS and a report (needs an attached run; detached submissions write in place).");
    public static final ConfigOption<Integer> PARALLELISM = ConfigOptions.key("parallelism")
            .intType()
            .defaultValue(2)
            .withDescription("Parallelism of the scoring operators.");
    public static final ConfigOption<Integer> WEB_UI_PORT = ConfigOptions.key("web-ui-port")
            .intType()
            .defaultValue(8081)
            .withDescription("Port of the Flink web UI of the local mini cluster.");

    public static final ConfigOption<Scorer> SCORER = ConfigOptions.key("scorer")
            .enumType(Scorer.class)
            .defaultValue(Scorer.AUTO)
            .withDescription("auto: the compiled fast path where the model allows it, jpmml-evaluator otherwise;"
                    + " jpmml: always the reference evaluator.");
    public static final ConfigOption<Boolean> STREAM_FEATURES = ConfigOptions.key("stream-features")
            .booleanType()
            .noDefaultValue()
            .withDescription("Compute windowed stream features. Default: on in online-stream, off otherwise.");
    public static final ConfigOption<Duration> OUT_OF_ORDERNESS = ConfigOptions.key("out-of-orderness")
            .durationType()
            .defaultValue(Duration.ofMillis(500))
            .withDescription(
                    "How far pickup times may arrive out of order; the stream features wait this long (in event time).");
    public static final ConfigOption<Duration> QUIET_FLUSH = ConfigOptions.key("quiet-flush")
            .durationType()
            .defaultValue(Duration.ofSeconds(1))
            .withDescription("When no ride has arrived for this long (wall clock),"
                    + " the stream features stop waiting for out-of-order rides and process what they hold.");
    public static final ConfigOption<Duration> STALL_WARNING = ConfigOptions.key("stall-warning")
            .durationType()
            .defaultValue(Duration.ofSeconds(30))
            .withDescription("A WARN is logged when rides have waited this long"
                    + " (wall clock) in the stream features for the watermark.");
    public static final ConfigOption<String> PICKUP_NOT_BEFORE = ConfigOptions.key("pickup-not-before")
            .stringType()
            .defaultValue("2000-01-01T00:00")
            .withDescription("Events picked up earlier are refused (implausible_pickup_time).");
    public static final ConfigOption<Duration> PICKUP_MAX_AHEAD = ConfigOptions.key("pickup-max-ahead")
            .durationType()
            .defaultValue(Duration.ofDays(1))
            .withDescription(
                    "Events picked up further after their arrival are refused" + " (implausible_pickup_time).");
    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = ConfigOptions.key("checkpoint-interval")
            .durationType()
            .defaultValue(Duration.ofSeconds(10))
            .withDescription("Checkpoint interval of the online modes.");
    public static final ConfigOption<StateBackend> STATE_BACKEND = ConfigOptions.key("state-backend")
            .enumType(StateBackend.class)
            .noDefaultValue()
            .withDescription(
                    "Online modes: where keyed state (the stream features' windows) lives: hashmap (on the heap,"
                            + " fastest while it fits) or rocksdb (on local disk, incremental checkpoints; for state larger than"
                            + " the heap). Default: the cluster's state.backend.type (hashmap).");
    public static final ConfigOption<String> CHECKPOINT_DIR = ConfigOptions.key("checkpoint-dir")
            .stringType()
            .noDefaultValue()
            .withDescription("Online modes: where checkpoints go (file:///..., s3://... with the S3 plugin)."
                    + " Default: the cluster's execution.checkpointing.dir (file:///tmp/ridescore-state/checkpoints).");
    public static final ConfigOption<String> FROM_SAVEPOINT = ConfigOptions.key("from-savepoint")
            .stringType()
            .noDefaultValue()
            .withDescription("Online modes: start from this savepoint (scripts/ridescore savepoint, stop --savepoint);"
                    + " every piece of its state must map to an operator of the job (uids are stable)."
                    + " --parallelism may differ.");
    public static final ConfigOption<Boolean> ALLOW_NON_RESTORED_STATE = ConfigOptions.key("allow-non-restored-state")
            .booleanType()
            .defaultValue(false)
            .withDescription("With --from-savepoint: drop the state of operators the job no longer has (the shadow"
                    + " sink's, once its --challenger is gone), as Flink's --allowNonRestoredState; otherwise such a"
                    + " savepoint is refused.");
    public static final ConfigOption<Integer> MAX_PARALLELISM = ConfigOptions.key("max-parallelism")
            .intType()
            .defaultValue(128)
            .withDescription("The most subtasks keyed state can ever be spread over: a job restored from a savepoint"
                    + " can be rescaled to any parallelism up to it, and it cannot change after the first start.");
    public static final ConfigOption<String> KINESIS_REGION = ConfigOptions.key("kinesis-region")
            .stringType()
            .defaultValue("us-east-1")
            .withDescription("AWS region of the streams.");
    public static final ConfigOption<String> KINESIS_ENDPOINT = ConfigOptions.key("kinesis-endpoint")
            .stringType()
            .noDefaultValue()
            .withDescription("Endpoint override, e.g. http://127.0.0.1:4568 for kinesis-local;"
                    + " unset for AWS (credentials from the default chain).");
    public static final ConfigOption<String> INPUT_STREAM = ConfigOptions.key("input-stream")
            .stringType()
            .defaultValue("ride_events")
            .withDescription("Kinesis stream of ride events.");
    public static final ConfigOption<String> OUTPUT_STREAM = ConfigOptions.key("output-stream")
            .stringType()
            .defaultValue("ride_predictions")
            .withDescription("Kinesis stream of predictions.");
    public static final ConfigOption<String> DEAD_LETTER_STREAM = ConfigOptions.key("dead-letter-stream")
            .stringType()
            .defaultValue("ride_dead_letters")
            .withDescription("Kinesis stream of dead letters.");
    public static final ConfigOption<String> SHADOW_STREAM = ConfigOptions.key("shadow-stream")
            .stringType()
            .defaultValue("ride_predictions_shadow")
            .withDescription("Kinesis stream of the challenger's predictions (with --challenger).");
    public static final ConfigOption<InitialPosition> INITIAL_POSITION = ConfigOptions.key("initial-position")
            .enumType(InitialPosition.class)
            .defaultValue(InitialPosition.LATEST)
            .withDescription("Where a new job starts reading: LATEST or TRIM_HORIZON.");
    public static final ConfigOption<Duration> POLL_INTERVAL = ConfigOptions.key("poll-interval")
            .durationType()
            .defaultValue(Duration.ofMillis(50))
            .withDescription("Kinesis GetRecords interval per shard.");
    public static final ConfigOption<Duration> BUFFER_TIMEOUT = ConfigOptions.key("buffer-timeout")
            .durationType()
            .defaultValue(Duration.ofMillis(5))
            .withDescription("Longest a record waits in a network buffer between"
                    + " operators of the online modes (Flink's default is 100 ms).");
    public static final ConfigOption<Duration> SINK_BUFFER_TIME = ConfigOptions.key("sink-buffer-time")
            .durationType()
            .defaultValue(Duration.ofMillis(10))
            .withDescription("Longest a prediction waits in the Kinesis sink's buffer.");

    public static final List<ConfigOption<?>> ALL = List.of(
            MODE,
            MONTH,
            TAXI_TYPE,
            DATA_DIR,
            INPUT,
            OUTPUT,
            DEAD_LETTERS,
            FEATURES,
            MODEL,
            MODEL_FALLBACK,
            MLFLOW_TRACKING_URI,
            S3_ENDPOINT,
            MODEL_VERSION,
            MODEL_POLL_INTERVAL,
            MODEL_CACHE,
            CHALLENGER,
            SCORER,
            STREAM_FEATURES,
            OUT_OF_ORDERNESS,
            QUIET_FLUSH,
            STALL_WARNING,
            PICKUP_NOT_BEFORE,
            PICKUP_MAX_AHEAD,
            PUBLISH,
            PARALLELISM,
            WEB_UI_PORT,
            CHECKPOINT_INTERVAL,
            STATE_BACKEND,
            CHECKPOINT_DIR,
            MAX_PARALLELISM,
            FROM_SAVEPOINT,
            ALLOW_NON_RESTORED_STATE,
            KINESIS_REGION,
            KINESIS_ENDPOINT,
            INPUT_STREAM,
            OUTPUT_STREAM,
            DEAD_LETTER_STREAM,
            SHADOW_STREAM,
            INITIAL_POSITION,
            POLL_INTERVAL,
            BUFFER_TIMEOUT,
            SINK_BUFFER_TIME);

    /** The plausible pickup times of ride events, from {@link #PICKUP_NOT_BEFORE} and {@link #PICKUP_MAX_AHEAD}. */
    public static RideEventParser.PickupRange pickupRange(Configuration conf) {
        String notBefore = conf.get(PICKUP_NOT_BEFORE);
        try {
            return RideEventParser.PickupRange.of(LocalDateTime.parse(notBefore), conf.get(PICKUP_MAX_AHEAD));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "--pickup-not-before must be ISO-8601 local time, e.g. 2000-01-01T00:00, not '" + notBefore + "'");
        }
    }

    public static boolean streamFeatures(Configuration conf) {
        return conf.getOptional(STREAM_FEATURES).orElse(conf.get(MODE).streamFeatures);
    }

    /** The model options (and their environment variables) as the tasks receive them; batch runs never poll. */
    public static ModelSpec modelSpec(Configuration conf) {
        boolean unbounded = conf.get(MODE).runtimeMode == RuntimeExecutionMode.STREAMING;
        return new ModelSpec(
                model(conf),
                modelFallback(conf),
                mlflowTrackingUri(conf),
                s3Endpoint(conf),
                modelVersionOverride(conf),
                conf.get(SCORER) == Scorer.JPMML,
                unbounded ? conf.get(MODEL_POLL_INTERVAL) : Duration.ZERO,
                conf.get(MODEL_CACHE).isBlank() ? null : conf.get(MODEL_CACHE));
    }

    /** The challenger's model options, or null without one: its own URI, the serving model's registry, store, scorer and polling. */
    public static ModelSpec challengerSpec(Configuration conf) {
        ModelSpec serving = modelSpec(conf);
        return conf.getOptional(CHALLENGER)
                .map(uri -> new ModelSpec(
                        uri,
                        null,
                        serving.trackingUri(),
                        serving.s3Endpoint(),
                        null,
                        serving.forceJpmml(),
                        serving.pollInterval(),
                        serving.parseCache()))
                .orElse(null);
    }

    public static String model(Configuration conf) {
        return conf.getOptional(MODEL)
                .orElseGet(() -> env(
                        "MODEL_LOCATION",
                        streamFeatures(conf) ? "pmml/ride_duration_stream.pmml" : "pmml/ride_duration.pmml"));
    }

    public static String modelFallback(Configuration conf) {
        return conf.getOptional(MODEL_FALLBACK).orElseGet(() -> env("MODEL_FALLBACK_LOCATION", null));
    }

    public static String s3Endpoint(Configuration conf) {
        return conf.getOptional(S3_ENDPOINT).orElseGet(() -> env("MLFLOW_S3_ENDPOINT_URL", null));
    }

    public static String mlflowTrackingUri(Configuration conf) {
        return conf.getOptional(MLFLOW_TRACKING_URI).orElseGet(() -> env("MLFLOW_TRACKING_URI", null));
    }

    private static String env(String name, String otherwise) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? otherwise : value;
    }

    public static YearMonth month(Configuration conf) {
        String month = conf.get(MONTH);
        return month == null ? null : YearMonth.parse(month);
    }

    public static String input(Configuration conf) {
        return conf.getOptional(INPUT)
                .orElseGet(() -> dataDir(conf)
                        .resolve("raw")
                        .resolve(tlcFileName(conf.get(TAXI_TYPE), requireMonth(conf, INPUT)))
                        .toString());
    }

    public static String output(Configuration conf) {
        return conf.getOptional(OUTPUT).orElseGet(() -> monthPartition(conf, "predictions", OUTPUT));
    }

    public static String deadLetters(Configuration conf) {
        return conf.getOptional(DEAD_LETTERS).orElseGet(() -> monthPartition(conf, "dead_letters", DEAD_LETTERS));
    }

    public static String features(Configuration conf) {
        return conf.getOptional(FEATURES)
                .orElseGet(() -> dataDir(conf)
                        .resolve("features")
                        .resolve("batch_features.parquet")
                        .toString());
    }

    /** Version override: the option first, then the RUN_ID environment variable the reference uses. */
    public static String modelVersionOverride(Configuration conf) {
        return conf.getOptional(MODEL_VERSION).orElseGet(() -> System.getenv("RUN_ID"));
    }

    /** The file name TLC publishes a month under, e.g. {@code green_tripdata_2021-01.parquet}. */
    public static String tlcFileName(TaxiType taxiType, YearMonth month) {
        return taxiType + "_tripdata_" + month + ".parquet";
    }

    public static Path dataDir(Configuration conf) {
        return Path.of(conf.get(DATA_DIR));
    }

    private static String monthPartition(Configuration conf, String kind, ConfigOption<String> explicit) {
        YearMonth month = requireMonth(conf, explicit);
        return dataDir(conf)
                .resolve(kind)
                .resolve("taxi_type=" + conf.get(TAXI_TYPE))
                .resolve("year=" + month.getYear())
                .resolve(String.format("month=%02d", month.getMonthValue()))
                .toString();
    }

    private static YearMonth requireMonth(Configuration conf, ConfigOption<String> explicit) {
        YearMonth month = month(conf);
        if (month == null) {
            throw new IllegalArgumentException("give --month YYYY-MM or --" + explicit.key());
        }
        return month;
    }
}
