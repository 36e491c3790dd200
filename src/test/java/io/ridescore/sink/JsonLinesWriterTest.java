package io.ridescore.sink;

import io.ridescore.event.DeadLetter;
import io.ridescore.event.DeadLetterJson;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.core.fs.local.LocalDataOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The dead-letter files: each letter one line, written straight to the file, as its JSON contract reads. */
class JsonLinesWriterTest {
    @TempDir
    Path dir;

    @Test
    void eachLetterIsOneLineOfItsContractsJsonByteForByte() throws Exception {
        List<DeadLetter> letters = List.of(
                letter("{\"ride\": {\"PULocationID\": 300}}", "156"),
                // quotes, a backslash, control characters, non-ASCII, a surrogate pair and a lone surrogate
                letter("\"q\" \\ \u0001\t\n é 😀 \uD800 end", null),
                // cut to its first 64k characters, marked so
                letter("x".repeat(DeadLetterJson.MAX_PAYLOAD_CHARS + 10), "2021/02_9"),
                letter(null, null));
        Path file = dir.resolve("letters.jsonl");
        try (LocalDataOutputStream part = new LocalDataOutputStream(file.toFile())) {
            BulkWriter<DeadLetter> writer =
                    JsonLinesWriter.factory(DeadLetterJson::write).create(part);
            for (DeadLetter letter : letters.subList(0, 2)) {
                writer.addElement(letter);
            }
            writer.flush();
            for (DeadLetter letter : letters.subList(2, 4)) {
                writer.addElement(letter);
            }
            writer.finish();
        }

        StringBuilder expected = new StringBuilder();
        letters.forEach(letter -> expected.append(DeadLetterJson.encode(letter)).append('\n'));
        byte[] written = Files.readAllBytes(file);
        assertThat(new String(written, StandardCharsets.UTF_8)).isEqualTo(expected.toString());
        assertThat(written).isEqualTo(expected.toString().getBytes(StandardCharsets.UTF_8));
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(4);
        assertThat(DeadLetterJson.decode(lines.get(0))).isEqualTo(letters.get(0));
        assertThat(DeadLetterJson.decode(lines.get(1)).payload).isEqualTo("\"q\" \\ \u0001\t\n é 😀 \uFFFD end");
        assertThat(lines.get(2)).contains("\"payload_truncated\":true", "\"payload_chars\":65546");
    }

    private static DeadLetter letter(String payload, String rideId) {
        return new DeadLetter(
                DeadLetter.Stage.VALIDATE,
                "unknown_zone",
                "PULocationID 300 is not a TLC zone",
                payload,
                rideId,
                1_700_000_000_123L);
    }
}
