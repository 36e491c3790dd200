package io.ridescore.features;

import io.ridescore.event.RideEvent;

import java.util.Objects;

/** A ride with every feature the topology can supply; {@link Feature} names them for the model. */
public class FeatureVector {
    public RideEvent ride;
    /** Null when the ride carries no pickup time (online events may not). */
    public Integer pickupHour;
    /** ISO day of week, 1 = Monday. */
    public Integer pickupDow;

    public double puDoMeanDuration;
    public long puDoTrips;
    public double puDoMeanDistance;
    public double puMeanDuration;
    public long puTrips;
    public double doMeanDuration;
    public long doTrips;
    /** Stream features (zero unless the stream-feature operator ran): see {@link StreamFeatureEnricher}. */
    public long puPickups15m;

    public double puMeanDistance15m;

    public FeatureVector() {}

    public static FeatureVector of(RideEvent ride) {
        FeatureVector v = new FeatureVector();
        v.ride = ride;
        return v;
    }

    /** {@code "130_205"}, built from the integer ids (never {@code "130.0_205.0"}). */
    public String puDo() {
        return ride.puLocationId + "_" + ride.doLocationId;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof FeatureVector)) {
            return false;
        }
        FeatureVector that = (FeatureVector) o;
        return Double.compare(puDoMeanDuration, that.puDoMeanDuration) == 0
                && puDoTrips == that.puDoTrips
                && Double.compare(puDoMeanDistance, that.puDoMeanDistance) == 0
                && Double.compare(puMeanDuration, that.puMeanDuration) == 0
                && puTrips == that.puTrips
                && Double.compare(doMeanDuration, that.doMeanDuration) == 0
                && doTrips == that.doTrips
                && puPickups15m == that.puPickups15m
                && Double.compare(puMeanDistance15m, that.puMeanDistance15m) == 0
                && Objects.equals(ride, that.ride)
                && Objects.equals(pickupHour, that.pickupHour)
                && Objects.equals(pickupDow, that.pickupDow);
    }

    @Override
    public int hashCode() {
        return Objects.hash(ride, puDoMeanDuration);
    }

    @Override
    public String toString() {
        return "FeatureVector{" + ride + ", hour=" + pickupHour + ", dow=" + pickupDow + ", puDoMean="
                + puDoMeanDuration + "/" + puDoTrips + ", puMean=" + puMeanDuration + ", doMean=" + doMeanDuration
                + ", pickups15m=" + puPickups15m + ", distance15m=" + puMeanDistance15m + '}';
    }
}
