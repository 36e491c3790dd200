package io.ridescore.event;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

class RideRulesTest {
    private static final long PICKUP = 1_612_137_600_000_000L; // 2021-02-01T00:00

    private static RideEvent ride(Integer pu, Integer dO, Double distance, Long pickup, Long dropoff) {
        return new RideEvent("2021/02_0", false, pu, dO, distance, pickup, dropoff, null);
    }

    private static long minutes(double m) {
        return PICKUP + (long) (m * 60_000_000L);
    }

    @Test
    void aCleanRideIsScoreable() {
        assertThat(RideRules.check(ride(130, 205, 3.66, PICKUP, minutes(12)))).isNull();
    }

    /** One row per dirty-row kind real TLC data has, with the reason the run summary counts it under. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            nullValues = "null",
            value = {
                "null pickup zone,        null, 205, 3.0,  12,   missing_location",
                "null dropoff zone,       130, null, 3.0,  12,   missing_location",
                "zone out of range,       266, 205, 3.0,  12,   unknown_zone",
                "zone zero,               0,   205, 3.0,  12,   unknown_zone",
                "null distance,           130, 205, null, 12,   missing_distance",
                "NaN distance,            130, 205, NaN,  12,   non_finite_distance",
                "infinite distance,       130, 205, Infinity, 12, non_finite_distance",
                "zero distance,           130, 205, 0.0,  12,   non_positive_distance",
                "negative distance,       130, 205, -2.5, 12,   non_positive_distance",
                "dropoff before pickup,   130, 205, 3.0,  -5,   dropoff_before_pickup",
                "shorter than 1 minute,   130, 205, 3.0,  0.5,  duration_out_of_range",
                "longer than 60 minutes,  130, 205, 3.0,  61,   duration_out_of_range",
            })
    void everyDirtyKindHasItsReason(
            String kind, Integer pu, Integer dO, Double distance, double durationMinutes, String reason) {
        RideRules.Violation v = RideRules.check(ride(pu, dO, distance, PICKUP, minutes(durationMinutes)));
        assertThat(v).as(kind).isNotNull();
        assertThat(v.reason()).isEqualTo(reason);
        assertThat(v.detail()).isNotBlank();
    }

    @Test
    void theReferenceBoundsAreInclusive() {
        assertThat(RideRules.check(ride(1, 265, 0.01, PICKUP, minutes(1)))).isNull();
        assertThat(RideRules.check(ride(1, 265, 0.01, PICKUP, minutes(60)))).isNull();
    }

    @Test
    void missingTimesAreRefusedOnlyWhereActualsAreRequired() {
        RideEvent noTimes = ride(130, 205, 3.0, null, null);
        assertThat(RideRules.check(noTimes).reason()).isEqualTo("missing_time");
        assertThat(RideRules.checkEvent(noTimes)).isNull();
        assertThat(RideRules.check(ride(130, 205, 3.0, PICKUP, null)).detail()).isEqualTo("dropoff time is missing");
    }

    @Test
    void theFirstBrokenRuleWins() {
        assertThat(RideRules.check(ride(null, 205, -1.0, PICKUP, minutes(-3))).reason())
                .isEqualTo("missing_location");
    }

    @Test
    void durationDetailsGiveMinutesToTwoDecimals() {
        assertThat(RideRules.check(ride(130, 205, 3.0, PICKUP, PICKUP - 185_125_000L))
                        .detail())
                .isEqualTo("dropoff is 3.09 minutes before pickup");
        assertThat(RideRules.check(ride(130, 205, 3.0, PICKUP, PICKUP + 27_000_000L))
                        .detail())
                .isEqualTo("duration 0.45 min is outside 1..60");
        assertThat(RideRules.check(ride(130, 205, 3.0, PICKUP, PICKUP)).detail())
                .isEqualTo("duration 0.00 min is outside 1..60");
        assertThat(RideRules.check(ride(130, 205, 3.0, PICKUP, PICKUP + 6_000_000_000_000_000L))
                        .detail())
                .isEqualTo("duration 100000000.00 min is outside 1..60");
    }

    /** The details once came from {@code %.2f} (in an English locale): the same text, in any locale. */
    @Property(tries = 20_000)
    void hundredthsAreWhatPercentTwoFWrites(@ForAll("durations") double minutes) {
        assertThat(RideRules.hundredths(minutes)).isEqualTo(String.format(Locale.ROOT, "%.2f", minutes));
    }

    @Provide
    Arbitrary<Double> durations() {
        // Real durations are whole microseconds in minutes; halves of a hundredth are the rounding's edge.
        return Arbitraries.oneOf(
                Arbitraries.longs().between(0, 10_000_000_000_000L).map(micros -> micros / 60_000_000d),
                Arbitraries.integers().between(0, 1_000_000).map(n -> n / 100d + 0.005),
                Arbitraries.doubles().between(0, 1e12),
                Arbitraries.of(0d, 0.005, 0.015, 0.125, 1.005, 2.675, 1e7, 1.2345e17, Double.MIN_VALUE));
    }
}
