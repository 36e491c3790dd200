package io.ridescore.model;

/**
 * {@link Agreement} over the last {@code size} rides both models scored, for the live metrics:
 * each new pair enters and, once the window is full, the oldest leaves, so the gauges follow the
 * traffic of the last minutes instead of averaging over the whole run.
 */
public final class AgreementWindow {
    private final double[] absDiffs;
    private final Agreement agreement = new Agreement();
    private int next;
    private boolean full;

    public AgreementWindow(int size) {
        this.absDiffs = new double[size];
    }

    public void add(double serving, double challenger) {
        if (full) {
            agreement.addAbsDiff(absDiffs[next], -1);
        }
        double absDiff = Math.abs(serving - challenger);
        absDiffs[next] = absDiff;
        agreement.addAbsDiff(absDiff, 1);
        next = (next + 1) % absDiffs.length;
        full |= next == 0;
    }

    public Agreement agreement() {
        return agreement;
    }
}
