package dev.metastream.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class AdaptationCurveTest extends StreamingMetricContract<AdaptationCurve> {

    @Override
    protected AdaptationCurve create() {
        return new AdaptationCurve(64);
    }

    @Override
    protected void feed(AdaptationCurve m, Random r) {
        m.update(r.nextDouble() < 0.7 ? 1 : 0);
    }

    /**
     * K = 8, scores 0 0 1 0 1 1 1 1, then 1 1 beyond the horizon (count 10).
     * <pre>
     *   n                 1   2   3    4    5    6    7    8
     *   trailing 2-mean   -   0   1/2  1/2  1/2  1    1    1
     *   trailing 4-mean   -   -   -    1/4  1/2  3/4  3/4  1
     * </pre>
     * 75% of 1.0 over 2: n = 6; 50% over 2: n = 3; 90% over 4: n = 8; 1.5 is never reached: -1.
     * Efficiency over 4: (0 + 0 + 1 + 0)/4 = 1/4; over 8: 5/8.
     */
    @Test
    void byHand() {
        AdaptationCurve c = new AdaptationCurve(8);
        for (double s : new double[] {0, 0, 1, 0, 1, 1, 1, 1, 1, 1}) {
            c.update(s);
        }
        assertThat(c.count()).isEqualTo(10);
        assertThat(c.adaptationTime(0.75, 1.0, 2)).isEqualTo(6);
        assertThat(c.adaptationTime(0.5, 1.0, 2)).isEqualTo(3);
        assertThat(c.adaptationTime(0.9, 1.0, 4)).isEqualTo(8);
        assertThat(c.adaptationTime(1.0, 1.5, 2)).isEqualTo(-1);
        assertThat(c.efficiency(4)).isCloseTo(0.25, within(1e-12));
        assertThat(c.efficiency(8)).isCloseTo(5.0 / 8, within(1e-12));
        assertThat(c.values().get("adaptation_efficiency")).isCloseTo(5.0 / 8, within(1e-12));
    }

    /** Fewer than k scores: the mean of those seen (1 and 0: 1/2); none: NaN; a full window is needed. */
    @Test
    void shortCurves() {
        AdaptationCurve c = new AdaptationCurve(8);
        assertThat(c.efficiency(8)).isNaN();
        c.update(1);
        assertThat(c.adaptationTime(0.5, 1, 2)).isEqualTo(-1);
        c.update(0);
        assertThat(c.efficiency(8)).isCloseTo(0.5, within(1e-12));
        assertThat(c.adaptationTime(0.5, 1, 2)).isEqualTo(2);
        assertThatThrownBy(() -> c.efficiency(9)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.adaptationTime(0.5, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.update(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
}
