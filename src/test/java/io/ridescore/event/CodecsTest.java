package io.ridescore.event;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CodecsTest {
    @Test
    void batchRowsAreRenderedInTheEventContract() {
        RideEvent ride =
                new RideEvent("2021/02_7", false, 130, 205, 3.66, 1_609_460_156_000_000L, 1_609_461_000_000_000L, null);
        assertThat(RideEventJson.encode(ride))
                .isEqualTo("{\"ride\":{\"PULocationID\":130,\"DOLocationID\":205,"
                        + "\"trip_distance\":3.66,\"pickup_datetime\":\"2021-01-01T00:15:56\",\"dropoff_datetime\":"
                        + "\"2021-01-01T00:30\"},\"ride_id\":\"2021/02_7\"}");
    }

    @Test
    void numericRideIdsStayNumbersAndHolesStayNull() {
        RideEvent ride = new RideEvent("156", true, null, 205, null, null, null, null);
        assertThat(RideEventJson.encode(ride))
                .isEqualTo("{\"ride\":{\"PULocationID\":null,\"DOLocationID\":205,"
                        + "\"trip_distance\":null,\"pickup_datetime\":null},\"ride_id\":156}");
    }

    /**
     * Records are written one after another by one generator per thread: each text is its record
     * alone, after a long one and after one cut short by an exception.
     */
    @Test
    void eachRecordIsWrittenAloneByTheThreadsGenerator() {
        RideEvent ride = new RideEvent("156", true, 1, 2, 0.5, null, null, null);
        String alone = "{\"ride\":{\"PULocationID\":1,\"DOLocationID\":2,\"trip_distance\":0.5,"
                + "\"pickup_datetime\":null},\"ride_id\":156}";
        assertThat(RideEventJson.encode(ride)).isEqualTo(alone);
        assertThat(RideEventJson.encode(ride)).isEqualTo(alone);

        String longId = "x".repeat(20_000);
        assertThat(RideEventJson.encode(new RideEvent(longId, false, 1, 2, 0.5, null, null, null)))
                .endsWith("\"ride_id\":\"" + longId + "\"}");
        assertThat(RideEventJson.encode(ride)).isEqualTo(alone);

        assertThatThrownBy(() -> JsonText.write(json -> {
                    json.writeStartObject();
                    json.writeFieldName("half");
                    throw new IllegalStateException("cut short");
                }))
                .hasMessage("cut short");
        assertThat(RideEventJson.encode(ride)).isEqualTo(alone);
    }

    @Test
    void deadLettersRoundTripAndKeepThePayloadUntouched() {
        DeadLetter letter = new DeadLetter(
                DeadLetter.Stage.VALIDATE,
                "unknown_zone",
                "PULocationID 300 is not a TLC zone",
                "{\"ride\": {\"PULocationID\": 300}}",
                "156",
                1_700_000_000_123L);
        String json = DeadLetterJson.encode(letter);
        assertThat(json).contains("\"stage\":\"validate\"", "\"time\":\"2023-11-14T22:13:20.123Z\"");
        assertThat(DeadLetterJson.decode(json)).isEqualTo(letter);
    }

    @Test
    void textIsKeptAsItIsUnlessItHoldsALoneSurrogateWhichBecomesTheReplacementCharacter() {
        String plain = "2021/02_7 é";
        assertThat(JsonText.wellFormed(plain)).isSameAs(plain);
        String pair = "a😀b";
        assertThat(JsonText.wellFormed(pair)).isSameAs(pair);
        assertThat(JsonText.wellFormed("")).isEmpty();
        assertThat(JsonText.wellFormed("\uD800")).isEqualTo("\uFFFD");
        assertThat(JsonText.wellFormed("x\uDC00")).isEqualTo("x\uFFFD");
        assertThat(JsonText.wellFormed("\uDC00\uD800")).isEqualTo("\uFFFD\uFFFD");
        assertThat(JsonText.wellFormed("😀\uD800😀")).isEqualTo("😀\uFFFD😀");
        assertThat(JsonText.wellFormed("ab\uD83D")).isEqualTo("ab\uFFFD");
    }

    @Test
    void aBatchRowWithoutPayloadGetsOneWhenDeadLettered() {
        RideEvent ride = new RideEvent("2021/02_9", false, null, 5, 1.0, null, null, null);
        DeadLetter letter =
                DeadLetter.of(DeadLetter.Stage.VALIDATE, "missing_location", "PULocationID is missing", ride);
        assertThat(letter.payload).isEqualTo(RideEventJson.encode(ride));
        assertThat(letter.rideId).isEqualTo("2021/02_9");
    }

    /** A replayed month's events carry their dropoff for a challenger's comparison; one that does not parse never refuses the ride. */
    @Test
    void anEventsDropoffIsReadBackAndAnUnusableOneIsLeftOut() throws Exception {
        RideEvent ride = new RideEvent("7", true, 130, 205, 3.66, 1_609_460_156_000_000L, 1_609_461_000_000_000L, null);
        long now = 1_609_462_000_000L;
        RideEvent back = RideEventParser.parse(RideEventJson.encode(ride), now, RideEventParser.PickupRange.DEFAULT);
        assertThat(back.dropoffMicros).isEqualTo(1_609_461_000_000_000L);
        assertThat(back.actualDurationMinutes()).isEqualTo(ride.actualDurationMinutes());
        for (String dropoff : new String[] {"\"yesterday\"", "42", "\"+999999999-12-31T23:59:59\"", "null"}) {
            RideEvent odd = RideEventParser.parse(
                    "{\"ride\": {\"PULocationID\": 130, \"DOLocationID\": 205, \"trip_distance\": 3.66,"
                            + " \"dropoff_datetime\": " + dropoff + "}, \"ride_id\": 7}",
                    now,
                    RideEventParser.PickupRange.DEFAULT);
            assertThat(odd.dropoffMicros).as(dropoff).isNull();
            assertThat(odd.puLocationId).isEqualTo(130);
        }
    }
}
