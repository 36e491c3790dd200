package io.ridescore.model;

import java.io.Serializable;

/**
 * Where to load a model from (and from where when the registry is down), the MLflow tracking
 * server, which version to report, and whether to score with jpmml-evaluator only (for users who
 * must run the reference evaluator); shipped to the tasks, which load the model in open().
 */
public record ModelSpec(String uri, String fallbackUri, String trackingUri, String versionOverride,
                        boolean forceJpmml) implements Serializable {

    public ModelSpec(String uri, String versionOverride) {
        this(uri, null, null, versionOverride, false);
    }

    public ModelSpec(String uri, String versionOverride, boolean forceJpmml) {
        this(uri, null, null, versionOverride, forceJpmml);
    }
}
