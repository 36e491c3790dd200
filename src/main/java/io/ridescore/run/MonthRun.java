package io.ridescore.run;

import io.ridescore.config.RideScoreOptions;
import io.ridescore.config.TaxiType;
import io.ridescore.event.RunSummary;
import io.ridescore.model.ShadowComparison;
import io.ridescore.sink.MonthErrors;
import io.ridescore.sink.MonthPublisher;
import io.ridescore.sink.MonthReport;
import io.ridescore.sink.ParquetRideOutput;
import org.apache.flink.configuration.Configuration;

import java.io.IOException;
import java.nio.file.Path;

/**
 * One batch month written as a unit: the job writes to staging directories beside the month's
 * final ones, and only a run whose counts add up is published, with its report and a
 * {@code _SUCCESS} marker. Shared by {@code score} and {@code backfill}, locally and on a cluster;
 * the report is built from the job's own totals, so it names the model versions that scored.
 */
public final class MonthRun {
    private final Path output;
    private final Path deadLetters;
    private final TaxiType taxiType;
    private final boolean challenger;

    private MonthRun(Path output, Path deadLetters, TaxiType taxiType, boolean challenger) {
        this.output = output;
        this.deadLetters = deadLetters;
        this.taxiType = taxiType;
        this.challenger = challenger;
    }

    public static MonthRun of(Configuration conf) {
        return new MonthRun(
                Path.of(RideScoreOptions.output(conf)),
                Path.of(RideScoreOptions.deadLetters(conf)),
                conf.get(RideScoreOptions.TAXI_TYPE),
                conf.getOptional(RideScoreOptions.CHALLENGER).isPresent());
    }

    public Path output() {
        return output;
    }

    public Path deadLetters() {
        return deadLetters;
    }

    public boolean isComplete() {
        return MonthPublisher.isComplete(output);
    }

    /** Where the job writes; its {@code prepare} empties the staging directories an interrupted run left behind. */
    public ParquetRideOutput stagedOutput() {
        return new ParquetRideOutput(
                MonthPublisher.staging(output).toString(),
                MonthPublisher.staging(deadLetters).toString(),
                taxiType,
                challenger);
    }

    /** A job's options that write to staging and leave publishing to this side: for a cluster that runs it detached. */
    public Configuration stagedJob(Configuration conf) throws IOException {
        MonthPublisher.clearStaging(output);
        MonthPublisher.clearStaging(deadLetters);
        Configuration job = conf.clone();
        // The JobManager runs main in its own working directory.
        job.set(
                RideScoreOptions.OUTPUT,
                MonthPublisher.staging(output).toAbsolutePath().toString());
        job.set(
                RideScoreOptions.DEAD_LETTERS,
                MonthPublisher.staging(deadLetters).toAbsolutePath().toString());
        job.set(RideScoreOptions.PUBLISH, false);
        return job;
    }

    /** Writes the report and publishes the month; a run whose counts do not add up stays in staging. */
    /** @param shadow the comparison with a challenger, or null without one */
    public boolean publish(String title, RunSummary summary, MonthErrors.Totals errors, ShadowComparison.Totals shadow)
            throws IOException {
        if (!summary.addsUp()) {
            return false;
        }
        MonthReport.write(MonthPublisher.staging(output), title, summary, errors, shadow);
        MonthPublisher.publish(deadLetters, summary.json());
        MonthPublisher.publish(output, summary.json());
        return true;
    }
}
