package io.ridescore.run;

import io.ridescore.config.Mode;
import io.ridescore.config.RideScoreOptions;
import io.ridescore.config.StartupException;
import io.ridescore.config.StateBackend;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.client.program.StreamContextEnvironment;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.ResourceManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.SecurityOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Where the job runs: the cluster it was submitted to, or else a local mini cluster with the Flink
 * web UI. {@code attached} says whether this process can follow the job to its end (a REST or
 * {@code flink run -d} submission cannot); {@code restUrl} is where its metrics answer, or null.
 */
public record JobEnvironment(StreamExecutionEnvironment env, boolean attached, String restUrl, LocalCluster local) {
    /**
     * A bounded run's sinks per subtask: its predictions and the dead letters of at most four stages
     * (validate-event, stream-features, validate-actuals, score). Each commits in a task of its own.
     */
    private static final int SLOTS_PER_BOUNDED_SUBTASK = 5;
    /** What a local cluster gets without a setting (Flink's default for local execution). */
    private static final long LOCAL_MANAGED_MEMORY_MB = 128;
    /** The read pool of a local cluster's blocking exchanges; see {@link #create}. */
    private static final MemorySize LOCAL_BATCH_SHUFFLE_READ = MemorySize.ofMebiBytes(8);

    public static JobEnvironment create(Configuration conf, PrintStream console) {
        Mode mode = conf.get(RideScoreOptions.MODE);
        Configuration flink = new Configuration();
        flink.set(ExecutionOptions.RUNTIME_MODE, mode.runtimeMode);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        LocalCluster local = null;
        String restUrl = null;
        if (env instanceof LocalStreamEnvironment) {
            int port = freePortFrom(conf.get(RideScoreOptions.WEB_UI_PORT));
            flink.set(RestOptions.PORT, port);
            flink.set(RestOptions.BIND_PORT, Integer.toString(port));
            flink.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
            flink.set(DeploymentOptions.TARGET, "local");
            flink.set(DeploymentOptions.ATTACHED, true);
            // Hadoop is on the classpath for Parquet, so Flink would look for Kerberos tokens to hand
            // out (a tenth of a second at every start); one process has no one to hand them to.
            flink.set(SecurityOptions.DELEGATION_TOKENS_ENABLED, false);
            // The slot manager waits 50 ms after a job states what slots it needs, to gather more
            // such changes in a busy cluster; here each wait is only added to the job (at its start,
            // and again when a bounded run's committers ask for slots).
            flink.set(ResourceManagerOptions.REQUIREMENTS_CHECK_DELAY, Duration.ZERO);
            // Running accumulators and metrics reach the client with heartbeats: frequent ones keep progress live.
            flink.set(HeartbeatManagerOptions.HEARTBEAT_INTERVAL, Duration.ofSeconds(1));
            flink.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofSeconds(1));
            // A slot per parallel subtask: with fewer, a bounded run schedules its subtasks one after
            // another. A bounded run's sinks commit in tasks of their own, deployed once the writers
            // are done; with a slot for each, they deploy at once instead of two by two (0.19 -> 0.11 s
            // at the end of a month). Managed memory (sorting for batch stream features) is shared
            // out per slot, so it grows with them: each slot keeps the share it had.
            int parallelism = conf.get(RideScoreOptions.PARALLELISM);
            int slots = mode.runtimeMode == RuntimeExecutionMode.BATCH
                    ? parallelism * SLOTS_PER_BOUNDED_SUBTASK
                    : parallelism;
            flink.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
            flink.set(
                    TaskManagerOptions.MANAGED_MEMORY_SIZE,
                    MemorySize.ofMebiBytes(LOCAL_MANAGED_MEMORY_MB * slots / parallelism));
            if (mode.runtimeMode == RuntimeExecutionMode.BATCH) {
                // A bounded run's blocking exchanges are read from a pool Flink allocates and zeroes
                // when the first one is set up, in a task's start (64 MB: 50 ms of a 65k-ride month).
                // Here they carry the sinks' committables and, with stream features, a month's rides.
                flink.set(TaskManagerOptions.NETWORK_BATCH_SHUFFLE_READ_MEMORY, LOCAL_BATCH_SHUFFLE_READ);
            }
            local = LocalCluster.start(flink, slots);
            env = new StreamExecutionEnvironment(
                    local, flink, Thread.currentThread().getContextClassLoader());
            restUrl = "http://127.0.0.1:" + port;
            console.println("Flink web UI: http://localhost:" + port);
        } else {
            restUrl = restUrl(env);
        }
        env.setParallelism(conf.get(RideScoreOptions.PARALLELISM));
        configure(env, conf);
        boolean attached = !(env instanceof StreamContextEnvironment)
                || env.getConfiguration().get(DeploymentOptions.ATTACHED);
        return new JobEnvironment(env, attached, restUrl, local);
    }

    /** For a run that ends before its job starts: a local cluster started for it goes (completes when it has). */
    CompletableFuture<Void> discard() {
        return local == null ? CompletableFuture.completedFuture(null) : local.discard();
    }

    /** The job's own execution settings, for any environment (tests give theirs a MiniCluster's). */
    public static void configure(StreamExecutionEnvironment env, Configuration conf) {
        // Operators only create records and never hold one after passing it on, so reuse is safe
        // and saves a copy per record between chained operators.
        env.getConfig().enableObjectReuse();
        if (conf.get(RideScoreOptions.MODE).runtimeMode == RuntimeExecutionMode.STREAMING) {
            env.enableCheckpointing(
                    conf.get(RideScoreOptions.CHECKPOINT_INTERVAL).toMillis());
            // Fixed, not derived from the parallelism: keyed state restored from a savepoint can be
            // spread over any parallelism up to it, and it must never change for a job.
            env.setMaxParallelism(conf.get(RideScoreOptions.MAX_PARALLELISM));
            Configuration state = new Configuration();
            conf.getOptional(RideScoreOptions.STATE_BACKEND).ifPresent(backend -> {
                state.set(StateBackendOptions.STATE_BACKEND, backend.toString());
                // RocksDB's strength is state larger than memory: then only what changed is uploaded.
                state.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, backend == StateBackend.ROCKSDB);
            });
            conf.getOptional(RideScoreOptions.CHECKPOINT_DIR)
                    .ifPresent(dir -> state.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir));
            conf.getOptional(RideScoreOptions.FROM_SAVEPOINT).ifPresent(savepoint -> {
                state.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
                state.set(
                        StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE,
                        conf.get(RideScoreOptions.ALLOW_NON_RESTORED_STATE));
            });
            env.configure(state);
            // Network buffers otherwise wait up to 100 ms to fill: at tens of events/s, that is the latency.
            env.setBufferTimeout(conf.get(RideScoreOptions.BUFFER_TIMEOUT).toMillis());
        }
    }

    private static String restUrl(StreamExecutionEnvironment env) {
        ReadableConfig c = env.getConfiguration();
        return c.getOptional(RestOptions.ADDRESS)
                .map(a -> "http://" + a + ":" + c.get(RestOptions.PORT))
                .orElse(null);
    }

    /** The web UI's port, or the next free one when it is taken (e.g. by a session cluster on 8081); 0 picks any. */
    private static int freePortFrom(int wanted) {
        for (int port = wanted; wanted > 0 && port < wanted + 20; port++) {
            try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // try the next one
            }
        }
        try (ServerSocket any = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return any.getLocalPort();
        } catch (IOException e) {
            throw new StartupException("no free port on 127.0.0.1 for the Flink web UI: " + e.getMessage());
        }
    }
}
