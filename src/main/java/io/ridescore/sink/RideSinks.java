package io.ridescore.sink;

import io.ridescore.config.KinesisSettings;
import io.ridescore.event.DeadLetter;
import io.ridescore.event.PredictionJson;
import org.apache.flink.connector.kinesis.sink.KinesisStreamsSink;
import java.nio.charset.StandardCharsets;
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

    /** Dead letters as JSON lines, one object per refused record. */
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

    /** Predictions in the prediction contract, partition key = ride_id; at-least-once. */
    public static void kinesis(DataStream<ScoredRide> scored, KinesisSettings kinesis) {
        KinesisStreamsSink<ScoredRide> sink = KinesisStreamsSink.<ScoredRide>builder()
                .setKinesisClientProperties(kinesis.sinkProperties())
                .setStreamName(kinesis.outputStream())
                .setSerializationSchema(ride -> PredictionJson.encode(ride).getBytes(StandardCharsets.UTF_8))
                .setPartitionKeyGenerator(ride -> ride.rideId)
                .setMaxTimeInBufferMS(kinesis.sinkBufferMillis())
                .build();
        scored.sinkTo(sink).name("kinesis-prediction-sink").uid("kinesis-prediction-sink");
    }

    /** Dead letters as JSON to their own stream; a record without a readable ride id is keyed by its payload. */
    public static void kinesisDeadLetters(DataStream<DeadLetter> letters, KinesisSettings kinesis, String stage) {
        KinesisStreamsSink<DeadLetter> sink = KinesisStreamsSink.<DeadLetter>builder()
                .setKinesisClientProperties(kinesis.sinkProperties())
                .setStreamName(kinesis.deadLetterStream())
                .setSerializationSchema(letter -> DeadLetterJson.encode(letter).getBytes(StandardCharsets.UTF_8))
                .setPartitionKeyGenerator(letter -> letter.rideId != null && !letter.rideId.isEmpty()
                        && letter.rideId.length() <= 256 ? letter.rideId
                        : Integer.toHexString(String.valueOf(letter.payload).hashCode()))
                .setMaxTimeInBufferMS(kinesis.sinkBufferMillis())
                .build();
        letters.sinkTo(sink).name("kinesis-dead-letter-sink-" + stage).uid("kinesis-dead-letter-sink-" + stage);
    }
}
