package io.ridescore.run;

import io.ridescore.config.StartupException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The check that a cluster serving the job's libraries serves the versions the job was built with. */
class ClusterLibrariesTest {
    @TempDir
    Path dir;

    /** A class to put in the jars, so that each jar's loader has one of its own. */
    public static final class Probe {}

    @Test
    void versionsAreReadFromEveryLibrarysPomProperties() throws IOException {
        Path jar = jar(
                "job.jar",
                Map.of(
                        "org.apache.parquet:parquet-column", "1.13.1",
                        "org.jpmml:pmml-evaluator", "1.7.7"));

        assertThat(ClusterLibraries.versions(jar))
                .containsExactly(
                        Map.entry("org.apache.parquet:parquet-column", "1.13.1"),
                        Map.entry("org.jpmml:pmml-evaluator", "1.7.7"));
    }

    @Test
    void theSameVersionsPassAndLibrariesOnlyOneSideHasAreNoConcern() throws IOException {
        Path job = jar(
                "job.jar",
                Map.of(
                        "org.apache.parquet:parquet-column", "1.13.1",
                        "org.jpmml:pmml-evaluator", "1.7.7",
                        "com.fasterxml.jackson.core:jackson-databind", "2.18.2"));
        Path served = jar(
                "libraries.jar",
                Map.of(
                        "org.apache.parquet:parquet-column", "1.13.1",
                        "org.jpmml:pmml-evaluator", "1.7.7",
                        "software.amazon.awssdk:s3", "2.57.8"));

        ClusterLibraries.compare(job, served);
    }

    @Test
    void aLibraryTheClusterServesAtAnotherVersionStopsTheJobNamingIt() throws IOException {
        Path job = jar(
                "job.jar", Map.of("org.apache.parquet:parquet-column", "1.13.1", "org.jpmml:pmml-evaluator", "1.7.7"));
        Path served = jar(
                "libraries.jar",
                Map.of("org.apache.parquet:parquet-column", "1.14.0", "org.jpmml:pmml-evaluator", "1.7.7"));

        assertThatThrownBy(() -> ClusterLibraries.compare(job, served))
                .isInstanceOf(StartupException.class)
                .hasMessage("this cluster serves libraries of another build:"
                        + " org.apache.parquet:parquet-column 1.14.0 (this job: 1.13.1), from " + served
                        + "; restart it on this build (scripts/cluster stop, then start)"
                        + " or submit the jar built with them");
    }

    @Test
    void classesFromTwoLoadersAreCheckedByTheJarsTheyCameFrom() throws Exception {
        Path job = jar("job.jar", Map.of("org.jpmml:pmml-evaluator", "1.7.7"));
        Path served = jar("libraries.jar", Map.of("org.jpmml:pmml-evaluator", "1.7.6"));
        try (URLClassLoader jobLoader = loader(job);
                URLClassLoader servedLoader = loader(served)) {
            Class<?> jobClass = jobLoader.loadClass(Probe.class.getName());
            Class<?> libraryClass = servedLoader.loadClass(Probe.class.getName());

            assertThatThrownBy(() -> ClusterLibraries.check(jobClass, libraryClass))
                    .isInstanceOf(StartupException.class)
                    .hasMessageContaining("org.jpmml:pmml-evaluator 1.7.6 (this job: 1.7.7)");
            // one loader for both (a local run, a cluster without the libraries): nothing to compare
            ClusterLibraries.check(jobClass, jobLoader.loadClass(Probe.class.getName()));
        }
    }

    @Test
    void thisProcessLoadsTheJobAndItsLibrariesTogetherSoItPasses() {
        ClusterLibraries.check();
    }

    private static URLClassLoader loader(Path jar) throws IOException {
        return new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
    }

    private Path jar(String name, Map<String, String> libraries) throws IOException {
        Path jar = dir.resolve(name);
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file)) {
            String probe = Probe.class.getName().replace('.', '/') + ".class";
            out.putNextEntry(new JarEntry(probe));
            try (InputStream bytes = Probe.class.getClassLoader().getResourceAsStream(probe)) {
                bytes.transferTo(out);
            }
            for (var library : libraries.entrySet()) {
                String[] ga = library.getKey().split(":");
                out.putNextEntry(new JarEntry("META-INF/maven/" + ga[0] + "/" + ga[1] + "/pom.properties"));
                out.write(("artifactId=" + ga[1] + "\ngroupId=" + ga[0] + "\nversion=" + library.getValue() + "\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
        }
        return jar;
    }
}
