package io.ridescore.features;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The stream features of a finished set of rides, computed offline for training data with the
 * same definition and the same floating-point order as {@link StreamFeatureEnricher}: per pickup
 * zone, the rides picked up in [t − 15 min, t), aggregated per distinct pickup microsecond and
 * summed in time order. A test holds the two to bit-identical results.
 */
public final class StreamFeatures {
    private StreamFeatures() {}

    /** Sets {@code puPickups15m} and {@code puMeanDistance15m} on every vector (rides need valid zones and pickup times). */
    public static void computeOffline(List<FeatureVector> rides) {
        Map<Integer, List<FeatureVector>> byZone = new HashMap<>();
        for (FeatureVector v : rides) {
            byZone.computeIfAbsent(v.ride.puLocationId, z -> new ArrayList<>()).add(v);
        }
        for (List<FeatureVector> zone : byZone.values()) {
            zone.sort(Comparator.<FeatureVector>comparingLong(r -> r.ride.pickupMicros)
                    .thenComparing(r -> r.ride.rideId));
            List<long[]> keys = new ArrayList<>(); // {micros}
            List<double[]> aggregates = new ArrayList<>(); // {count, distance sum}, one per distinct micros
            int i = 0;
            int windowStart = 0;
            while (i < zone.size()) {
                long t = zone.get(i).ride.pickupMicros;
                while (windowStart < keys.size()
                        && keys.get(windowStart)[0] < t - StreamFeatureEnricher.WINDOW_MICROS) {
                    windowStart++;
                }
                long count = 0;
                double distance = 0;
                for (int k = windowStart; k < keys.size(); k++) {
                    count += (long) aggregates.get(k)[0];
                    distance += aggregates.get(k)[1];
                }
                double[] same = new double[2];
                int j = i;
                for (; j < zone.size() && zone.get(j).ride.pickupMicros == t; j++) {
                    FeatureVector v = zone.get(j);
                    v.puPickups15m = count;
                    v.puMeanDistance15m = count == 0 ? 0.0 : distance / count;
                    same[0] += 1;
                    same[1] += v.ride.tripDistance;
                }
                keys.add(new long[] {t});
                aggregates.add(same);
                i = j;
            }
        }
    }
}
