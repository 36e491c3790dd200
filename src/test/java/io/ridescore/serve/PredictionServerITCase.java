package io.ridescore.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ridescore.config.RideScoreOptions;
import io.ridescore.config.TaxiType;
import io.ridescore.event.ParquetFiles;
import io.ridescore.event.RideEvent;
import io.ridescore.event.RideEventJson;
import io.ridescore.event.RideRules;
import io.ridescore.model.Agreement;
import io.ridescore.model.Exporters;
import io.ridescore.model.ModelSpec;
import io.ridescore.run.JobRunner;
import io.ridescore.testing.HostileCorpus;
import io.ridescore.testing.TestData;
import io.ridescore.tools.TripDataGenerator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.Path;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.parquet.example.data.Group;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The web service over real HTTP on loopback: the contract, every bad request, and agreement with batch mode. */
class PredictionServerITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "pmml/ride_duration.pmml";

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = TestData.miniCluster();

    @TempDir
    static java.nio.file.Path dir;

    static String features;
    static PredictionServer server;
    static HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        TestData.history(dir, 9, 10_000);
        features = dir.resolve(TestData.FEATURES).toString();
        server = PredictionServer.create(
                        new ModelSpec(MODEL, null), null, false, features, "127.0.0.1", 0, 2, Duration.ofSeconds(2))
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static HttpResponse<String> post(String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/predict"))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theReferenceRequestGetsTheReferenceAnswerShape() throws Exception {
        HttpResponse<String> response = post("{\"PULocationID\": 10, \"DOLocationID\": 50, \"trip_distance\": 40}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode answer = JSON.readTree(response.body());
        assertThat(answer.get("duration").isDouble()).isTrue();
        assertThat(answer.get("model_version").asText()).startsWith("linear-");
    }

    @Test
    void anArrayOfRidesIsAnsweredAsAnArrayInOrder() throws Exception {
        String one =
                "{\"PULocationID\": 10, \"DOLocationID\": 50, \"trip_distance\": 4, \"pickup_datetime\": \"2021-02-01T08:00:00\"}";
        String two =
                "{\"PULocationID\": 130, \"DOLocationID\": 205, \"trip_distance\": 3.66, \"pickup_datetime\": \"2021-02-01T23:00:00\"}";
        JsonNode answers = JSON.readTree(post("[" + one + "," + two + "]").body());
        assertThat(answers.isArray()).isTrue();
        assertThat(answers).hasSize(2);
        assertThat(answers.get(0)).isEqualTo(JSON.readTree(post(one).body()));
        assertThat(answers.get(1)).isEqualTo(JSON.readTree(post(two).body()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "malformed JSON       | {\"PULocationID\": 10,                                              | 400 | bad_json",
                "empty body           |                                                                       | 400 | bad_json",
                "not an object        | 42                                                                    | 400 | wrong_type",
                "empty array          | []                                                                    | 400 | missing_field",
                "string zone          | {\"PULocationID\": \"10\", \"DOLocationID\": 50, \"trip_distance\": 4} | 400 | wrong_type",
                "fractional zone      | {\"PULocationID\": 10.5, \"DOLocationID\": 50, \"trip_distance\": 4}   | 400 | wrong_type",
                "missing zone         | {\"DOLocationID\": 50, \"trip_distance\": 4}                           | 400 | missing_location",
                "missing distance     | {\"PULocationID\": 10, \"DOLocationID\": 50}                           | 400 | missing_distance",
                "zone out of range    | {\"PULocationID\": 300, \"DOLocationID\": 50, \"trip_distance\": 4}    | 400 | unknown_zone",
                "negative distance    | {\"PULocationID\": 10, \"DOLocationID\": 50, \"trip_distance\": -4}    | 400 | non_positive_distance",
                "NaN distance         | {\"PULocationID\": 10, \"DOLocationID\": 50, \"trip_distance\": NaN}   | 400 | non_finite_distance",
                "bad pickup time      | {\"PULocationID\": 10, \"DOLocationID\": 50, \"trip_distance\": 4, \"pickup_datetime\": \"soon\"} | 400 | bad_timestamp",
                "one bad ride in many | [{\"PULocationID\": 10, \"DOLocationID\": 50, \"trip_distance\": 4}, {\"PULocationID\": 0, \"DOLocationID\": 5, \"trip_distance\": 1}] | 400 | unknown_zone",
            })
    void badRequestsGetA4xxWithAJsonErrorSayingWhatIsWrong(String kind, String body, int status, String reason)
            throws Exception {
        HttpResponse<String> response = post(body == null ? "" : body);
        assertThat(response.statusCode()).as(kind).isEqualTo(status);
        JsonNode error = JSON.readTree(response.body());
        assertThat(error.get("error").asText()).isEqualTo(reason);
        assertThat(error.get("detail").asText()).isNotBlank();
    }

    @Test
    void oversizedBodiesAreRefusedWith413() throws Exception {
        HttpResponse<String> response = post("{\"pad\": \"" + "x".repeat(PredictionServer.MAX_BODY_BYTES) + "\"}");
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("oversized_body");
    }

    @Test
    void aChunkedBodyOverTheLimitGets413NotAReset() throws Exception {
        byte[] body = ("{\"pad\": \"" + "x".repeat(2 * 1024 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(predictUri())
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.request().headers().firstValue("Content-Length")).isEmpty();
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("oversized_body");
    }

    @ParameterizedTest
    @CsvSource({"text/plain", "application/x-www-form-urlencoded", "application/xml"})
    void aBodyThatSaysItIsNotJsonGets415(String type) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(predictUri())
                        .header("Content-Type", type)
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"PULocationID\": 10, \"DOLocationID\": 50, \"trip_distance\": 4}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("unsupported_media_type");
    }

    @Test
    void jsonWithACharsetIsAccepted() throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(predictUri())
                        .header("Content-Type", "application/json; charset=utf-8")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"PULocationID\": 10, \"DOLocationID\": 50, \"trip_distance\": 4}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
    }

    /** Declares 100 bytes and sends 1: the server answers 408 once its read timeout (2 s here) passes, and closes. */
    @Test
    void aSlowClientGetsATimeoutInsteadOfHoldingTheConnection() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(15_000);
            socket.getOutputStream()
                    .write(("POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                    + "Content-Length: 100\r\n\r\n{")
                            .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 408").contains("\"error\":\"request_timeout\"");
        }
    }

    /** Headers that never end get no hold either: the connection is closed after the read timeout. */
    @Test
    void headersThatNeverEndAreCutOff() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(15_000);
            socket.getOutputStream()
                    .write("POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
    }

    /** The hostile corpus's ride objects as request bodies: every one gets a 2xx or a 4xx with a reason, never a 5xx. */
    @Test
    void noHostileBodyGetsA5xx() throws Exception {
        for (HostileCorpus.Case c : HostileCorpus.load()) {
            for (byte[] body : List.of(c.payload(), rideOf(c.payload()))) {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(predictUri())
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(c.name()).isIn(200, 400, 413, 422);
                if (response.statusCode() != 200) {
                    assertThat(JSON.readTree(response.body()).get("error").asText())
                            .as(c.name())
                            .isNotBlank();
                }
            }
        }
    }

    /** How much a series of the Prometheus text rose between two scrapes (a series not yet there counts 0). */
    private static double rise(String before, String after, String series) {
        return value(after, series) - value(before, series);
    }

    private static double value(String metrics, String series) {
        return metrics.lines()
                .filter(l -> l.startsWith(series + " "))
                .findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1)))
                .orElse(0.0);
    }

    /** The event's ride object as the service takes it, where the payload has one; else the payload itself. */
    private static byte[] rideOf(byte[] payload) {
        try {
            JsonNode ride = JSON.readTree(payload).get("ride");
            return ride == null ? payload : JSON.writeValueAsBytes(ride);
        } catch (IOException notJson) {
            return payload;
        }
    }

    private static URI predictUri() {
        return URI.create("http://127.0.0.1:" + server.port() + "/predict");
    }

    @Test
    void unknownPathsAndMethodsAreRefused() throws Exception {
        assertThat(get("/nope").statusCode()).isEqualTo(404);
        assertThat(get("/predict").statusCode()).isEqualTo(405);
    }

    @Test
    void healthAndPrometheusMetrics() throws Exception {
        JsonNode health = JSON.readTree(get("/health").body());
        assertThat(health.get("status").asText()).isEqualTo("ready");
        assertThat(health.get("model").asText()).isEqualTo("ride_duration_prediction_model");
        String before = get("/metrics").body();
        for (int i = 0; i < 3; i++) {
            post("{\"PULocationID\": 10, \"DOLocationID\": 50, \"trip_distance\": 40}");
        }
        post(
                "[{\"PULocationID\": 10, \"DOLocationID\": 50, \"trip_distance\": 4}, {\"PULocationID\": 11, \"DOLocationID\": 50, \"trip_distance\": 4}]");
        post("{\"PULocationID\": 999, \"DOLocationID\": 50, \"trip_distance\": 40}");
        post("{\"PULocationID\": 0, \"DOLocationID\": 50, \"trip_distance\": 40}");
        String after = get("/metrics").body();
        // Each counter rose by exactly what was sent: 4 answered requests (5 rides), 2 refused as unknown_zone.
        assertThat(rise(before, after, "ridescore_http_requests_total{code=\"200\"}"))
                .isEqualTo(4);
        assertThat(rise(before, after, "ridescore_http_requests_total{code=\"400\"}"))
                .isEqualTo(2);
        assertThat(rise(before, after, "ridescore_request_errors_total{reason=\"unknown_zone\"}"))
                .isEqualTo(2);
        assertThat(rise(before, after, "ridescore_rides_predicted_total")).isEqualTo(5);
        assertThat(rise(before, after, "ridescore_request_duration_seconds_count"))
                .isEqualTo(6);
        assertThat(after)
                .contains(
                        "# TYPE ridescore_http_requests_total counter",
                        "ridescore_model_info{model=\"ride_duration_prediction_model\"");
    }

    /**
     * Sixteen clients against eight I/O threads on two cores, on the scorers that keep per-thread
     * scratch state: jpmml-evaluator's argument map (forced), and a random forest's compiled trees.
     * Every answer equals the one the same ride got alone.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"shipped linear, fast path", "shipped linear, jpmml", "random forest, fast path"})
    void concurrentRequestsAllGetTheirOwnAnswer(String model, String path) throws Exception {
        String file = model.equals("random forest")
                ? Exporters.convert("sklearn_dictvectorizer_forest.pkl", dir).toString()
                : MODEL;
        ModelSpec spec = new ModelSpec(file, null, null, null, null, path.equals("jpmml"), Duration.ZERO, null);
        try (PredictionServer concurrent = PredictionServer.create(
                        spec, null, false, features, "127.0.0.1", 0, 8, Duration.ofSeconds(5))
                .start()) {
            URI uri = URI.create("http://127.0.0.1:" + concurrent.port() + "/predict");
            List<String> bodies = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            // Rides of the generated month: zone pairs the exporter models mostly know.
            for (RideEvent r : TestData.read(
                    new Path(dir.resolve("green_tripdata_2021-01.parquet").toString()))) {
                if (bodies.size() == 300) {
                    break;
                }
                if (RideRules.checkEvent(r) == null) {
                    String body = "{\"PULocationID\": " + r.puLocationId + ", \"DOLocationID\": " + r.doLocationId
                            + ", \"trip_distance\": " + r.tripDistance + ", \"pickup_datetime\": \""
                            + RideEventJson.isoLocal(r.pickupMicros) + "\"}";
                    bodies.add(body);
                    expected.add(post(uri, body).body());
                }
            }
            assertThat(expected).filteredOn(b -> b.contains("\"duration\"")).hasSizeGreaterThan(100);
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                List<Future<String>> answers = new ArrayList<>();
                for (int round = 0; round < 8; round++) {
                    for (String body : bodies) {
                        answers.add(pool.submit(() -> post(uri, body).body()));
                    }
                }
                for (int i = 0; i < answers.size(); i++) {
                    assertThat(answers.get(i).get())
                            .as(bodies.get(i % bodies.size()))
                            .isEqualTo(expected.get(i % bodies.size()));
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    private static HttpResponse<String> post(URI uri, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theServiceAndBatchModeGiveTheSamePredictionForTheSameRide() throws Exception {
        Path month = new Path(dir.resolve("green_tripdata_2021-02.parquet").toString());
        new TripDataGenerator(9).write(YearMonth.of(2021, 2), 500, TaxiType.GREEN, month, n -> {});
        Configuration batch = new Configuration();
        batch.set(RideScoreOptions.INPUT, month.toString());
        batch.set(RideScoreOptions.FEATURES, features);
        batch.set(RideScoreOptions.MODEL, MODEL);
        batch.set(RideScoreOptions.OUTPUT, dir.resolve("out").toString());
        batch.set(RideScoreOptions.DEAD_LETTERS, dir.resolve("dead").toString());
        JobRunner.run(batch, new PrintStream(new ByteArrayOutputStream()));
        List<Group> rows = new ArrayList<>();
        try (Stream<java.nio.file.Path> parts = Files.list(dir.resolve("out"))) {
            for (java.nio.file.Path part :
                    parts.filter(p -> p.toString().endsWith(".parquet")).toList()) {
                rows.addAll(ParquetFiles.readAll(new Path(part.toString())));
            }
        }
        ArrayNode request = JSON.createArrayNode();
        for (Group row : rows) {
            ObjectNode ride = request.addObject();
            ride.put("PULocationID", row.getLong("PULocationID", 0));
            ride.put("DOLocationID", row.getLong("DOLocationID", 0));
            ride.put("trip_distance", row.getDouble("trip_distance", 0));
            ride.put("pickup_datetime", RideEventJson.isoLocal(row.getLong("lpep_pickup_datetime", 0)));
        }
        JsonNode answers = JSON.readTree(post(JSON.writeValueAsString(request)).body());
        assertThat(rows).hasSizeGreaterThan(400);
        for (int i = 0; i < rows.size(); i++) {
            assertThat(answers.get(i).get("duration").asDouble())
                    .isEqualTo(rows.get(i).getDouble("predicted_duration", 0));
        }
    }

    /**
     * With a challenger, a request marked {@code X-Shadow: true} is scored by both models: the client
     * gets the serving model's answer byte for byte, and the agreement with the challenger (asked
     * here as a service of its own, for the expected figures) is what {@code /metrics} shows.
     */
    @Test
    void aShadowedRequestGetsTheServingAnswerAndTheChallengerOnlyReachesTheMetrics() throws Exception {
        ModelSpec challenger = new ModelSpec(
                Exporters.convert("sklearn_dictvectorizer_linear.pkl", dir).toString(), null);
        List<String> bodies = new ArrayList<>();
        for (RideEvent r : TestData.read(
                new Path(dir.resolve("green_tripdata_2021-01.parquet").toString()))) {
            if (bodies.size() == 60) {
                break;
            }
            if (RideRules.checkEvent(r) == null) {
                bodies.add("{\"PULocationID\": " + r.puLocationId + ", \"DOLocationID\": " + r.doLocationId
                        + ", \"trip_distance\": " + r.tripDistance + ", \"pickup_datetime\": \""
                        + RideEventJson.isoLocal(r.pickupMicros) + "\"}");
            }
        }
        Agreement expected = new Agreement();
        long refused = 0;
        try (PredictionServer both = PredictionServer.create(
                                new ModelSpec(MODEL, null),
                                challenger,
                                false,
                                features,
                                "127.0.0.1",
                                0,
                                2,
                                Duration.ofSeconds(5))
                        .start();
                PredictionServer alone = PredictionServer.create(
                                challenger, null, false, features, "127.0.0.1", 0, 2, Duration.ofSeconds(5))
                        .start()) {
            URI uri = URI.create("http://127.0.0.1:" + both.port() + "/predict");
            URI challengerUri = URI.create("http://127.0.0.1:" + alone.port() + "/predict");
            for (String body : bodies) {
                HttpResponse<String> plain = post(uri, body);
                HttpResponse<String> shadowed = http.send(
                        HttpRequest.newBuilder(uri)
                                .header("X-Shadow", "true")
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(shadowed.statusCode()).isEqualTo(200);
                assertThat(shadowed.body()).isEqualTo(plain.body());
                HttpResponse<String> own = post(challengerUri, body);
                if (own.statusCode() == 200) {
                    expected.add(
                            JSON.readTree(plain.body()).get("duration").asDouble(),
                            JSON.readTree(own.body()).get("duration").asDouble());
                } else {
                    refused++;
                }
            }
            String metrics = http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + both.port() + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            String labels = "{challenger_model=\"sklearn_dictvectorizer_linear\",challenger_version=\"";
            String version = metrics.lines()
                    .filter(l -> l.startsWith("ridescore_shadow_rides_total" + labels))
                    .findFirst()
                    .orElseThrow()
                    .replaceAll(".*challenger_version=\"([^\"]*)\".*", "$1");
            String l = labels + version + "\"}";
            // The exporter model knows fewer zone pairs: both outcomes are seen.
            assertThat(expected.pairs()).isGreaterThan(10);
            assertThat(refused).isPositive();
            assertThat(value(metrics, "ridescore_shadow_rides_total" + l)).isEqualTo(expected.pairs());
            assertThat(value(metrics, "ridescore_shadow_refused_total{reason=\"model_refused\"}"))
                    .isEqualTo(refused);
            assertThat(value(metrics, "ridescore_shadow_agreement_pairs" + l)).isEqualTo(expected.pairs());
            assertThat(value(metrics, "ridescore_shadow_agreement_mean_abs_diff_minutes" + l))
                    .isCloseTo(expected.meanAbsDiff(), within(1e-9));
            assertThat(value(metrics, "ridescore_shadow_agreement_p95_abs_diff_minutes" + l))
                    .isEqualTo(expected.p95AbsDiff());
            assertThat(value(metrics, "ridescore_shadow_agreement_within_1min_ratio" + l))
                    .isEqualTo(expected.withinMinuteShare());
        }
    }

    @Test
    void aChallengerTheServiceCannotFeedIsRefusedAtStart() {
        assertThatThrownBy(() -> PredictionServer.create(
                        new ModelSpec(MODEL, null),
                        new ModelSpec("pmml/ride_duration_stream.pmml", null),
                        true,
                        features,
                        "127.0.0.1",
                        0,
                        1,
                        Duration.ofSeconds(1)))
                .hasMessageContaining("a stream feature");
    }
}
