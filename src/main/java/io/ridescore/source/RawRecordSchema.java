package io.ridescore.source;

import io.ridescore.event.RawRecord;
import io.ridescore.event.RideEventParser;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.connectors.kinesis.serialization.KinesisDeserializationSchema;

/**
 * Keeps the payload text, the Kinesis arrival time (the event time of rides without a pickup time)
 * and the shard. Never fails: bytes that are not UTF-8 are kept escaped for the dead letter, since a
 * deserializer that throws would fail the job on every restart.
 */
public class RawRecordSchema implements KinesisDeserializationSchema<RawRecord> {
    @Override
    public RawRecord deserialize(
            byte[] data,
            String partitionKey,
            String seqNum,
            long approxArrivalTimestamp,
            String stream,
            String shardId) {
        try {
            return new RawRecord(RideEventParser.decodeUtf8(data), approxArrivalTimestamp, shardId, null);
        } catch (RideEventParser.ParseException e) {
            return new RawRecord(escapeBytes(data), approxArrivalTimestamp, shardId, e.getMessage());
        }
    }

    /** Printable ASCII as is (and backslash doubled); every other byte as {@code \xNN}. */
    static String escapeBytes(byte[] data) {
        StringBuilder s = new StringBuilder(data.length + 16);
        for (byte b : data) {
            int v = b & 0xFF;
            if (v >= 0x20 && v < 0x7F && v != '\\') {
                s.append((char) v);
            } else {
                s.append(v == '\\' ? "\\\\" : String.format("\\x%02X", v));
            }
        }
        return s.toString();
    }

    @Override
    public TypeInformation<RawRecord> getProducedType() {
        return TypeInformation.of(RawRecord.class);
    }
}
