package io.ridescore.event;

import io.ridescore.sink.DeadLetterRecords;
import io.ridescore.sink.KinesisEntry;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Valid zoomcamp events, mutated at random (bytes flipped, inserted, deleted, duplicated, cut), go
 * through the edge of the online topology. Whatever the bytes, the outcome is one ride that is safe
 * to echo and to key a Kinesis record with, or one dead letter with a documented reason that fits
 * in a Kinesis record; nothing throws.
 */
class MutatedEventsTest {
    static final Set<String> EDGE_REASONS = Set.of(
            "bad_encoding",
            "bad_json",
            "bad_ride_id",
            "bad_timestamp",
            "implausible_pickup_time",
            "missing_field",
            "oversized_payload",
            "wrong_type");
    static final byte[] HOSTILE_BYTES = {
        '"',
        '\\',
        '{',
        '}',
        '[',
        ']',
        ',',
        ':',
        '0',
        '9',
        '-',
        'e',
        '.',
        ' ',
        0,
        (byte) 0xFF,
        (byte) 0xC0,
        (byte) 0xED,
        (byte) 0xA0,
        (byte) 0x80,
        (byte) 0xE2,
        (byte) 0xF0,
        '\n',
        'u'
    };

    @Provide
    Arbitrary<byte[]> validEvents() {
        Arbitrary<String> rideId = Arbitraries.oneOf(
                Arbitraries.longs().map(n -> Long.toString(n)),
                Arbitraries.strings()
                        .withCharRange('!', '~')
                        .ofMinLength(1)
                        .ofMaxLength(40)
                        .map(s -> new com.fasterxml.jackson.databind.node.TextNode(s).toString()));
        return Combinators.combine(
                        rideId,
                        Arbitraries.integers().between(1, 265),
                        Arbitraries.integers().between(1, 265),
                        Arbitraries.doubles().between(0.01, 80).ofScale(2),
                        Arbitraries.longs().between(1_609_459_200L, 1_640_995_199L))
                .as((id, pu, dO, distance, seconds) -> String.format(
                                "{\"ride\": {\"PULocationID\": %d, \"DOLocationID\": %d, \"trip_distance\": %s, \"pickup_datetime\": \"%s\"},"
                                        + " \"ride_id\": %s}",
                                pu, dO, distance, LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC), id)
                        .getBytes(StandardCharsets.UTF_8));
    }

    @Provide
    Arbitrary<byte[]> mutatedEvents() {
        Arbitrary<int[]> edits = Arbitraries.integers()
                .between(0, Integer.MAX_VALUE)
                .array(int[].class)
                .ofMinSize(1)
                .ofMaxSize(3);
        return Combinators.combine(validEvents(), edits).as(MutatedEventsTest::mutate);
    }

    /** Each int picks an edit, where it applies and with which hostile byte. */
    static byte[] mutate(byte[] event, int[] edits) {
        byte[] b = event;
        for (int e : edits) {
            int at = (e >>> 8) % Math.max(1, b.length);
            byte with = HOSTILE_BYTES[(e >>> 3) % HOSTILE_BYTES.length];
            b = switch (e & 7) {
                case 0 -> replace(b, at, with);
                case 1 -> insert(b, at, with);
                case 2 -> delete(b, at);
                case 3 -> Arrays.copyOf(b, at); // cut short
                case 4 -> concat(b, Arrays.copyOfRange(b, at, b.length)); // trailing data
                case 5 -> b.length == 0 ? insert(b, 0, with) : replace(b, at, (byte) (b[at] ^ (1 << ((e >>> 4) & 7))));
                case 6 -> replaceValue(b, e >>> 3, false); // a value of another type or shape
                default -> replaceValue(b, e >>> 3, true); // the ride_id, the last field
            };
        }
        return b;
    }

    @Property(tries = 3000)
    void anyMutationEndsAsOneSafeRideOrOneDocumentedDeadLetter(@ForAll("mutatedEvents") byte[] payload)
            throws Exception {
        Statistics.collect(assertSafeOutcome(payload));
        // The mutations must reach every branch of the edge, or the property proves little.
        Statistics.coverage(c -> {
            for (String reason :
                    List.of("scored", "bad_json", "bad_encoding", "wrong_type", "bad_ride_id", "bad_timestamp")) {
                c.check(reason).count(n -> n >= 10);
            }
        });
    }

    @Property(tries = 300)
    void unmutatedEventsAreAllScoreable(@ForAll("validEvents") byte[] payload) throws Exception {
        HostileEventsTest.Outcome outcome = HostileEventsTest.edge(payload);
        assertThat(outcome.reason()).isEqualTo("scored");
    }

    /** Returns the edge's verdict: a dead letter's reason, or {@code scored} for a ride that goes on. */
    static String assertSafeOutcome(byte[] payload) throws Exception {
        HostileEventsTest.Outcome outcome = HostileEventsTest.edge(payload);
        if (outcome.letter() != null) {
            assertThat(EDGE_REASONS).contains(outcome.letter().reason);
            assertThat(DeadLetterRecords.of(outcome.letter()).violation()).isNull();
            return outcome.letter().reason;
        }
        RideEvent ride = outcome.ride();
        assertThat(RideEventParser.firstUnprintable(ride.rideId)).isNull();
        String prediction = PredictionJson.encode(new ScoredRide(withDefaults(ride), 1.0, "m", "v"));
        assertThat(new KinesisEntry(prediction.getBytes(StandardCharsets.UTF_8), ride.rideId, "scored", ride.rideId)
                        .violation())
                .isNull();
        return "scored";
    }

    /** Rides with holes are refused by the rules later; the echo is what is checked here. */
    private static RideEvent withDefaults(RideEvent r) {
        return new RideEvent(
                r.rideId,
                r.rideIdNumeric,
                r.puLocationId == null ? 1 : r.puLocationId,
                r.doLocationId == null ? 1 : r.doLocationId,
                r.tripDistance == null ? 1.0 : r.tripDistance,
                r.pickupMicros,
                null,
                r.payload);
    }

    static final String[] HOSTILE_VALUES = {
        "\"abc\"",
        "true",
        "null",
        "[]",
        "{}",
        "1.5e300",
        "NaN",
        "-1",
        "0",
        "130.5",
        "\"\\ud800\"",
        "\"a\\u202eb\"",
        "\"\"",
        "\"2021-13-01T00:00:00\"",
        "\"9999-12-31T23:59:59\"",
        "1e400",
        "\"" + "7".repeat(300) + "\"",
        "7".repeat(300),
        "\"\\u0000\"",
        "[[[[1]]]]",
        "\"2021-01-01T00:00:00\""
    };

    /** Replaces the value after one of the object's colons, up to the next comma or brace. */
    private static byte[] replaceValue(byte[] b, int pick, boolean last) {
        String text = new String(b, StandardCharsets.ISO_8859_1);
        List<Integer> colons = new ArrayList<>();
        for (int i = text.indexOf(':'); i >= 0; i = text.indexOf(':', i + 1)) {
            colons.add(i);
        }
        if (colons.isEmpty()) {
            return b;
        }
        int from = colons.get(last ? colons.size() - 1 : pick % colons.size()) + 1;
        int to = from;
        while (to < text.length() && text.charAt(to) != ',' && text.charAt(to) != '}') {
            to++;
        }
        if (text.substring(from, to).trim().startsWith("{")) {
            return b; // the ride object itself: keep it, its fields are values too
        }
        String value = " " + HOSTILE_VALUES[(pick >>> 4) % HOSTILE_VALUES.length];
        return (text.substring(0, from) + value + text.substring(to)).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] replace(byte[] b, int at, byte with) {
        if (b.length == 0) {
            return new byte[] {with};
        }
        byte[] c = b.clone();
        c[at] = with;
        return c;
    }

    private static byte[] insert(byte[] b, int at, byte with) {
        byte[] c = new byte[b.length + 1];
        System.arraycopy(b, 0, c, 0, at);
        c[at] = with;
        System.arraycopy(b, at, c, at + 1, b.length - at);
        return c;
    }

    private static byte[] delete(byte[] b, int at) {
        if (b.length == 0) {
            return b;
        }
        byte[] c = new byte[b.length - 1];
        System.arraycopy(b, 0, c, 0, at);
        System.arraycopy(b, at + 1, c, at, b.length - at - 1);
        return c;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
