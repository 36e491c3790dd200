package io.ridescore.sink;

import io.ridescore.event.ScoredRide;
import org.apache.flink.api.common.accumulators.Accumulator;

import java.io.Serializable;
import java.util.Arrays;
import java.util.TreeSet;

/**
 * A month's prediction errors, summed in the job as rides are scored (a Flink accumulator), so the
 * month's report is computed without reading the output back. It also records which model versions
 * scored, so a report names the version that actually scored, not one loaded again afterwards. Its
 * text form ({@link Totals#toString}, exact) is what the REST API hands a client on a cluster.
 */
public final class MonthErrors implements Accumulator<ScoredRide, MonthErrors.Totals> {
    public static final String NAME = "month_errors";

    private Totals totals = new Totals();

    /** Sums by pickup hour and overall, and the versions that scored. */
    public static final class Totals implements Serializable {
        long rides;
        double absSum;
        double squaredSum;
        double predictedSum;
        double actualSum;
        final double[] absByHour = new double[24];
        final long[] ridesByHour = new long[24];
        final TreeSet<String> versions = new TreeSet<>();

        /** One ride with an actual duration, scored by the given version. */
        public void add(double actual, double predicted, long pickupMicros, String version) {
            double diff = actual - predicted;
            int hour = (int) Math.floorMod(Math.floorDiv(pickupMicros, 3_600_000_000L), 24L);
            rides++;
            absSum += Math.abs(diff);
            squaredSum += diff * diff;
            predictedSum += predicted;
            actualSum += actual;
            absByHour[hour] += Math.abs(diff);
            ridesByHour[hour]++;
            versions.add(version);
        }

        public void add(Totals o) {
            rides += o.rides;
            absSum += o.absSum;
            squaredSum += o.squaredSum;
            predictedSum += o.predictedSum;
            actualSum += o.actualSum;
            for (int h = 0; h < 24; h++) {
                absByHour[h] += o.absByHour[h];
                ridesByHour[h] += o.ridesByHour[h];
            }
            versions.addAll(o.versions);
        }

        public long rides() {
            return rides;
        }

        public double mae() {
            return rides == 0 ? 0 : absSum / rides;
        }

        public double rmse() {
            return rides == 0 ? 0 : Math.sqrt(squaredSum / rides);
        }

        public double meanPredicted() {
            return rides == 0 ? 0 : predictedSum / rides;
        }

        public double meanActual() {
            return rides == 0 ? 0 : actualSum / rides;
        }

        public double maeByHour(int hour) {
            return ridesByHour[hour] == 0 ? 0 : absByHour[hour] / ridesByHour[hour];
        }

        public long ridesByHour(int hour) {
            return ridesByHour[hour];
        }

        /** The versions that scored, comma-separated (one, unless a model was swapped mid-run). */
        public String versions() {
            return String.join(",", versions);
        }

        /** {@code rides;abs;squared;predicted;actual;absByHour...;ridesByHour...;versions}, doubles exact. */
        @Override
        public String toString() {
            StringBuilder s = new StringBuilder()
                    .append(rides)
                    .append(';')
                    .append(absSum)
                    .append(';')
                    .append(squaredSum)
                    .append(';')
                    .append(predictedSum)
                    .append(';')
                    .append(actualSum);
            Arrays.stream(absByHour).forEach(v -> s.append(';').append(v));
            Arrays.stream(ridesByHour).forEach(v -> s.append(';').append(v));
            return s.append(';').append(String.join(",", versions)).toString();
        }

        public static Totals parse(String text) {
            String[] f = text.split(";", -1);
            Totals t = new Totals();
            t.rides = Long.parseLong(f[0]);
            t.absSum = Double.parseDouble(f[1]);
            t.squaredSum = Double.parseDouble(f[2]);
            t.predictedSum = Double.parseDouble(f[3]);
            t.actualSum = Double.parseDouble(f[4]);
            for (int h = 0; h < 24; h++) {
                t.absByHour[h] = Double.parseDouble(f[5 + h]);
                t.ridesByHour[h] = Long.parseLong(f[29 + h]);
            }
            if (!f[53].isEmpty()) {
                t.versions.addAll(Arrays.asList(f[53].split(",")));
            }
            return t;
        }
    }

    @Override
    public void add(ScoredRide ride) {
        if (ride.actualDuration != null) {
            totals.add(ride.actualDuration, ride.predictedDuration, ride.pickupMicros, ride.modelVersion);
        }
    }

    @Override
    public Totals getLocalValue() {
        return totals;
    }

    @Override
    public void resetLocal() {
        totals = new Totals();
    }

    @Override
    public void merge(Accumulator<ScoredRide, Totals> other) {
        totals.add(other.getLocalValue());
    }

    @Override
    public MonthErrors clone() {
        MonthErrors copy = new MonthErrors();
        copy.totals.add(totals);
        return copy;
    }
}
