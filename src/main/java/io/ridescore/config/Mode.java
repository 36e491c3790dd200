package io.ridescore.config;

import org.apache.flink.api.common.RuntimeExecutionMode;

/**
 * The execution modes are presets of the same topology: which source, which sink, whether stream
 * features run, and the Flink runtime mode. Everything between source and sink is shared code.
 */
public enum Mode {
    BATCH("batch", SourceKind.PARQUET, SinkKind.PARQUET, RuntimeExecutionMode.BATCH, true);

    private final String label;
    public final SourceKind source;
    public final SinkKind sink;
    public final RuntimeExecutionMode runtimeMode;
    /** Batch input carries the dropoff, so the actual duration exists and the reference's 1..60 min rule applies. */
    public final boolean actualsRequired;

    Mode(String label, SourceKind source, SinkKind sink, RuntimeExecutionMode runtimeMode, boolean actualsRequired) {
        this.label = label;
        this.source = source;
        this.sink = sink;
        this.runtimeMode = runtimeMode;
        this.actualsRequired = actualsRequired;
    }

    public String label() {
        return label;
    }

    public static Mode fromLabel(String label) {
        for (Mode m : values()) {
            if (m.label.equals(label)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown mode '" + label + "'");
    }

    public enum SourceKind { PARQUET }

    public enum SinkKind { PARQUET }
}
