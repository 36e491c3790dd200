package io.ridescore.features;

import io.ridescore.event.ParquetFiles;
import io.ridescore.event.RideRules;
import org.apache.flink.core.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroup;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

import java.io.IOException;
import java.util.Arrays;

/**
 * Aggregates of earlier months per pickup zone, dropoff zone and zone pair, held as flat arrays
 * indexed by zone id: a lookup is two array reads. Means are smoothed toward the next coarser
 * level (pair → pickup zone → all rides) with the weight of {@link #PRIOR_TRIPS} rides, so a pair
 * seen twice does not get an extreme mean and an unseen pair gets its pickup zone's mean.
 */
public final class BatchFeatureTable {
    public static final int PRIOR_TRIPS = 10;
    private static final int ZONES = RideRules.MAX_ZONE + 1;

    public static final MessageType SCHEMA = MessageTypeParser.parseMessageType("""
            message batch_features {
              required binary level (STRING);
              optional int32 PULocationID;
              optional int32 DOLocationID;
              required int64 trips;
              required double mean_duration;
              required double mean_distance;
            }""");

    private final double globalMeanDuration;
    private final long globalTrips;
    private final double globalMeanDistance;
    private final double[] puMean = new double[ZONES];
    private final long[] puTrips = new long[ZONES];
    private final double[] doMean = new double[ZONES];
    private final long[] doTrips = new long[ZONES];
    private final double[] pairMean = new double[ZONES * ZONES];
    private final long[] pairTrips = new long[ZONES * ZONES];
    private final double[] pairDistance = new double[ZONES * ZONES];

    private BatchFeatureTable(double globalMeanDuration, long globalTrips, double globalMeanDistance) {
        this.globalMeanDuration = globalMeanDuration;
        this.globalTrips = globalTrips;
        this.globalMeanDistance = globalMeanDistance;
        Arrays.fill(puMean, globalMeanDuration);
        Arrays.fill(doMean, globalMeanDuration);
        for (int pu = 0; pu < ZONES; pu++) {
            Arrays.fill(pairMean, pu * ZONES, (pu + 1) * ZONES, globalMeanDuration);
        }
        Arrays.fill(pairDistance, globalMeanDistance);
    }

    /** Builds the table from the durations and distances of valid rides. */
    public static final class Builder {
        private final double[] pairSum = new double[ZONES * ZONES];
        private final double[] pairDistanceSum = new double[ZONES * ZONES];
        private final long[] pairCount = new long[ZONES * ZONES];
        private final double[] puSum = new double[ZONES];
        private final long[] puCount = new long[ZONES];
        private final double[] doSum = new double[ZONES];
        private final long[] doCount = new long[ZONES];
        private double sum;
        private double distanceSum;
        private long count;

        public Builder add(int pu, int dO, double durationMinutes, double distance) {
            int pair = pu * ZONES + dO;
            pairSum[pair] += durationMinutes;
            pairDistanceSum[pair] += distance;
            pairCount[pair]++;
            puSum[pu] += durationMinutes;
            puCount[pu]++;
            doSum[dO] += durationMinutes;
            doCount[dO]++;
            sum += durationMinutes;
            distanceSum += distance;
            count++;
            return this;
        }

        public BatchFeatureTable build() {
            if (count == 0) {
                throw new IllegalStateException("no valid rides to build batch features from");
            }
            BatchFeatureTable t = new BatchFeatureTable(sum / count, count, distanceSum / count);
            for (int z = 0; z < ZONES; z++) {
                t.puMean[z] = smooth(puSum[z], puCount[z], t.globalMeanDuration);
                t.puTrips[z] = puCount[z];
                t.doMean[z] = smooth(doSum[z], doCount[z], t.globalMeanDuration);
                t.doTrips[z] = doCount[z];
            }
            for (int pair = 0; pair < pairCount.length; pair++) {
                int pu = pair / ZONES;
                t.pairMean[pair] = smooth(pairSum[pair], pairCount[pair], t.puMean[pu]);
                t.pairTrips[pair] = pairCount[pair];
                if (pairCount[pair] > 0) {
                    t.pairDistance[pair] = pairDistanceSum[pair] / pairCount[pair];
                }
            }
            return t;
        }

