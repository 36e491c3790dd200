package io.ridescore.features;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The features a model may ask for, by the name its PMML uses for the input field. This list is
 * the contract between the trainer, the scorer and the data: a model input not named here is
 * refused at start.
 */
public enum Feature {
    PU_DO("PU_DO", FeatureVector::puDo),
    PU_LOCATION_ID("PULocationID", v -> v.ride.puLocationId),
    DO_LOCATION_ID("DOLocationID", v -> v.ride.doLocationId),
    TRIP_DISTANCE("trip_distance", v -> v.ride.tripDistance),
    PICKUP_HOUR("pickup_hour", v -> v.pickupHour),
    PICKUP_DOW("pickup_dow", v -> v.pickupDow),
    PU_DO_MEAN_DURATION("pu_do_mean_duration", v -> v.puDoMeanDuration),
    PU_DO_TRIPS("pu_do_trips", v -> v.puDoTrips),
    PU_DO_MEAN_DISTANCE("pu_do_mean_distance", v -> v.puDoMeanDistance),
    PU_MEAN_DURATION("pu_mean_duration", v -> v.puMeanDuration),
    PU_TRIPS("pu_trips", v -> v.puTrips),
    DO_MEAN_DURATION("do_mean_duration", v -> v.doMeanDuration),
    DO_TRIPS("do_trips", v -> v.doTrips),
    PU_PICKUPS_15M("pu_pickups_15m", v -> v.puPickups15m, true),
    PU_MEAN_DISTANCE_15M("pu_mean_distance_15m", v -> v.puMeanDistance15m, true);

    public final String fieldName;
    private final Function<FeatureVector, Object> value;
    /** Supplied only when the stream-feature operator runs. */
    public final boolean stream;

    Feature(String fieldName, Function<FeatureVector, Object> value) {
        this(fieldName, value, false);
    }

    Feature(String fieldName, Function<FeatureVector, Object> value, boolean stream) {
        this.fieldName = fieldName;
        this.value = value;
        this.stream = stream;
    }

    /** Looked up in the batch feature table (its means and counts), as opposed to read off the ride or the stream. */
    public boolean fromBatchTable() {
        return EnumSet.range(PU_DO_MEAN_DURATION, DO_TRIPS).contains(this);
    }

    public Object valueOf(FeatureVector vector) {
        return value.apply(vector);
    }

    public static Optional<Feature> byFieldName(String name) {
        return Arrays.stream(values()).filter(f -> f.fieldName.equals(name)).findFirst();
    }

    public static String allFieldNames() {
        return Arrays.stream(values()).map(f -> f.fieldName).collect(Collectors.joining(", "));
    }
}
