package io.ridescore.testing;

import io.ridescore.sink.KinesisEntry;
import io.ridescore.sink.RecordStreamOutput;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The record-stream output with memory in place of Kinesis: the same prediction, dead-letter and
 * shadow records, in the contract's JSON, kept per output in this JVM (the MiniCluster's tasks run here).
 */
public final class MemoryRideOutput extends RecordStreamOutput {
    private static final Map<String, List<String>> STREAMS = new ConcurrentHashMap<>();
    private final String id = UUID.randomUUID().toString();

    @Override
    public void check() {}

    @Override
    protected Sink<KinesisEntry> predictionSink() {
        return new MemorySink(id + "/predictions");
    }

    @Override
    protected Sink<KinesisEntry> deadLetterSink() {
        return new MemorySink(id + "/dead-letters");
    }

    @Override
    protected Sink<KinesisEntry> shadowSink() {
        return new MemorySink(id + "/shadow");
    }

    public List<String> predictions() {
        return List.copyOf(STREAMS.getOrDefault(id + "/predictions", List.of()));
    }

    public List<String> deadLetters() {
        return List.copyOf(STREAMS.getOrDefault(id + "/dead-letters", List.of()));
    }

    /** The challenger's predictions (with a challenger). */
    public List<String> shadow() {
        return List.copyOf(STREAMS.getOrDefault(id + "/shadow", List.of()));
    }

    @Override
    public String describe() {
        return "memory " + id;
    }

    private record MemorySink(String stream) implements Sink<KinesisEntry> {
        @Override
        @SuppressWarnings("deprecation") // Flink 1.20 still requires this overload
        public SinkWriter<KinesisEntry> createWriter(InitContext context) {
            List<String> records =
                    STREAMS.computeIfAbsent(stream, s -> Collections.synchronizedList(new ArrayList<>()));
            return new SinkWriter<>() {
                @Override
                public void write(KinesisEntry entry, Context context) {
                    records.add(new String(entry.data(), StandardCharsets.UTF_8));
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
