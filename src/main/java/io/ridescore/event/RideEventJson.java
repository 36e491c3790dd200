package io.ridescore.event;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * A ride in the event contract: {@code {"ride": {"PULocationID": .., "DOLocationID": ..,
 * "trip_distance": .., "pickup_datetime": ".."}, "ride_id": ..}}; batch rides also carry
 * {@code dropoff_datetime}. Missing values are written as JSON null, so a dead letter shows the hole.
 */
public final class RideEventJson {
    private RideEventJson() {}

    public static String encode(RideEvent ride) {
        String plain = plain(ride);
        return plain != null ? plain : generated(ride);
    }

    /**
     * The text as Jackson's generator writes it, written here without one where no value needs
     * what only the generator does (escapes, a quoted non-finite number, a numeric ride id as a
     * decimal): every refused batch ride is rendered so, a sixth of a month's rides, and the
     * generator took twice the time. Null where a value does need it.
     */
    static String plain(RideEvent ride) {
        if (ride.rideIdNumeric || !plainString(ride.rideId) || !plainNumber(ride.tripDistance)) {
            return null;
        }
        StringBuilder s = new StringBuilder(160).append("{\"ride\":{\"PULocationID\":");
        s.append(ride.puLocationId).append(",\"DOLocationID\":");
        s.append(ride.doLocationId).append(",\"trip_distance\":");
        s.append(ride.tripDistance).append(",\"pickup_datetime\":");
        quotedTime(s, ride.pickupMicros);
        if (ride.dropoffMicros != null) {
            s.append(",\"dropoff_datetime\":");
            quotedTime(s, ride.dropoffMicros);
        }
        s.append("},\"ride_id\":");
        if (ride.rideId == null) {
            s.append("null");
        } else {
            s.append('"').append(ride.rideId).append('"');
        }
        return s.append('}').toString();
    }

    private static String generated(RideEvent ride) {
        return JsonText.write(json -> {
            json.writeStartObject();
            json.writeObjectFieldStart("ride");
            json.writeFieldName("PULocationID");
            JsonText.writeNumber(json, ride.puLocationId);
            json.writeFieldName("DOLocationID");
            JsonText.writeNumber(json, ride.doLocationId);
            json.writeFieldName("trip_distance");
            JsonText.writeNumber(json, ride.tripDistance);
            json.writeStringField("pickup_datetime", ride.pickupMicros == null ? null : isoLocal(ride.pickupMicros));
            if (ride.dropoffMicros != null) {
                json.writeStringField("dropoff_datetime", isoLocal(ride.dropoffMicros));
            }
            json.writeEndObject();
            JsonText.writeRideId(json, ride.rideId, ride.rideIdNumeric);
            json.writeEndObject();
        });
    }

    /** A string the generator writes as it is: no character it escapes (controls, quote, backslash). */
    private static boolean plainString(String text) {
        if (text == null) {
            return true;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /** Null, or a number the generator writes as {@link Double#toString} does (NaN and infinities it quotes). */
    private static boolean plainNumber(Double value) {
        return value == null || Double.isFinite(value);
    }

    private static void quotedTime(StringBuilder s, Long micros) {
        if (micros == null) {
            s.append("null");
        } else {
            s.append('"');
            isoLocal(s, micros);
            s.append('"');
        }
    }

    /** ISO-8601 local time without zone, as TLC and the event contract use it ({@link LocalDateTime#toString()}). */
    public static String isoLocal(long micros) {
        return isoLocal(new StringBuilder(26), micros).toString();
    }

    /**
     * {@link LocalDateTime#toString()} of the instant, written digit by digit for the years 0 to
     * 9999 (a formatter run was a third of rendering a ride): seconds only when the time has any,
     * and the fraction in groups of three digits, as it writes them.
     */
    private static StringBuilder isoLocal(StringBuilder s, long micros) {
        long seconds = Math.floorDiv(micros, 1_000_000L);
        int micro = (int) Math.floorMod(micros, 1_000_000L);
        long epochDay = Math.floorDiv(seconds, 86_400L);
        Day day = lastDay;
        if (day.epochDay != epochDay) {
            LocalDate date = LocalDate.ofEpochDay(epochDay);
            if (date.getYear() < 0 || date.getYear() > 9999) {
                return s.append(LocalDateTime.ofEpochSecond(seconds, micro * 1000, ZoneOffset.UTC));
            }
            StringBuilder text = new StringBuilder(11);
            digits(text, date.getYear(), 4).append('-');
            digits(text, date.getMonthValue(), 2).append('-');
            digits(text, date.getDayOfMonth(), 2).append('T');
            day = new Day(epochDay, text.toString());
            lastDay = day;
        }
        int second = (int) Math.floorMod(seconds, 86_400L);
        s.append(day.text);
        digits(s, second / 3600, 2).append(':');
        digits(s, second / 60 % 60, 2);
        if (second % 60 > 0 || micro > 0) {
            digits(s.append(':'), second % 60, 2);
        }
        if (micro > 0) {
            s.append('.');
            if (micro % 1000 == 0) {
                digits(s, micro / 1000, 3);
            } else {
                digits(s, micro, 6);
            }
        }
        return s;
    }

    /** A day as written, up to the {@code T}. */
    private record Day(long epochDay, String text) {}

    // The last day written, shared by every thread that renders rides: a month's rides fall on a
    // few days, in runs. A day is immutable, so whichever one a thread sees is whole, and a stale
    // one only costs a new rendering. No instant falls on the sentinel's day.
    private static Day lastDay = new Day(Long.MIN_VALUE, "");

    /** {@code value} (not negative) in exactly {@code width} digits, zeros first. */
    private static StringBuilder digits(StringBuilder s, int value, int width) {
        int unit = 1;
        for (int i = 1; i < width; i++) {
            unit *= 10;
        }
        for (; unit > 0; unit /= 10) {
            s.append((char) ('0' + value / unit % 10));
        }
        return s;
    }
}
