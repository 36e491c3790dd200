package io.ridescore.model;

import io.ridescore.event.DeadLetter;
import io.ridescore.event.ScoredRide;
import io.ridescore.features.FeatureVector;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The thin Flink shell around {@link PmmlScorer}: builds the evaluator once per task in
 * {@code open()}, scores, and sends rides the model refuses to the dead-letter output.
 */
public class PmmlScoringFunction extends ProcessFunction<FeatureVector, ScoredRide> {
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("score-dead-letters") {};

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PmmlScoringFunction.class);

    private final ModelSpec spec;
    private final boolean streamFeatures;
    private transient PmmlScorer scorer;
    private transient Histogram latencyMicros;

    public PmmlScoringFunction(ModelSpec spec, boolean streamFeatures) {
        this.spec = spec;
        this.streamFeatures = streamFeatures;
    }

    @Override
    public void open(OpenContext openContext) {
        scorer = new PmmlScorer(ModelLoader.load(spec), streamFeatures);
        LOG.info("model {} version {}: scored by {}", scorer.modelName(), scorer.modelVersion(), scorer.path());
        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup("ridescore");
        latencyMicros = group.histogram("scoring_latency_us", new DescriptiveStatisticsHistogram(10_000));
        // The model in use, as labels of a constant gauge: Prometheus shows which version is serving.
        group.addGroup("model", scorer.modelName()).addGroup("version", scorer.modelVersion())
                .gauge("loaded", () -> 1);
    }

    @Override
    public void processElement(FeatureVector vector, Context ctx, Collector<ScoredRide> out) {
        try {
            long started = System.nanoTime();
            double prediction = scorer.score(vector);
            latencyMicros.update((System.nanoTime() - started) / 1000);
            out.collect(new ScoredRide(vector.ride, prediction, scorer.modelName(), scorer.modelVersion()));
        } catch (ScoringException e) {
            ctx.output(DEAD_LETTERS, DeadLetter.of(DeadLetter.Stage.SCORE, e.reason(), e.getMessage(), vector.ride));
        }
    }
}
