package io.ridescore.sink;

import io.ridescore.config.KinesisSettings;
import io.ridescore.event.DeadLetter;
import io.ridescore.event.DeadLetterJson;
import io.ridescore.event.ScoredRide;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;

/** The sinks of predictions and dead letters, one per mode's sink kind. */
public final class RideSinks {
    private RideSinks() {}

    /** All parts of a run land in one directory (one month), named so that listings sort by part. */
    public static void parquet(DataStream<ScoredRide> scored, String directory, String pickupColumn) {
        FileSink<ScoredRide> sink = FileSink
                .forBulkFormat(new Path(directory), ScoredRideParquet.writerFactory(pickupColumn))
                .withBucketAssigner(new BasePathBucketAssigner<>())
                .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix("part").withPartSuffix(".parquet").build())
                .build();
        scored.sinkTo(sink).name("parquet-prediction-sink").uid("parquet-prediction-sink");
    }

    /** One stage's dead letters as JSON lines into the run's dead-letter directory, its files named after the stage. */
    public static void jsonLines(DataStream<DeadLetter> letters, String directory, String stage) {
        FileSink<String> sink = FileSink
                .forRowFormat(new Path(directory), new SimpleStringEncoder<String>())
                .withBucketAssigner(new BasePathBucketAssigner<>())
                .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix("dead-letters-" + stage).withPartSuffix(".jsonl").build())
                .build();
        letters.map(DeadLetterJson::encode).name("encode-dead-letters-" + stage).uid("encode-dead-letters-" + stage)
                .sinkTo(sink).name("dead-letter-sink-" + stage).uid("dead-letter-sink-" + stage);
    }

    /**
     * Predictions (already Kinesis records, checked by {@link PredictionRecords}) to the output
     * stream; a record Kinesis refuses for good goes to the dead-letter stream. At-least-once.
     */
    public static void kinesis(DataStream<KinesisEntry> predictions, KinesisSettings kinesis) {
        predictions.sinkTo(new KinesisRecordSink(kinesis, kinesis.outputStream(), kinesis.deadLetterStream()))
                .name("prediction-sink").uid("prediction-sink");
    }

    /** One stage's dead letters to the dead-letter stream. */
    public static void kinesisDeadLetters(DataStream<DeadLetter> letters, KinesisSettings kinesis, String stage) {
        letters.map(DeadLetterRecords::of).name("dead-letter-records-" + stage).uid("dead-letter-records-" + stage)
                .sinkTo(new KinesisRecordSink(kinesis, kinesis.deadLetterStream(), null))
                .name("dead-letter-sink-" + stage).uid("dead-letter-sink-" + stage);
    }
}
