package io.ridescore.tools;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Options shared by the tools; the job's own options live in {@link io.ridescore.config.RideScoreOptions}. */
final class ToolOptions {
    private ToolOptions() {}

    static final ConfigOption<String> MONTHS = ConfigOptions.key("months").stringType().noDefaultValue()
            .withDescription("Months: YYYY-MM, YYYY-MM..YYYY-MM or a comma list.");
    static final ConfigOption<Integer> ROWS = ConfigOptions.key("rows").intType().defaultValue(65_000)
            .withDescription("Rides per generated month (up to 3,000,000).");
    static final ConfigOption<Long> SEED = ConfigOptions.key("seed").longType().defaultValue(42L)
            .withDescription("Seed of the generated city and rides; the same seed gives the same files.");
    static final ConfigOption<String> TRAIN_MONTH = ConfigOptions.key("month").stringType().defaultValue("2021-01")
            .withDescription("Month to train on (its batch features are computed from it too).");
    static final ConfigOption<String> VALIDATE_MONTH = ConfigOptions.key("validate").stringType().defaultValue("2021-02")
            .withDescription("Month to measure MAE/RMSE on.");
    static final ConfigOption<String> MODEL_OUT = ConfigOptions.key("out").stringType()
            .defaultValue("pmml/ride_duration.pmml").withDescription("PMML file to write; the model card goes beside it (.md).");
}
