package io.ridescore.source;

import io.ridescore.config.KinesisSettings;
import io.ridescore.event.RawRecord;
import io.ridescore.event.RideEvent;
import org.apache.flink.streaming.connectors.kinesis.FlinkKinesisConsumer;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The sources of ride events, one per mode's source kind. */
public final class RideSources {
    private RideSources() {}

    public static DataStream<RideEvent> tlcParquet(StreamExecutionEnvironment env, Path... inputs) {
        FileSource<RideEvent> source = FileSource.forBulkFileFormat(new TlcParquetFormat(), inputs)
                .setFileEnumerator(RowGroupEnumerator::new)
                .build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "tlc-parquet-source").uid("tlc-parquet-source");
    }

    /**
     * Ride events from Kinesis, unparsed. The connector's legacy consumer: its polling reader is
     * what kinesis-mock serves, and it has run here on Flink 1.20 with checkpoints.
     */
    public static DataStream<RawRecord> kinesis(StreamExecutionEnvironment env, KinesisSettings kinesis) {
        FlinkKinesisConsumer<RawRecord> consumer = new FlinkKinesisConsumer<>(kinesis.inputStream(),
                new RawRecordSchema(), kinesis.consumerProperties());
        return env.addSource(consumer, "kinesis-source").uid("kinesis-source");
    }
}
