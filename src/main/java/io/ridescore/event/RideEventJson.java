package io.ridescore.event;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * A ride in the event contract: {@code {"ride": {"PULocationID": .., "DOLocationID": ..,
 * "trip_distance": .., "pickup_datetime": ".."}, "ride_id": ..}}; batch rides also carry
 * {@code dropoff_datetime}. Missing values are written as JSON null, so a dead letter shows the hole.
 */
public final class RideEventJson {
    private RideEventJson() {}

    public static String encode(RideEvent ride) {
        ObjectNode root = JsonText.MAPPER.createObjectNode();
        ObjectNode r = root.putObject("ride");
        r.put("PULocationID", ride.puLocationId);
        r.put("DOLocationID", ride.doLocationId);
        r.put("trip_distance", ride.tripDistance);
        r.put("pickup_datetime", ride.pickupMicros == null ? null : isoLocal(ride.pickupMicros));
        if (ride.dropoffMicros != null) {
            r.put("dropoff_datetime", isoLocal(ride.dropoffMicros));
        }
        JsonText.putRideId(root, ride.rideId, ride.rideIdNumeric);
        return JsonText.write(root);
    }

    /** ISO-8601 local time without zone, as TLC and the event contract use it. */
    public static String isoLocal(long micros) {
        return LocalDateTime.ofEpochSecond(
                        Math.floorDiv(micros, 1_000_000L),
                        (int) Math.floorMod(micros, 1_000_000L) * 1000,
                        ZoneOffset.UTC)
                .toString();
    }
}
