package io.ridescore.tools;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * Savepoints of a running job on a session cluster, through its REST API: {@code savepoint} takes
 * one and leaves the job running; {@code stop --savepoint} stops the job with one (the upgrade and
 * rescale path: {@code submit --from-savepoint PATH [--parallelism N]}); {@code stop} alone cancels.
 */
final class SavepointCommand implements Command {
    static final ConfigOption<String> JOB = ConfigOptions.key("job")
            .stringType()
            .noDefaultValue()
            .withDescription("Job ID. Default: the one running ridescore job on the cluster.");
    static final ConfigOption<String> DIR = ConfigOptions.key("dir")
            .stringType()
            .noDefaultValue()
            .withDescription("Where the savepoint goes (file:///..., s3://...). Default: the cluster's"
                    + " execution.checkpointing.savepoint-dir (flink-conf/config.yaml).");
    static final ConfigOption<Boolean> SAVEPOINT = ConfigOptions.key("savepoint")
            .booleanType()
            .defaultValue(false)
            .withDescription("stop: stop with a savepoint (nothing in flight is lost) instead of cancelling.");

    private final boolean stop;

    private SavepointCommand(boolean stop) {
        this.stop = stop;
    }

    static SavepointCommand savepoint() {
        return new SavepointCommand(false);
    }

    static SavepointCommand stop() {
        return new SavepointCommand(true);
    }

    @Override
    public String name() {
        return stop ? "stop" : "savepoint";
    }

    @Override
    public String summary() {
        return stop
                ? "Stops a running job on a cluster: with --savepoint, stop-with-savepoint (then submit --from-savepoint)."
                : "Takes a savepoint of a running job on a cluster; the job keeps running.";
    }

    @Override
    public List<ConfigOption<?>> options() {
        return stop ? List.of(ToolOptions.CLUSTER, JOB, SAVEPOINT, DIR) : List.of(ToolOptions.CLUSTER, JOB, DIR);
    }

    @Override
    public int run(Configuration conf) throws Exception {
        FlinkRestClient rest = SubmitCommand.cluster(conf);
        String jobId = conf.getOptional(JOB).orElseGet(() -> {
            try {
                return rest.runningJob("ridescore");
            } catch (IOException e) {
                throw new IllegalArgumentException("cluster " + rest.base() + " does not answer: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
        if (stop && !conf.get(SAVEPOINT)) {
            rest.cancel(jobId);
            System.out.println("job " + jobId + " " + rest.await(jobId, Duration.ofMinutes(2), s -> {}));
            return 0;
        }
        long started = System.nanoTime();
        System.out.printf(
                "%s job %s on %s ...%n",
                stop ? "stopping with a savepoint" : "taking a savepoint of", jobId, rest.base());
        String location = rest.savepoint(jobId, conf.getOptional(DIR).orElse(null), stop, Duration.ofMinutes(10));
        System.out.printf("savepoint: %s (%.1f s)%n", location, (System.nanoTime() - started) / 1e9);
        if (stop) {
            System.out.println("job " + jobId + " " + rest.await(jobId, Duration.ofMinutes(2), s -> {}));
            System.out.println("resume with: scripts/submit --from-savepoint " + location + " <the job's options>"
                    + " [--parallelism N]");
        }
        return 0;
    }
}
