package io.ridescore;

import io.ridescore.config.Mode;
import io.ridescore.config.RideScoreOptions;
import io.ridescore.config.StartupException;
import io.ridescore.config.TaxiType;
import io.ridescore.event.DeadLetter;
import io.ridescore.event.DeadLetterJson;
import io.ridescore.event.ParquetFiles;
import io.ridescore.event.RideEvent;
import io.ridescore.event.RunSummary;
import io.ridescore.features.BatchFeatureTable;
import io.ridescore.model.Exporters;
import io.ridescore.model.ModelLoader;
import io.ridescore.model.ModelSpec;
import io.ridescore.run.JobRunner;
import io.ridescore.run.Preflight;
import io.ridescore.testing.JpmmlReference;
import io.ridescore.testing.TestData;
import io.ridescore.tools.TripDataGenerator;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.parquet.ParquetInputFile;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The real batch topology on a MiniCluster (parallelism 2) over a generated month, checked ride by ride. */
class BatchPipelineITCase {
    private static final int ROWS = 8_000;
    private static final String MODEL = "pmml/ride_duration.pmml";

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = TestData.miniCluster();

    @TempDir
    static java.nio.file.Path dir;

    static Path input;
    static String features;
    static Map<String, Double> expectedPredictions = new HashMap<>();
    static Map<String, Long> expectedDeadByReason = new TreeMap<>();
    static Map<String, RideEvent> inputById = new HashMap<>();
    static Map<String, String> expectedReasonById = new HashMap<>();

    /**
     * The reference's filters, written out here rather than taken from the job's own rules: zones
     * present and in 1..265, a positive finite distance, both times, and 1..60 minutes.
     */
    private static String refusalNamedByHand(RideEvent r) {
        if (r.puLocationId == null || r.doLocationId == null) {
            return "missing_location";
        }
        if (r.puLocationId < 1 || r.puLocationId > 265 || r.doLocationId < 1 || r.doLocationId > 265) {
            return "unknown_zone";
        }
        if (r.tripDistance == null) {
            return "missing_distance";
        }
        if (Double.isNaN(r.tripDistance) || Double.isInfinite(r.tripDistance)) {
            return "non_finite_distance";
        }
        if (r.tripDistance <= 0) {
            return "non_positive_distance";
        }
        if (r.pickupMicros == null || r.dropoffMicros == null) {
            return "missing_time";
        }
        long micros = r.dropoffMicros - r.pickupMicros;
        if (micros < 0) {
            return "dropoff_before_pickup";
        }
        return micros < 60_000_000L || micros > 3_600_000_000L ? "duration_out_of_range" : null;
    }

    @BeforeAll
    static void prepare() throws Exception {
        TripDataGenerator generator = new TripDataGenerator(11);
        Path history = new Path(dir.resolve("green_tripdata_2021-01.parquet").toString());
        generator.write(YearMonth.of(2021, 1), 20_000, TaxiType.GREEN, history, n -> {});
        input = new Path(dir.resolve("green_tripdata_2021-02.parquet").toString());
        generator.write(YearMonth.of(2021, 2), ROWS, TaxiType.GREEN, input, n -> {}, 96 << 10);

        BatchFeatureTable built = TestData.featureTable(history);
        features = dir.resolve("features.parquet").toString();
        built.write(new Path(features));

        // The expectation: every ride evaluated directly by jpmml, with inputs named by hand.
        JpmmlReference reference = new JpmmlReference(Files.readAllBytes(java.nio.file.Path.of(MODEL)), built);
        for (RideEvent ride : TestData.read(input)) {
            inputById.put(ride.rideId, ride);
            String refusal = refusalNamedByHand(ride);
            if (refusal != null) {
                expectedReasonById.put(ride.rideId, refusal);
                expectedDeadByReason.merge(refusal, 1L, Long::sum);
                continue;
            }
            expectedPredictions.put(ride.rideId, reference.score(ride));
        }
    }

    private static Configuration conf(String runName) {
        Configuration conf = new Configuration();
        conf.set(RideScoreOptions.MODE, Mode.BATCH);
        conf.set(RideScoreOptions.INPUT, input.toString());
        conf.set(RideScoreOptions.FEATURES, features);
        conf.set(RideScoreOptions.MODEL, MODEL);
        conf.set(RideScoreOptions.OUTPUT, dir.resolve(runName + "/predictions").toString());
        conf.set(
                RideScoreOptions.DEAD_LETTERS,
                dir.resolve(runName + "/dead_letters").toString());
        conf.set(RideScoreOptions.PARALLELISM, 2);
        return conf;
    }

