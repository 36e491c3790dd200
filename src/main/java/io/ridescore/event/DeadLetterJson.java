package io.ridescore.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;

/** The dead-letter contract as JSON: stage, reason, detail, time, ride_id (if read), original payload. */
public final class DeadLetterJson {
    private DeadLetterJson() {}

    public static String encode(DeadLetter letter) {
        ObjectNode node = JsonText.MAPPER.createObjectNode();
        node.put("stage", letter.stage);
        node.put("reason", letter.reason);
        node.put("detail", letter.detail);
        node.put("time", Instant.ofEpochMilli(letter.timeMillis).toString());
        node.put("ride_id", letter.rideId);
        node.put("payload", letter.payload);
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
            letter.rideId = node.path("ride_id").isNull() ? null : node.path("ride_id").asText();
            letter.payload = node.path("payload").isNull() ? null : node.path("payload").asText();
            return letter;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a dead letter: " + json, e);
        }
    }
}
