package io.ridescore.source;

import io.ridescore.event.RawRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.connectors.kinesis.serialization.KinesisDeserializationSchema;

import java.nio.charset.StandardCharsets;

/** Keeps the payload text and the Kinesis arrival time, the event time of rides without a pickup time. */
public class RawRecordSchema implements KinesisDeserializationSchema<RawRecord> {
    @Override
    public RawRecord deserialize(byte[] data, String partitionKey, String seqNum, long approxArrivalTimestamp,
                                 String stream, String shardId) {
        return new RawRecord(new String(data, StandardCharsets.UTF_8), approxArrivalTimestamp);
    }

    @Override
    public TypeInformation<RawRecord> getProducedType() {
        return TypeInformation.of(RawRecord.class);
    }
}
