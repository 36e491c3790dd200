package io.ridescore.model;

import java.util.Objects;

/**
 * A model as a source served it: the PMML bytes and what is known about them before parsing. It
 * travels from the poller to every scorer and is what the scorers keep in broadcast state, so the
 * model in use survives a restart even when its source is gone by then. A POJO, so Flink
 * serializes it without Kryo.
 */
public class ModelRelease {
    /** The URI that was asked for, e.g. {@code models:/ride-duration/Production}. */
    public String uri;
    /** What actually served it: the file, the registry version and run, or the fallback. */
    public String servedBy;
    /** The registry's model name and version (or the run id), when a registry served it. */
    public String registryName;

    public String registryVersion;
    /** A content hash: a release with the same bytes and registry version is the same release. */
    public String digest;

    public byte[] pmml;
    /** The version label predictions carry, set once a scorer has accepted the release. */
    public String version;
    /** A release of the challenger (scored in shadow), not of the serving model. */
    public boolean challenger;

    public ModelRelease() {}

    ModelRelease(String uri, String servedBy, String registryName, String registryVersion, String digest, byte[] pmml) {
        this.uri = uri;
        this.servedBy = servedBy;
        this.registryName = registryName;
        this.registryVersion = registryVersion;
        this.digest = digest;
        this.pmml = pmml;
    }

    /** Two releases are the same model when their bytes and their registry version agree. */
    boolean sameAs(ModelRelease other) {
        return other != null
                && Objects.equals(digest, other.digest)
                && Objects.equals(registryVersion, other.registryVersion);
    }
}
