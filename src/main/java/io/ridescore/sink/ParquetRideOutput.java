package io.ridescore.sink;

import io.ridescore.config.TaxiType;
import io.ridescore.event.CountRecords;
import io.ridescore.event.DeadLetter;
import io.ridescore.event.DeadLetterJson;
import io.ridescore.event.ScoredRide;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;

import java.io.IOException;
import java.io.PrintStream;

/**
 * Predictions as Parquet and dead letters as JSON lines, each run into its own pair of directories.
 * Files are counted on the way in: a bounded job commits all of them or none.
 */
public final class ParquetRideOutput implements RideOutput {
    private final String predictions;
    private final String deadLetters;
    private final TaxiType taxiType;
    private final boolean challenger;

    /** @param challenger whether a challenger is scored in shadow: its predictions become columns of the serving rows */
    public ParquetRideOutput(String predictions, String deadLetters, TaxiType taxiType, boolean challenger) {
        this.predictions = predictions;
        this.deadLetters = deadLetters;
        this.taxiType = taxiType;
        this.challenger = challenger;
    }

    @Override
    public void check() {}

    /** Where this run writes must start empty: a re-run replaces a month, never adds a second copy of its rows. */
    @Override
    public void prepare(PrintStream console) throws IOException {
        for (String dir : new String[] {predictions, deadLetters}) {
            Path path = new Path(dir);
            FileSystem fs = path.getFileSystem();
            if (fs.exists(path)) {
                if (!path.getName().endsWith(".staging")) {
                    console.println("replacing previous output in " + dir);
                }
                fs.delete(path, true);
            }
        }
    }

    /** All parts of a run land in one directory (one month), named so that listings sort by part. */
    @Override
    public DataStream<DeadLetter> writePredictions(DataStream<ScoredRide> scored) {
        FileSink<ScoredRide> sink = FileSink.forBulkFormat(
                        new Path(predictions), ScoredRideParquet.writerFactory(taxiType.pickupColumn(), challenger))
                .withBucketAssigner(new BasePathBucketAssigner<>())
                .withOutputFileConfig(OutputFileConfig.builder()
                        .withPartPrefix("part")
                        .withPartSuffix(".parquet")
                        .build())
                .build();
        scored.map(new CountErrors(), scored.getType())
                .name("count-scored")
                .uid("count-scored")
                .sinkTo(sink)
                .name("parquet-prediction-sink")
                .uid("parquet-prediction-sink");
        return null;
    }

    /**
     * The challenger's predictions are columns of the prediction files (and its comparison is in the
     * report); its own rows would only repeat the serving ones.
     */
    @Override
    public void writeShadow(DataStream<ScoredRide> shadow) {}

    /** No union of the stages' letters: a union would add an exchange (in BATCH mode a blocking one, spilled to disk). */
    @Override
    public void writeDeadLetters(DataStream<DeadLetter> letters, String stage) {
        FileSink<DeadLetter> sink = FileSink.forBulkFormat(
                        new Path(deadLetters), JsonLinesWriter.factory(DeadLetterJson::write))
                .withBucketAssigner(new BasePathBucketAssigner<>())
                .withOutputFileConfig(OutputFileConfig.builder()
                        .withPartPrefix("dead-letters-" + stage)
                        .withPartSuffix(".jsonl")
                        .build())
                .build();
        letters.map(CountRecords.deadLettersByReason())
                .name("count-dead-letters-" + stage)
                .uid("count-dead-letters-" + stage)
                .sinkTo(sink)
                .name("dead-letter-sink-" + stage)
                .uid("dead-letter-sink-" + stage);
    }

    @Override
    public String describe() {
        return predictions + " (dead letters: " + deadLetters + ")";
    }
}
