package io.ridescore.deploy;

import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The jar users submit (target/ridescore-job.jar, built by package before failsafe runs): the job,
 * its operators, the model code and their runtime libraries, and nothing of the tools. That it is
 * complete is SessionClusterIT's to show: it runs this jar on a real cluster. Beside it, the libraries
 * a session cluster serves itself (target/ridescore-libraries.jar).
 */
class JobJarITCase {
    @Test
    void theJobJarHoldsTheJobAndNoneOfTheTools() throws Exception {
        try (JarFile jar = new JarFile("target/ridescore-job.jar")) {
            List<String> names = jar.stream().map(ZipEntry::getName).toList();
            assertThat(names)
                    .contains(
                            "io/ridescore/RideScoreJob.class",
                            "io/ridescore/Pipeline.class",
                            "io/ridescore/run/Preflight.class",
                            "io/ridescore/model/PmmlScorer.class",
                            "io/ridescore/sink/KinesisRecordSink.class",
                            "org/jpmml/evaluator/Evaluator.class",
                            "org/apache/flink/streaming/connectors/kinesis/FlinkKinesisConsumer.class");
            for (String toolsOnly : List.of(
                    "io/ridescore/tools/",
                    "io/ridescore/serve/",
                    "io/undertow/",
                    "org/xnio/",
                    "org/jboss/",
                    "org/wildfly/",
                    "io/smallrye/",
                    "org/apache/commons/math3/",
                    // the Kinesis Producer Library's binaries: the sink is ridescore's own, the KPL never runs
                    "amazon-kinesis-producer-native-binaries/")) {
                assertThat(names).as(toolsOnly).noneMatch(name -> name.startsWith(toolsOnly));
            }
            Manifest manifest = jar.getManifest();
            assertThat(manifest.getMainAttributes().getValue("Main-Class")).isEqualTo("io.ridescore.RideScoreJob");
        }
    }

    /**
     * The libraries a session cluster serves (target/ridescore-libraries.jar) and the packages its
     * configuration loads parent-first are the same set: a class in the jar outside every pattern
     * would be loaded from both places, a pattern without classes there would split a library.
     */
    @Test
    void theClusterLibrariesAreExactlyThePackagesTheClusterLoadsParentFirst() throws Exception {
        List<String> patterns = GlobalConfiguration.loadConfiguration("flink-conf")
                .get(CoreOptions.ALWAYS_PARENT_FIRST_LOADER_PATTERNS_ADDITIONAL);
        try (JarFile jar = new JarFile("target/ridescore-libraries.jar")) {
            List<String> classes = jar.stream()
                    .map(ZipEntry::getName)
                    .filter(name -> name.endsWith(".class") && !name.startsWith("META-INF/"))
                    .map(name ->
                            name.substring(0, name.length() - ".class".length()).replace('/', '.'))
                    .toList();
            assertThat(classes)
                    .contains("org.jpmml.evaluator.Evaluator", "org.apache.parquet.hadoop.ParquetFileReader")
                    .allSatisfy(name -> assertThat(patterns).anyMatch(name::startsWith))
                    .noneMatch(name -> name.startsWith("io.ridescore.") || name.startsWith("org.apache.flink."));
            assertThat(patterns).allSatisfy(pattern -> assertThat(classes).anyMatch(c -> c.startsWith(pattern)));
            // what ClusterLibraries compares with the submitted jar's
            assertThat(jar.getEntry("META-INF/maven/org.apache.parquet/parquet-column/pom.properties"))
                    .isNotNull();
        }
    }
}
