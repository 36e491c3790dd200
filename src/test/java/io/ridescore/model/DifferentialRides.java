package io.ridescore.model;

import io.ridescore.config.TaxiType;
import io.ridescore.event.RideEvent;
import io.ridescore.features.BatchFeatureTable;
import io.ridescore.features.FeatureBuilder;
import io.ridescore.features.FeatureVector;
import io.ridescore.source.TlcParquetReader;
import io.ridescore.tools.TripDataGenerator;
import org.apache.flink.core.fs.Path;

import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rides of the differential tests: real generated rides, random rides, and edge cases
 * (NaN, infinite, tiny and huge distances, unseen categories, no pickup time); and the check that
 * the fast path gives jpmml-evaluator's double exactly, or the same refusal, on each.
 */
final class DifferentialRides {
    private DifferentialRides() {}

    static List<FeatureVector> generate(java.nio.file.Path dir) throws Exception {
        List<FeatureVector> rides = new ArrayList<>();
        Path month = new Path(dir.resolve("green_tripdata_2021-01.parquet").toString());
        new TripDataGenerator(21).write(YearMonth.of(2021, 1), 6_000, TaxiType.GREEN, month, n -> {});
        List<RideEvent> real = new ArrayList<>();
        try (TlcParquetReader reader = TlcParquetReader.open(month)) {
            RideEvent r;
            while ((r = reader.next()) != null) {
                if (r.puLocationId != null && r.doLocationId != null && r.tripDistance != null && r.tripDistance > 0) {
                    real.add(r);
                }
            }
        }
        BatchFeatureTable.Builder table = new BatchFeatureTable.Builder();
        real.forEach(
                r -> table.add(r.puLocationId, r.doLocationId, Math.max(1, r.actualDurationMinutes()), r.tripDistance));
        FeatureBuilder features = new FeatureBuilder(table.build());
        real.forEach(r -> rides.add(features.build(r)));
        SplittableRandom rnd = new SplittableRandom(4);
        double[] distances = {0.0, -0.0, 1e-9, 0.01, 1, 99.99, 1e6, 1e300, Double.MIN_VALUE};
        for (int i = 0; i < 4_000; i++) {
            int pu = 1 + rnd.nextInt(265);
            int dO = 1 + rnd.nextInt(265);
            double distance = i % 10 == 0 ? distances[rnd.nextInt(distances.length)] : rnd.nextDouble() * 30;
            Long pickup = i % 17 == 0 ? null : 1_609_459_200_000_000L + rnd.nextLong(31L * 86_400_000_000L);
            FeatureVector v = features.build(new RideEvent("r" + i, false, pu, dO, distance, pickup, null, null));
            v.puPickups15m = rnd.nextInt(60);
            v.puMeanDistance15m = rnd.nextDouble() * 8;
            rides.add(v);
        }
        FeatureVector nan =
                features.build(new RideEvent("nan", false, 5, 6, Double.NaN, 1_609_459_200_000_000L, null, null));
        FeatureVector infinite = features.build(
                new RideEvent("inf", false, 5, 6, Double.POSITIVE_INFINITY, 1_609_459_200_000_000L, null, null));
        rides.add(nan);
        rides.add(infinite);
        rides.add(features.build(new RideEvent("one-two", false, 1, 2, 2.5, 1_609_491_600_000_000L, null, null)));
        rides.add(features.build(new RideEvent("three-four-no-time", false, 3, 4, 7.25, null, null, null)));
        return rides;
    }

    /** What a differential run found: rides jpmml-evaluator scored, and rides the fast path decided itself. */
    record Agreement(int scored, int decidedByFastPath) {}

    /**
     * Holds the fast path's own verdict (a value or a refusal) to jpmml-evaluator's on every ride it
     * decides itself; rides it hands over are not compared (that would hold jpmml to itself) but counted.
     */
    static Agreement assertSameAsJpmml(PmmlScorer scorer, List<FeatureVector> rides) {
        int scored = 0;
        int decided = 0;
        for (FeatureVector v : rides) {
            String reference;
            try {
                reference = Double.toString(scorer.scoreWithJpmml(v));
                scored++;
            } catch (ScoringException e) {
                reference = "refused:" + e.reason();
            }
            String fast;
            try {
                OptionalDouble own = scorer.scoreWithFastPathOnly(v);
                if (own.isEmpty()) {
                    continue;
                }
                fast = Double.toString(own.getAsDouble());
            } catch (ScoringException e) {
                fast = "refused:" + e.reason();
            }
            decided++;
            assertThat(fast).as("ride %s %s", v.ride.rideId, v).isEqualTo(reference);
        }
        return new Agreement(scored, decided);
    }
}
