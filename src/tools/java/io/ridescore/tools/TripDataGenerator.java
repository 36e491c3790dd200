package io.ridescore.tools;

import io.ridescore.config.TaxiType;
import io.ridescore.event.ParquetFiles;
import io.ridescore.event.RideRules;
import org.apache.flink.core.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroup;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

import java.io.IOException;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;

/**
 * Deterministic NYC-TLC-shaped months. The city (zone popularity, pair distances, pair delays,
 * zone speeds) depends on the seed only, so months share it as real months do; the rides depend on
 * seed and month. Duration is driven by distance, hour of day, zone pair and the pickup zone's
 * demand: the pickups there in the 15 minutes before (bursts of demand make it vary), so windowed
 * stream features carry real signal. A few percent of rows are dirty as real TLC rows are.
 */
public final class TripDataGenerator {
    static final int ZONES = RideRules.MAX_ZONE;
    private static final long MICROS_PER_MINUTE = 60_000_000L;
    private static final double[] HOUR_PROFILE = {
        1.6, 1.1, 0.8, 0.6, 0.6, 0.9, 1.8, 3.4, 4.6, 4.4, 3.9, 4.0,
        4.3, 4.3, 4.6, 5.0, 5.4, 6.0, 6.2, 5.6, 4.8, 4.2, 3.4, 2.4
    };
    /**
     * Demand effect at the default month size: each pickup in the zone's last 15 minutes adds this
     * many minutes. Bigger months scale it down, so congestion is relative to the city's usual volume
     * and the share of rides over 60 minutes stays realistic at any --rows.
     */
    static final double MINUTES_PER_RECENT_PICKUP = 0.45;

    static final int DEFAULT_ROWS = 65_000;
    static final long DEMAND_WINDOW_MICROS = 15 * MICROS_PER_MINUTE;

    private final long seed;
    private final double[] zoneCdf = new double[ZONES];
    private final double[] zoneSpeedFactor = new double[ZONES + 1];

    public TripDataGenerator(long seed) {
        this.seed = seed;
        SplittableRandom city = new SplittableRandom(seed);
        int[] ranks = shuffledZones(city);
        double total = 0;
        double[] weight = new double[ZONES];
        for (int i = 0; i < ZONES; i++) {
            weight[ranks[i] - 1] = 1.0 / Math.pow(i + 1, 1.05);
            total += weight[ranks[i] - 1];
        }
        double acc = 0;
        for (int z = 0; z < ZONES; z++) {
            acc += weight[z] / total;
            zoneCdf[z] = acc;
        }
        for (int z = 1; z <= ZONES; z++) {
            zoneSpeedFactor[z] = 0.75 + 0.5 * city.nextDouble();
        }
    }

    public static MessageType schema(TaxiType taxiType) {
        return MessageTypeParser.parseMessageType("message schema {\n"
                + "  optional int64 VendorID;\n"
                + "  optional int64 " + taxiType.pickupColumn() + " (TIMESTAMP(MICROS,false));\n"
                + "  optional int64 " + taxiType.dropoffColumn() + " (TIMESTAMP(MICROS,false));\n"
                + "  optional binary store_and_fwd_flag (STRING);\n"
                + "  optional double RatecodeID;\n"
                + "  optional int64 PULocationID;\n"
                + "  optional int64 DOLocationID;\n"
                + "  optional double passenger_count;\n"
                + "  optional double trip_distance;\n"
                + "  optional double fare_amount;\n"
                + "  optional double extra;\n"
                + "  optional double mta_tax;\n"
                + "  optional double tip_amount;\n"
                + "  optional double tolls_amount;\n"
                + "  optional double improvement_surcharge;\n"
                + "  optional double total_amount;\n"
                + "  optional double payment_type;\n"
                + "  optional double trip_type;\n"
                + "  optional double congestion_surcharge;\n"
                + "}");
    }

    /** Writes one month; reports progress every 100k rows; returns the rows written. */
    public long write(YearMonth month, int rows, TaxiType taxiType, Path file, LongConsumer progress)
            throws IOException {
        // Small row groups let several readers share one month (one split per row group).
        return write(month, rows, taxiType, file, progress, 4L << 20);
    }

