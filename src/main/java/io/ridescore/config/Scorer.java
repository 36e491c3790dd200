package io.ridescore.config;

/** Which evaluator scores: the compiled fast path where the model allows it, or always jpmml-evaluator. */
public enum Scorer {
    AUTO,
    JPMML;

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
