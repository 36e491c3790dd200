package io.ridescore.event;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A ride is rendered by hand where its values are plain: the text must be the one Jackson's
 * databind writes for the same fields (times as {@link LocalDateTime#toString()}), for any ride.
 */
class RideEventJsonTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Property(tries = 20_000)
    void isoLocalIsWhatLocalDateTimeWrites(@ForAll("micros") long micros) {
        assertThat(RideEventJson.isoLocal(micros)).isEqualTo(reference(micros));
    }

    /**
     * A month's rides come in runs on one day, and the day's text is kept between them: each time
     * of a run, and of the next run (another day, or one out of the years written by hand), is
     * still its own.
     */
    @Property(tries = 2_000)
    void timesInRunsOnOneDayAreEachTheirOwn(@ForAll("runsOnOneDay") List<List<Long>> runs) {
        for (List<Long> run : runs) {
            for (long micros : run) {
                assertThat(RideEventJson.isoLocal(micros)).isEqualTo(reference(micros));
            }
        }
    }

    @Provide
    Arbitrary<List<List<Long>>> runsOnOneDay() {
        long day = 86_400_000_000L;
        Arbitrary<Long> dayStart = Arbitraries.oneOf(
                        Arbitraries.longs().between(18_600L, 19_000L), // 2020 to 2022
                        Arbitraries.longs().between(-1_000_000L, 3_000_000L)) // years -770 to 10183
                .map(epochDay -> epochDay * day);
        Arbitrary<List<Long>> run = dayStart.flatMap(start -> Arbitraries.longs()
                .between(0, day - 1)
                .map(offset -> start + offset)
                .list()
                .ofMinSize(1)
                .ofMaxSize(20));
        return run.list().ofMinSize(1).ofMaxSize(5);
    }

    @Property(tries = 20_000)
    void aRideIsTheTextDatabindWrites(@ForAll("rides") RideEvent ride) throws Exception {
        assertThat(RideEventJson.encode(ride)).isEqualTo(databind(ride));
    }

    /** A batch ride (a string id, a finite distance) never needs the generator. */
    @Property(tries = 5_000)
    void aBatchRideIsRenderedByHand(@ForAll("batchRides") RideEvent ride) throws Exception {
        assertThat(RideEventJson.plain(ride)).isNotNull().isEqualTo(databind(ride));
    }

    @Property(tries = 2_000)
    void aValueOnlyTheGeneratorWritesLeavesTheRideToIt(@ForAll("oddRides") RideEvent ride) {
        assertThat(RideEventJson.plain(ride)).isNull();
    }

    @Provide
    Arbitrary<Long> micros() {
        long year1 = LocalDateTime.of(1, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
        long year9999 = LocalDateTime.of(9999, 12, 31, 23, 59, 59).toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
        return Arbitraries.oneOf(
                Arbitraries.longs().between(1_609_459_200_000_000L, 1_640_995_200_000_000L),
                // whole minutes and seconds, and whole milliseconds: where the text leaves out a part
                Arbitraries.longs().between(-30_000_000L, 30_000_000L).map(m -> m * 60_000_000L),
                Arbitraries.longs().between(-3_000_000_000L, 3_000_000_000L).map(s -> s * 1_000_000L),
                Arbitraries.longs()
                        .between(-3_000_000_000_000L, 3_000_000_000_000L)
                        .map(ms -> ms * 1000L),
                Arbitraries.longs().between(year1 - 400 * 31_556_952_000_000L, year9999 + 400 * 31_556_952_000_000L),
                Arbitraries.of(
                        0L,
                        -1L,
                        1L,
                        999L,
                        1000L,
                        year1,
                        year1 - 1,
                        year9999 + 999_999L,
                        year9999 + 1_000_000L,
                        Long.MIN_VALUE,
                        Long.MAX_VALUE));
    }

    @Provide
    Arbitrary<RideEvent> rides() {
        return Arbitraries.oneOf(batchRides(), oddRides());
    }

    @Provide
    Arbitrary<RideEvent> batchRides() {
        return Combinators.combine(
                        Arbitraries.oneOf(
                                Arbitraries.longs().between(0, 10_000_000).map(n -> "2021/03_" + n),
                                Arbitraries.strings().all().ofMaxLength(12).filter(RideEventJsonTest::plainText),
                                Arbitraries.just(null)),
                        zones(),
                        zones(),
                        Arbitraries.oneOf(
                                        Arbitraries.doubles().between(-1e6, 1e6),
                                        Arbitraries.doubles(),
                                        Arbitraries.of(
                                                0d, -0d, Double.MIN_VALUE, Double.MAX_VALUE, 1e-7, 1e7, 0.1 + 0.2))
                                .injectNull(0.1),
                        micros().injectNull(0.1),
                        micros().injectNull(0.3))
                .as((id, pu, dropoffZone, distance, pickup, dropoff) ->
                        new RideEvent(id, false, pu, dropoffZone, distance, pickup, dropoff, null));
    }

    /** A quote, backslash or control character in the id, a numeric id, or a non-finite distance. */
    @Provide
    Arbitrary<RideEvent> oddRides() {
        Arbitrary<RideEvent> oddId = Combinators.combine(
                        Arbitraries.strings().all().ofMaxLength(12),
                        Arbitraries.of("\"", "\\", "\n", "\u0000", "\u001f", "\t"))
                .as((text, odd) -> new RideEvent(text + odd + text, false, 1, 2, 1.5, 0L, null, null));
        Arbitrary<RideEvent> numericId = Arbitraries.of("156", "0", "-7", "1e5", "12345678901234567890", "1.50")
                .map(id -> new RideEvent(id, true, 1, 2, 1.5, 0L, null, null));
        Arbitrary<RideEvent> nonFinite = Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY)
                .map(d -> new RideEvent("2021/03_1", false, 1, 2, d, 0L, null, null));
        return Arbitraries.oneOf(oddId, numericId, nonFinite);
    }

    private static Arbitrary<Integer> zones() {
        return Arbitraries.oneOf(Arbitraries.integers().between(-1, 300), Arbitraries.integers())
                .injectNull(0.1);
    }

    private static boolean plainText(String s) {
        return s.chars().noneMatch(c -> c < 0x20 || c == '"' || c == '\\');
    }

    private static String reference(long micros) {
        return LocalDateTime.ofEpochSecond(
                        Math.floorDiv(micros, 1_000_000L),
                        (int) Math.floorMod(micros, 1_000_000L) * 1000,
                        ZoneOffset.UTC)
                .toString();
    }

    /** The contract's fields in its order, through databind's tree and its default writer. */
    private static String databind(RideEvent r) throws Exception {
        ObjectNode json = MAPPER.createObjectNode();
        ObjectNode ride = json.putObject("ride");
        ride.put("PULocationID", r.puLocationId);
        ride.put("DOLocationID", r.doLocationId);
        ride.put("trip_distance", r.tripDistance);
        ride.put("pickup_datetime", r.pickupMicros == null ? null : reference(r.pickupMicros));
        if (r.dropoffMicros != null) {
            ride.put("dropoff_datetime", reference(r.dropoffMicros));
        }
        if (r.rideIdNumeric) {
            // as given: the node factory would strip trailing zeros, the generator does not
            json.set("ride_id", DecimalNode.valueOf(new BigDecimal(r.rideId)));
        } else {
            json.put("ride_id", r.rideId);
        }
        return MAPPER.writeValueAsString(json);
    }
}
