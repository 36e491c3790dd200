package io.ridescore.features;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.core.fs.Path;
import org.apache.flink.metrics.Counter;

/**
 * Joins each ride with the precomputed batch features. The table is small (at most 265 × 265
 * pairs), so every task loads it whole in {@code open()} and the join is a local array lookup:
 * no shuffle, no external store on the hot path. Without a table (a model that needs none of its
 * features), only the time-of-day features are set.
 */
public class BatchFeatureJoin extends RichMapFunction<FeatureVector, FeatureVector> {
    private final String tablePath;
    private transient FeatureBuilder builder;
    private transient Counter pairMisses;

    public BatchFeatureJoin(String tablePath) {
        this.tablePath = tablePath;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        builder = new FeatureBuilder(tablePath == null ? null : BatchFeatureTable.read(new Path(tablePath)));
        pairMisses = getRuntimeContext().getMetricGroup().addGroup("ridescore").counter("feature_misses");
    }

    @Override
    public FeatureVector map(FeatureVector vector) {
        builder.fill(vector);
        if (tablePath != null && vector.puDoTrips == 0) {
            pairMisses.inc(); // a zone pair the table never saw: its pickup zone's mean stands in
        }
        return vector;
    }
}
