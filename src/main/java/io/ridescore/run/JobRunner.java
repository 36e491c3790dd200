package io.ridescore.run;

import io.ridescore.Pipeline;
import io.ridescore.event.RunSummary;
import io.ridescore.model.ShadowComparison;
import io.ridescore.sink.MonthErrors;
import io.ridescore.sink.MonthReport;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;

import java.io.PrintStream;

/** Starts a checked job and follows it; a bounded month is then published with its report. */
public final class JobRunner {
    private JobRunner() {}

    /** A submitted job, with what its caller needs to follow it. */
    public record Started(JobClient client, Preflight.Plan plan, JobEnvironment environment, long startedNanos) {}

    /** Checks everything, builds the graph and submits it; returns at once (online jobs never end by themselves). */
    public static Started start(Configuration conf, PrintStream console) throws Exception {
        JobEnvironment environment = JobEnvironment.create(conf, console);
        try {
            Preflight.Plan plan = Preflight.check(conf, environment.attached());
            plan.output().prepare(console);
            Pipeline.build(environment.env(), plan.settings(), plan.input(), plan.output());
            console.println(plan.startLine());
            long started = System.nanoTime();
            return new Started(environment.env().executeAsync(plan.jobName()), plan, environment, started);
        } catch (Exception | Error e) {
            environment.discard();
            throw e;
        }
    }

    /** Runs a job to its end and returns its counts. */
    public static RunSummary run(Configuration conf, PrintStream console) throws Exception {
        return finish(start(conf, console), console);
    }

    public static RunSummary finish(Started job, PrintStream console) throws Exception {
        Preflight.Plan plan = job.plan();
        if (plan.month() != null) {
            MonthReport.warmUp();
        }
        if (plan.totalRows() < 0) {
            console.println("online job " + job.client().getJobID() + " running: reading "
                    + plan.input().describe() + ", writing " + plan.output().describe() + "; Ctrl-C stops it");
        }
        JobExecutionResult result = new JobFollower(
                        job.client(), plan.totalRows(), job.environment().restUrl(), console, job.startedNanos())
                .follow();
        RunSummary summary = RunSummary.fromAccumulators(result.getAllAccumulatorResults(), result.getNetRuntime());
        console.printf(
                "done: job ran %.1f s (%.0f rows/s); %.1f s with cluster start%n",
                summary.netRuntimeMillis() / 1e3,
                summary.rowsPerSecond(),
                (System.nanoTime() - job.startedNanos()) / 1e9);
        MonthErrors.Totals errors = result.getAccumulatorResult(MonthErrors.NAME);
        ShadowComparison.Totals shadow = result.getAccumulatorResult(ShadowComparison.NAME);
        if (plan.month() != null && plan.month().publish(plan.jobName(), summary, errors, shadow)) {
            console.printf(
                    "MAE %.3f min, RMSE %.3f min over %,d scored rides; report: %s%n",
                    errors.mae(),
                    errors.rmse(),
                    errors.rides(),
                    plan.month().output().resolve(MonthReport.MARKDOWN));
            console.println("predictions:  " + plan.month().output());
            console.println("dead letters: " + plan.month().deadLetters());
        } else {
            console.println("output: " + plan.output().describe());
        }
        if (shadow != null) {
            shadow.pairs().forEach((pair, figures) -> console.println("shadow " + pair + ": " + figures.verdict()));
        }
        console.println(summary.line());
        return summary;
    }
}
