package io.ridescore.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A session cluster of this test's own, started by scripts/cluster: free ports for REST, RPC and
 * Prometheus, logs and PIDs in its own directory, so it neither meets a cluster a user runs on
 * 8081 nor mistakes another test's processes for its own.
 */
public final class SessionCluster implements AutoCloseable {
    private final Path dir;
    private final int restPort;
    private final int rpcPort;
    private final int promBase;
    private final Map<String, String> env;

    private SessionCluster(Path dir, Map<String, String> env) throws IOException {
        this.dir = dir;
        this.env = env;
        this.restPort = freePort();
        this.rpcPort = freePort();
        this.promBase = freePort();
    }

    /** Starts the JobManager and the TaskManagers; {@code settings} are -D key=value for every process. */
    public static SessionCluster start(Path dir, int taskManagers, String... settings) throws Exception {
        return start(dir, Map.of(), taskManagers, settings);
    }

    /** The same, with environment variables for scripts/cluster (e.g. RIDESCORE_CLUSTER_JAVA_OPTS). */
    public static SessionCluster start(Path dir, Map<String, String> env, int taskManagers, String... settings)
            throws Exception {
        SessionCluster cluster = new SessionCluster(dir, env);
        List<String> command =
                new ArrayList<>(List.of("scripts/cluster", "start", "--taskmanagers", "" + taskManagers));
        for (String setting : settings) {
            command.add("-D");
            command.add(setting);
        }
        assertThat(cluster.script(command.toArray(new String[0]))).isZero();
        return cluster;
    }

    public String rest() {
        return "http://127.0.0.1:" + restPort;
    }

    /** The JobManager takes the first Prometheus port, TaskManager i the (i+1)-th. */
    public String prometheus(int taskManager) {
        return "http://127.0.0.1:" + (promBase + taskManager) + "/metrics";
    }

    /** Runs scripts/cluster with this cluster's ports and directory; returns its exit code. */
    public int script(String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        pb.environment()
                .putAll(Map.of(
                        "RIDESCORE_CLUSTER_DIR",
                        dir.toString(),
                        "RIDESCORE_REST_PORT",
                        "" + restPort,
                        "RIDESCORE_RPC_PORT",
                        "" + rpcPort,
                        "RIDESCORE_PROM_PORTS",
                        promBase + "-" + (promBase + 10)));
        pb.environment().putAll(env);
        return pb.start().waitFor();
    }

    /** The PIDs of the processes scripts/cluster started for this cluster and still knows. */
    public List<Long> pids() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Long> pids = new ArrayList<>();
            for (Path f : files.filter(f -> f.toString().endsWith(".pid")).toList()) {
                pids.add(Long.parseLong(Files.readString(f).trim()));
            }
            return pids;
        }
    }

    /** Stops the cluster and checks that none of its processes is left (a zombie has no command any more). */
    @Override
    public void close() throws Exception {
        List<Long> pids = pids();
        assertThat(pids).isNotEmpty();
        assertThat(script("scripts/cluster", "stop")).isZero();
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).flatMap(h -> h.info().command()))
                    .as("process " + pid)
                    .isEmpty();
        }
        assertThat(pids()).isEmpty();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
