package io.ridescore.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The serving-against-challenger totals: what is counted where, the verdict, and the text form a cluster hands back. */
class ShadowComparisonTest {
    private static final long NOON = 1_612_180_800_000_000L; // 2021-02-01T12:00

    private static ShadowComparison.Outcome ride(Double serving, Double challenger, String refusal, Double actual) {
        return new ShadowComparison.Outcome("m", "1", serving, "m", "2", challenger, refusal, actual, NOON);
    }

    @Test
    void bothModelsAreJudgedOnTheRidesBothScored() {
        ShadowComparison c = new ShadowComparison();
        c.add(ride(10.0, 11.0, null, 12.0)); // serving off by 2, challenger by 1
        c.add(ride(20.0, 19.0, null, 18.0)); // 2 and 1
        c.add(ride(30.0, null, "model_refused", 30.0)); // not in either model's errors
        c.add(ride(null, 7.0, null, 7.0)); // the serving model refused it: counted apart
        c.add(ride(null, null, "model_refused", 7.0)); // both refused: the serving path's dead letter only
        c.add(ride(15.0, 15.5, null, null)); // no actual (online): agreement only

        ShadowComparison.Pair p = c.getLocalValue().pairs().get("m@1 -> m@2");
        assertThat(p.servingErrors().mae()).isEqualTo(2.0);
        assertThat(p.challengerErrors().mae()).isEqualTo(1.0);
        assertThat(p.challengerErrors().maeByHour(12)).isEqualTo(1.0);
        assertThat(p.agreement().pairs()).isEqualTo(3);
        assertThat(p.challengerOnly()).isEqualTo(1);
        assertThat(p.challengerRefused()).containsExactly(java.util.Map.entry("model_refused", 1L));
        assertThat(p.verdict())
                .isEqualTo(
                        "challenger m@2 is better: MAE 1.000 min (challenger) vs 2.000 min (serving), -50.0%;"
                                + " RMSE 1.000 vs 2.000 min; on 2 rides both scored; the challenger refused 1 rides the serving model scored {model_refused=1}");
    }

    @Test
    void withoutActualsThereIsNoVerdict() {
        ShadowComparison c = new ShadowComparison();
        c.add(ride(15.0, 15.5, null, null));
        assertThat(c.getLocalValue().pairs().get("m@1 -> m@2").verdict())
                .startsWith("no verdict: no ride was scored by both models with a known actual duration");
    }

    @Test
    void theTextFormReadsBackToTheSameFigures() {
        ShadowComparison a = new ShadowComparison();
        ShadowComparison b = new ShadowComparison();
        a.add(ride(10.0, 11.0, null, 12.0));
        b.add(ride(20.0, null, "no_prediction", 18.0));
        b.add(ride(null, 3.0, null, 4.0));
        a.merge(b);
        ShadowComparison.Totals back =
                ShadowComparison.Totals.parse(a.getLocalValue().toString());
        assertThat(back.toString()).isEqualTo(a.getLocalValue().toString());
        ShadowComparison.Pair p = back.pairs().get("m@1 -> m@2");
        assertThat(p.verdict())
                .isEqualTo(a.getLocalValue().pairs().get("m@1 -> m@2").verdict());
        assertThat(p.challengerOnly()).isEqualTo(1);
        assertThat(p.challengerRefusedTotal()).isEqualTo(1);
    }
}
