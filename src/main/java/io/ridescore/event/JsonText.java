package io.ridescore.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;

/** What the JSON codecs of the contracts share: one mapper, writing, and the ride_id echo. */
final class JsonText {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonText() {}

    static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain values always serializes", e);
        }
    }

    /** The text with each lone surrogate (not valid UTF-16, refused by every UTF-8 writer) replaced by U+FFFD. */
    static String wellFormed(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder s = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean paired = Character.isHighSurrogate(c)
                    ? i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))
                    : !Character.isLowSurrogate(c) || i > 0 && Character.isHighSurrogate(text.charAt(i - 1));
            if (!paired && s == null) {
                s = new StringBuilder(text.substring(0, i));
            }
            if (s != null) {
                s.append(paired ? c : '\uFFFD');
            }
        }
        return s == null ? text : s.toString();
    }

    /** {@code ride_id} in the JSON type it arrived in: a number stays a number, a string a string. */
    static void putRideId(ObjectNode node, String rideId, boolean numeric) {
        if (numeric) {
            node.put("ride_id", new BigDecimal(rideId));
        } else {
            node.put("ride_id", rideId);
        }
    }
}
