package io.ridescore.event;

/** A record refused at some stage, with the stable reason code the counts and dead letters use. */
public abstract class RefusedException extends Exception {
    private final String reason;

    protected RefusedException(String reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
