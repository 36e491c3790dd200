package io.ridescore.model;

import java.io.Serializable;

/**
 * Where to load a model from, which version to report, and whether to score with jpmml-evaluator
 * only (for users who must run the reference evaluator); shipped to the tasks, which load it in open().
 */
public record ModelSpec(String uri, String versionOverride, boolean forceJpmml) implements Serializable {

    public ModelSpec(String uri, String versionOverride) {
        this(uri, versionOverride, false);
    }
}
