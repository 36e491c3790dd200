package io.ridescore.event;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * Reads the ride-event contract: {@code {"ride": {"PULocationID": 130, "DOLocationID": 205,
 * "trip_distance": 3.66, "pickup_datetime": "2021-01-01T00:15:56"}, "ride_id": 156}}. Type errors
 * are refused here; values that are well-typed but wrong (a zone of 999, NaN distance) are left to
 * {@link RideRules}, so each refusal has one place and one reason. Without {@code pickup_datetime},
 * the arrival time is the event time.
 */
public final class RideEventParser {
    public static final int MAX_PAYLOAD_BYTES = 64 * 1024;
    public static final int MAX_RIDE_ID_CHARS = 256;

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS);

    private RideEventParser() {}

    /** Why a payload could not be read as a ride event. */
    public static final class ParseException extends RefusedException {
        public ParseException(String reason, String detail) {
            super(reason, detail);
        }
    }

    public static RideEvent parse(String payload, long arrivalMillis) throws ParseException {
        int bytes = payload.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_PAYLOAD_BYTES) {
            throw new ParseException("oversized_payload", "payload of " + bytes + " bytes exceeds " + MAX_PAYLOAD_BYTES);
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(payload);
        } catch (JsonProcessingException e) {
            throw new ParseException("bad_json", "not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ParseException("bad_json", "not a JSON object");
        }
        JsonNode rideId = root.get("ride_id");
        if (rideId == null || rideId.isNull()) {
            throw new ParseException("missing_field", "ride_id is missing");
        }
        if (!rideId.isNumber() && !rideId.isTextual()) {
            throw new ParseException("wrong_type", "ride_id must be a number or a string, not " + rideId.getNodeType());
        }
        if (rideId.isTextual() && (rideId.textValue().isEmpty() || rideId.textValue().length() > MAX_RIDE_ID_CHARS)) {
            throw new ParseException("wrong_type", "ride_id must be 1.." + MAX_RIDE_ID_CHARS
                    + " characters (it is the Kinesis partition key)");
        }
        JsonNode ride = root.get("ride");
        if (ride == null || !ride.isObject()) {
            throw new ParseException("missing_field", "ride is missing or not an object");
        }
        RideEvent event = parseRide(ride, arrivalMillis);
        event.rideId = rideId.isNumber() ? rideId.numberValue().toString() : rideId.textValue();
        event.rideIdNumeric = rideId.isNumber();
        event.payload = payload;
        return event;
    }

    /** The ride object alone ({@code PULocationID, DOLocationID, trip_distance[, pickup_datetime]}), as the web service takes it. */
    public static RideEvent parseRide(JsonNode ride, long arrivalMillis) throws ParseException {
        if (ride == null || !ride.isObject()) {
            throw new ParseException("wrong_type", "a ride must be a JSON object");
        }
        RideEvent event = new RideEvent();
        event.puLocationId = zone(ride, "PULocationID");
        event.doLocationId = zone(ride, "DOLocationID");
        event.tripDistance = number(ride, "trip_distance");
        event.pickupMicros = pickup(ride.get("pickup_datetime"), arrivalMillis);
        return event;
    }

    /** The parser's JSON reader (NaN and Infinity are read, then refused by the rules with their own reason). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    private static Integer zone(JsonNode ride, String field) throws ParseException {
        Double value = number(ride, field);
        if (value == null) {
            return null;
        }
        if (value != Math.rint(value) || Math.abs(value) > Integer.MAX_VALUE) {
            throw new ParseException("wrong_type", field + " must be an integer, not " + ride.get(field));
        }
        return value.intValue();
    }

    private static Double number(JsonNode ride, String field) throws ParseException {
        JsonNode node = ride.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isNumber()) {
            throw new ParseException("wrong_type", field + " must be a number, not " + node);
        }
        return node.doubleValue();
    }

    private static long pickup(JsonNode node, long arrivalMillis) throws ParseException {
        if (node == null || node.isNull()) {
            return arrivalMillis * 1000;
        }
        if (!node.isTextual()) {
            throw new ParseException("wrong_type", "pickup_datetime must be an ISO-8601 string, not " + node);
        }
        try {
            LocalDateTime t = LocalDateTime.parse(node.textValue());
            return t.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + t.getNano() / 1000;
        } catch (DateTimeParseException e) {
            throw new ParseException("bad_timestamp", "pickup_datetime '" + node.textValue() + "' is not ISO-8601 local time");
        }
    }
}
