package io.ridescore.event;

import java.util.Objects;

/** A ride with its prediction and the model that made it. */
public class ScoredRide {
    public String rideId;
    public boolean rideIdNumeric;
    public Long pickupMicros;
    public int puLocationId;
    public int doLocationId;
    public double tripDistance;
    /** Null when the input had no dropoff (online events). */
    public Double actualDuration;

    public double predictedDuration;
    public String modelName;
    public String modelVersion;

    /** The challenger scored in shadow (null without one); its prediction is null where it refused the ride. */
    public String challengerName;

    public String challengerVersion;
    public Double challengerPrediction;

    public ScoredRide() {}

    public ScoredRide(RideEvent ride, double predictedDuration, String modelName, String modelVersion) {
        this.rideId = ride.rideId;
        this.rideIdNumeric = ride.rideIdNumeric;
        this.pickupMicros = ride.pickupMicros;
        this.puLocationId = ride.puLocationId;
        this.doLocationId = ride.doLocationId;
        this.tripDistance = ride.tripDistance;
        this.actualDuration = ride.actualDurationMinutes();
        this.predictedDuration = predictedDuration;
        this.modelName = modelName;
        this.modelVersion = modelVersion;
    }

    /** actual − predicted, as in the reference batch output; null without an actual duration. */
    public Double diff() {
        return actualDuration == null ? null : actualDuration - predictedDuration;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ScoredRide)) {
            return false;
        }
        ScoredRide that = (ScoredRide) o;
        return rideIdNumeric == that.rideIdNumeric
                && puLocationId == that.puLocationId
                && doLocationId == that.doLocationId
                && Double.compare(tripDistance, that.tripDistance) == 0
                && Double.compare(predictedDuration, that.predictedDuration) == 0
                && Objects.equals(rideId, that.rideId)
                && Objects.equals(pickupMicros, that.pickupMicros)
                && Objects.equals(actualDuration, that.actualDuration)
                && Objects.equals(modelName, that.modelName)
                && Objects.equals(modelVersion, that.modelVersion)
                && Objects.equals(challengerName, that.challengerName)
                && Objects.equals(challengerVersion, that.challengerVersion)
                && Objects.equals(challengerPrediction, that.challengerPrediction);
    }

    @Override
    public int hashCode() {
        return Objects.hash(rideId, predictedDuration, modelVersion);
    }

    @Override
    public String toString() {
        return "ScoredRide{" + rideId + ", predicted=" + predictedDuration + ", actual=" + actualDuration + ", model="
                + modelName + "@" + modelVersion + '}';
    }
}
