package io.ridescore.tools;

import io.ridescore.config.Months;
import io.ridescore.config.RideScoreOptions;
import io.ridescore.event.RideEvent;
import io.ridescore.features.BatchFeatureTable;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.Path;

import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;

final class FeaturesCommand implements Command {

    @Override
    public String name() {
        return "features";
    }

    @Override
    public String summary() {
        return "Builds the batch feature table (per PU_DO pair, pickup zone and dropoff zone: trips, mean duration,"
                + " mean distance) from the valid rides of earlier months.";
    }

    @Override
    public List<ConfigOption<?>> options() {
        return List.of(ToolOptions.MONTHS, ToolOptions.OUT, RideScoreOptions.TAXI_TYPE, RideScoreOptions.DATA_DIR);
    }

    @Override
    public int run(Configuration conf) throws Exception {
        List<YearMonth> months =
                Months.parse(conf.getOptional(ToolOptions.MONTHS).orElse("2021-01"));
        List<RideEvent> rides = new ArrayList<>();
        for (YearMonth month : months) {
            List<RideEvent> valid = ValidRides.read(DatagenCommand.rawFile(conf, month));
            System.out.printf("  %s: %,d valid rides%n", month, valid.size());
            rides.addAll(valid);
        }
        BatchFeatureTable table = ValidRides.featureTable(rides);
        Configuration withOut = conf.clone();
        conf.getOptional(ToolOptions.OUT).ifPresent(out -> withOut.set(RideScoreOptions.FEATURES, out));
        Path out = new Path(RideScoreOptions.features(withOut));
        table.write(out);
        System.out.printf(
                "wrote %s from %,d rides of %s (mean duration %.2f min)%n",
                out, table.globalTrips(), months, table.globalMeanDuration());
        return 0;
    }
}
