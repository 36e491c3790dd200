package io.ridescore.tools;

import io.ridescore.config.Mode;
import io.ridescore.config.Months;
import io.ridescore.config.RideScoreOptions;
import io.ridescore.event.RunSummary;
import io.ridescore.model.ShadowComparison;
import io.ridescore.run.JobRunner;
import io.ridescore.run.MonthRun;
import io.ridescore.sink.MonthErrors;
import io.ridescore.sink.MonthPublisher;
import io.ridescore.sink.MonthReport;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Scores months in order, one bounded job per month, locally or on a cluster. A month with a
 * {@code _SUCCESS} marker is skipped unless --force; each month is written to staging and published
 * atomically with its report; a failing month is reported with its reason and the exit code is 1.
 * With no month given, the month before this one is scored: the reference's monthly schedule.
 */
final class BackfillCommand implements Command {
    static final ConfigOption<String> FROM = ConfigOptions.key("from")
            .stringType()
            .noDefaultValue()
            .withDescription("First month, YYYY-MM. Default: the month before this one.");
    static final ConfigOption<String> TO = ConfigOptions.key("to")
            .stringType()
            .noDefaultValue()
            .withDescription("Last month, YYYY-MM. Default: --from.");
    static final ConfigOption<Boolean> FORCE = ConfigOptions.key("force")
            .booleanType()
            .defaultValue(false)
            .withDescription("Score months that are already complete again.");

    @Override
    public String name() {
        return "backfill";
    }

    @Override
    public String summary() {
        return "Scores months in order (batch), skipping complete ones, publishing each atomically; --cluster runs them on a cluster.";
    }

    @Override
    public List<ConfigOption<?>> options() {
        return List.of(
                FROM,
                TO,
                FORCE,
                ToolOptions.CLUSTER,
                RideScoreOptions.TAXI_TYPE,
                RideScoreOptions.DATA_DIR,
                RideScoreOptions.FEATURES,
                RideScoreOptions.MODEL,
                RideScoreOptions.MODEL_FALLBACK,
                RideScoreOptions.MLFLOW_TRACKING_URI,
                RideScoreOptions.MODEL_VERSION,
                RideScoreOptions.MODEL_CACHE,
                RideScoreOptions.STREAM_FEATURES,
                RideScoreOptions.PARALLELISM);
    }

    @Override
    public int run(Configuration conf) throws Exception {
        YearMonth from = conf.getOptional(FROM)
                .map(YearMonth::parse)
                .orElse(YearMonth.now().minusMonths(1));
        YearMonth to = conf.getOptional(TO).map(YearMonth::parse).orElse(from);
        List<YearMonth> months = Months.parse(from + ".." + to);
        List<String> failures = new ArrayList<>();
        int scored = 0;
        int skipped = 0;
        FlinkRestClient cluster =
                conf.getOptional(ToolOptions.CLUSTER).map(FlinkRestClient::new).orElse(null);
        for (YearMonth month : months) {
            Configuration m = conf.clone();
            m.set(RideScoreOptions.MODE, Mode.BATCH);
            m.set(RideScoreOptions.MONTH, month.toString());
            MonthRun run = MonthRun.of(m);
            if (run.isComplete() && !conf.get(FORCE)) {
                System.out.printf(
                        "%s: complete (%s), skipped%n", month, run.output().resolve(MonthPublisher.SUCCESS));
                skipped++;
                continue;
            }
            long started = System.nanoTime();
            try {
                RunSummary summary = cluster != null
                        ? onCluster(cluster, m, run, month)
                        : JobRunner.run(m, new PrintStream(new ByteArrayOutputStream()));
                if (!summary.addsUp()) {
                    throw new IllegalStateException("counts do not add up: " + summary.line());
                }
                System.out.printf(
                        "%s: scored in %.1f s, %s%n", month, (System.nanoTime() - started) / 1e9, summary.line());
                scored++;
            } catch (Exception e) {
                String reason = e.getMessage() == null
                        ? e.toString()
                        : e.getMessage().lines().findFirst().orElse("");
                System.out.printf("%s: FAILED: %s%n", month, reason);
                failures.add(month + ": " + reason);
            }
        }
        System.out.printf(
                "backfill %s..%s: %d scored, %d skipped, %d failed%n", from, to, scored, skipped, failures.size());
        failures.forEach(f -> System.out.println("  failed " + f));
        return failures.isEmpty() ? 0 : 1;
    }

    /**
     * One month on a cluster: the job writes to staging, this side publishes once it has FINISHED.
     * The checks run where the job does, in the JobManager's run of its main (they refuse the job
     * with their own lines, see {@link FlinkRestClient#run}), not twice.
     */
    private static RunSummary onCluster(FlinkRestClient rest, Configuration m, MonthRun run, YearMonth month)
            throws Exception {
        String jobId = SubmitCommand.submit(rest, SubmitCommand.jobArgs(run.stagedJob(m)));
        System.out.printf("%s: job %s on %s%n", month, jobId, rest.base());
        // The client waits while the cluster works: the report's plot gets ready meanwhile.
        MonthReport.warmUp();
        String state = rest.await(jobId, Duration.ofHours(6), s -> {});
        if (!state.equals("FINISHED")) {
            throw new IllegalStateException("job " + jobId + " " + state + ": " + rest.failure(jobId));
        }
        Map<String, Object> accumulators = rest.accumulators(jobId);
        RunSummary summary = RunSummary.fromAccumulators(accumulators, 0);
        run.publish(
                "ridescore batch " + month,
                summary,
                MonthErrors.Totals.parse(String.valueOf(accumulators.get(MonthErrors.NAME))),
                accumulators.containsKey(ShadowComparison.NAME)
                        ? ShadowComparison.Totals.parse(String.valueOf(accumulators.get(ShadowComparison.NAME)))
                        : null);
        return summary;
    }
}