    @Test
    void scoresEveryValidRideAsTheEvaluatorDoesAndDeadLettersTheRest() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        RunSummary summary = JobRunner.run(conf("run1"), new PrintStream(console, true));

        assertThat(summary.in()).isEqualTo(ROWS);
        assertThat(summary.scored()).isEqualTo(expectedPredictions.size());
        assertThat(summary.deadLetteredByReason()).isEqualTo(expectedDeadByReason);
        assertThat(expectedDeadByReason)
                .containsKeys(
                        "missing_location", "non_positive_distance", "dropoff_before_pickup", "duration_out_of_range");
        assertThat(summary.addsUp()).isTrue();
        assertThat(console.toString()).contains(summary.line());

        List<Group> rows = predictionRows("run1");
        assertThat(rows).hasSize(expectedPredictions.size());
        String version = ModelLoader.load(new ModelSpec(MODEL, null)).version();
        for (Group row : rows) {
            String id = row.getString("ride_id", 0);
            RideEvent in = inputById.get(id);
            assertThat(row.getDouble("predicted_duration", 0)).as(id).isEqualTo(expectedPredictions.get(id));
            assertThat(row.getDouble("actual_duration", 0)).isEqualTo(in.actualDurationMinutes());
            assertThat(row.getDouble("diff", 0)).isEqualTo(in.actualDurationMinutes() - expectedPredictions.get(id));
            assertThat(row.getLong("lpep_pickup_datetime", 0)).isEqualTo(in.pickupMicros);
            assertThat(row.getLong("PULocationID", 0)).isEqualTo(in.puLocationId.longValue());
            assertThat(row.getString("model_name", 0)).isEqualTo("ride_duration_prediction_model");
            assertThat(row.getString("model_version", 0)).isEqualTo(version);
        }

