package io.ridescore.config;

/** Where a new online job starts reading its input stream (the Kinesis consumer's names). */
public enum InitialPosition {
    LATEST,
    TRIM_HORIZON
}
