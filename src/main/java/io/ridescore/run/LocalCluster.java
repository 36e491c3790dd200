package io.ridescore.run;

import org.apache.flink.client.deployment.executors.LocalExecutor;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.PipelineExecutor;
import org.apache.flink.core.execution.PipelineExecutorFactory;
import org.apache.flink.core.execution.PipelineExecutorServiceLoader;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.RpcServiceSharing;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

/**
 * The local mini cluster, started in the background the moment a local run begins, so that it
 * comes up while the checks before the job run rather than after them: on two cores the two
 * overlap, and a second or so leaves every local command. Jobs reach it through Flink's own local
 * executor, which shuts the cluster down when the job ends, as it does with the cluster it starts.
 */
final class LocalCluster implements PipelineExecutorServiceLoader {
    private final Prestarted cluster;

    private LocalCluster(Prestarted cluster) {
        this.cluster = cluster;
    }

    /** Starts one TaskManager with {@code slots} slots on the given configuration (web UI port included). */
    static LocalCluster start(Configuration flink, int slots) {
        return new LocalCluster(new Prestarted(new MiniClusterConfiguration.Builder()
                .setConfiguration(flink)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(slots)
                .setRpcServiceSharing(RpcServiceSharing.SHARED)
                .build()));
    }

    /**
     * For a run that ends before its job is submitted (a check failed): the cluster goes once it is
     * up, without holding up the caller, who has a failure to report.
     */
    CompletableFuture<Void> discard() {
        return cluster.up.handle((ok, failed) -> null).thenCompose(ignored -> cluster.closeAsync());
    }

    @Override
    public PipelineExecutorFactory getExecutorFactory(Configuration configuration) {
        return new PipelineExecutorFactory() {
            @Override
            public String getName() {
                return "ridescore-local";
            }

            @Override
            public boolean isCompatibleWith(Configuration configuration) {
                return true;
            }

            @Override
            public PipelineExecutor getExecutor(Configuration configuration) {
                return LocalExecutor.createWithFactory(configuration, ignored -> cluster);
            }
        };
    }

    @Override
    public Stream<String> getExecutorNames() {
        return Stream.of("ridescore-local");
    }

    /** A mini cluster whose start began at construction; {@link #start} waits for it to be up. */
    private static final class Prestarted extends MiniCluster {
        private final CompletableFuture<Void> up;

        Prestarted(MiniClusterConfiguration configuration) {
            super(configuration);
            up = CompletableFuture.runAsync(() -> {
                try {
                    startNow();
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
        }

        private void startNow() throws Exception {
            super.start();
        }

        @Override
        public void start() throws Exception {
            try {
                up.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        }
    }
}
