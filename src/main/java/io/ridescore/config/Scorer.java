package io.ridescore.config;

import java.util.Locale;

/** Which evaluator scores: the compiled fast path where the model allows it, or always jpmml-evaluator. */
public enum Scorer {
    AUTO,
    JPMML;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
