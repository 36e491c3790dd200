package io.ridescore.model;

import org.dmg.pmml.PMML;
import org.jpmml.evaluator.Evaluator;

/**
 * A verified evaluator with its PMML document, the name and version every prediction reports,
 * where it came from (and the release it was built from), and whether the compiled fast path may
 * be used for it.
 */
public record LoadedModel(
        Evaluator evaluator,
        PMML pmml,
        String name,
        String version,
        String source,
        boolean forceJpmml,
        ModelRelease release) {}
