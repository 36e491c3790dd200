package io.ridescore.features;

import io.ridescore.event.RideEvent;
import org.apache.flink.core.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.time.LocalDateTime;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class FeatureBuilderTest {
    // pair 10→20: 20 and 30 min; zone 10 also 10→30: 40 min; one ride 50→60: 10 min. Global mean 25.
    private static final BatchFeatureTable TABLE = new BatchFeatureTable.Builder()
            .add(10, 20, 20, 2.0)
            .add(10, 20, 30, 4.0)
            .add(10, 30, 40, 6.0)
            .add(50, 60, 10, 1.0)
            .build();

    private static long micros(String localTime) {
        return LocalDateTime.parse(localTime).toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
    }

    private static RideEvent ride(int pu, int dO, String pickup) {
        return new RideEvent("1", true, pu, dO, 3.0, pickup == null ? null : micros(pickup), null, null);
    }

    @Test
    void timeFeaturesComeFromTheLocalPickupTime() {
        FeatureVector v = new FeatureBuilder(TABLE).build(ride(10, 20, "2021-01-01T00:15:56")); // a Friday
        assertThat(v.pickupHour).isEqualTo(0);
        assertThat(v.pickupDow).isEqualTo(5);
        FeatureVector sunday = new FeatureBuilder(TABLE).build(ride(10, 20, "2021-01-03T23:59:59"));
        assertThat(sunday.pickupHour).isEqualTo(23);
        assertThat(sunday.pickupDow).isEqualTo(7);
        FeatureVector before1970 = new FeatureBuilder(TABLE).build(ride(10, 20, "1969-12-31T22:30:00")); // a Wednesday
        assertThat(before1970.pickupHour).isEqualTo(22);
        assertThat(before1970.pickupDow).isEqualTo(3);
    }

    @Test
    void withoutPickupTimeTheTimeFeaturesAreMissing() {
        FeatureVector v = new FeatureBuilder(TABLE).build(ride(10, 20, null));
        assertThat(v.pickupHour).isNull();
        assertThat(v.pickupDow).isNull();
        assertThat(Feature.PICKUP_HOUR.valueOf(v)).isNull();
    }

    @Test
    void puDoIsBuiltFromTheIntegerIds() {
        FeatureVector v = new FeatureBuilder(TABLE).build(ride(130, 205, null));
        assertThat(Feature.PU_DO.valueOf(v)).isEqualTo("130_205");
    }

    @Test
    void meansAreSmoothedTowardTheNextCoarserLevel() {
        FeatureVector v = new FeatureBuilder(TABLE).build(ride(10, 20, null));
        double puMean = (90 + 10 * 25.0) / (3 + 10);
        assertThat(v.puMeanDuration).isCloseTo(puMean, within(1e-12));
        assertThat(v.puTrips).isEqualTo(3);
        assertThat(v.puDoMeanDuration).isCloseTo((50 + 10 * puMean) / (2 + 10), within(1e-12));
        assertThat(v.puDoTrips).isEqualTo(2);
        assertThat(v.puDoMeanDistance).isEqualTo(3.0);
        assertThat(v.doMeanDuration).isCloseTo((50 + 10 * 25.0) / (2 + 10), within(1e-12));
    }

    @Test
    void unseenPairsAndZonesFallBack() {
        FeatureVector unseenPair = new FeatureBuilder(TABLE).build(ride(10, 60, null));
        assertThat(unseenPair.puDoTrips).isZero();
        assertThat(unseenPair.puDoMeanDuration).isEqualTo(unseenPair.puMeanDuration);
        assertThat(unseenPair.puDoMeanDistance).isCloseTo(13.0 / 4, within(1e-12));
        FeatureVector unseenZone = new FeatureBuilder(TABLE).build(ride(200, 201, null));
        assertThat(unseenZone.puMeanDuration).isEqualTo(25.0);
        assertThat(unseenZone.puDoMeanDuration).isEqualTo(25.0);
        assertThat(unseenZone.puTrips).isZero();
    }

    @Test
    void theTableSurvivesAParquetRoundTrip(@TempDir java.nio.file.Path dir) throws Exception {
        Path file = new Path(dir.resolve("features.parquet").toString());
        TABLE.write(file);
        BatchFeatureTable read = BatchFeatureTable.read(file);
        FeatureBuilder original = new FeatureBuilder(TABLE);
        FeatureBuilder reloaded = new FeatureBuilder(read);
        for (int[] pair : new int[][] {{10, 20}, {10, 30}, {50, 60}, {10, 60}, {200, 201}}) {
            assertThat(reloaded.build(ride(pair[0], pair[1], null)))
                    .isEqualTo(original.build(ride(pair[0], pair[1], null)));
        }
        assertThat(read.globalTrips()).isEqualTo(4);
        assertThat(read.globalMeanDuration()).isEqualTo(25.0);
    }
}
