package io.ridescore.testing;

import io.ridescore.config.TaxiType;
import io.ridescore.event.RideEvent;
import io.ridescore.event.RideRules;
import io.ridescore.features.BatchFeatureTable;
import io.ridescore.source.TlcParquetReader;
import io.ridescore.tools.TripDataGenerator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

import java.io.IOException;
import java.time.Duration;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;

/** What the end-to-end tests share: the MiniCluster they run on, and reading generated months. */
public final class TestData {
    private TestData() {}

    /** One TaskManager with two slots: the topology runs at parallelism 2. */
    public static MiniClusterExtension miniCluster() {
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(2)
                .build());
    }

    /**
     * A TaskManager with this many slots, whose REST API refreshes metrics every 200 ms, for tests
     * that read the job's counters and restarts as a user would.
     */
    public static MiniClusterExtension miniClusterWithMetrics(int slots) {
        Configuration conf = new Configuration();
        conf.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofMillis(200));
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setConfiguration(conf)
                .setNumberTaskManagers(1)
                .setNumberSlotsPerTaskManager(slots)
                .build());
    }

    public static List<RideEvent> read(Path file) throws IOException {
        List<RideEvent> rides = new ArrayList<>();
        try (TlcParquetReader reader = TlcParquetReader.open(file)) {
            RideEvent r;
            while ((r = reader.next()) != null) {
                rides.add(r);
            }
        }
        return rides;
    }

    /**
     * January of a generated city ({@code seed}, {@code rows}) in {@code dir}, and its batch feature
     * table written to {@code dir/features.parquet} (see {@link #FEATURES}): what the end-to-end tests start from.
     */
    public static BatchFeatureTable history(java.nio.file.Path dir, long seed, int rows) throws IOException {
        Path history = new Path(dir.resolve("green_tripdata_2021-01.parquet").toString());
        new TripDataGenerator(seed).write(YearMonth.of(2021, 1), rows, TaxiType.GREEN, history, n -> {});
        BatchFeatureTable table = featureTable(history);
        table.write(new Path(dir.resolve(FEATURES).toString()));
        return table;
    }

    /** The name of the feature table {@link #history} writes. */
    public static final String FEATURES = "features.parquet";

    /** The batch feature table of a month's scoreable rides, as the features command builds it. */
    public static BatchFeatureTable featureTable(Path history) throws IOException {
        BatchFeatureTable.Builder table = new BatchFeatureTable.Builder();
        for (RideEvent r : read(history)) {
            if (RideRules.check(r) == null) {
                table.add(r.puLocationId, r.doLocationId, r.actualDurationMinutes(), r.tripDistance);
            }
        }
        return table.build();
    }
}
