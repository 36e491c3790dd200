package io.ridescore.model;

import java.io.Serializable;

/** Where to load a model from and which version to report; shipped to the tasks, which load it in open(). */
public record ModelSpec(String uri, String versionOverride) implements Serializable {}
