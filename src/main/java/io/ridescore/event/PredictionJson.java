package io.ridescore.event;

/**
 * The prediction contract: {@code {"model": .., "version": .., "prediction": {"ride_duration": ..,
 * "ride_id": ..}}}, with ride_id echoed in the JSON type it arrived in.
 */
public final class PredictionJson {
    private PredictionJson() {}

    public static String encode(ScoredRide ride) {
        return JsonText.write(json -> {
            json.writeStartObject();
            json.writeStringField("model", ride.modelName);
            json.writeStringField("version", ride.modelVersion);
            json.writeObjectFieldStart("prediction");
            json.writeNumberField("ride_duration", ride.predictedDuration);
            JsonText.writeRideId(json, ride.rideId, ride.rideIdNumeric);
            json.writeEndObject();
            json.writeEndObject();
        });
    }
}
