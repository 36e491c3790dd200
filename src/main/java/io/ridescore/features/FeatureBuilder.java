package io.ridescore.features;

import io.ridescore.event.RideEvent;

/** Turns a valid ride into its feature vector: time-of-day features plus the batch table's aggregates. */
public final class FeatureBuilder {
    private static final long MICROS_PER_HOUR = 3_600_000_000L;
    private static final long MICROS_PER_DAY = 24 * MICROS_PER_HOUR;
    /** 1970-01-01 was a Thursday, ISO day 4. */
    private static final int EPOCH_ISO_DOW = 4;

    private final BatchFeatureTable table;

    /** With a null table, only the time-of-day features are set (for models that need no table feature). */
    public FeatureBuilder(BatchFeatureTable table) {
        this.table = table;
    }

    public FeatureVector build(RideEvent ride) {
        FeatureVector v = FeatureVector.of(ride);
        fill(v);
        return v;
    }

    /** Sets the time and batch features of a vector whose ride has valid zone ids; stream features stay as they are. */
    public void fill(FeatureVector v) {
        RideEvent ride = v.ride;
        if (ride.pickupMicros != null) {
            long micros = ride.pickupMicros;
            v.pickupHour = (int) Math.floorMod(Math.floorDiv(micros, MICROS_PER_HOUR), 24L);
            v.pickupDow = (int) Math.floorMod(Math.floorDiv(micros, MICROS_PER_DAY) + EPOCH_ISO_DOW - 1, 7L) + 1;
        }
        if (table != null) {
            table.fill(v);
        }
    }
}
