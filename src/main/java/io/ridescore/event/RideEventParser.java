package io.ridescore.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * Reads the ride-event contract: {@code {"ride": {"PULocationID": 130, "DOLocationID": 205,
 * "trip_distance": 3.66, "pickup_datetime": "2021-01-01T00:15:56"}, "ride_id": 156}}. The reading
 * is strict and total: any text either becomes a ride event whose id is safe to echo (in JSON and as
 * a Kinesis partition key) or a {@link ParseException} with a stable reason. Trailing data,
 * duplicate keys and non-UTF-8 bytes are refused here; values that are well-typed but wrong (a zone
 * of 999, NaN distance) are left to {@link RideRules}, so each refusal has one place and one reason.
 * Without {@code pickup_datetime}, the arrival time is the event time.
 */
public final class RideEventParser {
    public static final int MAX_PAYLOAD_BYTES = 64 * 1024;
    public static final int MAX_RIDE_ID_CHARS = 256;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            // NaN and Infinity are read, then refused by the rules with their own reason.
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private RideEventParser() {}

    /** Why a payload could not be read as a ride event. */
    public static final class ParseException extends RefusedException {
        public ParseException(String reason, String detail) {
            super(reason, detail);
        }
    }

    /**
     * The plausible pickup times: not before {@code notBeforeMicros}, and not more than
     * {@code maxAheadMicros} after the ride's arrival (a clock set wrong, or a typed-in year).
     */
    public record PickupRange(long notBeforeMicros, long maxAheadMicros) implements Serializable {
        public static final PickupRange DEFAULT = of(LocalDateTime.of(2000, 1, 1, 0, 0), Duration.ofDays(1));

        public static PickupRange of(LocalDateTime notBefore, Duration maxAhead) {
            return new PickupRange(notBefore.toEpochSecond(ZoneOffset.UTC) * 1_000_000L, maxAhead.toNanos() / 1000);
        }
    }

