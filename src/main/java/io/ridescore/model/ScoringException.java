package io.ridescore.model;

/** The model refused one ride; the ride is dead-lettered with this reason, the job goes on. */
public class ScoringException extends Exception {
    private final String reason;

    public ScoringException(String reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
