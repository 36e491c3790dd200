package io.ridescore.model;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The agreement figures: exact on known pairs, the same however they are split and merged, and a window that forgets. */
class AgreementTest {

    @Test
    void knownPairsGiveExactFigures() {
        Agreement a = new Agreement();
        // |diffs|: 0.25, 0.5, 0.75, 1.0 (within a minute, the edge included), then 2 .. 17 (16 more, none within)
        a.add(10.0, 10.25);
        a.add(10.0, 9.5);
        a.add(10.0, 10.75);
        a.add(10.0, 11.0);
        for (int d = 2; d <= 17; d++) {
            a.add(20.0, 20.0 + d);
        }
        assertThat(a.pairs()).isEqualTo(20);
        assertThat(a.withinMinuteShare()).isEqualTo(0.2);
        assertThat(a.meanAbsDiff()).isEqualTo((2.5 + (2 + 17) * 16 / 2.0) / 20);
        // rank ceil(0.95 · 20) = 19: the 19th smallest is 16, in the bin [16.00, 16.01)
        assertThat(a.p95AbsDiff()).isEqualTo(16.01);
        assertThat(a.describe())
                .isEqualTo(
                        "20 rides both scored, mean |serving - challenger| 7.725 min, p95 16.01 min, 20.0% within 1 min");
    }

    @Test
    void nothingScoredGivesZeros() {
        Agreement a = new Agreement();
        assertThat(a.pairs()).isZero();
        assertThat(a.meanAbsDiff()).isZero();
        assertThat(a.p95AbsDiff()).isZero();
        assertThat(a.withinMinuteShare()).isZero();
        assertThat(a.describe()).isEqualTo("no ride both scored");
    }

    @Test
    void differencesBeyondAnHourLandInTheLastBin() {
        Agreement a = new Agreement();
        a.add(0, 500);
        assertThat(a.p95AbsDiff()).isEqualTo(60.01);
        assertThat(a.meanAbsDiff()).isEqualTo(500);
    }

    @Test
    void splitAndMergedItIsTheSameAsWhole() {
        SplittableRandom rnd = new SplittableRandom(7);
        Agreement whole = new Agreement();
        Agreement[] parts = {new Agreement(), new Agreement(), new Agreement()};
        for (int i = 0; i < 10_000; i++) {
            double s = 5 + rnd.nextDouble() * 40;
            double c = s + rnd.nextGaussian() * 2;
            whole.add(s, c);
            parts[i % 3].add(s, c);
        }
        Agreement merged = new Agreement();
        for (Agreement p : parts) {
            merged.merge(p);
        }
        assertThat(merged.pairs()).isEqualTo(whole.pairs());
        assertThat(merged.p95AbsDiff()).isEqualTo(whole.p95AbsDiff());
        assertThat(merged.describe()).isEqualTo(whole.describe());
        assertThat(Agreement.parse(whole.toString())).isEqualTo(whole);
    }

    @Test
    void sinceASnapshotGivesTheFiguresOfThatInterval() {
        Agreement running = new Agreement();
        running.add(10, 10.5);
        Agreement snapshot = Agreement.parse(running.toString());
        running.add(10, 13);
        running.add(10, 14);
        Agreement interval = running.since(snapshot);
        assertThat(interval.pairs()).isEqualTo(2);
        assertThat(interval.meanAbsDiff()).isEqualTo(3.5);
        assertThat(interval.withinMinuteShare()).isZero();
        assertThat(interval.p95AbsDiff()).isEqualTo(4.01);
    }

    @Test
    void aWindowHoldsOnlyTheLatestPairs() {
        AgreementWindow window = new AgreementWindow(3);
        window.add(10, 30); // |20|, leaves when the fourth pair comes
        window.add(10, 11);
        window.add(10, 12);
        assertThat(window.agreement().pairs()).isEqualTo(3);
        assertThat(window.agreement().p95AbsDiff()).isEqualTo(20.01);
        window.add(10, 13);
        assertThat(window.agreement().pairs()).isEqualTo(3);
        assertThat(window.agreement().meanAbsDiff()).isEqualTo(2.0);
        assertThat(window.agreement().p95AbsDiff()).isEqualTo(3.01);
        assertThat(window.agreement().withinMinuteShare()).isEqualTo(1 / 3.0);
    }
}
