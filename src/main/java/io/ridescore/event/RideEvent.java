package io.ridescore.event;

import java.util.Objects;

/**
 * One ride as it enters the topology, from any source. Fields are boxed because real inputs have
 * holes (TLC rows with a null location, events without a pickup time); the validator decides what a
 * hole means. Timestamps are local wall-clock time (TLC has no zone) in microseconds since
 * 1970-01-01T00:00, the unit TLC Parquet files use.
 */
public class RideEvent {
    /** Echoed back unchanged: the text of a number or of a string. */
    public String rideId;
    /** Whether {@link #rideId} was a JSON number, so the prediction echoes the same JSON type. */
    public boolean rideIdNumeric;

    public Integer puLocationId;
    public Integer doLocationId;
    public Double tripDistance;
    public Long pickupMicros;
    /** Present in batch input only: the actual dropoff, for actual duration and its checks. */
    public Long dropoffMicros;
    /** The original record as text, for the dead letter. */
    public String payload;
    /** The Kinesis shard the ride arrived on (null for files): event time is tracked per shard. */
    public String shardId;

    public RideEvent() {}

    public RideEvent(
            String rideId,
            boolean rideIdNumeric,
            Integer puLocationId,
            Integer doLocationId,
            Double tripDistance,
            Long pickupMicros,
            Long dropoffMicros,
            String payload) {
        this.rideId = rideId;
        this.rideIdNumeric = rideIdNumeric;
        this.puLocationId = puLocationId;
        this.doLocationId = doLocationId;
        this.tripDistance = tripDistance;
        this.pickupMicros = pickupMicros;
        this.dropoffMicros = dropoffMicros;
        this.payload = payload;
    }

    /** Actual duration in minutes, when both timestamps are known. */
    public Double actualDurationMinutes() {
        if (pickupMicros == null || dropoffMicros == null) {
            return null;
        }
        return (dropoffMicros - pickupMicros) / 60_000_000.0;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RideEvent)) {
            return false;
        }
        RideEvent that = (RideEvent) o;
        return rideIdNumeric == that.rideIdNumeric
                && Objects.equals(rideId, that.rideId)
                && Objects.equals(puLocationId, that.puLocationId)
                && Objects.equals(doLocationId, that.doLocationId)
                && Objects.equals(tripDistance, that.tripDistance)
                && Objects.equals(pickupMicros, that.pickupMicros)
                && Objects.equals(dropoffMicros, that.dropoffMicros)
                && Objects.equals(payload, that.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(rideId, puLocationId, doLocationId, tripDistance, pickupMicros);
    }

    @Override
    public String toString() {
        return "RideEvent{" + rideId + ", PU=" + puLocationId + ", DO=" + doLocationId + ", distance=" + tripDistance
                + ", pickup=" + pickupMicros + ", dropoff=" + dropoffMicros + '}';
    }
}
