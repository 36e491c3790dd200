package io.ridescore.model;

import java.io.Serializable;
import java.time.Duration;

/**
 * Where to load a model from (and from where when the registry is down), the MLflow tracking
 * server, the endpoint of an S3-compatible store (null: AWS), which version to report, whether to score with jpmml-evaluator only (for users who
 * must run the reference evaluator), how often the online modes look for a new release
 * (zero: never), and where parsed models are kept (null: nowhere; {@link ParsedModelCache});
 * shipped to the tasks, which load the model in open().
 */
public record ModelSpec(
        String uri,
        String fallbackUri,
        String trackingUri,
        String s3Endpoint,
        String versionOverride,
        boolean forceJpmml,
        Duration pollInterval,
        String parseCache)
        implements Serializable {

    public ModelSpec(String uri, String versionOverride) {
        this(uri, null, null, null, versionOverride, false, Duration.ZERO, null);
    }

    public ModelSpec(String uri, String versionOverride, boolean forceJpmml) {
        this(uri, null, null, null, versionOverride, forceJpmml, Duration.ZERO, null);
    }

    public boolean polls() {
        return !pollInterval.isZero() && !pollInterval.isNegative();
    }
}
