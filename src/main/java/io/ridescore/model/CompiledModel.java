package io.ridescore.model;

import io.ridescore.features.FeatureVector;

import java.util.OptionalDouble;

/**
 * A PMML model compiled into a compact in-memory scorer that gives exactly jpmml-evaluator's
 * double. Each compiler ({@link ModelCompiler}) takes only the shapes it reproduces to the bit;
 * everything else, and every ride it cannot treat exactly, stays with jpmml-evaluator.
 */
interface CompiledModel {
    /**
     * The prediction, or empty when only jpmml-evaluator can treat this ride exactly (a missing or
     * non-finite input, a tree without a prediction, arithmetic that gave NaN): the ride is then
     * handed to it.
     *
     * @throws ScoringException where jpmml-evaluator would refuse the ride too (a category the model
     *         does not declare, under the default invalid-value treatment)
     */
    OptionalDouble score(FeatureVector vector) throws ScoringException;

    /** What was compiled, for the log line and the job's start banner. */
    String describe();

    /** The compiled model, or why the model stays with jpmml-evaluator. */
    record Result(CompiledModel model, String reason) {}
}
