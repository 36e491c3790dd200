package io.ridescore.run;

import io.ridescore.event.RunSummary;
import io.ridescore.model.Agreement;
import io.ridescore.model.ShadowComparison;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.core.execution.JobClient;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Follows a job to its end, printing a progress line as it goes: for a bounded job every 2 s, what
 * has been read of the rows it holds; for an unbounded one every 10 s, what the sinks had accepted
 * (delivered), so a stuck sink shows as pending, and with a challenger how far the two models agree.
 */
public final class JobFollower {
    private final JobClient client;
    private final long totalRows;
    private final JobMetrics metrics;
    private final PrintStream console;
    private final long startedNanos;
    private ShadowComparison.Totals lastShadow;

    /** @param totalRows rows of a bounded input, or -1 for a stream (then progress comes from the REST metrics) */
    public JobFollower(JobClient client, long totalRows, String restUrl, PrintStream console, long startedNanos) {
        this.client = client;
        this.totalRows = totalRows;
        this.metrics = totalRows < 0 && restUrl != null ? new JobMetrics(restUrl) : null;
        this.console = console;
        this.startedNanos = startedNanos;
    }

    public JobExecutionResult follow() throws InterruptedException {
        CompletableFuture<JobExecutionResult> result = client.getJobExecutionResult();
        while (true) {
            try {
                return result.get(every().toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException stillRunning) {
                printProgress();
            } catch (ExecutionException e) {
                throw new IllegalStateException("job " + client.getJobID() + " failed: " + rootMessage(e), e);
            }
        }
    }

    private Duration every() {
        return totalRows < 0 ? Duration.ofSeconds(10) : Duration.ofSeconds(2);
    }

    private void printProgress() throws InterruptedException {
        try {
            if (totalRows >= 0) {
                Map<String, Object> acc = client.getAccumulators().get(5, TimeUnit.SECONDS);
                RunSummary now = RunSummary.fromAccumulators(acc, 0);
                double seconds = (System.nanoTime() - startedNanos) / 1e9;
                console.printf(
                        "progress: in=%d/%d (%.0f%%) scored=%d dead_lettered=%d, %.0f records/s%n",
                        now.in(),
                        totalRows,
                        totalRows == 0 ? 100.0 : 100.0 * now.in() / totalRows,
                        now.scored(),
                        now.deadLettered(),
                        now.in() / seconds);
            } else if (metrics != null) {
                String jobId = client.getJobID().toString();
                RunSummary now = metrics.counts(jobId);
                console.printf(
                        "progress: in=%d delivered=%d dead_lettered=%d pending=%d restarts=%d%s%n",
                        now.in(),
                        now.scored(),
                        now.deadLettered(),
                        now.in() - now.scored() - now.deadLettered(),
                        metrics.restarts(jobId),
                        now.deadLetteredByReason().isEmpty() ? "" : " " + now.deadLetteredByReason());
            }
        } catch (ExecutionException | TimeoutException | IOException | RuntimeException notYetAvailable) {
            // the counts answer once the job is deployed
        }
        if (totalRows < 0) {
            try {
                printShadow();
            } catch (ExecutionException | TimeoutException | RuntimeException notYetAvailable) {
                // as above
            }
        }
    }

    /**
     * With a challenger: per model pair, how far the two agreed over the last interval (the
     * difference of two snapshots of the job's running totals) and over the whole run.
     */
    private void printShadow() throws InterruptedException, ExecutionException, TimeoutException {
        Object value = client.getAccumulators().get(5, TimeUnit.SECONDS).get(ShadowComparison.NAME);
        if (value == null) {
            return;
        }
        ShadowComparison.Totals now =
                value instanceof ShadowComparison.Totals t ? t : ShadowComparison.Totals.parse(String.valueOf(value));
        now.pairs().forEach((name, pair) -> {
            ShadowComparison.Pair before =
                    lastShadow == null ? null : lastShadow.pairs().get(name);
            Agreement recent = pair.agreementSince(before);
            console.printf(
                    "shadow %s: last %ds %s; whole run %s; challenger refused %d%s%s%n",
                    name,
                    every().toSeconds(),
                    recent.describe(),
                    pair.agreement().describe(),
                    pair.challengerRefusedTotal(),
                    pair.challengerRefused().isEmpty() ? "" : " " + pair.challengerRefused(),
                    // Events that carry their dropoff (a replayed month) say which model is closer to it.
                    pair.challengerErrors().rides() == 0 ? "" : "; " + pair.verdict());
        });
        lastShadow = now;
    }

    /** The innermost message of a failure: Flink wraps the user's cause several levels deep. */
    public static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
