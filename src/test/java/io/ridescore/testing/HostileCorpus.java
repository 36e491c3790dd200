package io.ridescore.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The committed corpus of hostile ride events ({@code hostile/ride-events.jsonl}): each case names
 * what it tries, the bytes a producer would put, and what must come of it: {@code scored} (with the
 * ride id the prediction must echo) or the reason of its dead letter.
 */
public final class HostileCorpus {
    public static final String SCORED = "scored";

    public record Case(String name, String expect, byte[] payload, String rideId) {
        public boolean scored() {
            return expect.equals(SCORED);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private HostileCorpus() {}

    public static List<Case> load() throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Case> cases = new ArrayList<>();
        try (InputStream in = HostileCorpus.class.getResourceAsStream("/hostile/ride-events.jsonl")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                JsonNode c = json.readTree(line);
                byte[] payload = c.has("payload_base64")
                        ? Base64.getDecoder().decode(c.get("payload_base64").asText())
                        : c.get("payload").asText().getBytes(StandardCharsets.UTF_8);
                cases.add(new Case(
                        c.get("case").asText(),
                        c.get("expect").asText(),
                        payload,
                        c.has("ride_id") ? c.get("ride_id").asText() : null));
            }
        }
        return cases;
    }
}
