package io.ridescore;

import io.ridescore.config.Mode;
import io.ridescore.event.CountRecords;
import io.ridescore.event.DeadLetter;
import io.ridescore.event.RideEvent;
import io.ridescore.event.ScoredRide;
import io.ridescore.event.ValidateRides;
import io.ridescore.features.BatchFeatureJoin;
import io.ridescore.features.FeatureVector;
import io.ridescore.model.ModelSpec;
import io.ridescore.model.PmmlScoringFunction;
import io.ridescore.sink.RideSinks;
import io.ridescore.source.RideSources;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The one topology every mode runs:
 * source → count → validate → batch-feature join → PMML score → count → sink, with the refusals of
 * validate and score counted by reason into the dead-letter sink. Modes only choose the ends.
 */
public final class Pipeline {
    private Pipeline() {}

    /** Everything the graph needs, resolved and checked before it is built. */
    public record Settings(Mode mode, Path[] inputs, String features, ModelSpec model, String output,
                           String deadLetters, String pickupColumn) {}

    public static void build(StreamExecutionEnvironment env, Settings s) {
        DataStream<RideEvent> rides = switch (s.mode().source) {
            case PARQUET -> RideSources.tlcParquet(env, s.inputs());
        };
        DataStream<RideEvent> counted = rides.map(CountRecords.<RideEvent>as(CountRecords.IN), rides.getType())
                .name("count-in").uid("count-in");

        SingleOutputStreamOperator<RideEvent> valid = counted.process(new ValidateRides(s.mode().actualsRequired))
                .name("validate").uid("validate");
        DataStream<FeatureVector> features = valid.map(new BatchFeatureJoin(s.features()))
                .name("batch-feature-join").uid("batch-feature-join");
        SingleOutputStreamOperator<ScoredRide> scored = features.process(new PmmlScoringFunction(s.model()))
                .name("pmml-scorer").uid("pmml-scorer");

        DataStream<ScoredRide> predictions = scored.map(CountRecords.<ScoredRide>as(CountRecords.SCORED), scored.getType())
                .name("count-scored").uid("count-scored");
        DataStream<DeadLetter> deadLetters = valid.getSideOutput(ValidateRides.DEAD_LETTERS)
                .union(scored.getSideOutput(PmmlScoringFunction.DEAD_LETTERS))
                .map(CountRecords.deadLettersByReason()).name("count-dead-letters").uid("count-dead-letters");

        switch (s.mode().sink) {
            case PARQUET -> {
                RideSinks.parquet(predictions, s.output(), s.pickupColumn());
                RideSinks.jsonLines(deadLetters, s.deadLetters());
            }
        }
    }
}
