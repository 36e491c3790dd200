package io.ridescore.testing;

import io.ridescore.event.RawRecord;
import io.ridescore.event.RideEventParser;
import io.ridescore.source.RawRecordSchema;
import io.ridescore.source.RideInput;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Stream records held in memory, as the Kinesis input would hand them on: raw bytes decoded by the
 * same {@link RawRecordSchema}, spread round-robin over {@code shards} shards, then parsed by the
 * same strict parser. The input is bounded, so an online job on it ends once every record is
 * through, with its output complete.
 */
public final class MemoryRideInput implements RideInput {
    private final List<RawRecord> records = new ArrayList<>();
    private final RideEventParser.PickupRange pickupRange;

    /** @param arrivalMillis when every record arrived (a ride without a pickup time takes it as its event time) */
    public MemoryRideInput(
            List<byte[]> payloads, int shards, long arrivalMillis, RideEventParser.PickupRange pickupRange)
            throws Exception {
        RawRecordSchema schema = new RawRecordSchema();
        for (int i = 0; i < payloads.size(); i++) {
            String shard = String.format("shardId-%012d", i % shards);
            records.add(schema.deserialize(
                    payloads.get(i), "key-" + i, Integer.toString(i), arrivalMillis, "memory", shard));
        }
        this.pickupRange = pickupRange;
    }

    public static List<byte[]> utf8(List<String> payloads) {
        return payloads.stream().map(p -> p.getBytes(StandardCharsets.UTF_8)).toList();
    }

    @Override
    public long check() {
        return -1;
    }

    @Override
    public Rides read(StreamExecutionEnvironment env) {
        return RideInput.parsed(
                env.fromData(new RawRecordSchema().getProducedType(), records.toArray(new RawRecord[0]))
                        .name("memory-source")
                        .uid("memory-source"),
                pickupRange);
    }

    @Override
    public boolean carriesActuals() {
        return false;
    }

    @Override
    public String describe() {
        return records.size() + " records in memory";
    }
}
