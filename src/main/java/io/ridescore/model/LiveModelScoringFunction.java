package io.ridescore.model;

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

/**
 * {@link PmmlScoringFunction} with live model swap, for the online modes: new releases arrive on
 * the broadcast input ({@link ModelReleases}); one that parses, verifies and binds every input field replaces the
 * scorer between two records, one that does not is refused, logged and counted while the old model
 * keeps serving. The release in use is kept in broadcast state, so a restart from a checkpoint
 * serves the same model without asking its source.
 */
public class LiveModelScoringFunction extends BroadcastProcessFunction<FeatureVector, ModelRelease, ScoredRide>
        implements CheckpointedFunction {
    private static final Logger LOG = LoggerFactory.getLogger(LiveModelScoringFunction.class);
    private static final String IN_USE = "in-use";

    private final ModelSpec spec;
    private final boolean streamFeatures;
    /** Set when restored from a checkpoint (before open), else built in open(). */
    private transient PmmlScorer restored;

    private transient RideScoring scoring;
    private transient BroadcastState<String, ModelRelease> serving;
    private transient Counter swaps;
    private transient Counter refused;
    /** The last release refused; polls keep returning it until the registry moves on, and it is refused once. */
    private transient ModelRelease lastRefused;

    public LiveModelScoringFunction(ModelSpec spec, boolean streamFeatures) {
        this.spec = spec;
        this.streamFeatures = streamFeatures;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        serving = context.getOperatorStateStore().getBroadcastState(ModelReleases.SERVING);
        ModelRelease inUse = context.isRestored() ? serving.get(IN_USE) : null;
        if (inUse != null) {
            // The checkpoint holds the model that was serving; its version label came with it.
            restored = new PmmlScorer(ModelLoader.build(inUse, inUse.version, spec.forceJpmml()), streamFeatures);
            LOG.info("restored model {} version {} from the checkpoint", restored.modelName(), restored.modelVersion());
        }
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        PmmlScorer scorer = restored;
        if (scorer == null) {
            ModelRelease release = ModelLoader.fetch(spec);
            scorer = new PmmlScorer(
                    ModelLoader.build(release, spec.versionOverride(), spec.forceJpmml()), streamFeatures);
            release.version = scorer.modelVersion();
            serving.put(IN_USE, release);
        }
        LOG.info("model {} version {}: scored by {}", scorer.modelName(), scorer.modelVersion(), scorer.path());
        scoring = new RideScoring(getRuntimeContext().getMetricGroup());
        scoring.use(scorer);
        swaps = scoring.metrics().counter("model_swaps");
        refused = scoring.metrics().counter("models_refused");
    }

    @Override
    public void processElement(FeatureVector vector, ReadOnlyContext ctx, Collector<ScoredRide> out) {
        scoring.score(vector, out, letter -> ctx.output(PmmlScoringFunction.DEAD_LETTERS, letter));
    }

    @Override
    public void processBroadcastElement(ModelRelease release, Context ctx, Collector<ScoredRide> out) throws Exception {
        ModelRelease inUse = ctx.getBroadcastState(ModelReleases.SERVING).get(IN_USE);
        if (release.pmml == null || release.sameAs(inUse) || release.sameAs(lastRefused)) {
            return;
        }
        PmmlScorer next;
        try {
            next = new PmmlScorer(ModelLoader.build(release, null, spec.forceJpmml()), streamFeatures);
        } catch (RuntimeException e) {
            lastRefused = release;
            refused.inc();
            LOG.warn(
                    "new model from {} refused, {} version {} keeps serving: {}",
                    release.servedBy,
                    scoring.scorer().modelName(),
                    scoring.scorer().modelVersion(),
                    ModelLoader.firstLine(e));
            return;
        }
        LOG.info(
                "model swap: {} version {} -> {} version {} ({}), scored by {}",
                scoring.scorer().modelName(),
                scoring.scorer().modelVersion(),
                next.modelName(),
                next.modelVersion(),
                release.servedBy,
                next.path());
        scoring.use(next);
        release.version = next.modelVersion();
        ctx.getBroadcastState(ModelReleases.SERVING).put(IN_USE, release);
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