        List<DeadLetter> letters = deadLetters("run1");
        assertThat(letters).hasSize((int) summary.deadLettered());
        for (DeadLetter letter : letters) {
            assertThat(letter.stage).isEqualTo("validate");
            assertThat(letter.reason).as(letter.rideId).isEqualTo(expectedReasonById.get(letter.rideId));
            assertThat(letter.payload).contains("\"ride_id\":\"" + letter.rideId + "\"");
        }
    }

    @Test
    void predictionsUseTheTlcTimestampTypeAndAReRunGivesTheSameRows() throws Exception {
        JobRunner.run(conf("runA"), new PrintStream(new ByteArrayOutputStream()));
        JobRunner.run(conf("runA"), new PrintStream(new ByteArrayOutputStream())); // replaces, never appends
        JobRunner.run(conf("runB"), new PrintStream(new ByteArrayOutputStream()));
        assertThat(sortedRows("runA")).hasSize(expectedPredictions.size()).isEqualTo(sortedRows("runB"));

        java.nio.file.Path part = parts("runA/predictions", ".parquet").get(0);
        try (ParquetFileReader reader = ParquetFileReader.open(new ParquetInputFile(
                new Path(part.toString()).getFileSystem().open(new Path(part.toString())), Files.size(part)))) {
            var type = reader.getFooter().getFileMetaData().getSchema().getType("lpep_pickup_datetime");
            assertThat(type.getLogicalTypeAnnotation())
                    .isEqualTo(LogicalTypeAnnotation.timestampType(false, LogicalTypeAnnotation.TimeUnit.MICROS));
        }
    }

    /** One chain from the source to both sinks: no exchange, so nothing is shuffled or spilled between stages. */
    @Test
    void everyStageAndItsDeadLettersRunInTheSourcesChain() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.setParallelism(2);
        Preflight.Plan plan = Preflight.check(conf("graph"), false);
        Pipeline.build(env, plan.settings(), plan.input(), plan.output());
        List<String> vertices = new ArrayList<>();
        env.getStreamGraph().getJobGraph().getVertices().forEach(v -> vertices.add(v.getName()));
        // the sinks' committers are their own vertices: they get the writers' file lists once at the end
        assertThat(vertices)
                .filteredOn(name -> !name.endsWith(": Committer"))
                .singleElement()
                .asString()
                .startsWith("Source: tlc-parquet-source")
                .contains(
                        "validate -> ",
                        "pmml-scorer",
                        "count-scored",
                        "parquet-prediction-sink: Writer",
                        "dead-letter-sink-validate: Writer",
                        "dead-letter-sink-score: Writer")
                // without stream features one operator checks the event and the actuals rules
                .doesNotContain("validate-event", "validate-actuals", "to-feature-vector", "count-errors");
    }

    @Test
    void aModelNeedingAnUnknownFieldFailsBeforeTheJobStarts() throws Exception {
        java.nio.file.Path model = dir.resolve("weather.pmml");
        Files.writeString(
                model,
                Files.readString(java.nio.file.Path.of(MODEL))
                        .replace("name=\"do_mean_duration\"", "name=\"weather_index\""));
        Configuration conf = conf("weather");
        conf.set(RideScoreOptions.MODEL, model.toString());
        assertThatThrownBy(() -> JobRunner.run(conf, new PrintStream(new ByteArrayOutputStream())))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("needs input field 'weather_index', which ridescore cannot supply");
        assertThat(dir.resolve("weather")).doesNotExist();
    }

    @Test
    void aMissingInputFailsWithOneClearLine() {
        Configuration conf = conf("missing");
        conf.set(
                RideScoreOptions.INPUT,
                dir.resolve("green_tripdata_1999-01.parquet").toString());
        assertThatThrownBy(() -> JobRunner.run(conf, new PrintStream(new ByteArrayOutputStream())))
                .isInstanceOf(StartupException.class)
                .hasMessageStartingWith("input not found: ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    /** A scikit-learn DictVectorizer model on PU_DO and trip_distance needs no batch feature table: none is read. */
    @Test
    void aModelNeedingNoTableFeaturesRunsWithoutTheTable() throws Exception {
        Configuration conf = conf("no-table");
        conf.set(
                RideScoreOptions.MODEL,
                Exporters.convert("sklearn_dictvectorizer_linear.pkl", dir).toString());
        conf.set(RideScoreOptions.FEATURES, dir.resolve("no-such-table.parquet").toString());
        RunSummary summary = JobRunner.run(conf, new PrintStream(new ByteArrayOutputStream()));
        assertThat(summary.in()).isEqualTo(ROWS);
        assertThat(summary.addsUp()).isTrue();
        assertThat(summary.scored()).isPositive();
        // The same model with the table present scores the same rides the same way.
        Configuration withTable = conf("with-table");
        withTable.set(RideScoreOptions.MODEL, conf.get(RideScoreOptions.MODEL));
        assertThat(JobRunner.run(withTable, new PrintStream(new ByteArrayOutputStream()))
                        .line())
                .isEqualTo(summary.line());
        assertThat(sortedRows("no-table")).isEqualTo(sortedRows("with-table"));
    }

    /** The feature table passed as the month: a Parquet file, but not a TLC one. It used to fail inside the job. */
    @Test
    void aParquetFileThatIsNotATripFileFailsBeforeTheJobWithOneLine() {
        Configuration conf = conf("wrong-schema");
        String notTrips = conf.get(RideScoreOptions.FEATURES);
        conf.set(RideScoreOptions.INPUT, notTrips);
        assertThatThrownBy(() -> JobRunner.run(conf, new PrintStream(new ByteArrayOutputStream())))
                .isInstanceOf(StartupException.class)
                .hasMessage("input " + notTrips + " cannot be read: " + notTrips
                        + " is not a TLC trip file: no lpep_/tpep_pickup_datetime column");
        assertThat(dir.resolve("wrong-schema")).doesNotExist();
    }

    private static List<Group> predictionRows(String run) throws IOException {
        List<Group> rows = new ArrayList<>();
        for (java.nio.file.Path part : parts(run + "/predictions", ".parquet")) {
            rows.addAll(ParquetFiles.readAll(new Path(part.toString())));
        }
        return rows;
    }

    private static List<String> sortedRows(String run) throws IOException {
        return predictionRows(run).stream().map(Group::toString).sorted().toList();
    }

    private static List<DeadLetter> deadLetters(String run) throws IOException {
        List<DeadLetter> letters = new ArrayList<>();
        for (java.nio.file.Path part : parts(run + "/dead_letters", ".jsonl")) {
            Files.readAllLines(part).stream().map(DeadLetterJson::decode).forEach(letters::add);
        }
        return letters;
    }

    private static List<java.nio.file.Path> parts(String subdir, String suffix) throws IOException {
        try (Stream<java.nio.file.Path> files = Files.list(dir.resolve(subdir))) {
            return files.filter(p -> p.getFileName().toString().endsWith(suffix))
                    .sorted()
                    .toList();
        }
    }
}
