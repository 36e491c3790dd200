package io.ridescore.event;

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
        return JsonText.write(json -> {
            json.writeStartObject();
            json.writeObjectFieldStart("ride");
            json.writeFieldName("PULocationID");
            JsonText.writeNumber(json, ride.puLocationId);
            json.writeFieldName("DOLocationID");
            JsonText.writeNumber(json, ride.doLocationId);
            json.writeFieldName("trip_distance");
            JsonText.writeNumber(json, ride.tripDistance);
            json.writeStringField("pickup_datetime", ride.pickupMicros == null ? null : isoLocal(ride.pickupMicros));
            if (ride.dropoffMicros != null) {
                json.writeStringField("dropoff_datetime", isoLocal(ride.dropoffMicros));
            }
            json.writeEndObject();
            JsonText.writeRideId(json, ride.rideId, ride.rideIdNumeric);
            json.writeEndObject();
        });
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
