package io.ridescore.model;

import io.ridescore.event.RefusedException;

/** The model refused one ride; the ride is dead-lettered with this reason, the job goes on. */
public class ScoringException extends RefusedException {
    public ScoringException(String reason, String detail) {
        super(reason, detail);
    }

    /** A category the model does not declare, refused as jpmml-evaluator refuses it. */
    static ScoringException undeclared(String field, String value) {
        return new ScoringException(
                "model_refused",
                "field " + field + " does not accept value \"" + value + "\" (not among the model's values)");
    }
}
