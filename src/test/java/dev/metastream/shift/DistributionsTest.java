package dev.metastream.shift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Known values, from scipy 1.17 ({@code special.gammaln/gammainc/gammaincc/betainc}, {@code stats.chi2}, {@code stats.kstwobign}). */
class DistributionsTest {

    @Test
    void logGamma() {
        assertThat(Distributions.logGamma(0.5)).isCloseTo(0.5723649429247, within(1e-13));
        assertThat(Distributions.logGamma(10)).isCloseTo(12.801827480081469, within(1e-12));
        assertThat(Distributions.logGamma(100.5)).isCloseTo(361.43554046777757, within(1e-10));
        assertThat(Distributions.logGamma(0.1)).isCloseTo(2.252712651734206, within(1e-12));
        assertThat(Distributions.logGamma(1)).isCloseTo(0, within(1e-14));
    }

    @Test
    void incompleteGamma() {
        assertThat(Distributions.regularizedGammaP(2.5, 1.7)).isCloseTo(0.36143007689620493, within(1e-13));
        assertThat(Distributions.regularizedGammaP(10, 5)).isCloseTo(0.03182805730620481, within(1e-13));
        assertThat(Distributions.regularizedGammaQ(3, 10)).isCloseTo(0.0027693957155115775, within(1e-15));
        assertThat(Distributions.regularizedGammaP(0.5, 0.1)).isCloseTo(0.34527915398142317, within(1e-13));
        assertThat(Distributions.regularizedGammaQ(50, 60)).isCloseTo(0.08440668109369177, within(1e-12));
        // P(1, x) = 1 - e^-x, on both sides of the series / continued-fraction switch at x = a + 1.
        for (double x : new double[] {0.3, 1.9, 2.1, 7}) {
            assertThat(Distributions.regularizedGammaP(1, x)).isCloseTo(1 - Math.exp(-x), within(1e-14));
            assertThat(Distributions.regularizedGammaQ(1, x)).isCloseTo(Math.exp(-x), within(1e-14));
        }
        assertThat(Distributions.regularizedGammaP(3, 0)).isZero();
        assertThatThrownBy(() -> Distributions.regularizedGammaP(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Distributions.regularizedGammaQ(1, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void incompleteBeta() {
        assertThat(Distributions.regularizedBeta(0.4, 2, 3)).isCloseTo(0.5248, within(1e-13));
        assertThat(Distributions.regularizedBeta(0.3, 10, 20)).isCloseTo(0.3640040810719437, within(1e-12));
        // Binomial tail P(X >= 5), X ~ Bin(10, 0.05) = I_0.05(5, 6).
        assertThat(ShiftMonitor.binomialTail(10, 5, 0.05)).isCloseTo(6.36898314453125e-05, within(1e-16));
    }

    @Test
    void chiSquare() {
        assertThat(Distributions.chiSquareSurvival(3.84, 1)).isCloseTo(0.05004352124870519, within(1e-13));
        assertThat(Distributions.chiSquareSurvival(20, 10)).isCloseTo(0.029252688076961124, within(1e-13));
        assertThat(Distributions.chiSquareCdf(20, 10)).isCloseTo(1 - 0.029252688076961124, within(1e-13));
        // With 2 degrees of freedom the survival function is exp(-x/2).
        assertThat(Distributions.chiSquareSurvival(9, 2)).isCloseTo(Math.exp(-4.5), within(1e-15));
        assertThat(Distributions.chiSquareSurvival(0, 3)).isEqualTo(1);
    }

    @Test
    void chiSquareQuantile() {
        assertThat(Distributions.chiSquareQuantile(0.95, 1)).isCloseTo(3.841458820694124, within(1e-10));
        assertThat(Distributions.chiSquareQuantile(0.95, 10)).isCloseTo(18.307038053275146, within(1e-10));
        assertThat(Distributions.chiSquareQuantile(0.999, 32)).isCloseTo(62.487219057088474, within(1e-9));
        assertThat(Distributions.chiSquareQuantile(0.5, 3)).isCloseTo(2.3659738843753377, within(1e-10));
        assertThat(Distributions.chiSquareQuantile(1e-3, 5)).isCloseTo(0.2102126026292192, within(1e-10));
        assertThat(Distributions.chiSquareQuantile(0.99, 2)).isCloseTo(-2 * Math.log(0.01), within(1e-10));
        // Non-integer degrees of freedom (Satterthwaite): the quantile inverts the distribution function.
        double q = Distributions.chiSquareQuantile(0.9999, 3.7);
        assertThat(Distributions.chiSquareSurvival(q, 3.7)).isCloseTo(1e-4, within(1e-12));
        assertThatThrownBy(() -> Distributions.chiSquareQuantile(1, 3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void kolmogorov() {
        assertThat(Distributions.kolmogorovSurvival(0.5)).isCloseTo(0.9639452436648751, within(1e-13));
        assertThat(Distributions.kolmogorovSurvival(1.0)).isCloseTo(0.26999967167735456, within(1e-13));
        assertThat(Distributions.kolmogorovSurvival(1.36)).isCloseTo(0.049485876755377876, within(1e-13));
        assertThat(Distributions.kolmogorovSurvival(1.6276)).isCloseTo(0.010001537333060776, within(1e-13));
        assertThat(Distributions.kolmogorovSurvival(2.5)).isCloseTo(7.453306344157342e-06, within(1e-16));
        assertThat(Distributions.kolmogorovSurvival(0)).isEqualTo(1);
        // The two series meet at 1.18: no jump there.
        assertThat(Distributions.kolmogorovSurvival(1.18 - 1e-12))
                .isCloseTo(Distributions.kolmogorovSurvival(1.18), within(1e-11));
    }

    @Test
    void normal() {
        assertThat(Distributions.normalCdf(-1.96)).isCloseTo(0.024997895148220435, within(1e-14));
        assertThat(Distributions.normalCdf(1.0)).isCloseTo(0.8413447460685429, within(1e-14));
        assertThat(Distributions.normalCdf(0)).isEqualTo(0.5);
    }
}
