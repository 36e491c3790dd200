package io.ridescore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ridescore.config.Mode;
import io.ridescore.config.RideScoreOptions;
import io.ridescore.config.TaxiType;
import io.ridescore.event.ParquetFiles;
import io.ridescore.model.Agreement;
import io.ridescore.model.ShadowComparison;
import io.ridescore.run.JobRunner;
import io.ridescore.sink.MonthReport;
import io.ridescore.testing.MemoryRideInput;
import io.ridescore.testing.MemoryRun;
import io.ridescore.testing.TestData;
import io.ridescore.tools.ReplayCommand;
import io.ridescore.tools.TripDataGenerator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.Path;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.parquet.example.data.Group;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A challenger in shadow, on a generated month: the shipped stream-feature model challenges the
 * shipped batch model. The serving outputs do not change by a byte; the batch report and the
 * online comparison (the replayed events carry their dropoff) give the same figures for the same
 * rides and both say the challenger is better.
 */
class ChallengerITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SERVING = "pmml/ride_duration.pmml";
    private static final String CHALLENGER = "pmml/ride_duration_stream.pmml";

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = TestData.miniCluster();

    @TempDir
    static java.nio.file.Path dir;

    static String features;
    static Path month;
    static List<byte[]> events;

    @BeforeAll
    static void month() throws Exception {
        TestData.history(dir, 5, 10_000);
        features = dir.resolve(TestData.FEATURES).toString();
        month = new Path(dir.resolve("green_tripdata_2021-02.parquet").toString());
        new TripDataGenerator(5).write(YearMonth.of(2021, 2), 3_000, TaxiType.GREEN, month, n -> {});
        events = MemoryRideInput.utf8(ReplayCommand.events(month, 0, true).stream()
                .map(ReplayCommand.Event::payload)
                .toList());
    }

    private static Configuration online(String challenger) {
        Configuration conf = new Configuration();
        conf.set(RideScoreOptions.MODE, Mode.ONLINE_STREAM);
        conf.set(RideScoreOptions.FEATURES, features);
        conf.set(RideScoreOptions.MODEL, SERVING);
        if (challenger != null) {
            conf.set(RideScoreOptions.CHALLENGER, challenger);
        }
        conf.set(RideScoreOptions.PARALLELISM, 2);
        return conf;
    }

    private static String batch(String name, String challenger) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RideScoreOptions.MODE, Mode.BATCH);
        conf.set(RideScoreOptions.STREAM_FEATURES, true);
        conf.set(RideScoreOptions.INPUT, month.toString());
        conf.set(RideScoreOptions.FEATURES, features);
        conf.set(RideScoreOptions.MODEL, SERVING);
        if (challenger != null) {
            conf.set(RideScoreOptions.CHALLENGER, challenger);
        }
        conf.set(RideScoreOptions.OUTPUT, dir.resolve(name + "/predictions").toString());
        conf.set(
                RideScoreOptions.DEAD_LETTERS,
                dir.resolve(name + "/dead_letters").toString());
        conf.set(RideScoreOptions.PARALLELISM, 2);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        assertThat(JobRunner.run(conf, new PrintStream(console, true, StandardCharsets.UTF_8))
                        .addsUp())
                .isTrue();
        return console.toString(StandardCharsets.UTF_8);
    }

    /** Rows of a batch output by ride id: every column as text. */
    private static Map<String, Map<String, String>> rows(String name) throws Exception {
        Map<String, Map<String, String>> rows = new TreeMap<>();
        try (Stream<java.nio.file.Path> parts = Files.list(dir.resolve(name + "/predictions"))) {
            for (java.nio.file.Path part :
                    parts.filter(p -> p.toString().endsWith(".parquet")).toList()) {
                for (Group g : ParquetFiles.readAll(new Path(part.toString()))) {
                    Map<String, String> row = new TreeMap<>();
                    for (int f = 0; f < g.getType().getFieldCount(); f++) {
                        String field = g.getType().getFieldName(f);
                        row.put(field, g.getFieldRepetitionCount(f) == 0 ? null : g.getValueToString(f, 0));
                    }
                    rows.put(row.get("ride_id"), row);
                }
            }
        }
        return rows;
    }

    private static List<String> lines(String name, String sub) throws Exception {
        List<String> lines = new ArrayList<>();
        try (Stream<java.nio.file.Path> parts = Files.list(dir.resolve(name + "/" + sub))) {
            for (java.nio.file.Path part : parts.filter(Files::isRegularFile).toList()) {
                if (!part.getFileName().toString().startsWith("_")) {
                    lines.addAll(Files.readAllLines(part));
                }
            }
        }
        return lines;
    }

    /** Dead letters carry the time they were refused; everything else in them must be the same. */
    private static List<String> withoutTime(List<String> letters) throws Exception {
        List<String> out = new ArrayList<>();
        for (String l : letters) {
            com.fasterxml.jackson.databind.node.ObjectNode n =
                    (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(l);
            n.remove("time");
            out.add(n.toString());
        }
        return out.stream().sorted().toList();
    }

    private static Map<String, Double> byRide(List<String> predictions) throws Exception {
        Map<String, Double> out = new HashMap<>();
        for (String p : predictions) {
            JsonNode n = JSON.readTree(p).path("prediction");
            out.put(n.path("ride_id").asText(), n.path("ride_duration").asDouble());
        }
        return out;
    }

    @Test
    void theServingOutputsAreTheSameByteForByteWithAndWithoutAChallenger() throws Exception {
        MemoryRun without = MemoryRun.of(online(null), events, 2);
        MemoryRun with = MemoryRun.of(online(CHALLENGER), events, 2);
        assertThat(with.predictions()).isNotEmpty();
        assertThat(with.predictions().stream().sorted().toList())
                .isEqualTo(without.predictions().stream().sorted().toList());
        assertThat(withoutTime(with.deadLetters())).isEqualTo(withoutTime(without.deadLetters()));
        assertThat(with.counts().line()).isEqualTo(without.counts().line());
        assertThat(without.shadow()).isEmpty();
        assertThat(without.comparison()).isNull();
        assertThat(with.shadow()).hasSize(with.predictions().size());

        batch("without", null);
        batch("with", CHALLENGER);
        Map<String, Map<String, String>> plain = rows("without");
        Map<String, Map<String, String>> shadowed = rows("with");
        assertThat(shadowed.keySet()).isEqualTo(plain.keySet());
        shadowed.forEach((ride, row) -> {
            Map<String, String> serving = new TreeMap<>(row);
            assertThat(serving.remove("challenger_prediction")).isNotNull();
            assertThat(serving.remove("challenger_model")).isEqualTo("ride_duration_prediction_model");
            assertThat(serving.remove("challenger_version")).startsWith("linear-stream-");
            assertThat(serving).isEqualTo(plain.get(ride));
        });
        assertThat(withoutTime(lines("with", "dead_letters"))).isEqualTo(withoutTime(lines("without", "dead_letters")));
    }

    @Test
    void theBatchReportAndTheOnlineComparisonAgreeOnTheSameRidesAndPickTheChallenger() throws Exception {
        String console = batch("compare", CHALLENGER);
        String report = Files.readString(dir.resolve("compare/predictions").resolve(MonthReport.MARKDOWN));

        // The batch figures, recomputed from the files the job wrote.
        Agreement fromFiles = new Agreement();
        double servingAbs = 0;
        double challengerAbs = 0;
        Map<String, Double[]> batchPairs = new HashMap<>();
        for (Map<String, String> row : rows("compare").values()) {
            double serving = Double.parseDouble(row.get("predicted_duration"));
            double challenger = Double.parseDouble(row.get("challenger_prediction"));
            double actual = Double.parseDouble(row.get("actual_duration"));
            fromFiles.add(serving, challenger);
            servingAbs += Math.abs(actual - serving);
            challengerAbs += Math.abs(actual - challenger);
            batchPairs.put(row.get("ride_id"), new Double[] {serving, challenger});
        }
        double servingMae = servingAbs / fromFiles.pairs();
        double challengerMae = challengerAbs / fromFiles.pairs();
        assertThat(fromFiles.pairs()).isGreaterThan(2_000);
        // Measurably better: the stream features explain demand the batch model cannot see.
        assertThat(challengerMae).isLessThan(servingMae * 0.95);
        assertThat(report)
                .contains("Agreement: " + fromFiles.describe())
                .contains(String.format("| MAE | %.3f min | %.3f min |", servingMae, challengerMae))
                .contains("challenger ride_duration_prediction_model@linear-stream-");
        assertThat(console).contains("is better: MAE " + String.format("%.3f", challengerMae));

        // Online: the same rides (those batch scored) give the same agreement, ride for ride.
        MemoryRun run = MemoryRun.of(online(CHALLENGER), events, 2);
        Map<String, Double> serving = byRide(run.predictions());
        Map<String, Double> challenger = byRide(run.shadow());
        Agreement onlineSameRides = new Agreement();
        Agreement onlineAll = new Agreement();
        serving.forEach((ride, s) -> {
            onlineAll.add(s, challenger.get(ride));
            if (batchPairs.containsKey(ride)) {
                assertThat(new Double[] {s, challenger.get(ride)}).isEqualTo(batchPairs.get(ride));
                onlineSameRides.add(s, challenger.get(ride));
            }
        });
        assertThat(onlineSameRides.describe()).isEqualTo(fromFiles.describe());
        assertThat(onlineSameRides.pairs()).isEqualTo(fromFiles.pairs());

        // The live comparison the job keeps (what the progress lines print) covers every ride both scored online.
        assertThat(run.comparison().pairs()).hasSize(1);
        ShadowComparison.Pair live =
                run.comparison().pairs().values().iterator().next();
        assertThat(live.agreement().pairs()).isEqualTo(onlineAll.pairs());
        assertThat(live.agreement().p95AbsDiff()).isEqualTo(onlineAll.p95AbsDiff());
        assertThat(live.agreement().withinMinuteShare()).isEqualTo(onlineAll.withinMinuteShare());
        assertThat(live.agreement().meanAbsDiff()).isCloseTo(onlineAll.meanAbsDiff(), within(1e-9));
        assertThat(live.challengerRefusedTotal()).isZero();
        // The replayed events carry their dropoff: online, the same rides with a known duration give batch's errors.
        assertThat(live.challengerErrors().rides()).isEqualTo(fromFiles.pairs());
        assertThat(live.servingErrors().mae()).isCloseTo(servingMae, within(1e-9));
        assertThat(live.challengerErrors().mae()).isCloseTo(challengerMae, within(1e-9));
        assertThat(live.verdict())
                .startsWith("challenger ride_duration_prediction_model@linear-stream-")
                .contains(String.format(
                        "is better: MAE %.3f min (challenger) vs %.3f min (serving)", challengerMae, servingMae));
    }
}
