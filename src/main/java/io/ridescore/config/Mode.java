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

    /** The name users write ({@code --mode online-stream}); Flink's enum options parse it back. */
    @Override
    public String toString() {
        return label;
    }

    public enum SourceKind {
        PARQUET,
        KINESIS
    }

    public enum SinkKind {
        PARQUET,
        KINESIS
    }
}
