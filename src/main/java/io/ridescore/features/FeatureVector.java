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

    public FeatureVector() {}

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
        return Double.compare(puDoMeanDuration, that.puDoMeanDuration) == 0 && puDoTrips == that.puDoTrips
                && Double.compare(puDoMeanDistance, that.puDoMeanDistance) == 0
                && Double.compare(puMeanDuration, that.puMeanDuration) == 0 && puTrips == that.puTrips
                && Double.compare(doMeanDuration, that.doMeanDuration) == 0 && doTrips == that.doTrips
                && Objects.equals(ride, that.ride) && Objects.equals(pickupHour, that.pickupHour)
                && Objects.equals(pickupDow, that.pickupDow);
    }

    @Override
    public int hashCode() {
        return Objects.hash(ride, puDoMeanDuration);
    }

    @Override
    public String toString() {
        return "FeatureVector{" + ride + ", hour=" + pickupHour + ", dow=" + pickupDow + ", puDoMean="
                + puDoMeanDuration + "/" + puDoTrips + ", puMean=" + puMeanDuration + ", doMean=" + doMeanDuration + '}';
    }
}
