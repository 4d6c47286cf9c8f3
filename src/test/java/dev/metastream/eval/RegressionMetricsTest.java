package dev.metastream.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RegressionMetricsTest extends StreamingMetricContract<RegressionMetrics> {
    private static final double TOL = 1e-12;

    @Override
    protected RegressionMetrics create() {
        return new RegressionMetrics();
    }

    @Override
    protected void feed(RegressionMetrics m, Random r) {
        double y = 3 * r.nextGaussian();
        m.update(y, y + r.nextGaussian());
    }

    /**
     * (y, ŷ) = (3, 1) (−1, 0.5) (0, 0) (10, 6): squared errors 4, 2.25, 0, 16 → SSE 22.25, MSE 5.5625,
     * RMSE √5.5625 = 2.3584952830141509; absolute errors 2, 1.5, 0, 4 → MAE 1.875; ȳ = 12/4 = 3,
     * SST = 0 + 16 + 9 + 49 = 74, R² = 1 − 22.25/74 = 51.75/74.
     */
    @Test
    void byHand() {
        RegressionMetrics m = new RegressionMetrics();
        m.update(3, 1);
        m.update(-1, 0.5);
        m.update(0, 0);
        m.update(10, 6);
        assertThat(m.mse()).isCloseTo(5.5625, within(TOL));
        assertThat(m.rmse()).isCloseTo(2.3584952830141509, within(TOL));
        assertThat(m.mae()).isCloseTo(1.875, within(TOL));
        assertThat(m.r2()).isCloseTo(51.75 / 74, within(TOL));
        assertThat(m.meanTarget()).isCloseTo(3.0, within(TOL));
    }

    /** Targets 1e9 + {0, 1, 2}, predicted 1e9 + 1: SSE = 1 + 0 + 1 = 2 = SST, so R² = 0; squares of 1e9 would lose it. */
    @Test
    void welfordKeepsR2AccurateFarFromZero() {
        RegressionMetrics m = new RegressionMetrics();
        for (int i = 0; i < 3; i++) {
            m.update(1e9 + i, 1e9 + 1);
        }
        assertThat(m.r2()).isCloseTo(0.0, within(TOL));
    }

    /** Constant targets: R² = 1 if every prediction is exact, else 0. */
    @Test
    void r2WhenTargetsDoNotVary() {
        RegressionMetrics exact = new RegressionMetrics();
        exact.update(0.1, 0.1);
        exact.update(0.1, 0.1);
        exact.update(0.1, 0.1);
        assertThat(exact.r2()).isEqualTo(1.0);
        RegressionMetrics off = new RegressionMetrics();
        off.update(0.1, 0.1);
        off.update(0.1, 0.3);
        assertThat(off.r2()).isEqualTo(0.0);
        assertThat(new RegressionMetrics().mse()).isZero();
        assertThatThrownBy(() -> off.update(Double.NaN, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
