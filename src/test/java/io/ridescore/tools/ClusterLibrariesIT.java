package io.ridescore.tools;

import io.ridescore.config.RideScoreOptions;
import io.ridescore.config.StartupException;
import io.ridescore.testing.SessionCluster;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A session cluster serves the job's libraries itself (scripts/cluster puts a copy of
 * target/ridescore-libraries.jar on its classpath). One started with the libraries of another
 * build (here: the same jar saying Parquet is another version) refuses the submitted job before it
 * runs, naming the library: which also shows the cluster, not the submitted jar, served it.
 */
class ClusterLibrariesIT {
    private static final String PARQUET = "META-INF/maven/org.apache.parquet/parquet-column/pom.properties";

    @TempDir
    Path dir;

    @Test
    void aClusterServingLibrariesOfAnotherBuildRefusesTheJobNamingThem() throws Exception {
        Path other = dir.resolve("other-libraries.jar");
        Files.copy(Path.of("target/ridescore-libraries.jar"), other);
        try (FileSystem jar = FileSystems.newFileSystem(URI.create("jar:" + other.toUri()), Map.of())) {
            Path pom = jar.getPath(PARQUET);
            Files.writeString(pom, Files.readString(pom).replaceAll("(?m)^version=.*$", "version=0.0.0-other"));
        }
        String built;
        try (JarFile job = new JarFile("target/ridescore-job.jar")) {
            ZipEntry entry = job.getEntry(PARQUET);
            Properties pom = new Properties();
            pom.load(job.getInputStream(entry));
            built = pom.getProperty("version");
        }
        Configuration gen = new Configuration();
        gen.set(RideScoreOptions.DATA_DIR, dir.toString());
        gen.set(ToolOptions.MONTHS, "2021-02");
        gen.set(ToolOptions.ROWS, 1_000);
        assertThat(new DatagenCommand().run(gen)).isZero();
        Configuration month = new Configuration();
        month.set(RideScoreOptions.DATA_DIR, dir.toString());
        month.set(RideScoreOptions.MONTH, "2021-02");

        try (SessionCluster cluster = SessionCluster.start(
                dir.resolve("cluster"), Map.of("RIDESCORE_CLUSTER_LIBRARIES", other.toString()), 1)) {
            FlinkRestClient flink = new FlinkRestClient(cluster.rest());
            assertThatThrownBy(() -> SubmitCommand.submit(flink, SubmitCommand.jobArgs(month)))
                    .isInstanceOf(StartupException.class)
                    .hasMessage("this cluster serves libraries of another build:"
                            + " org.apache.parquet:parquet-column 0.0.0-other (this job: " + built + "), from "
                            + dir.resolve("cluster").toAbsolutePath().resolve("ridescore-libraries.jar")
                            + "; restart it on this build (scripts/cluster stop, then start)"
                            + " or submit the jar built with them");
            assertThat(flink.get("/jobs").get("jobs").size()).isZero();
        }
    }
}
