package io.ridescore.event;

/**
 * A record refused at some stage, with the stable reason code the counts and dead letters use.
 * Refusals are expected traffic, not bugs: no stack trace is taken.
 */
public abstract class RefusedException extends Exception {
    private final String reason;

    protected RefusedException(String reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
