package io.ridescore.tools;

import io.ridescore.config.RideScoreOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Options shared by the tools; the job's own options live in {@link RideScoreOptions}. */
final class ToolOptions {
    private ToolOptions() {}

    static final ConfigOption<String> MONTHS = ConfigOptions.key("months")
            .stringType()
            .noDefaultValue()
            .withDescription("Months: YYYY-MM, YYYY-MM..YYYY-MM or a comma list.");
    static final ConfigOption<Integer> ROWS = ConfigOptions.key("rows")
            .intType()
            .defaultValue(65_000)
            .withDescription("Rides per generated month (up to 3,000,000).");
    static final ConfigOption<Long> SEED = ConfigOptions.key("seed")
            .longType()
            .defaultValue(42L)
            .withDescription("Seed of the generated city and rides; the same seed gives the same files.");
    static final ConfigOption<String> CLUSTER = ConfigOptions.key("cluster")
            .stringType()
            .noDefaultValue()
            .withDescription("REST URL of a Flink 1.20 cluster. submit: default http://127.0.0.1:8081;"
                    + " backfill: without it, months run on the local mini cluster.");
    static final ConfigOption<String> VALIDATE_MONTH = ConfigOptions.key("validate")
            .stringType()
            .defaultValue("2021-02")
            .withDescription("Month to measure MAE/RMSE on.");
    static final ConfigOption<String> OUT = ConfigOptions.key("out")
            .stringType()
            .noDefaultValue()
            .withDescription("File to write. train: the PMML (its model card goes beside it, .md), default"
                    + " pmml/ride_duration.pmml, or pmml/ride_duration_stream.pmml with --stream-features;"
                    + " features: the table, default <data-dir>/features/batch_features.parquet.");
    static final ConfigOption<Integer> ROUNDS = ConfigOptions.key("rounds")
            .intType()
            .defaultValue(3)
            .withDescription("bench-batch: runs of the peer and of ridescore per size, alternated (an odd"
                    + " number); the table gives each one's median run (the machine's speed wanders between runs).");
    static final ConfigOption<String> PEER_MODEL = ConfigOptions.key("peer-model")
            .stringType()
            .noDefaultValue()
            .withDescription("The pickled scikit-learn pipeline the Python peer scores with (--model is its PMML"
                    + " export). bench-batch: default the test exporter's sklearn_dictvectorizer_linear.pkl;"
                    + " bench-stream: unset runs no peer.");
}
