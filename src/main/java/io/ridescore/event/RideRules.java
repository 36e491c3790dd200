package io.ridescore.event;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * What makes a ride scoreable. The first broken rule wins, so every refused ride is counted under
 * exactly one reason. Event rules hold for any ride event; actuals rules (batch input only) need
 * the dropoff, which is not known at pickup time, so they run after the stream features: a pickup
 * counts as demand whatever its duration turns out to be, in batch exactly as in streaming. The
 * 1..60 minute rule is the reference's: rides outside it are not scored.
 */
public final class RideRules {
    public static final int MIN_ZONE = 1;
    public static final int MAX_ZONE = 265;
    public static final double MIN_MINUTES = 1.0;
    public static final double MAX_MINUTES = 60.0;

    private RideRules() {}

    /** Why a ride was refused: a stable code to count by and a sentence for people. */
    public record Violation(String reason, String detail) {}

    /** Both rule sets, as a batch ride must pass them; null when the ride can be scored. */
    public static Violation check(RideEvent ride) {
        Violation v = checkEvent(ride);
        return v != null ? v : checkActuals(ride);
    }

    /** Zones and distance: what any ride event must carry. */
    public static Violation checkEvent(RideEvent ride) {
        if (ride.puLocationId == null) {
            return new Violation("missing_location", "PULocationID is missing");
        }
        if (ride.doLocationId == null) {
            return new Violation("missing_location", "DOLocationID is missing");
        }
        if (!isZone(ride.puLocationId)) {
            return new Violation("unknown_zone", "PULocationID " + ride.puLocationId + " is not a TLC zone (1..265)");
        }
        if (!isZone(ride.doLocationId)) {
            return new Violation("unknown_zone", "DOLocationID " + ride.doLocationId + " is not a TLC zone (1..265)");
        }
        if (ride.tripDistance == null) {
            return new Violation("missing_distance", "trip_distance is missing");
        }
        if (!Double.isFinite(ride.tripDistance)) {
            return new Violation("non_finite_distance", "trip_distance is " + ride.tripDistance);
        }
        if (ride.tripDistance <= 0) {
            return new Violation("non_positive_distance", "trip_distance " + ride.tripDistance + " is not positive");
        }
        return null;
    }

    /** Pickup and dropoff present, in order, 1..60 minutes apart: what batch rows must carry. */
    public static Violation checkActuals(RideEvent ride) {
        if (ride.pickupMicros == null || ride.dropoffMicros == null) {
            return new Violation(
                    "missing_time", (ride.pickupMicros == null ? "pickup" : "dropoff") + " time is missing");
        }
        double minutes = ride.actualDurationMinutes();
        if (minutes < 0) {
            return new Violation(
                    "dropoff_before_pickup", "dropoff is " + hundredths(-minutes) + " minutes before pickup");
        }
        if (minutes < MIN_MINUTES || minutes > MAX_MINUTES) {
            return new Violation(
                    "duration_out_of_range", "duration " + hundredths(minutes) + " min is outside " + RANGE);
        }
        return null;
    }

    private static final String RANGE = Math.round(MIN_MINUTES) + ".." + Math.round(MAX_MINUTES);

    /**
     * Minutes to two decimals, rounded half up, as {@code %.2f} writes them but in any locale and
     * without a formatter per ride (a tenth of a batch month breaks this rule; a format was a fifth of
     * validating).
     */
    static String hundredths(double minutes) {
        return BigDecimal.valueOf(minutes).setScale(2, RoundingMode.HALF_UP).toPlainString();
    }

    private static boolean isZone(int id) {
        return id >= MIN_ZONE && id <= MAX_ZONE;
    }
}
