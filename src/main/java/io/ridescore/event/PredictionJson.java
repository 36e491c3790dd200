package io.ridescore.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;

/**
 * The prediction contract: {@code {"model": .., "version": .., "prediction": {"ride_duration": ..,
 * "ride_id": ..}}}, with ride_id echoed in the JSON type it arrived in.
 */
public final class PredictionJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PredictionJson() {}

    public static String encode(ScoredRide ride) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("model", ride.modelName);
        root.put("version", ride.modelVersion);
        ObjectNode prediction = root.putObject("prediction");
        prediction.put("ride_duration", ride.predictedDuration);
        if (ride.rideIdNumeric) {
            prediction.put("ride_id", new BigDecimal(ride.rideId));
        } else {
            prediction.put("ride_id", ride.rideId);
        }
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain values always serializes", e);
        }
    }
}
