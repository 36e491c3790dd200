package io.ridescore.tools;

import io.ridescore.config.Months;
import io.ridescore.config.RideScoreOptions;
import io.ridescore.config.TaxiType;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.Path;

import java.time.YearMonth;
import java.util.List;

final class DatagenCommand implements Command {
    static final int MAX_ROWS = 3_000_000;

    @Override
    public String name() {
        return "datagen";
    }

    @Override
    public String summary() {
        return "Generates deterministic NYC-TLC-shaped monthly Parquet files (<data-dir>/raw/<taxi>_tripdata_YYYY-MM.parquet).";
    }

    @Override
    public List<ConfigOption<?>> options() {
        return List.of(
                ToolOptions.MONTHS,
                ToolOptions.ROWS,
                ToolOptions.SEED,
                RideScoreOptions.TAXI_TYPE,
                RideScoreOptions.DATA_DIR);
    }

    @Override
    public int run(Configuration conf) throws Exception {
        int rows = conf.get(ToolOptions.ROWS);
        if (rows < 1 || rows > MAX_ROWS) {
            throw new IllegalArgumentException("--rows must be between 1 and " + MAX_ROWS);
        }
        List<YearMonth> months =
                Months.parse(conf.getOptional(ToolOptions.MONTHS).orElse("2021-01..2021-02"));
        TaxiType taxiType = conf.get(RideScoreOptions.TAXI_TYPE);
        TripDataGenerator generator = new TripDataGenerator(conf.get(ToolOptions.SEED));
        for (YearMonth month : months) {
            Path file = rawFile(conf, month);
            long started = System.nanoTime();
            long written = generator.write(
                    month, rows, taxiType, file, n -> System.out.printf("  %s: %,d / %,d rows%n", month, n, rows));
            System.out.printf("wrote %s: %,d rows in %.1f s%n", file, written, (System.nanoTime() - started) / 1e9);
        }
        return 0;
    }

    static Path rawFile(Configuration conf, YearMonth month) {
        return new Path(java.nio.file.Path.of(
                        conf.get(RideScoreOptions.DATA_DIR),
                        "raw",
                        RideScoreOptions.tlcFileName(conf.get(RideScoreOptions.TAXI_TYPE), month))
                .toString());
    }
}
