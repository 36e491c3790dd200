package io.ridescore.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;

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
        ObjectNode node = JsonText.MAPPER.createObjectNode();
        node.put("stage", letter.stage);
        node.put("reason", letter.reason);
        node.put("detail", JsonText.wellFormed(letter.detail));
        node.put("time", Instant.ofEpochMilli(letter.timeMillis).toString());
        node.put("ride_id", JsonText.wellFormed(letter.rideId));
        String payload = letter.payload;
        if (payload != null && payload.length() > MAX_PAYLOAD_CHARS) {
            node.put("payload", JsonText.wellFormed(payload.substring(0, MAX_PAYLOAD_CHARS)));
            node.put("payload_truncated", true);
            node.put("payload_chars", payload.length());
        } else {
            node.put("payload", JsonText.wellFormed(payload));
        }
        if (letter.payloadEscaped) {
            node.put("payload_escaped", true);
        }
        return JsonText.write(node);
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
