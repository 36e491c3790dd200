package io.ridescore.config;

/**
 * A misconfiguration found before the job starts. Its message is what the user sees: one line per
 * thing found wrong, each saying what to do about it.
 */
public final class StartupException extends RuntimeException {
    public StartupException(String message) {
        super(message);
    }
}
