package io.ridescore.model;

import io.ridescore.event.DeadLetter;
import io.ridescore.event.ScoredRide;
import io.ridescore.features.FeatureVector;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;

/**
 * The thin Flink shell around {@link PmmlScorer} for runs that keep the models they start with
 * (batch, or online with {@code --model-poll-interval 0}): builds the evaluator once per task in
 * {@code open()}, scores, and sends rides the model refuses to the dead-letter output. A
 * one-input operator, so it chains with the stages before it. {@link LiveModelScoringFunction}
 * is the same with model releases as a second input.
 */
public class PmmlScoringFunction extends ProcessFunction<FeatureVector, ScoredRide> {
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("score-dead-letters") {};
    /** The challenger's predictions, in the serving predictions' form: for the shadow output. */
    public static final OutputTag<ScoredRide> SHADOW = new OutputTag<>("shadow-predictions") {};

    private static final Logger LOG = LoggerFactory.getLogger(PmmlScoringFunction.class);

    private final ModelSpec spec;
    private final ModelSpec challenger;
    private final boolean streamFeatures;
    private transient RideScoring scoring;
    /**
     * The side outputs, made once and pointed at each ride's context: a lambda capturing the
     * context, made per ride, is allocated through a method handle on C1 (4% of a batch month's
     * task thread).
     */
    private transient Context context;

    private transient Consumer<DeadLetter> deadLetters;
    private transient Consumer<ScoredRide> shadow;

    /** @param challenger the model scored in shadow, or null */
    public PmmlScoringFunction(ModelSpec spec, ModelSpec challenger, boolean streamFeatures) {
        this.spec = spec;
        this.challenger = challenger;
        this.streamFeatures = streamFeatures;
    }

    @Override
    public void open(OpenContext openContext) {
        scoring = new RideScoring(getRuntimeContext());
        deadLetters = letter -> context.output(DEAD_LETTERS, letter);
        shadow = ride -> context.output(SHADOW, ride);
        scoring.use(load(spec, "model"));
        if (challenger != null) {
            scoring.challenge(load(challenger, "challenger"));
        }
    }

    private PmmlScorer load(ModelSpec model, String role) {
        PmmlScorer scorer = new PmmlScorer(ModelLoader.load(model), streamFeatures);
        LOG.info("{} {} version {}: scored by {}", role, scorer.modelName(), scorer.modelVersion(), scorer.path());
        return scorer;
    }

    @Override
    public void processElement(FeatureVector vector, Context ctx, Collector<ScoredRide> out) {
        context = ctx;
        scoring.score(vector, out, deadLetters, shadow);
    }
}