        /** An unseen key gets the prior itself, bit for bit as a table read back from Parquet does. */
        private static double smooth(double sum, long count, double prior) {
            return count == 0 ? prior : (sum + PRIOR_TRIPS * prior) / (count + PRIOR_TRIPS);
        }
    }

    /** Fills the batch-feature fields of a vector whose ride has valid zone ids. */
    public void fill(FeatureVector v) {
        int pu = v.ride.puLocationId;
        int dO = v.ride.doLocationId;
        int pair = pu * ZONES + dO;
        v.puDoMeanDuration = pairMean[pair];
        v.puDoTrips = pairTrips[pair];
        v.puDoMeanDistance = pairDistance[pair];
        v.puMeanDuration = puMean[pu];
        v.puTrips = puTrips[pu];
        v.doMeanDuration = doMean[dO];
        v.doTrips = doTrips[dO];
    }

    public double globalMeanDuration() {
        return globalMeanDuration;
    }

    public long globalTrips() {
        return globalTrips;
    }

    public void write(Path path) throws IOException {
        try (ParquetWriter<Group> writer = ParquetFiles.groupWriter(path, SCHEMA, 8L << 20)) {
            writer.write(row("all", null, null, globalTrips, globalMeanDuration, globalMeanDistance));
            for (int z = 1; z < ZONES; z++) {
                if (puTrips[z] > 0) {
                    writer.write(row("pu", z, null, puTrips[z], puMean[z], 0));
                }
                if (doTrips[z] > 0) {
                    writer.write(row("do", null, z, doTrips[z], doMean[z], 0));
                }
            }
            for (int pair = 0; pair < pairTrips.length; pair++) {
                if (pairTrips[pair] > 0) {
                    writer.write(row(
                            "pu_do", pair / ZONES, pair % ZONES, pairTrips[pair], pairMean[pair], pairDistance[pair]));
                }
            }
        }
    }

    public static BatchFeatureTable read(Path path) throws IOException {
        var rows = ParquetFiles.readAll(path);
        Group all = rows.stream()
                .filter(r -> r.getString("level", 0).equals("all"))
                .findFirst()
                .orElseThrow(() -> new IOException(path + " is not a batch feature table: no 'all' row"));
        BatchFeatureTable t = new BatchFeatureTable(
                all.getDouble("mean_duration", 0), all.getLong("trips", 0), all.getDouble("mean_distance", 0));
        for (Group r : rows) {
            long trips = r.getLong("trips", 0);
            double mean = r.getDouble("mean_duration", 0);
            switch (r.getString("level", 0)) {
                case "pu" -> {
                    t.puTrips[r.getInteger("PULocationID", 0)] = trips;
                    t.puMean[r.getInteger("PULocationID", 0)] = mean;
                }
                case "do" -> {
                    t.doTrips[r.getInteger("DOLocationID", 0)] = trips;
                    t.doMean[r.getInteger("DOLocationID", 0)] = mean;
                }
                default -> {}
            }
        }
        // Unseen pairs fall back to their pickup zone, which is only known once every zone row is read.
        for (int pair = 0; pair < t.pairMean.length; pair++) {
            t.pairMean[pair] = t.puMean[pair / ZONES];
        }
        for (Group r : rows) {
            if (r.getString("level", 0).equals("pu_do")) {
                int pair = r.getInteger("PULocationID", 0) * ZONES + r.getInteger("DOLocationID", 0);
                t.pairTrips[pair] = r.getLong("trips", 0);
                t.pairMean[pair] = r.getDouble("mean_duration", 0);
                t.pairDistance[pair] = r.getDouble("mean_distance", 0);
            }
        }
        return t;
    }

    private static Group row(
            String level, Integer pu, Integer dO, long trips, double meanDuration, double meanDistance) {
        Group g = new SimpleGroup(SCHEMA);
        g.add("level", level);
        if (pu != null) {
            g.add("PULocationID", pu);
        }
        if (dO != null) {
            g.add("DOLocationID", dO);
        }
        g.add("trips", trips);
        g.add("mean_duration", meanDuration);
        g.add("mean_distance", meanDistance);
        return g;
    }
}
