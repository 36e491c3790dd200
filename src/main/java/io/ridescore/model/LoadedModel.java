package io.ridescore.model;

import org.jpmml.evaluator.Evaluator;

/** A verified evaluator with the name and version every prediction reports, and where it came from. */
public record LoadedModel(Evaluator evaluator, String name, String version, String source) {}
