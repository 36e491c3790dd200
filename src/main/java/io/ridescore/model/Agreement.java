package io.ridescore.model;

import java.io.Serializable;
import java.util.Arrays;

/**
 * How far two models' predictions for the same rides lie apart: how many pairs, the mean and p95
 * of the absolute difference, and the share within a minute. Sums and a fixed-bin histogram (0.01
 * min bins up to an hour), not a sample: subtasks' figures merge exactly, a window can take back
 * what leaves it, and two runs that see the same rides report the same numbers.
 */
public final class Agreement implements Serializable {
    /** Width of a histogram bin: the p95 is the upper edge of its bin, so it is exact to 0.01 min. */
    public static final double BIN_MINUTES = 0.01;

    private static final int BINS = 6000;
    private static final double WITHIN_MINUTES = 1.0;

    private long pairs;
    private double absDiffSum;
    private long withinMinute;
    /** Bin i counts differences in [i, i+1) × 0.01 min; the last bin takes an hour and beyond. */
    private final long[] bins = new long[BINS + 1];

    /** Adds one ride both models scored. */
    public void add(double serving, double challenger) {
        addAbsDiff(Math.abs(serving - challenger), 1);
    }

    /** Adds (+1) or takes back (−1) one absolute difference. */
    void addAbsDiff(double absDiff, int sign) {
        pairs += sign;
        absDiffSum += sign * absDiff;
        if (absDiff <= WITHIN_MINUTES) {
            withinMinute += sign;
        }
        bins[bin(absDiff)] += sign;
    }

    private static int bin(double absDiff) {
        return (int) Math.min(BINS, Math.floor(absDiff / BIN_MINUTES));
    }

    public void merge(Agreement other) {
        pairs += other.pairs;
        absDiffSum += other.absDiffSum;
        withinMinute += other.withinMinute;
        for (int i = 0; i <= BINS; i++) {
            bins[i] += other.bins[i];
        }
    }

    /** What was added after {@code earlier} (a snapshot of this same running total): the figures of that interval. */
    public Agreement since(Agreement earlier) {
        Agreement d = new Agreement();
        d.pairs = pairs - earlier.pairs;
        d.absDiffSum = absDiffSum - earlier.absDiffSum;
        d.withinMinute = withinMinute - earlier.withinMinute;
        for (int i = 0; i <= BINS; i++) {
            d.bins[i] = bins[i] - earlier.bins[i];
        }
        return d;
    }

    public long pairs() {
        return pairs;
    }

    public double meanAbsDiff() {
        return pairs == 0 ? 0 : absDiffSum / pairs;
    }

    /** The 95th percentile of the absolute difference, as the upper edge of its 0.01-min bin. */
    public double p95AbsDiff() {
        if (pairs == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(0.95 * pairs);
        long seen = 0;
        for (int i = 0; i <= BINS; i++) {
            seen += bins[i];
            if (seen >= rank) {
                return Math.round((i + 1) * BIN_MINUTES * 100) / 100.0;
            }
        }
        return BINS * BIN_MINUTES;
    }

    /** The share of pairs whose predictions lie within a minute of each other. */
    public double withinMinuteShare() {
        return pairs == 0 ? 0 : (double) withinMinute / pairs;
    }

    /** The figures in one phrase, as the report, the progress lines and {@code compare} print them. */
    public String describe() {
        if (pairs == 0) {
            return "no ride both scored";
        }
        return String.format(
                "%,d rides both scored, mean |serving - challenger| %.3f min, p95 %.2f min, %.1f%% within 1 min",
                pairs, meanAbsDiff(), p95AbsDiff(), 100 * withinMinuteShare());
    }

    /** {@code pairs;absDiffSum;withinMinute;bin:count,...} (non-empty bins only); doubles exact. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder()
                .append(pairs)
                .append(';')
                .append(absDiffSum)
                .append(';')
                .append(withinMinute)
                .append(';');
        String sep = "";
        for (int i = 0; i <= BINS; i++) {
            if (bins[i] != 0) {
                s.append(sep).append(i).append(':').append(bins[i]);
                sep = ",";
            }
        }
        return s.toString();
    }

    public static Agreement parse(String text) {
        String[] f = text.split(";", -1);
        Agreement a = new Agreement();
        a.pairs = Long.parseLong(f[0]);
        a.absDiffSum = Double.parseDouble(f[1]);
        a.withinMinute = Long.parseLong(f[2]);
        if (!f[3].isEmpty()) {
            for (String bin : f[3].split(",")) {
                String[] kv = bin.split(":");
                a.bins[Integer.parseInt(kv[0])] = Long.parseLong(kv[1]);
            }
        }
        return a;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Agreement a
                && pairs == a.pairs
                && Double.compare(absDiffSum, a.absDiffSum) == 0
                && withinMinute == a.withinMinute
                && Arrays.equals(bins, a.bins);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(pairs) * 31 + Arrays.hashCode(bins);
    }
}
