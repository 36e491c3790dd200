package io.ridescore.config;

import java.util.Locale;

/** The TLC taxi types whose trip records ridescore reads; they differ in their timestamp columns' prefix. */
public enum TaxiType {
    GREEN("lpep"),
    YELLOW("tpep");

    private final String columnPrefix;

    TaxiType(String columnPrefix) {
        this.columnPrefix = columnPrefix;
    }

    public String pickupColumn() {
        return columnPrefix + "_pickup_datetime";
    }

    public String dropoffColumn() {
        return columnPrefix + "_dropoff_datetime";
    }

    /** As TLC writes it in file names and the partition paths ({@code taxi_type=green}). */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
