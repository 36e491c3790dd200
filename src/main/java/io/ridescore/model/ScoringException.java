package io.ridescore.model;

import io.ridescore.event.RefusedException;

/** The model refused one ride; the ride is dead-lettered with this reason, the job goes on. */
public class ScoringException extends RefusedException {
    public ScoringException(String reason, String detail) {
        super(reason, detail);
    }
}
