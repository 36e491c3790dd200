package io.ridescore.model;

/** A model that cannot serve: missing, unreadable, failing its self-check or asking for unknown inputs. */
public class ModelException extends RuntimeException {
    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
