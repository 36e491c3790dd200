package io.ridescore;

import io.ridescore.config.KinesisSettings;
import io.ridescore.config.Mode;
import io.ridescore.event.CountRecords;
import io.ridescore.event.DeadLetter;
import io.ridescore.event.ParseRides;
import io.ridescore.event.RawRecord;
import io.ridescore.event.RideEvent;
import io.ridescore.event.RideEventParser;
import io.ridescore.event.ScoredRide;
import io.ridescore.features.BatchFeatureJoin;
import io.ridescore.features.FeatureVector;
import io.ridescore.features.QuietFlushWatermarks;
import io.ridescore.features.StreamFeatureEnricher;
import io.ridescore.features.ValidateRides;
import io.ridescore.model.LiveModelScoringFunction;
import io.ridescore.model.ModelReleases;
import io.ridescore.model.ModelSpec;
import io.ridescore.model.PmmlScoringFunction;
import io.ridescore.sink.CountErrors;
import io.ridescore.sink.KinesisEntry;
import io.ridescore.sink.PredictionRecords;
import io.ridescore.sink.RideSinks;
import io.ridescore.source.RideSources;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one topology every mode runs:
 * source → [parse] → validate event → [stream features] → [validate actuals] → batch-feature join
 * → PMML score → sink, with every refusal counted by reason into the dead-letter sink. Modes only
 * choose the ends and switch the bracketed stages. In the online modes the scorer has a second
 * input, the model-release control stream, which polls for new model versions.
 */
public final class Pipeline {
    private Pipeline() {}

    /** Everything the graph needs, resolved and checked before it is built. */
    public record Settings(Mode mode, boolean streamFeatures, Duration outOfOrderness, Duration quietFlush,
                           Duration stallWarning, RideEventParser.PickupRange pickupRange, Path[] inputs, String features,
                           ModelSpec model, String output, String deadLetters, String pickupColumn,
                           KinesisSettings kinesis) {

        public Settings withFeatures(String table) {
            return new Settings(mode, streamFeatures, outOfOrderness, quietFlush, stallWarning, pickupRange, inputs, table,
                    model, output, deadLetters, pickupColumn, kinesis);
        }

        public Settings withOutputs(String newOutput, String newDeadLetters) {
            return new Settings(mode, streamFeatures, outOfOrderness, quietFlush, stallWarning, pickupRange, inputs, features,
                    model, newOutput, newDeadLetters, pickupColumn, kinesis);
        }
    }

    public static void build(StreamExecutionEnvironment env, Settings s) {
        Map<String, DataStream<DeadLetter>> refused = new LinkedHashMap<>();
        DataStream<RideEvent> rides = switch (s.mode().source) {
            case PARQUET -> {
                DataStream<RideEvent> rows = RideSources.tlcParquet(env, s.inputs());
                yield rows.map(CountRecords.<RideEvent>as(CountRecords.IN), rows.getType()).name("count-in").uid("count-in");
            }
            case KINESIS -> {
                DataStream<RawRecord> records = RideSources.kinesis(env, s.kinesis());
                SingleOutputStreamOperator<RideEvent> parsed = records
                        .map(CountRecords.<RawRecord>as(CountRecords.IN), records.getType()).name("count-in").uid("count-in")
                        .process(new ParseRides(s.pickupRange())).name("parse").uid("parse");
                refused.put("parse", parsed.getSideOutput(ParseRides.DEAD_LETTERS));
                yield parsed;
            }
        };

        SingleOutputStreamOperator<FeatureVector> valid = rides.map(FeatureVector::of).name("to-feature-vector")
                .uid("to-feature-vector")
                .process(new ValidateRides(ValidateRides.Rules.EVENT)).name("validate-event").uid("validate-event");
        refused.put("validate-event", valid.getSideOutput(ValidateRides.DEAD_LETTERS));
        DataStream<FeatureVector> vectors = valid;

        if (s.streamFeatures()) {
            SingleOutputStreamOperator<FeatureVector> enriched = vectors
                    .assignTimestampsAndWatermarks(QuietFlushWatermarks.strategy(s.outOfOrderness(), s.quietFlush()))
                    .name("pickup-time-watermarks").uid("pickup-time-watermarks")
                    .keyBy(v -> v.ride.puLocationId)
                    .process(new StreamFeatureEnricher(s.stallWarning())).name("stream-features").uid("stream-features");
            refused.put("stream-features", enriched.getSideOutput(StreamFeatureEnricher.DEAD_LETTERS));
            vectors = enriched;
        }
        if (s.mode().actualsRequired()) {
            SingleOutputStreamOperator<FeatureVector> withActuals = vectors
                    .process(new ValidateRides(ValidateRides.Rules.ACTUALS)).name("validate-actuals").uid("validate-actuals");
            refused.put("validate-actuals", withActuals.getSideOutput(ValidateRides.DEAD_LETTERS));
            vectors = withActuals;
        }

        SingleOutputStreamOperator<FeatureVector> joined = vectors
                .map(new BatchFeatureJoin(s.features())).name("batch-feature-join").uid("batch-feature-join");
        SingleOutputStreamOperator<ScoredRide> scored = s.model().polls()
                ? joined.connect(ModelReleases.broadcast(env, s.model()))
                        .process(new LiveModelScoringFunction(s.model(), s.streamFeatures())).name("pmml-scorer").uid("pmml-scorer")
                : joined.process(new PmmlScoringFunction(s.model(), s.streamFeatures())).name("pmml-scorer").uid("pmml-scorer");
        refused.put("score", scored.getSideOutput(PmmlScoringFunction.DEAD_LETTERS));

        switch (s.mode().sink) {
            case PARQUET -> RideSinks.parquet(scored.map(CountRecords.<ScoredRide>as(CountRecords.SCORED), scored.getType())
                    .name("count-scored").uid("count-scored")
                    .map(new CountErrors(), scored.getType()).name("count-errors").uid("count-errors"), s.output(), s.pickupColumn());
            case KINESIS -> {
                SingleOutputStreamOperator<KinesisEntry> records = scored.process(new PredictionRecords())
                        .name("prediction-records").uid("prediction-records");
                refused.put("sink", records.getSideOutput(PredictionRecords.DEAD_LETTERS));
                RideSinks.kinesis(records, s.kinesis());
            }
        }
        // Each stage's refusals are written by a sink chained to that stage: no union, so no exchange
        // (in BATCH mode a blocking one, spilled to disk) between a stage and its letters. Files are
        // counted on the way in (a bounded job commits all or nothing); Kinesis sinks count what
        // the stream accepted.
        refused.forEach((stage, letters) -> {
            switch (s.mode().sink) {
                case PARQUET -> RideSinks.jsonLines(letters.map(CountRecords.deadLettersByReason())
                        .name("count-dead-letters-" + stage).uid("count-dead-letters-" + stage), s.deadLetters(), stage);
                case KINESIS -> RideSinks.kinesisDeadLetters(letters, s.kinesis(), stage);
            }
        });
    }
}