    /** UTF-8 bytes as text, refusing malformed input instead of replacing it. */
    public static String decodeUtf8(byte[] bytes) throws ParseException {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ParseException("bad_encoding", "payload is not valid UTF-8 (" + e.getMessage() + ")");
        }
    }

    /** A JSON document by the parser's strict rules (no trailing data, no duplicate keys). */
    public static JsonNode readJson(String text) throws ParseException {
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ParseException("bad_json", "not JSON: " + firstLine(e.getOriginalMessage()));
        }
        if (root == null || root.isMissingNode()) {
            throw new ParseException("bad_json", "empty payload");
        }
        return root;
    }

    public static RideEvent parse(String payload, long arrivalMillis, PickupRange pickupRange) throws ParseException {
        int bytes = payload.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_PAYLOAD_BYTES) {
            throw new ParseException(
                    "oversized_payload", "payload of " + bytes + " bytes exceeds " + MAX_PAYLOAD_BYTES);
        }
        JsonNode root = readJson(payload);
        if (!root.isObject()) {
            throw new ParseException("bad_json", "not a JSON object");
        }
        JsonNode rideId = root.get("ride_id");
        if (rideId == null || rideId.isNull()) {
            throw new ParseException("missing_field", "ride_id is missing");
        }
        String id = rideId(rideId);
        JsonNode ride = root.get("ride");
        if (ride == null || !ride.isObject()) {
            throw new ParseException("missing_field", "ride is missing or not an object");
        }
        RideEvent event = parseRide(ride, arrivalMillis, pickupRange);
        event.rideId = id;
        event.rideIdNumeric = rideId.isNumber();
        event.payload = payload;
        return event;
    }

    /** The ride object alone ({@code PULocationID, DOLocationID, trip_distance[, pickup_datetime]}), as the web service takes it. */
    public static RideEvent parseRide(JsonNode ride, long arrivalMillis, PickupRange pickupRange)
            throws ParseException {
        if (ride == null || !ride.isObject()) {
            throw new ParseException("wrong_type", "a ride must be a JSON object");
        }
        RideEvent event = new RideEvent();
        event.puLocationId = zone(ride, "PULocationID");
        event.doLocationId = zone(ride, "DOLocationID");
        event.tripDistance = number(ride, "trip_distance");
        event.pickupMicros = pickup(ride, arrivalMillis, pickupRange);
        event.dropoffMicros = dropoff(ride);
        return event;
    }

    /**
     * The optional {@code dropoff_datetime} (replayed months carry it): only a challenger's
     * comparison reads it, never the serving path, so one that does not parse is left out rather
     * than refusing a ride that can be scored.
     */
    private static Long dropoff(JsonNode ride) {
        JsonNode node = ride.get("dropoff_datetime");
        if (node == null || !node.isTextual()) {
            return null;
        }
        try {
            LocalDateTime t = LocalDateTime.parse(node.textValue());
            return Math.multiplyExact(t.toEpochSecond(ZoneOffset.UTC), 1_000_000L) + t.getNano() / 1000;
        } catch (DateTimeParseException | ArithmeticException unusable) {
            return null;
        }
    }

    /**
     * One rule whatever the JSON type: a string or an integer, 1..256 characters as written, and
     * printable, so that it can be echoed in JSON and used as a Kinesis partition key as it is.
     */
    static String rideId(JsonNode node) throws ParseException {
        String text;
        if (node.isTextual()) {
            text = node.textValue();
        } else if (node.isIntegralNumber()) {
            // JSON integers have one spelling (no leading zeros, no '+'): the big integer's digits are as written.
            text = node.bigIntegerValue().toString();
        } else {
            throw new ParseException("wrong_type", "ride_id must be a string or an integer, not " + describe(node));
        }
        if (text.isEmpty() || text.length() > MAX_RIDE_ID_CHARS) {
            throw new ParseException(
                    "bad_ride_id",
                    "ride_id must be 1.." + MAX_RIDE_ID_CHARS + " characters (it is the Kinesis partition key), not "
                            + text.length());
        }
        String unprintable = firstUnprintable(text);
        if (unprintable != null) {
            throw new ParseException("bad_ride_id", "ride_id holds " + unprintable);
        }
        if (text.isBlank()) {
            throw new ParseException("bad_ride_id", "ride_id is blank");
        }
        return text;
    }

    /**
     * What makes a string unsafe to echo or to use as a key: a lone surrogate (not valid UTF-16),
     * a control or format character (NUL, newlines, bidi overrides, zero-width marks), a line or
     * paragraph separator, or a noncharacter; null when there is none.
     */
    public static String firstUnprintable(String text) {
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            switch (Character.getType(cp)) {
                case Character.SURROGATE -> {
                    return String.format("a lone surrogate U+%04X at %d", cp, i);
                }
                case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> {
                    return String.format("a control or format character U+%04X at %d", cp, i);
                }
                default -> {
                    if ((cp & 0xFFFE) == 0xFFFE || (cp >= 0xFDD0 && cp <= 0xFDEF)) {
                        return String.format("a noncharacter U+%04X at %d", cp, i);
                    }
                }
            }
            i += Character.charCount(cp);
        }
        return null;
    }

    private static Integer zone(JsonNode ride, String field) throws ParseException {
        Double value = number(ride, field);
        if (value == null) {
            return null;
        }
        if (value != Math.rint(value) || Math.abs(value) > Integer.MAX_VALUE) {
            throw new ParseException(
                    "wrong_type",
                    field + " must be an integer, not " + clip(ride.get(field).toString()));
        }
        return value.intValue();
    }

    private static Double number(JsonNode ride, String field) throws ParseException {
        JsonNode node = ride.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isNumber()) {
            throw new ParseException("wrong_type", field + " must be a number, not " + describe(node));
        }
        return node.doubleValue();
    }

    private static long pickup(JsonNode ride, long arrivalMillis, PickupRange range) throws ParseException {
        if (!ride.has("pickup_datetime")) {
            return arrivalMillis * 1000;
        }
        JsonNode node = ride.get("pickup_datetime");
        if (!node.isTextual()) {
            throw new ParseException(
                    "wrong_type",
                    "pickup_datetime must be an ISO-8601 string, not " + describe(node)
                            + " (leave it out to use the arrival time)");
        }
        LocalDateTime t;
        try {
            t = LocalDateTime.parse(node.textValue());
        } catch (DateTimeParseException e) {
            throw new ParseException(
                    "bad_timestamp", "pickup_datetime '" + clip(node.textValue()) + "' is not ISO-8601 local time");
        }
        // Compared in seconds first: a year like +999999999 overflows microseconds.
        long seconds = t.toEpochSecond(ZoneOffset.UTC);
        long latestSeconds = Math.floorDiv(arrivalMillis, 1000L) + range.maxAheadMicros() / 1_000_000L;
        if (seconds < Math.floorDiv(range.notBeforeMicros(), 1_000_000L) || seconds > latestSeconds) {
            throw new ParseException(
                    "implausible_pickup_time",
                    "pickup_datetime " + t + " is outside "
                            + RideEventJson.isoLocal(range.notBeforeMicros()) + " .. arrival + "
                            + Duration.ofNanos(range.maxAheadMicros() * 1000).toHours() + " h ("
                            + RideEventJson.isoLocal(latestSeconds * 1_000_000L) + ")");
        }
        return seconds * 1_000_000L + t.getNano() / 1000;
    }

    private static String describe(JsonNode node) {
        return node.getNodeType().toString().toLowerCase() + " " + clip(node.toString());
    }

    /** Details name the offending value, but a hostile one may be megabytes long. */
    private static String clip(String text) {
        return clip(text, 40);
    }

    private static String clip(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "...(" + text.length() + " chars)";
    }

    private static String firstLine(String message) {
        String m = message == null ? "" : message;
        return clip(m.lines().findFirst().orElse(m).replaceAll("\\p{Cntrl}", "?"), 200);
    }
}
