package io.ridescore.run;

import io.ridescore.config.Mode;
import io.ridescore.config.RideScoreOptions;
import io.ridescore.config.StartupException;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every check runs before the job starts, and each failure is one line saying what to do. */
class PreflightTest {
    @TempDir
    Path dir;

    @Test
    void everyFailureIsFoundAndEachIsOneLine() {
        Configuration conf = new Configuration();
        conf.set(RideScoreOptions.MODE, Mode.BATCH);
        conf.set(RideScoreOptions.DATA_DIR, dir.toString());
        conf.set(RideScoreOptions.MONTH, "2030-01");
        conf.set(RideScoreOptions.MODEL, dir.resolve("missing.pmml").toString());
        conf.set(RideScoreOptions.PICKUP_NOT_BEFORE, "yesterday");
        assertThatThrownBy(() -> Preflight.check(conf, true))
                .isInstanceOf(StartupException.class)
                .extracting(Throwable::getMessage)
                .satisfies(message -> assertThat(message.lines().toList())
                        .containsExactly(
                                "--pickup-not-before must be ISO-8601 local time, e.g. 2000-01-01T00:00, not 'yesterday'",
                                "input not found: " + dir.resolve("raw/green_tripdata_2030-01.parquet")
                                        + " (generate a month with: scripts/ridescore datagen --months YYYY-MM)",
                                "model not found: " + dir.resolve("missing.pmml"),
                                "batch feature table not found: " + dir.resolve("features/batch_features.parquet")
                                        + " (build one with: scripts/ridescore features --months YYYY-MM)"));
    }

    @Test
    void anOnlineModeNamesAnUnreachableStreamAndHowToStartTheLocalOne() {
        Configuration conf = new Configuration();
        conf.set(RideScoreOptions.MODE, Mode.ONLINE);
        conf.set(RideScoreOptions.KINESIS_ENDPOINT, "http://127.0.0.1:1");
        conf.set(RideScoreOptions.MODEL, "pmml/ride_duration.pmml");
        conf.set(RideScoreOptions.FEATURES, dir.resolve("none.parquet").toString());
        conf.set(RideScoreOptions.PICKUP_NOT_BEFORE, "not-a-time");
        assertThatThrownBy(() -> Preflight.check(conf, true))
                .isInstanceOf(StartupException.class)
                .extracting(Throwable::getMessage)
                .satisfies(
                        message -> assertThat(message.lines().toList())
                                .hasSize(4)
                                .first()
                                .isEqualTo(
                                        "--pickup-not-before must be ISO-8601 local time, e.g. 2000-01-01T00:00, not 'not-a-time'"))
                .satisfies(message -> assertThat(message.lines().toList().subList(1, 4))
                        .satisfiesExactly(
                                line -> assertThat(line)
                                        .startsWith("Kinesis stream 'ride_events' is not reachable at"
                                                + " http://127.0.0.1:1")
                                        .endsWith("(start the local one with: scripts/kinesis-local start)"),
                                line -> assertThat(line).startsWith("batch feature table not found: "),
                                line -> assertThat(line)
                                        .startsWith("Kinesis stream 'ride_predictions' is not reachable")));
    }

    /** A challenger that cannot be loaded, or that needs what the mode does not compute, stops the run before it starts. */
    @Test
    void aChallengerIsCheckedLikeTheModelAndNamedAsTheChallenger() {
        Configuration conf = new Configuration();
        conf.set(RideScoreOptions.MODE, Mode.BATCH);
        conf.set(RideScoreOptions.DATA_DIR, dir.toString());
        conf.set(RideScoreOptions.MONTH, "2030-01");
        conf.set(RideScoreOptions.MODEL, "pmml/ride_duration.pmml");
        conf.set(RideScoreOptions.CHALLENGER, "pmml/ride_duration_stream.pmml");
        assertThatThrownBy(() -> Preflight.check(conf, true))
                .isInstanceOf(StartupException.class)
                .extracting(Throwable::getMessage)
                .satisfies(message -> assertThat(message.lines().toList())
                        .contains("challenger: model ride_duration_prediction_model needs input field"
                                + " 'pu_pickups_15m', a stream feature: run with stream features on"
                                + " (--mode online-stream or --stream-features true)"));

        conf.set(RideScoreOptions.CHALLENGER, dir.resolve("missing.pmml").toString());
        assertThatThrownBy(() -> Preflight.check(conf, true))
                .extracting(Throwable::getMessage)
                .satisfies(message -> assertThat(message.lines().toList())
                        .contains("challenger: model not found: "
                                + dir.resolve("missing.pmml").toAbsolutePath()));
    }
}
