package io.ridescore;

import io.ridescore.config.CommandLine;
import io.ridescore.config.RideScoreOptions;
import io.ridescore.config.StartupException;
import io.ridescore.event.RunSummary;
import io.ridescore.run.JobRunner;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The scoring job: batch (a Parquet month in, Parquet out), online and online-stream (Kinesis in,
 * Kinesis out), one {@link Pipeline} between the ends. Runs on the cluster it was submitted to, or
 * else on a local mini cluster with the Flink web UI; {@link io.ridescore.run} holds the checks,
 * the environment, the follower and the month's publishing.
 */
public final class RideScoreJob {
    private RideScoreJob() {}

    public static void main(String[] args) throws Exception {
        if (CommandLine.wantsHelp(args)) {
            System.out.print(CommandLine.help(
                    "ridescore score [options]",
                    "Scores rides with a PMML model on Flink:"
                            + " batch (Parquet month in, Parquet out), online and online-stream (Kinesis in, Kinesis out).",
                    RideScoreOptions.ALL));
            return;
        }
        if (!(StreamExecutionEnvironment.getExecutionEnvironment() instanceof LocalStreamEnvironment)) {
            // Submitted to a cluster (flink run, REST): errors go to Flink, and exiting would stop the JobManager.
            Configuration conf = CommandLine.parse(args, RideScoreOptions.ALL);
            JobRunner.Started job = JobRunner.start(conf, System.out);
            if (job.environment().attached()) {
                JobRunner.finish(job, System.out);
            } else {
                System.out.println("submitted job " + job.client().getJobID());
            }
            return;
        }
        try {
            RunSummary summary = JobRunner.run(CommandLine.parse(args, RideScoreOptions.ALL), System.out);
            System.exit(summary.addsUp() ? 0 : 1);
        } catch (CommandLine.UsageException | StartupException | IllegalArgumentException e) {
            e.getMessage().lines().forEach(line -> System.err.println("ridescore: " + line));
            System.exit(2);
        }
    }
}
