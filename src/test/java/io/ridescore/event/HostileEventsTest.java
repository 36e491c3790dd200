package io.ridescore.event;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ridescore.sink.DeadLetterRecords;
import io.ridescore.sink.KinesisEntry;
import io.ridescore.source.RawRecordSchema;
import io.ridescore.testing.HostileCorpus;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every case of the hostile corpus through the edge of the online topology as it runs: the Kinesis
 * deserializer, the parse operator and the event rules. Each ends as exactly one ride event (with
 * the id the corpus says is echoed) or one dead letter with the corpus's reason, and every
 * prediction and letter is a record Kinesis accepts.
 */
class HostileEventsTest {
    static final long ARRIVAL = 1_780_000_000_000L; // 2026-05-28

    static List<HostileCorpus.Case> corpus() throws IOException {
        return HostileCorpus.load();
    }

    /** What the edge makes of one record: the ride that goes on, or the letter. */
    record Outcome(RideEvent ride, DeadLetter letter) {
        String reason() {
            if (letter != null) {
                return letter.reason;
            }
            RideRules.Violation v = RideRules.checkEvent(ride);
            return v == null ? HostileCorpus.SCORED : v.reason();
        }
    }

    static Outcome edge(byte[] payload) throws Exception {
        RawRecord raw =
                new RawRecordSchema().deserialize(payload, "key", "1", ARRIVAL, "ride_events", "shardId-000000000000");
        try (var harness = new OneInputStreamOperatorTestHarness<>(
                new ProcessOperator<>(new ParseRides(RideEventParser.PickupRange.DEFAULT)))) {
            harness.open();
            harness.processElement(new StreamRecord<>(raw));
            List<RideEvent> rides = harness.extractOutputValues();
            var letters = harness.getSideOutput(ParseRides.DEAD_LETTERS);
            int total = rides.size() + (letters == null ? 0 : letters.size());
            assertThat(total).as("exactly one output").isEqualTo(1);
            return rides.isEmpty() ? new Outcome(null, letters.poll().getValue()) : new Outcome(rides.get(0), null);
        }
    }

    /** Refusals of the scorer, after the edge: a case expecting one must pass the edge. */
    static final Set<String> SCORER_REASONS = Set.of("model_refused", "no_prediction", "non_finite_prediction");

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void everyHostileRecordEndsAsItsExpectedOutcome(HostileCorpus.Case c) throws Exception {
        Outcome outcome = edge(c.payload());
        assertThat(outcome.reason())
                .as(c.name() + (outcome.letter == null ? "" : ": " + outcome.letter.detail))
                .isEqualTo(SCORER_REASONS.contains(c.expect()) ? HostileCorpus.SCORED : c.expect());
        if (outcome.letter != null) {
            KinesisEntry entry = DeadLetterRecords.of(outcome.letter);
            assertThat(entry.violation()).isNull();
            DeadLetter decoded = DeadLetterJson.decode(new String(entry.data(), StandardCharsets.UTF_8));
            assertThat(decoded.reason).isEqualTo(c.expect());
            assertThat(decoded.payloadEscaped).isEqualTo(c.expect().equals("bad_encoding"));
            if (!decoded.payloadEscaped) {
                String original = new String(c.payload(), StandardCharsets.UTF_8);
                assertThat(original).startsWith(decoded.payload);
                assertThat(decoded.payload).hasSize(Math.min(original.length(), DeadLetterJson.MAX_PAYLOAD_CHARS));
            }
        } else if (c.scored()) {
            assertThat(outcome.ride.rideId).isEqualTo(c.rideId());
            ScoredRide scored = new ScoredRide(outcome.ride, 12.5, "m", "v1");
            String prediction = PredictionJson.encode(scored);
            assertThat(new KinesisEntry(
                                    prediction.getBytes(StandardCharsets.UTF_8), scored.rideId, "scored", scored.rideId)
                            .violation())
                    .isNull();
            // The id is echoed exactly as written, in the JSON type it came in.
            assertThat(prediction)
                    .contains("\"ride_id\":"
                            + (outcome.ride.rideIdNumeric
                                    ? c.rideId()
                                    : new ObjectMapper().writeValueAsString(c.rideId())));
        }
    }

    @Test
    void theCorpusCoversEveryReasonOfTheEdge() throws Exception {
        Map<String, Long> byExpect = HostileCorpus.load().stream()
                .collect(Collectors.groupingBy(HostileCorpus.Case::expect, TreeMap::new, Collectors.counting()));
        assertThat(byExpect)
                .containsOnlyKeys(
                        "bad_encoding",
                        "bad_json",
                        "bad_ride_id",
                        "bad_timestamp",
                        "implausible_pickup_time",
                        "missing_distance",
                        "missing_field",
                        "missing_location",
                        "non_finite_distance",
                        "non_finite_prediction",
                        "non_positive_distance",
                        "oversized_payload",
                        "scored",
                        "unknown_zone",
                        "wrong_type");
        assertThat(HostileCorpus.load()).hasSize(105);
    }

    @Test
    void bytesThatAreNotUtf8AreKeptEscapedAndMarked() throws Exception {
        Outcome outcome = edge(new byte[] {'{', '"', 'a', (byte) 0xFF, '\\', '"', '}'});
        assertThat(outcome.letter.reason).isEqualTo("bad_encoding");
        assertThat(outcome.letter.payload).isEqualTo("{\"a\\xFF\\\\\"}");
        assertThat(outcome.letter.payloadEscaped).isTrue();
    }

    @Test
    void aLetterOfAMegabytePayloadStillFitsInAKinesisRecord() {
        String payload = "\u0001".repeat(1_000_000); // every character needs six to escape
        KinesisEntry entry = DeadLetterRecords.of(
                new DeadLetter(DeadLetter.Stage.PARSE, "oversized_payload", "d", payload, "\ud800", 0));
        assertThat(entry.violation()).isNull();
        assertThat(entry.partitionKey()).isNotEqualTo("\ud800");
        String json = new String(entry.data(), StandardCharsets.UTF_8);
        assertThat(json).contains("\"payload_truncated\":true", "\"payload_chars\":1000000", "\"ride_id\":\"\ufffd\"");
    }

    @Test
    void aPickupAheadOfArrivalIsPlausibleUpToADay() throws Exception {
        String event =
                "{\"ride\": {\"PULocationID\": 1, \"DOLocationID\": 2, \"trip_distance\": 1, \"pickup_datetime\": \"%s\"},"
                        + " \"ride_id\": 1}";
        // ARRIVAL is 2026-05-28T20:26:40 (UTC wall clock, as the parser reads local times)
        assertThat(edge(String.format(event, "2026-05-29T20:26:40").getBytes(StandardCharsets.UTF_8))
                        .reason())
                .isEqualTo("scored");
        assertThat(edge(String.format(event, "2026-05-29T20:26:41").getBytes(StandardCharsets.UTF_8))
                        .reason())
                .isEqualTo("implausible_pickup_time");
        assertThat(edge(String.format(event, "2000-01-01T00:00").getBytes(StandardCharsets.UTF_8))
                        .reason())
                .isEqualTo("scored");
    }
}
