package io.ridescore.event;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The prediction contract: {@code {"model": .., "version": .., "prediction": {"ride_duration": ..,
 * "ride_id": ..}}}, with ride_id echoed in the JSON type it arrived in.
 */
public final class PredictionJson {
    private PredictionJson() {}

    public static String encode(ScoredRide ride) {
        ObjectNode root = JsonText.MAPPER.createObjectNode();
        root.put("model", ride.modelName);
        root.put("version", ride.modelVersion);
        ObjectNode prediction = root.putObject("prediction");
        prediction.put("ride_duration", ride.predictedDuration);
        JsonText.putRideId(prediction, ride.rideId, ride.rideIdNumeric);
        return JsonText.write(root);
    }
}
