package io.ridescore.sink;

import io.ridescore.event.RideEvent;
import io.ridescore.event.ScoredRide;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The month's error totals: summed per subtask, merged, and carried exactly through their text form. */
class MonthErrorsTest {
    private static ScoredRide ride(int hour, double actualMinutes, double predicted, String version) {
        long pickup = 1_614_556_800_000_000L + hour * 3_600_000_000L; // 2021-03-01 at the hour
        RideEvent r = new RideEvent("r", false, 1, 2, 3.0, pickup, pickup + (long) (actualMinutes * 60_000_000L), null);
        return new ScoredRide(r, predicted, "m", version);
    }

    @Test
    void subtaskTotalsMergeIntoTheMonthsErrorsAndSurviveTheirTextForm() {
        MonthErrors a = new MonthErrors();
        a.add(ride(8, 10, 12, "v1")); // error -2
        a.add(ride(8, 20, 17, "v1")); // error 3
        MonthErrors b = new MonthErrors();
        b.add(ride(23, 30, 30.5, "v2")); // error -0.5
        b.add(new ScoredRide(
                new RideEvent("online", false, 1, 2, 3.0, 0L, null, null), 5, "m", "v1")); // no actual: not counted
        a.merge(b);
        MonthErrors.Totals t = MonthErrors.Totals.parse(a.getLocalValue().toString());
        assertThat(t.rides()).isEqualTo(3);
        assertThat(t.mae()).isEqualTo(5.5 / 3);
        assertThat(t.rmse()).isEqualTo(Math.sqrt((4 + 9 + 0.25) / 3));
        assertThat(t.meanActual()).isEqualTo(20.0);
        assertThat(t.maeByHour(8)).isEqualTo(2.5);
        assertThat(t.ridesByHour(8)).isEqualTo(2);
        assertThat(t.maeByHour(23)).isEqualTo(0.5);
        assertThat(t.ridesByHour(0)).isZero();
        assertThat(t.versions()).isEqualTo("v1,v2");
        assertThat(t.toString()).isEqualTo(a.getLocalValue().toString());
    }
}
