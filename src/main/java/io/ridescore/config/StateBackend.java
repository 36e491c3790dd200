package io.ridescore.config;

import java.util.Locale;

/** Flink's state backends, named as {@code state.backend.type} names them. */
public enum StateBackend {
    HASHMAP,
    ROCKSDB;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
