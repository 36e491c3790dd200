package io.ridescore;

import io.ridescore.config.RideScoreOptions;
import io.ridescore.event.DeadLetter;
import io.ridescore.event.ScoredRide;
import io.ridescore.features.BatchFeatureJoin;
import io.ridescore.features.FeatureVector;
import io.ridescore.features.FeatureVectorTypeInfo;
import io.ridescore.features.QuietFlushWatermarks;
import io.ridescore.features.StreamFeatureEnricher;
import io.ridescore.features.ValidateActuals;
import io.ridescore.features.ValidateRides;
import io.ridescore.model.LiveModelScoringFunction;
import io.ridescore.model.ModelReleases;
import io.ridescore.model.ModelSpec;
import io.ridescore.model.PmmlScoringFunction;
import io.ridescore.sink.RideOutput;
import io.ridescore.source.RideInput;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one topology every mode runs:
 * input → validate → [stream features → validate actuals] → batch-feature join → PMML score → output
 * (with actuals and no stream features, the first validation checks the actuals too), with every
 * refusal, by stage and reason, into the output's dead letters. The ends are given (Parquet,
 * Kinesis, or memory in tests); the settings switch the bracketed stages. A polled
 * model gives the scorer a second input, the model-release control stream. A challenger is scored
 * in the same operator, its predictions to the output's shadow end.
 */
public final class Pipeline {
    private Pipeline() {}

    /** What the stages between the ends need, resolved before the graph is built. */
    public record Settings(
            boolean streamFeatures,
            Duration outOfOrderness,
            Duration quietFlush,
            Duration stallWarning,
            String features,
            ModelSpec model,
            ModelSpec challenger) {

        public static Settings from(Configuration conf) {
            return new Settings(
                    RideScoreOptions.streamFeatures(conf),
                    conf.get(RideScoreOptions.OUT_OF_ORDERNESS),
                    conf.get(RideScoreOptions.QUIET_FLUSH),
                    conf.get(RideScoreOptions.STALL_WARNING),
                    RideScoreOptions.features(conf),
                    RideScoreOptions.modelSpec(conf),
                    RideScoreOptions.challengerSpec(conf));
        }

        /** The same, joining no batch feature table (a model that needs none of its features). */
        public Settings withoutFeatureTable() {
            return new Settings(streamFeatures, outOfOrderness, quietFlush, stallWarning, null, model, challenger);
        }
    }

    public static void build(StreamExecutionEnvironment env, Settings s, RideInput input, RideOutput output) {
        Map<String, DataStream<DeadLetter>> refused = new LinkedHashMap<>();
        RideInput.Rides rides = input.read(env);
        if (rides.refused() != null) {
            refused.put("parse", rides.refused());
        }

        // Without stream features nothing stands between the event and the actuals rules: one operator checks both.
        boolean actualsFirst = input.carriesActuals() && !s.streamFeatures();
        String validate = actualsFirst ? "validate" : "validate-event";
        SingleOutputStreamOperator<FeatureVector> valid = rides.events()
                .process(new ValidateRides(actualsFirst))
                .name(validate)
                .uid(validate);
        refused.put(validate, valid.getSideOutput(ValidateRides.DEAD_LETTERS));
        DataStream<FeatureVector> vectors = valid;

        if (s.streamFeatures()) {
            SingleOutputStreamOperator<FeatureVector> enriched = vectors.assignTimestampsAndWatermarks(
                            QuietFlushWatermarks.strategy(s.outOfOrderness(), s.quietFlush()))
                    .name("pickup-time-watermarks")
                    .uid("pickup-time-watermarks")
                    // the exchange's type: rides cross it with a serializer of their own, not by reflection
                    .returns(FeatureVectorTypeInfo.INSTANCE)
                    .keyBy(v -> v.ride.puLocationId)
                    .process(new StreamFeatureEnricher(s.stallWarning()))
                    .name("stream-features")
                    .uid("stream-features");
            refused.put("stream-features", enriched.getSideOutput(StreamFeatureEnricher.DEAD_LETTERS));
            vectors = enriched;
        }
        if (input.carriesActuals() && !actualsFirst) {
            SingleOutputStreamOperator<FeatureVector> withActuals = vectors.process(new ValidateActuals())
                    .name("validate-actuals")
                    .uid("validate-actuals");
            refused.put("validate-actuals", withActuals.getSideOutput(ValidateRides.DEAD_LETTERS));
            vectors = withActuals;
        }

        SingleOutputStreamOperator<FeatureVector> joined = vectors.map(new BatchFeatureJoin(s.features()))
                .name("batch-feature-join")
                .uid("batch-feature-join");
        SingleOutputStreamOperator<ScoredRide> scored = s.model().polls()
                ? joined.connect(ModelReleases.broadcast(env, s.model(), s.challenger()))
                        .process(new LiveModelScoringFunction(s.model(), s.challenger(), s.streamFeatures()))
                        .name("pmml-scorer")
                        .uid("pmml-scorer")
                : joined.process(new PmmlScoringFunction(s.model(), s.challenger(), s.streamFeatures()))
                        .name("pmml-scorer")
                        .uid("pmml-scorer");
        refused.put("score", scored.getSideOutput(PmmlScoringFunction.DEAD_LETTERS));
        if (s.challenger() != null) {
            output.writeShadow(scored.getSideOutput(PmmlScoringFunction.SHADOW));
        }

        DataStream<DeadLetter> refusedBySink = output.writePredictions(scored);
        if (refusedBySink != null) {
            refused.put("sink", refusedBySink);
        }
        // Each stage's refusals get a sink chained to that stage.
        refused.forEach((stage, letters) -> output.writeDeadLetters(letters, stage));
    }
}
