package io.ridescore.model;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model-update control stream: one task polls the model URI (a file, a URL, or a registry
 * stage such as {@code models:/ride-duration/Production}) at the configured interval and broadcasts
 * what it finds to every scorer, which switches when the release is new and passes its checks.
 * A poll that fails (registry down, file being rewritten) is logged and counted, and the model in
 * use keeps serving; the fallback URI is never polled, so an outage cannot swap models.
 */
public final class ModelReleases {
    /** Where each scorer keeps the release it serves; broadcast state, so it is checkpointed. */
    public static final MapStateDescriptor<String, ModelRelease> SERVING =
            new MapStateDescriptor<>("serving-model", Types.STRING, TypeInformation.of(ModelRelease.class));

    private ModelReleases() {}

    /**
     * Polls the model URI at its interval, forever, and the challenger's (null: none) at the same
     * interval: an unbounded source, for the online modes.
     */
    public static BroadcastStream<ModelRelease> broadcast(
            StreamExecutionEnvironment env, ModelSpec spec, ModelSpec challenger) {
        DataStream<ModelRelease> releases = polls(env, spec, false);
        if (challenger != null) {
            releases = releases.union(polls(env, challenger, true));
        }
        return releases.broadcast(SERVING);
    }

    private static DataStream<ModelRelease> polls(StreamExecutionEnvironment env, ModelSpec spec, boolean challenger) {
        String name = challenger ? "challenger-releases" : "model-releases";
        DataGeneratorSource<ModelRelease> source = new DataGeneratorSource<>(
                new Poll(spec, challenger),
                Long.MAX_VALUE,
                RateLimiterStrategy.perSecond(1000.0 / spec.pollInterval().toMillis()),
                TypeInformation.of(ModelRelease.class));
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), name)
                .uid(name)
                .setParallelism(1);
    }

    /** One poll of the model URI; a failed poll yields a release without bytes, which scorers ignore. */
    static final class Poll implements GeneratorFunction<Long, ModelRelease> {
        private static final Logger LOG = LoggerFactory.getLogger(Poll.class);
        private final ModelSpec spec;
        private final boolean challenger;
        private transient Counter failures;
        private transient String lastFailure;

        Poll(ModelSpec spec, boolean challenger) {
            this.spec = spec;
            this.challenger = challenger;
        }

        @Override
        public void open(SourceReaderContext context) {
            failures = context.metricGroup().addGroup("ridescore").counter("model_poll_failures");
        }

        @Override
        public ModelRelease map(Long poll) {
            try {
                ModelRelease release = ModelLoader.poll(spec);
                release.challenger = challenger;
                lastFailure = null;
                return release;
            } catch (ModelException e) {
                failures.inc();
                if (!e.getMessage().equals(lastFailure)) {
                    LOG.warn(
                            "polling {} for a new model failed, the model in use keeps serving: {}",
                            spec.uri(),
                            e.getMessage());
                }
                lastFailure = e.getMessage();
                ModelRelease failed = new ModelRelease(spec.uri(), e.getMessage(), null, null, null, null);
                failed.challenger = challenger;
                return failed;
            }
        }
    }
}
