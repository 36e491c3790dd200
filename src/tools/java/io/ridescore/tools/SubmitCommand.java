package io.ridescore.tools;

import io.ridescore.config.RideScoreOptions;
import io.ridescore.event.RunSummary;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Submits the shaded job jar to a Flink cluster through its REST API (as the web UI does) with the
 * scoring job's options; with --wait, follows a batch job to its end and prints its counts.
 */
final class SubmitCommand implements Command {
    static final String LOCAL_CLUSTER = "http://127.0.0.1:8081";
    static final ConfigOption<Boolean> WAIT = ConfigOptions.key("wait")
            .booleanType()
            .defaultValue(false)
            .withDescription("Wait for the job to end (batch) and print its counts.");
    static final String JAR = "target/ridescore-job.jar";
    /** The job jar without the libraries a cluster started by scripts/cluster serves itself (cut by package). */
    static final String THIN_JAR = "target/ridescore-job-thin.jar";

    private static final Set<String> PATH_OPTIONS =
            Set.of("input", "output", "dead-letters", "features", "model", "model-fallback", "data-dir", "model-cache");

    @Override
    public String name() {
        return "submit";
    }

    @Override
    public String summary() {
        return "Submits the job jar to a Flink cluster (REST /jars/upload, /jars/<id>/run) with the score options.";
    }

    @Override
    public List<ConfigOption<?>> options() {
        List<ConfigOption<?>> all = new ArrayList<>(List.of(ToolOptions.CLUSTER, WAIT));
        all.addAll(RideScoreOptions.ALL);
        return all;
    }

    @Override
    public int run(Configuration conf) throws Exception {
        FlinkRestClient rest = cluster(conf);
        String jobId = submit(
                rest,
                jobArgs(conf),
                conf.getOptional(RideScoreOptions.FROM_SAVEPOINT).orElse(null),
                conf.get(RideScoreOptions.ALLOW_NON_RESTORED_STATE));
        System.out.printf("submitted job %s: %s/#/job/running/%s/overview%n", jobId, rest.base(), jobId);
        if (!conf.get(WAIT)) {
            return 0;
        }
        String state = rest.await(jobId, Duration.ofHours(6), s -> {});
        System.out.println("job " + jobId + " " + state);
        if (!state.equals("FINISHED")) {
            System.out.println("reason: " + rest.failure(jobId));
            return 1;
        }
        System.out.println(
                RunSummary.fromAccumulators(rest.accumulators(jobId), 0).line());
        return 0;
    }

    /** The cluster of --cluster, or the local session cluster scripts/cluster starts. */
    static FlinkRestClient cluster(Configuration conf) {
        return new FlinkRestClient(conf.getOptional(ToolOptions.CLUSTER).orElse(LOCAL_CLUSTER));
    }

    static String submit(FlinkRestClient rest, List<String> args) throws Exception {
        return submit(rest, args, null, false);
    }

    static String submit(FlinkRestClient rest, List<String> args, String savepoint, boolean allowNonRestoredState)
            throws Exception {
        String jarId = rest.uploadJar(jarFor(rest));
        return rest.run(jarId, "io.ridescore.RideScoreJob", args, savepoint, allowNonRestoredState);
    }

    /**
     * The thin jar where the cluster serves the libraries: every job's jar is copied into the blob
     * store and fetched by each TaskManager, and its class loader opens it (a 65k-ride month on a
     * session cluster: 2.8 -> 2.5 s, medians of five alternated). Its libraries' pom.properties
     * stay in it, so ClusterLibraries still refuses a cluster serving other versions.
     */
    static Path jarFor(FlinkRestClient rest) throws Exception {
        Path thin = Path.of(THIN_JAR);
        return Files.isRegularFile(thin) && rest.servesLibraries() ? thin : Path.of(JAR);
    }

    /** The job's own options, with paths made absolute: the JobManager runs main in its own directory. */
    static List<String> jobArgs(Configuration conf) {
        List<String> args = new ArrayList<>();
        for (ConfigOption<?> option : RideScoreOptions.ALL) {
            if (option == RideScoreOptions.FROM_SAVEPOINT || option == RideScoreOptions.ALLOW_NON_RESTORED_STATE) {
                continue; // the REST API restores it (run with savepointPath), as flink run -s does
            }
            conf.getOptional(option).ifPresent(value -> {
                String text = value instanceof Duration d ? d.toMillis() + "ms" : value.toString();
                if (PATH_OPTIONS.contains(option.key())
                        && !text.isEmpty()
                        && !text.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
                    text = Path.of(text).toAbsolutePath().toString();
                }
                args.add("--" + option.key());
                args.add(text);
            });
        }
        if (conf.getOptional(RideScoreOptions.DATA_DIR).isEmpty()) {
            args.add("--data-dir");
            args.add(Path.of(RideScoreOptions.DATA_DIR.defaultValue())
                    .toAbsolutePath()
                    .toString());
        }
        if (conf.getOptional(RideScoreOptions.MODEL).isEmpty()) {
            String model = RideScoreOptions.model(conf);
            args.add("--model");
            args.add(
                    model.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")
                            ? model
                            : Path.of(model).toAbsolutePath().toString());
        }
        return args;
    }
}
