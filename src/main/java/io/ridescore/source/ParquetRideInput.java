package io.ridescore.source;

import io.ridescore.config.StartupException;
import io.ridescore.event.CountRecords;
import io.ridescore.event.RideEvent;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.FileNotFoundException;
import java.io.IOException;

/** TLC trip records from a Parquet file or directory (a month), split by row group. */
public final class ParquetRideInput implements RideInput {
    private final Path input;

    public ParquetRideInput(Path input) {
        this.input = input;
    }

    /** Reads every file's footer: the row count (for progress) and the schema (one line naming a bad file). */
    @Override
    public long check() {
        try {
            long rows = RowGroupEnumerator.countRows(new Path[] {input});
            if (RowGroupEnumerator.listParquetFiles(new Path[] {input}).isEmpty()) {
                throw new StartupException("no Parquet files in " + input);
            }
            return rows;
        } catch (FileNotFoundException e) {
            throw new StartupException("input not found: " + input
                    + " (generate a month with: scripts/ridescore datagen --months YYYY-MM)");
        } catch (IOException e) {
            throw new StartupException("input " + input + " cannot be read: " + e.getMessage());
        }
    }

    @Override
    public Rides read(StreamExecutionEnvironment env) {
        FileSource<RideEvent> source = FileSource.forBulkFileFormat(new TlcParquetFormat(), input)
                .setFileEnumerator(RowGroupEnumerator::new)
                .setSplitAssigner(LargestFirstAssigner::new)
                .build();
        DataStream<RideEvent> rows = env.fromSource(source, WatermarkStrategy.noWatermarks(), "tlc-parquet-source")
                .uid("tlc-parquet-source");
        return new Rides(
                rows.map(CountRecords.<RideEvent>as(CountRecords.IN), rows.getType())
                        .name("count-in")
                        .uid("count-in"),
                null);
    }

    @Override
    public boolean carriesActuals() {
        return true;
    }

    @Override
    public String describe() {
        return input.toString();
    }
}
