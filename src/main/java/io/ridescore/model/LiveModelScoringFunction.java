package io.ridescore.model;

import io.ridescore.event.DeadLetter;
import io.ridescore.event.ScoredRide;
import io.ridescore.features.FeatureVector;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@link PmmlScoringFunction} with live model swap, for the online modes: new releases arrive on
 * the broadcast input ({@link ModelReleases}); one that parses, verifies and binds every input field replaces the
 * scorer between two records, one that does not is refused, logged and counted while the old model
 * keeps serving. The release in use is kept in broadcast state, so a restart from a checkpoint
 * serves the same model without asking its source. A challenger, when set, is polled, swapped and
 * kept the same way, under its own key.
 */
public class LiveModelScoringFunction extends BroadcastProcessFunction<FeatureVector, ModelRelease, ScoredRide>
        implements CheckpointedFunction {
    private static final Logger LOG = LoggerFactory.getLogger(LiveModelScoringFunction.class);
    private static final String IN_USE = "in-use";
    private static final String CHALLENGER = "challenger";

    private final ModelSpec spec;
    private final ModelSpec challengerSpec;
    private final boolean streamFeatures;
    /** Set when restored from a checkpoint (before open), else built in open(). */
    private transient PmmlScorer restored;

    private transient PmmlScorer restoredChallenger;
    private transient RideScoring scoring;
    /** The side outputs, made once and pointed at each ride's context, as in {@link PmmlScoringFunction}. */
    private transient ReadOnlyContext context;

    private transient Consumer<DeadLetter> deadLetters;
    private transient Consumer<ScoredRide> shadow;
    private transient BroadcastState<String, ModelRelease> serving;
    private transient Counter swaps;
    private transient Counter refused;
    /** The last release refused, by role; polls keep returning it until the registry moves on, and it is refused once. */
    private transient Map<String, ModelRelease> lastRefused;

    /** @param challengerSpec the model scored in shadow, or null */
    public LiveModelScoringFunction(ModelSpec spec, ModelSpec challengerSpec, boolean streamFeatures) {
        this.spec = spec;
        this.challengerSpec = challengerSpec;
        this.streamFeatures = streamFeatures;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        serving = context.getOperatorStateStore().getBroadcastState(ModelReleases.SERVING);
        if (context.isRestored()) {
            // The checkpoint holds the models that were serving; their version labels came with them.
            restored = restore(serving.get(IN_USE), "model");
            restoredChallenger = challengerSpec == null ? null : restore(serving.get(CHALLENGER), "challenger");
        }
    }

    private PmmlScorer restore(ModelRelease inUse, String role) {
        if (inUse == null) {
            return null;
        }
        PmmlScorer scorer = new PmmlScorer(ModelLoader.build(inUse, inUse.version, spec), streamFeatures);
        LOG.info("restored {} {} version {} from the checkpoint", role, scorer.modelName(), scorer.modelVersion());
        return scorer;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        lastRefused = new HashMap<>();
        scoring = new RideScoring(getRuntimeContext());
        deadLetters = letter -> context.output(PmmlScoringFunction.DEAD_LETTERS, letter);
        shadow = ride -> context.output(PmmlScoringFunction.SHADOW, ride);
        scoring.use(restored != null ? restored : load(spec, IN_USE));
        if (challengerSpec != null) {
            scoring.challenge(restoredChallenger != null ? restoredChallenger : load(challengerSpec, CHALLENGER));
        }
        LOG.info(
                "model {} version {}: scored by {}",
                scoring.scorer().modelName(),
                scoring.scorer().modelVersion(),
                scoring.scorer().path());
        swaps = scoring.metrics().counter("model_swaps");
        refused = scoring.metrics().counter("models_refused");
    }

    private PmmlScorer load(ModelSpec model, String key) throws Exception {
        ModelRelease release = ModelLoader.fetch(model);
        PmmlScorer scorer = new PmmlScorer(ModelLoader.build(release, model.versionOverride(), model), streamFeatures);
        release.version = scorer.modelVersion();
        serving.put(key, release);
        return scorer;
    }

    @Override
    public void processElement(FeatureVector vector, ReadOnlyContext ctx, Collector<ScoredRide> out) {
        context = ctx;
        scoring.score(vector, out, deadLetters, shadow);
    }

    @Override
    public void processBroadcastElement(ModelRelease release, Context ctx, Collector<ScoredRide> out) throws Exception {
        if (release.challenger && challengerSpec == null) {
            return;
        }
        String key = release.challenger ? CHALLENGER : IN_USE;
        String role = release.challenger ? "challenger" : "model";
        PmmlScorer current = release.challenger ? scoring.challenger() : scoring.scorer();
        ModelRelease inUse = ctx.getBroadcastState(ModelReleases.SERVING).get(key);
        if (release.pmml == null || release.sameAs(inUse) || release.sameAs(lastRefused.get(key))) {
            return;
        }
        PmmlScorer next;
        try {
            next = new PmmlScorer(ModelLoader.build(release, null, spec), streamFeatures);
        } catch (RuntimeException e) {
            lastRefused.put(key, release);
            refused.inc();
            LOG.warn(
                    "new {} from {} refused, {} version {} stays: {}",
                    role,
                    release.servedBy,
                    current.modelName(),
                    current.modelVersion(),
                    ModelLoader.firstLine(e));
            return;
        }
        LOG.info(
                "{} swap: {} version {} -> {} version {} ({}), scored by {}",
                role,
                current.modelName(),
                current.modelVersion(),
                next.modelName(),
                next.modelVersion(),
                release.servedBy,
                next.path());
        if (release.challenger) {
            scoring.challenge(next);
        } else {
            scoring.use(next);
        }
        release.version = next.modelVersion();
        ctx.getBroadcastState(ModelReleases.SERVING).put(key, release);
        swaps.inc();
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        // The broadcast state is snapshotted by Flink; nothing else here outlives a restart.
    }

    long modelSwaps() {
        return swaps.getCount();
    }

    long modelsRefused() {
        return refused.getCount();
    }
}
