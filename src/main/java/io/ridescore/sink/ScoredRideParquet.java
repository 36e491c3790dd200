package io.ridescore.sink;

import io.ridescore.event.ScoredRide;
import org.apache.flink.formats.parquet.ParquetBuilder;
import org.apache.flink.formats.parquet.ParquetWriterFactory;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.parquet.schema.Type;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes predictions as Parquet in the batch output contract. Timestamps are
 * {@code TIMESTAMP(MICROS, isAdjustedToUTC=false)} like the TLC files, so pandas, pyarrow, DuckDB
 * and Spark read the output as they read the input. Written straight from the POJO by a
 * {@link WriteSupport}: no Avro records in between.
 */
public final class ScoredRideParquet {
    private ScoredRideParquet() {}

    /**
     * Column names; the pickup column follows the taxi type's prefix (lpep for green, tpep for
     * yellow). With a challenger, three columns follow the serving ones: its prediction (null where
     * it refused the ride), name and version.
     */
    public static MessageType schema(String pickupColumn, boolean challenger) {
        return MessageTypeParser.parseMessageType("message scored_ride {\n"
                + "  required binary ride_id (STRING);\n"
                + "  optional int64 " + pickupColumn + " (TIMESTAMP(MICROS,false));\n"
                + "  required int64 PULocationID;\n"
                + "  required int64 DOLocationID;\n"
                + "  required double trip_distance;\n"
                + "  optional double actual_duration;\n"
                + "  required double predicted_duration;\n"
                + "  optional double diff;\n"
                + "  required binary model_name (STRING);\n"
                + "  required binary model_version (STRING);\n"
                + (challenger
                        ? "  optional double challenger_prediction;\n"
                                + "  required binary challenger_model (STRING);\n"
                                + "  required binary challenger_version (STRING);\n"
                        : "")
                + "}");
    }

    public static ParquetWriterFactory<ScoredRide> writerFactory(String pickupColumn, boolean challenger) {
        return new ParquetWriterFactory<>(new Builder(pickupColumn, challenger));
    }

    private static final class Builder implements ParquetBuilder<ScoredRide> {
        private final String pickupColumn;
        private final boolean challenger;

        Builder(String pickupColumn, boolean challenger) {
            this.pickupColumn = pickupColumn;
            this.challenger = challenger;
        }

        @Override
        public ParquetWriter<ScoredRide> createWriter(OutputFile out) throws IOException {
            // Ride ids are unique, and so nearly are pickup times, actual durations, a model's
            // predictions and their errors: a dictionary for them is built only to be thrown away
            // when it outgrows its page (the chunk is then written plain all the same).
            return new WriterBuilder(out, schema(pickupColumn, challenger))
                    .withCompressionCodec(CompressionCodecName.SNAPPY)
                    .withDictionaryEncoding("ride_id", false)
                    .withDictionaryEncoding(pickupColumn, false)
                    .withDictionaryEncoding("actual_duration", false)
                    .withDictionaryEncoding("predicted_duration", false)
                    .withDictionaryEncoding("diff", false)
                    .withDictionaryEncoding("challenger_prediction", false)
                    .build();
        }
    }

    private static final class WriterBuilder extends ParquetWriter.Builder<ScoredRide, WriterBuilder> {
        private final MessageType schema;

        WriterBuilder(OutputFile out, MessageType schema) {
            super(out);
            this.schema = schema;
        }

        @Override
        protected WriterBuilder self() {
            return this;
        }

        @Override
        protected WriteSupport<ScoredRide> getWriteSupport(Configuration conf) {
            return new ScoredRideWriteSupport(schema);
        }
    }

    private static final class ScoredRideWriteSupport extends WriteSupport<ScoredRide> {
        private final MessageType schema;
        private final String[] names;
        private RecordConsumer out;
        /**
         * The model's name and version are the same string on every row (one instance per loaded
         * model): encoded once, not once per ride. Ride ids differ, so theirs never match.
         */
        private final String[] lastValue;

        private final Binary[] lastBytes;

        ScoredRideWriteSupport(MessageType schema) {
            this.schema = schema;
            this.names = schema.getFields().stream().map(Type::getName).toArray(String[]::new);
            this.lastValue = new String[schema.getFieldCount()];
            this.lastBytes = new Binary[schema.getFieldCount()];
        }

        @Override
        public WriteContext init(Configuration configuration) {
            return new WriteContext(schema, Map.of("writer", "ridescore"));
        }

        @Override
        public void prepareForWrite(RecordConsumer recordConsumer) {
            this.out = recordConsumer;
        }

        @Override
        public void write(ScoredRide r) {
            out.startMessage();
            string(0, r.rideId);
            if (r.pickupMicros != null) {
                int64(1, r.pickupMicros);
            }
            int64(2, r.puLocationId);
            int64(3, r.doLocationId);
            float64(4, r.tripDistance);
            if (r.actualDuration != null) {
                float64(5, r.actualDuration);
            }
            float64(6, r.predictedDuration);
            Double diff = r.diff();
            if (diff != null) {
                float64(7, diff);
            }
            string(8, r.modelName);
            string(9, r.modelVersion);
            if (schema.getFieldCount() > 10) {
                if (r.challengerPrediction != null) {
                    float64(10, r.challengerPrediction);
                }
                string(11, r.challengerName);
                string(12, r.challengerVersion);
            }
            out.endMessage();
        }

        private void string(int index, String value) {
            out.startField(names[index], index);
            Binary bytes;
            if (value == lastValue[index]) {
                bytes = lastBytes[index];
            } else {
                bytes = Binary.fromConstantByteArray(value.getBytes(StandardCharsets.UTF_8));
                lastValue[index] = value;
                lastBytes[index] = bytes;
            }
            out.addBinary(bytes);
            out.endField(names[index], index);
        }

        private void int64(int index, long value) {
            out.startField(names[index], index);
            out.addLong(value);
            out.endField(names[index], index);
        }

        private void float64(int index, double value) {
            out.startField(names[index], index);
            out.addDouble(value);
            out.endField(names[index], index);
        }
    }
}
