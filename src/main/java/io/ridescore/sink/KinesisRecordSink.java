package io.ridescore.sink;

import io.ridescore.config.KinesisSettings;
import org.apache.flink.connector.base.sink.AsyncSinkBase;
import org.apache.flink.connector.base.sink.writer.AsyncSinkWriterStateSerializer;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Collection;
import java.util.List;

/**
 * A Kinesis Streams sink (Flink's async sink base, at-least-once through checkpoints) that never
 * poisons the job. Unlike the connector's sink, it tells apart what Kinesis will accept later
 * (throttling, 5xx, a broken connection: retried with backoff) from what it never will (an invalid
 * argument: the record is dead-lettered, or the job fails naming it when it is a dead letter
 * itself), and it counts a record only once Kinesis has accepted it.
 */
public class KinesisRecordSink extends AsyncSinkBase<KinesisEntry, KinesisEntry> {
    static final int MAX_BATCH_SIZE = 500;
    static final int MAX_IN_FLIGHT_REQUESTS = 4;

    private final KinesisSettings kinesis;
    private final String stream;
    /** Where records Kinesis refuses go; null when this sink writes the dead letters. */
    private final String deadLetterStream;

    public KinesisRecordSink(KinesisSettings kinesis, String stream, String deadLetterStream) {
        super(
                (entry, context) -> entry,
                MAX_BATCH_SIZE,
                MAX_IN_FLIGHT_REQUESTS,
                10_000,
                5L * 1024 * 1024,
                kinesis.sinkBufferMillis(),
                KinesisEntry.MAX_RECORD_BYTES);
        this.kinesis = kinesis;
        this.stream = stream;
        this.deadLetterStream = deadLetterStream;
    }

    @Override
    public KinesisRecordWriter createWriter(InitContext context) {
        return restoreWriter(context, List.of());
    }

    @Override
    public KinesisRecordWriter restoreWriter(
            InitContext context, Collection<BufferedRequestState<KinesisEntry>> state) {
        return new KinesisRecordWriter(context, state, getMaxTimeInBufferMS(), kinesis, stream, deadLetterStream);
    }

    @Override
    public SimpleVersionedSerializer<BufferedRequestState<KinesisEntry>> getWriterStateSerializer() {
        return new EntrySerializer();
    }

    /** Buffered entries in checkpoints: bytes, partition key, counter, ride id. */
    static final class EntrySerializer extends AsyncSinkWriterStateSerializer<KinesisEntry> {
        @Override
        protected void serializeRequestToStream(KinesisEntry entry, DataOutputStream out) throws IOException {
            out.writeInt(entry.data().length);
            out.write(entry.data());
            out.writeUTF(entry.partitionKey());
            out.writeUTF(entry.counter());
            out.writeBoolean(entry.rideId() != null);
            if (entry.rideId() != null) {
                out.writeUTF(entry.rideId());
            }
        }

        @Override
        protected KinesisEntry deserializeRequestFromStream(long size, DataInputStream in) throws IOException {
            byte[] data = new byte[in.readInt()];
            in.readFully(data);
            String key = in.readUTF();
            String counter = in.readUTF();
            String rideId = in.readBoolean() ? in.readUTF() : null;
            return new KinesisEntry(data, key, counter, rideId);
        }

        @Override
        public int getVersion() {
            return 1;
        }
    }
}