    public long write(
            YearMonth month, int rows, TaxiType taxiType, Path file, LongConsumer progress, long rowGroupBytes)
            throws IOException {
        Trip[] trips = generate(month, rows);
        MessageType schema = schema(taxiType);
        SplittableRandom extras = new SplittableRandom(seed * 31 + month.hashCode());
        try (ParquetWriter<Group> writer = ParquetFiles.groupWriter(file, schema, rowGroupBytes)) {
            for (int i = 0; i < trips.length; i++) {
                writer.write(row(schema, taxiType, trips[i], extras));
                if ((i + 1) % 100_000 == 0) {
                    progress.accept(i + 1);
                }
            }
        }
        return trips.length;
    }

    /** One ride as generated, before it is written; demand is the zone's pickups in the 15 minutes before. */
    static final class Trip {
        long pickup;
        long dropoff;
        Integer pu;
        Integer dO;
        double distance;
        int demand;
    }

    Trip[] generate(YearMonth month, int rows) {
        SplittableRandom rnd =
                new SplittableRandom(seed ^ (month.getYear() * 100L + month.getMonthValue()) * 0x9E3779B97F4A7C15L);
        long monthStart = month.atDay(1).atStartOfDay().toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
        int days = month.lengthOfMonth();
        Trip[] trips = new Trip[rows];
        int burstRows = rows / 4;
        int i = 0;
        // Bursts: a zone gets many pickups within minutes (a concert lets out, a train arrives).
        while (i < burstRows) {
            int zone = sampleZone(rnd);
            long start = monthStart
                    + rnd.nextInt(days) * 24L * 60 * MICROS_PER_MINUTE
                    + sampleMinuteOfDay(rnd) * MICROS_PER_MINUTE;
            int size = 8 + rnd.nextInt(23);
            for (int k = 0; k < size && i < burstRows; k++) {
                trips[i++] = trip(rnd, zone, start + (long) (rnd.nextDouble() * 12 * MICROS_PER_MINUTE));
            }
        }
        while (i < rows) {
            long t = monthStart
                    + rnd.nextInt(days) * 24L * 60 * MICROS_PER_MINUTE
                    + sampleMinuteOfDay(rnd) * MICROS_PER_MINUTE
                    + rnd.nextInt(60) * 1_000_000L;
            trips[i++] = trip(rnd, sampleZone(rnd), t);
        }
        Arrays.sort(trips, (a, b) -> Long.compare(a.pickup, b.pickup));
        countDemand(trips);
        double minutesPerPickup = MINUTES_PER_RECENT_PICKUP * Math.min(1.0, (double) DEFAULT_ROWS / rows);
        for (Trip trip : trips) {
            trip.dropoff = trip.pickup + (long) (durationMinutes(trip, minutesPerPickup, rnd) * MICROS_PER_MINUTE);
            makeDirty(trip, rnd);
        }
        return trips;
    }

    private Trip trip(SplittableRandom rnd, int pu, long pickup) {
        Trip t = new Trip();
        t.pickup = pickup;
        t.pu = pu;
        t.dO = rnd.nextDouble() < 0.35 ? clampZone(pu + rnd.nextInt(11) - 5) : sampleZone(rnd);
        t.distance = Math.round(pairDistance(pu, t.dO) * Math.exp(0.25 * gaussian(rnd)) * 100) / 100.0;
        return t;
    }

    /** Pickups in the same zone within the 15 minutes strictly before each pickup (rides sorted by time). */
    private static void countDemand(Trip[] trips) {
        @SuppressWarnings("unchecked")
        ArrayDeque<Long>[] recent = new ArrayDeque[ZONES + 1];
        for (Trip t : trips) {
            ArrayDeque<Long> q = recent[t.pu] == null ? (recent[t.pu] = new ArrayDeque<>()) : recent[t.pu];
            while (!q.isEmpty() && q.peekFirst() < t.pickup - DEMAND_WINDOW_MICROS) {
                q.pollFirst();
            }
            long before = q.stream().filter(p -> p < t.pickup).count();
            t.demand = (int) before;
            q.addLast(t.pickup);
        }
    }

    private double durationMinutes(Trip t, double minutesPerPickup, SplittableRandom rnd) {
        int hour = LocalDateTime.ofEpochSecond(t.pickup / 1_000_000L, 0, ZoneOffset.UTC)
                .getHour();
        double mph = hour < 6 ? 18 : (hour >= 7 && hour <= 9) || (hour >= 16 && hour <= 19) ? 9 : 12;
        double driving = 60.0 * t.distance / (mph * zoneSpeedFactor[t.pu]);
        return 1.5 + driving + pairDelay(t.pu, t.dO) + minutesPerPickup * t.demand + 1.5 * gaussian(rnd);
    }

