package io.ridescore.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Docker cannot run here, so docker-compose.yml is checked by reading it: the images, ports, mounts
 * and settings it names must agree with flink-conf/, the pom and the scripts.
 */
class DeploymentFilesTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static JsonNode compose;
    static JsonNode flinkConf;

    @BeforeAll
    static void read() throws IOException {
        compose = YAML.readTree(Path.of("docker-compose.yml").toFile());
        flinkConf = YAML.readTree(Path.of("flink-conf/config.yaml").toFile());
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void flinkServicesUseTheFlinkVersionOfThePom() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher version =
                Pattern.compile("<flink.version>([^<]+)</flink.version>").matcher(pom);
        assertThat(version.find()).isTrue();
        for (String service : List.of("jobmanager", "taskmanager")) {
            assertThat(compose.at("/services/" + service + "/image").asText())
                    .startsWith("flink:" + version.group(1) + "-java17");
        }
        assertThat(compose.at("/services/jobmanager/command").asText()).isEqualTo("jobmanager");
        assertThat(compose.at("/services/taskmanager/command").asText()).isEqualTo("taskmanager");
    }

    @Test
    void portsAreTheConfiguredOnesAndPublishedOnLoopbackOnly() {
        int rest = flinkConf.at("/rest/port").asInt();
        String promRange = flinkConf.at("/metrics/reporter/prom/port").asText();
        int promFirst = Integer.parseInt(promRange.split("-")[0]);
        assertThat(texts(compose.at("/services/jobmanager/ports")))
                .containsExactlyInAnyOrder(
                        "127.0.0.1:" + rest + ":" + rest, "127.0.0.1:" + promFirst + ":" + promFirst);
        assertThat(texts(compose.at("/services/taskmanager/ports")))
                .containsExactly("127.0.0.1:" + (promFirst + 1) + "-" + (promFirst + 10) + ":" + promFirst);
        compose.at("/services")
                .forEach(service -> service.path("ports")
                        .forEach(port -> assertThat(port.asText()).startsWith("127.0.0.1:")));
    }

    @Test
    void theClusterRunsWithTheRepositorysConfigurationAndJar() throws IOException {
        List<String> mounts = texts(compose.at("/services/jobmanager/volumes"));
        assertThat(mounts)
                .contains(
                        "./flink-conf/config.yaml:/opt/flink/conf/config.yaml",
                        "./target/ridescore-job.jar:/opt/flink/usrlib/ridescore-job.jar");
        assertThat(texts(compose.at("/services/taskmanager/volumes"))).isEqualTo(mounts);
        assertThat(Files.readString(Path.of("pom.xml"))).contains("<finalName>ridescore-job</finalName>");
        assertThat(Path.of("flink-conf/log4j.properties")).exists();
        String properties =
                compose.at("/services/jobmanager/environment/FLINK_PROPERTIES").asText();
        assertThat(properties).contains("jobmanager.rpc.address: jobmanager", "rest.bind-address: 0.0.0.0");
        assertThat(compose.at("/services/jobmanager/environment/HADOOP_CLASSPATH")
                        .asText())
                .isEqualTo("/opt/hadoop-lib/*");
        assertThat(flinkConf.at("/metrics/reporter/prom/factory/class").asText())
                .isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
    }

    @Test
    void taskManagersScaleAndShareTheCheckpointsWithTheJobManager() {
        assertThat(compose.at("/services/taskmanager/deploy/replicas").asText()).isEqualTo("${TASKMANAGERS:-1}");
        String checkpoints = flinkConf.at("/execution/checkpointing/dir").asText();
        String savepoints =
                flinkConf.at("/execution/checkpointing/savepoint-dir").asText();
        assertThat(checkpoints).startsWith("file:///tmp/ridescore-state/");
        assertThat(savepoints).startsWith("file:///tmp/ridescore-state/");
        for (String service : List.of("jobmanager", "taskmanager")) {
            assertThat(texts(compose.at("/services/" + service + "/volumes")))
                    .contains("flink-state:/tmp/ridescore-state");
        }
        assertThat(compose.at("/volumes").has("flink-state")).isTrue();
    }

    @Test
    void kinesisMockMatchesScriptsKinesisLocal() throws IOException {
        String script = Files.readString(Path.of("scripts/kinesis-local"));
        Matcher streams = Pattern.compile("KINESIS_STREAMS:-([^}]+)}").matcher(script);
        Matcher port = Pattern.compile("port=\\$\\{KINESIS_PORT:-(\\d+)}").matcher(script);
        assertThat(streams.find()).isTrue();
        assertThat(port.find()).isTrue();
        JsonNode kinesis = compose.at("/services/kinesis");
        assertThat(kinesis.at("/image").asText()).startsWith("ghcr.io/etspaceman/kinesis-mock:");
        assertThat(kinesis.at("/environment/INITIALIZE_STREAMS").asText()).isEqualTo(streams.group(1));
        assertThat(kinesis.at("/environment/KINESIS_MOCK_PLAIN_PORT").asText()).isEqualTo(port.group(1));
        assertThat(texts(kinesis.at("/ports"))).containsExactly("127.0.0.1:" + port.group(1) + ":" + port.group(1));
    }
}
