package io.ridescore.tools;

import io.ridescore.event.RideEvent;
import io.ridescore.event.RideRules;
import io.ridescore.features.BatchFeatureTable;
import io.ridescore.features.FeatureVector;
import io.ridescore.features.StreamFeatures;
import io.ridescore.source.TlcParquetReader;
import org.apache.flink.core.fs.Path;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The rides of a month file that the topology would score: the same rules, outside Flink. */
final class ValidRides {
    private ValidRides() {}

    static List<RideEvent> read(Path file) throws IOException {
        List<RideEvent> rides = new ArrayList<>();
        try (TlcParquetReader reader = TlcParquetReader.open(file)) {
            RideEvent ride;
            while ((ride = reader.next()) != null) {
                if (RideRules.check(ride) == null) {
                    rides.add(ride);
                }
            }
        } catch (FileNotFoundException e) {
            throw new IllegalArgumentException(
                    "no such month file: " + file + " (generate it with: scripts/ridescore datagen --months ...)");
        }
        return rides;
    }

    /**
     * The month's rides that pass the event rules, with stream features computed over all of them
     * (a pickup is demand whatever its duration turns out to be), then kept if they also pass the
     * actuals rules: the training rows of batch mode with stream features on.
     */
    static List<FeatureVector> withStreamFeatures(Path file) throws IOException {
        List<FeatureVector> events = new ArrayList<>();
        try (TlcParquetReader reader = TlcParquetReader.open(file)) {
            RideEvent ride;
            while ((ride = reader.next()) != null) {
                if (RideRules.checkEvent(ride) == null && ride.pickupMicros != null) {
                    events.add(FeatureVector.of(ride));
                }
            }
        }
        StreamFeatures.computeOffline(events);
        return events.stream()
                .filter(v -> RideRules.checkActuals(v.ride) == null)
                .toList();
    }

    static BatchFeatureTable featureTable(List<RideEvent> rides) {
        BatchFeatureTable.Builder builder = new BatchFeatureTable.Builder();
        for (RideEvent r : rides) {
            builder.add(r.puLocationId, r.doLocationId, r.actualDurationMinutes(), r.tripDistance);
        }
        return builder.build();
    }
}
