package io.ridescore.event;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;

import java.io.IOException;
import java.time.Instant;

/**
 * The dead-letter contract as JSON: stage, reason, detail, time, ride_id (if read), original
 * payload. Whatever a record held, its letter can be written: the payload is cut to
 * {@link #MAX_PAYLOAD_CHARS} (marked {@code payload_truncated}, with its full length) so the letter
 * stays far below the 1 MiB a Kinesis record may hold even when every character needs escaping, and
 * a lone surrogate, which no UTF-8 writer accepts, becomes U+FFFD.
 */
public final class DeadLetterJson {
    public static final int MAX_PAYLOAD_CHARS = 64 * 1024;

    private DeadLetterJson() {}

    public static String encode(DeadLetter letter) {
        return JsonText.write(json -> write(letter, json));
    }

    /** The letter as one JSON object, written to a generator of the caller's (e.g. a file's own). */
    public static void write(DeadLetter letter, JsonGenerator json) throws IOException {
        json.writeStartObject();
        json.writeStringField("stage", letter.stage);
        json.writeStringField("reason", letter.reason);
        json.writeStringField("detail", JsonText.wellFormed(letter.detail));
        json.writeStringField("time", time(letter.timeMillis));
        json.writeStringField("ride_id", JsonText.wellFormed(letter.rideId));
        String payload = letter.payload;
        if (payload != null && payload.length() > MAX_PAYLOAD_CHARS) {
            json.writeStringField("payload", JsonText.wellFormed(payload.substring(0, MAX_PAYLOAD_CHARS)));
            json.writeBooleanField("payload_truncated", true);
            json.writeNumberField("payload_chars", payload.length());
        } else {
            json.writeStringField("payload", JsonText.wellFormed(payload));
        }
        if (letter.payloadEscaped) {
            json.writeBooleanField("payload_escaped", true);
        }
        json.writeEndObject();
    }

    /** The last time written, as written: letters come in bursts within one millisecond. */
    private record Stamp(long millis, String text) {}

    // Shared by every thread that writes letters: a stamp is immutable, so whichever one a thread
    // sees is whole, and a stale one only costs a new formatting.
    private static Stamp lastStamp = new Stamp(0, Instant.EPOCH.toString());

    /** ISO-8601 in UTC with milliseconds, as {@link Instant#toString()} (a formatter run is a microsecond). */
    static String time(long millis) {
        Stamp stamp = lastStamp;
        if (stamp.millis != millis) {
            stamp = new Stamp(millis, Instant.ofEpochMilli(millis).toString());
            lastStamp = stamp;
        }
        return stamp.text;
    }

    public static DeadLetter decode(String json) {
        try {
            var node = JsonText.MAPPER.readTree(json);
            DeadLetter letter = new DeadLetter();
            letter.stage = node.path("stage").asText();
            letter.reason = node.path("reason").asText();
            letter.detail = node.path("detail").asText();
            letter.timeMillis = Instant.parse(node.path("time").asText()).toEpochMilli();
            letter.rideId =
                    node.path("ride_id").isNull() ? null : node.path("ride_id").asText();
            letter.payload =
                    node.path("payload").isNull() ? null : node.path("payload").asText();
            letter.payloadEscaped = node.path("payload_escaped").asBoolean(false);
            return letter;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a dead letter: " + json, e);
        }
    }
}
