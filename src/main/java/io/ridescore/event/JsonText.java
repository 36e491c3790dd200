package io.ridescore.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
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

    /** Root values back to back, each taken out on its own: no separator between them. */
    private static final JsonFactory TEXT = new JsonFactoryBuilder()
            .rootValueSeparator((SerializableString) null)
            .build();

    /** A text above this many characters is not kept for the thread's next record. */
    private static final int KEPT_CHARS = 8 * 1024;

    /**
     * Each thread's generator, kept open between records: creating and closing one per record was
     * a quarter of encoding a batch dead letter's payload (a sixth of a month's rides are refused).
     */
    private static final ThreadLocal<Text> TEXTS = ThreadLocal.withInitial(Text::new);

    private static final class Text {
        final StringWriter out = new StringWriter(256);
        final JsonGenerator json;

        Text() {
            try {
                json = TEXT.createGenerator(out);
            } catch (IOException e) {
                throw new IllegalStateException("a generator over a string never fails", e);
            }
        }
    }

    /**
     * A record written by streaming to a generator: no tree of nodes per record (a batch month
     * writes a dead letter for a sixth of its rides, each one a ride inside a letter). A record's
     * fields never write another record (the thread's one generator is in use until it returns).
     */
    static String write(Fields fields) {
        Text text = TEXTS.get();
        boolean whole = false;
        try {
            fields.writeTo(text.json);
            text.json.flush();
            whole = true;
            return text.out.toString();
        } catch (IOException e) {
            throw new IllegalStateException("writing to a string never fails", e);
        } finally {
            StringBuffer buffer = text.out.getBuffer();
            if (!whole || buffer.capacity() > KEPT_CHARS) {
                // A record cut short leaves the generator inside it; a long one leaves a large buffer.
                TEXTS.remove();
            } else {
                buffer.setLength(0);
            }
        }
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
