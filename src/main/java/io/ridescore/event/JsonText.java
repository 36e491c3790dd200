package io.ridescore.event;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;

/** What the JSON codecs of the contracts share: one mapper, writing, and the ride_id echo. */
final class JsonText {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonText() {}

    /** What one record writes to a generator. */
    @FunctionalInterface
    interface Fields {
        void writeTo(JsonGenerator json) throws IOException;
    }

    /**
     * A record written by streaming to a generator: no tree of nodes per record (a batch month
     * writes a dead letter for a sixth of its rides, each one a ride inside a letter).
     */
    static String write(Fields fields) {
        StringWriter text = new StringWriter(256);
        try (JsonGenerator json = MAPPER.getFactory().createGenerator(text)) {
            fields.writeTo(json);
        } catch (IOException e) {
            throw new IllegalStateException("writing to a string never fails", e);
        }
        return text.toString();
    }

    /** The text with each lone surrogate (not valid UTF-16, refused by every UTF-8 writer) replaced by U+FFFD. */
    static String wellFormed(String text) {
        if (text == null) {
            return null;
        }
        // Nearly every text holds no surrogate at all: one cheap pass says so (a sixth of a batch
        // month's rides are dead letters, each scanned here).
        int first = 0;
        while (first < text.length() && !Character.isSurrogate(text.charAt(first))) {
            first++;
        }
        if (first == text.length()) {
            return text;
        }
        StringBuilder s = null;
        for (int i = first; i < text.length(); i++) {
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

    /** A whole number, or null where the record has none. */
    static void writeNumber(JsonGenerator json, Integer value) throws IOException {
        if (value == null) {
            json.writeNull();
        } else {
            json.writeNumber(value);
        }
    }

    /** A number, or null where the record has none. */
    static void writeNumber(JsonGenerator json, Double value) throws IOException {
        if (value == null) {
            json.writeNull();
        } else {
            json.writeNumber(value);
        }
    }

    /** {@code ride_id} in the JSON type it arrived in: a number stays a number, a string a string. */
    static void writeRideId(JsonGenerator json, String rideId, boolean numeric) throws IOException {
        json.writeFieldName("ride_id");
        if (numeric) {
            json.writeNumber(new BigDecimal(rideId));
        } else {
            json.writeString(rideId);
        }
    }
}
