package io.ridescore.tools;

import io.ridescore.config.TaxiType;
import io.ridescore.event.RideEvent;
import org.apache.flink.core.fs.Path;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.time.YearMonth;
import java.util.List;

/**
 * Writes the training rows of the exporter models as CSV: the valid rides of the default generated
 * month (2021-01, seed 42, 65,000 rows, as {@code scripts/ridescore datagen} makes it), so models
 * trained in Python see the zones and distances ridescore's data has.
 * Run by {@code scripts/export-reference-models}.
 */
public final class TrainingCsv {
    private TrainingCsv() {}

    public static void main(String[] args) throws Exception {
        java.nio.file.Path out = java.nio.file.Path.of(args[0]);
        java.nio.file.Path month = Files.createTempFile("green_tripdata_2021-01", ".parquet");
        Files.delete(month);
        new TripDataGenerator(42)
                .write(
                        YearMonth.of(2021, 1),
                        TripDataGenerator.DEFAULT_ROWS,
                        TaxiType.GREEN,
                        new Path(month.toString()),
                        n -> {});
        List<RideEvent> rides = ValidRides.read(new Path(month.toString()));
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out))) {
            w.println("PULocationID,DOLocationID,trip_distance,pickup_hour,duration");
            for (RideEvent r : rides) {
                long hour = Math.floorMod(Math.floorDiv(r.pickupMicros, 3_600_000_000L), 24L);
                w.printf(
                        "%d,%d,%s,%d,%s%n",
                        r.puLocationId, r.doLocationId, r.tripDistance, hour, r.actualDurationMinutes());
            }
        }
        Files.delete(month);
        System.out.printf("wrote %s: %,d rides%n", out, rides.size());
    }
}