    private static void makeDirty(Trip t, SplittableRandom rnd) {
        double u = rnd.nextDouble();
        if (u < 0.004) {
            t.pu = null;
        } else if (u < 0.007) {
            t.dO = null;
        } else if (u < 0.017) {
            t.distance = 0.0;
        } else if (u < 0.019) {
            t.distance = -t.distance;
        } else if (u < 0.022) {
            t.dropoff = t.pickup - (1 + rnd.nextInt(30)) * MICROS_PER_MINUTE;
        } else if (u < 0.028) {
            t.dropoff = t.pickup + (61 + rnd.nextInt(180)) * MICROS_PER_MINUTE;
        } else if (u < 0.031) {
            t.dropoff = t.pickup + rnd.nextInt(50) * 1_000_000L;
        }
    }

    private Group row(MessageType schema, TaxiType taxiType, Trip t, SplittableRandom rnd) {
        Group g = new SimpleGroup(schema);
        double minutes = (t.dropoff - t.pickup) / (double) MICROS_PER_MINUTE;
        double fare = round2(2.5 + 2.5 * Math.abs(t.distance) + 0.5 * Math.max(0, minutes));
        double tip = rnd.nextDouble() < 0.4 ? round2(fare * 0.18) : 0.0;
        boolean congestion = rnd.nextDouble() < 0.3;
        g.add("VendorID", 1L + rnd.nextInt(2));
        g.add(taxiType.pickupColumn(), t.pickup);
        g.add(taxiType.dropoffColumn(), t.dropoff);
        g.add("store_and_fwd_flag", rnd.nextDouble() < 0.01 ? "Y" : "N");
        g.add("RatecodeID", 1.0);
        if (t.pu != null) {
            g.add("PULocationID", (long) t.pu);
        }
        if (t.dO != null) {
            g.add("DOLocationID", (long) t.dO);
        }
        g.add("passenger_count", (double) (1 + (rnd.nextDouble() < 0.8 ? 0 : rnd.nextInt(5))));
        g.add("trip_distance", t.distance);
        g.add("fare_amount", fare);
        g.add("extra", 0.5);
        g.add("mta_tax", 0.5);
        g.add("tip_amount", tip);
        g.add("tolls_amount", 0.0);
        g.add("improvement_surcharge", 0.3);
        g.add("total_amount", round2(fare + 0.5 + 0.5 + tip + 0.3 + (congestion ? 2.75 : 0)));
        g.add("payment_type", tip > 0 ? 1.0 : 2.0);
        g.add("trip_type", 1.0);
        g.add("congestion_surcharge", congestion ? 2.75 : 0.0);
        return g;
    }

    private int sampleZone(SplittableRandom rnd) {
        int idx = Arrays.binarySearch(zoneCdf, rnd.nextDouble());
        return Math.min(ZONES, (idx < 0 ? -idx - 1 : idx) + 1);
    }

    private static long sampleMinuteOfDay(SplittableRandom rnd) {
        double total = Arrays.stream(HOUR_PROFILE).sum();
        double u = rnd.nextDouble() * total;
        int hour = 0;
        while (u > HOUR_PROFILE[hour] && hour < 23) {
            u -= HOUR_PROFILE[hour++];
        }
        return hour * 60L + rnd.nextInt(60);
    }

    /** Typical distance of a zone pair: lognormal across pairs, fixed by the seed. */
    private double pairDistance(int pu, int dO) {
        double g = gaussian(new SplittableRandom(seed * 1_000_003L + pu * 1000L + dO));
        return Math.exp(0.7 + 0.6 * g);
    }

    /** Extra minutes a zone pair costs beyond driving (bridges, one-way streets), fixed by the seed. */
    private double pairDelay(int pu, int dO) {
        return 2.5 * gaussian(new SplittableRandom(seed * 7_000_003L + pu * 1000L + dO));
    }

    private static int clampZone(int z) {
        return Math.max(1, Math.min(ZONES, z));
    }

    private static double gaussian(SplittableRandom rnd) {
        double u1 = 1.0 - rnd.nextDouble();
        double u2 = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static int[] shuffledZones(SplittableRandom rnd) {
        int[] zones = new int[ZONES];
        for (int i = 0; i < ZONES; i++) {
            zones[i] = i + 1;
        }
        for (int i = ZONES - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int tmp = zones[i];
            zones[i] = zones[j];
            zones[j] = tmp;
        }
        return zones;
    }
}
