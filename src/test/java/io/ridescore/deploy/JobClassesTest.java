package io.ridescore.deploy;

import io.ridescore.RideScoreJob;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job jar leaves the tools out (src/tools/java: CLI, datagen, trainer, benchmarks, web
 * service) and their libraries, so no job class may refer to them: a reference would compile and
 * then fail on a cluster with NoClassDefFoundError. Class references are in each class file's
 * constant pool as internal names, so a scan of the compiled job classes finds any.
 */
class JobClassesTest {
    private static final List<String> TOOLS_ONLY = List.of(
            "io/ridescore/tools/", "io/ridescore/serve/", "io/undertow/", "org/xnio/", "org/apache/commons/math3/");

    @Test
    void noJobClassRefersToTheToolsOrTheirLibraries() throws Exception {
        Path classes = Path.of(RideScoreJob.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        Path root = classes.resolve("io/ridescore");
        List<Path> jobClasses;
        try (Stream<Path> files = Files.walk(root)) {
            jobClasses = files.filter(f -> f.toString().endsWith(".class"))
                    .filter(f -> !f.startsWith(root.resolve("tools")) && !f.startsWith(root.resolve("serve")))
                    .toList();
        }
        assertThat(jobClasses).hasSizeGreaterThan(100);
        assertThat(jobClasses)
                .allSatisfy(f -> assertThat(TOOLS_ONLY)
                        .as(classes.relativize(f).toString())
                        .noneMatch(prefix -> constantPool(f).contains(prefix)));
    }

    @Test
    void theToolsAreCompiledBesideTheJobSoTheScanSeesThem() throws Exception {
        // The scan above is only meaningful if it can tell the two apart: the CLI refers to the job.
        Path classes = Path.of(RideScoreJob.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        assertThat(constantPool(classes.resolve("io/ridescore/tools/RideScoreCli.class")))
                .contains("io/ridescore/config/CommandLine");
    }

    private static String constantPool(Path classFile) {
        try {
            return new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
