package io.ridescore.config;

import org.apache.flink.api.common.RuntimeExecutionMode;

/**
 * The execution modes are presets of the same topology: which source, which sink, whether stream
 * features run, and the Flink runtime mode. Everything between source and sink is shared code.
 */
public enum Mode {
    BATCH("batch", SourceKind.PARQUET, false, SinkKind.PARQUET, RuntimeExecutionMode.BATCH),
    ONLINE("online", SourceKind.KINESIS, false, SinkKind.KINESIS, RuntimeExecutionMode.STREAMING),
    ONLINE_STREAM("online-stream", SourceKind.KINESIS, true, SinkKind.KINESIS, RuntimeExecutionMode.STREAMING);

    private final String label;
    public final SourceKind source;
    /** The default; batch runs may switch stream features on, e.g. to build training data. */
    public final boolean streamFeatures;
    public final SinkKind sink;
    public final RuntimeExecutionMode runtimeMode;

    Mode(String label, SourceKind source, boolean streamFeatures, SinkKind sink, RuntimeExecutionMode runtimeMode) {
        this.label = label;
        this.source = source;
        this.streamFeatures = streamFeatures;
        this.sink = sink;
        this.runtimeMode = runtimeMode;
    }

    public String label() {
        return label;
    }

    /** Batch input carries the dropoff, so the actual duration exists and the reference's 1..60 min rule applies. */
    public boolean actualsRequired() {
        return source == SourceKind.PARQUET;
    }

    public static Mode fromLabel(String label) {
        for (Mode m : values()) {
            if (m.label.equals(label)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown mode '" + label + "' (batch, online, online-stream)");
    }

    public enum SourceKind { PARQUET, KINESIS }

    public enum SinkKind { PARQUET, KINESIS }
}
