package io.ridescore.deploy;

import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
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

    /**
     * What is submitted to a cluster that serves the libraries (target/ridescore-job-thin.jar): the
     * job jar without them, so that each of the job jar's entries is in exactly one of the two, but
     * with their pom.properties, which ClusterLibraries compares with the cluster's.
     */
    @Test
    void theThinJarIsTheJobJarWithoutTheServedLibraries() throws Exception {
        try (JarFile job = new JarFile("target/ridescore-job.jar");
                JarFile thin = new JarFile("target/ridescore-job-thin.jar");
                JarFile libraries = new JarFile("target/ridescore-libraries.jar")) {
            Set<String> thinNames = names(thin);
            Set<String> libraryNames = names(libraries);
            assertThat(names(job))
                    .allSatisfy(name -> assertThat(thinNames.contains(name) != libraryNames.contains(name)
                                    || name.startsWith("META-INF/maven/")
                                    || name.endsWith("/"))
                            .as(name)
                            .isTrue());
            assertThat(union(thinNames, libraryNames)).isEqualTo(names(job));
            assertThat(thinNames)
                    .contains(
                            "io/ridescore/RideScoreJob.class",
                            "META-INF/maven/org.apache.parquet/parquet-column/pom.properties",
                            "META-INF/maven/org.jpmml/pmml-evaluator/pom.properties")
                    .doesNotContain("org/jpmml/evaluator/Evaluator.class");
            assertThat(thin.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo("io.ridescore.RideScoreJob");
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return all;
    }

    private static Set<String> names(JarFile jar) {
        return jar.stream().map(ZipEntry::getName).collect(Collectors.toSet());
    }
}
