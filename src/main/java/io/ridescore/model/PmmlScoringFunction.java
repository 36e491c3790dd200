package io.ridescore.model;

import io.ridescore.event.DeadLetter;
import io.ridescore.event.ScoredRide;
import io.ridescore.features.FeatureVector;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.util.HashSet;
import java.util.Set;

/**
 * The thin Flink shell around {@link PmmlScorer}: builds the evaluator once per task, scores, and
 * sends rides the model refuses to the dead-letter output. New releases arrive on the broadcast
 * input ({@link ModelReleases}); one that parses, verifies and binds every input field replaces the
 * scorer between two records, one that does not is refused, logged and counted while the old model
 * keeps serving. The release in use is kept in broadcast state, so a restart from a checkpoint
 * serves the same model without asking its source.
 */
public class PmmlScoringFunction extends BroadcastProcessFunction<FeatureVector, ModelRelease, ScoredRide>
        implements CheckpointedFunction {
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("score-dead-letters") {};

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PmmlScoringFunction.class);
    private static final String IN_USE = "in-use";

    private final ModelSpec spec;
    private final boolean streamFeatures;
    private transient PmmlScorer scorer;
    private transient BroadcastState<String, ModelRelease> serving;
    private transient MetricGroup metrics;
    private transient Histogram latencyMicros;
    private transient Counter swaps;
    private transient Counter refused;
    private transient Set<String> labelled;
    /** The last release refused; polls keep returning it until the registry moves on, and it is refused once. */
    private transient ModelRelease lastRefused;

    public PmmlScoringFunction(ModelSpec spec, boolean streamFeatures) {
        this.spec = spec;
        this.streamFeatures = streamFeatures;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        serving = context.getOperatorStateStore().getBroadcastState(ModelReleases.SERVING);
        ModelRelease restored = context.isRestored() ? serving.get(IN_USE) : null;
        if (restored != null) {
            // The checkpoint holds the model that was serving; its version label came with it.
            scorer = new PmmlScorer(ModelLoader.build(restored, restored.version, spec.forceJpmml()), streamFeatures);
            LOG.info("restored model {} version {} from the checkpoint", scorer.modelName(), scorer.modelVersion());
        }
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        if (scorer == null) {
            ModelRelease release = ModelLoader.fetch(spec);
            scorer = new PmmlScorer(ModelLoader.build(release, spec.versionOverride(), spec.forceJpmml()), streamFeatures);
            release.version = scorer.modelVersion();
            serving.put(IN_USE, release);
        }
        LOG.info("model {} version {}: scored by {}", scorer.modelName(), scorer.modelVersion(), scorer.path());
        metrics = getRuntimeContext().getMetricGroup().addGroup("ridescore");
        latencyMicros = metrics.histogram("scoring_latency_us", new DescriptiveStatisticsHistogram(10_000));
        swaps = metrics.counter("model_swaps");
        refused = metrics.counter("models_refused");
        labelled = new HashSet<>();
        label(scorer);
    }

    @Override
    public void processElement(FeatureVector vector, ReadOnlyContext ctx, Collector<ScoredRide> out) {
        try {
            long started = System.nanoTime();
            double prediction = scorer.score(vector);
            latencyMicros.update((System.nanoTime() - started) / 1000);
            out.collect(new ScoredRide(vector.ride, prediction, scorer.modelName(), scorer.modelVersion()));
        } catch (ScoringException e) {
            ctx.output(DEAD_LETTERS, DeadLetter.of(DeadLetter.Stage.SCORE, e.reason(), e.getMessage(), vector.ride));
        }
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
            LOG.warn("new model from {} refused, {} version {} keeps serving: {}", release.servedBy,
                    scorer.modelName(), scorer.modelVersion(), ModelLoader.firstLine(e));
            return;
        }
        LOG.info("model swap: {} version {} -> {} version {} ({}), scored by {}", scorer.modelName(), scorer.modelVersion(),
                next.modelName(), next.modelVersion(), release.servedBy, next.path());
        scorer = next;
        release.version = next.modelVersion();
        ctx.getBroadcastState(ModelReleases.SERVING).put(IN_USE, release);
        swaps.inc();
        label(next);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        // The broadcast state is snapshotted by Flink; nothing else here outlives a restart.
    }

    /** The model in use as labels of a gauge: Prometheus shows which version serves (1) and which served before (0). */
    private void label(PmmlScorer loaded) {
        if (labelled.add(loaded.modelName() + "\u0000" + loaded.modelVersion())) {
            metrics.addGroup("model", loaded.modelName()).addGroup("version", loaded.modelVersion())
                    .gauge("loaded", () -> scorer.modelName().equals(loaded.modelName())
                            && scorer.modelVersion().equals(loaded.modelVersion()) ? 1 : 0);
        }
    }

    long modelSwaps() {
        return swaps.getCount();
    }

    long modelsRefused() {
        return refused.getCount();
    }
}
