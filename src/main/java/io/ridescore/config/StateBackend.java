package io.ridescore.config;

/** Flink's state backends, named as {@code state.backend.type} names them. */
public enum StateBackend {
    HASHMAP,
    ROCKSDB;

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
