package io.ridescore.source;

import io.ridescore.event.RideEvent;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.ArrayResultIterator;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;

import java.io.IOException;

/**
 * Reads TLC Parquet splits (row groups, see {@link RowGroupEnumerator}) as {@link RideEvent}s in
 * batches. Positions count records from the split start, so a restored reader skips exactly what
 * was already emitted.
 */
public class TlcParquetFormat implements BulkFormat<RideEvent, FileSourceSplit> {
    private static final int BATCH_SIZE = 2048;

    @Override
    public Reader<RideEvent> createReader(Configuration config, FileSourceSplit split) throws IOException {
        return new SplitReader(TlcParquetReader.open(split.path(), split.offset(), split.length()), 0);
    }

    @Override
    public Reader<RideEvent> restoreReader(Configuration config, FileSourceSplit split) throws IOException {
        long skip = split.getReaderPosition()
                .map(CheckpointedPosition::getRecordsAfterOffset)
                .orElse(0L);
        TlcParquetReader reader = TlcParquetReader.open(split.path(), split.offset(), split.length());
        reader.skip(skip);
        return new SplitReader(reader, skip);
    }

    @Override
    public boolean isSplittable() {
        return true;
    }

    @Override
    public TypeInformation<RideEvent> getProducedType() {
        return TypeInformation.of(RideEvent.class);
    }

    private static final class SplitReader implements Reader<RideEvent> {
        private final TlcParquetReader reader;
        private long emitted;

        SplitReader(TlcParquetReader reader, long emitted) {
            this.reader = reader;
            this.emitted = emitted;
        }

        @Override
        public RecordIterator<RideEvent> readBatch() throws IOException {
            RideEvent[] batch = new RideEvent[BATCH_SIZE];
            int n = 0;
            RideEvent ride;
            while (n < BATCH_SIZE && (ride = reader.next()) != null) {
                batch[n++] = ride;
            }
            if (n == 0) {
                return null;
            }
            ArrayResultIterator<RideEvent> iterator = new ArrayResultIterator<>();
            iterator.set(batch, n, CheckpointedPosition.NO_OFFSET, emitted);
            emitted += n;
            return iterator;
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }
}
