package dev.metastream.shift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * Known values of the histogram statistics, from scipy 1.17 ({@code ks_2samp},
 * {@code wasserstein_distance}, {@code chi2_contingency(correction=False)},
 * {@code spatial.distance.jensenshannon(base=2)}) and numpy for PSI.
 */
class TwoSampleStatisticsTest {

    // Samples of the values 0..3 with these counts; the edges fall between the values, so binned
    // and raw statistics coincide.
    private static final double[] REF = {10, 20, 30, 40};
    private static final double[] CUR = {40, 30, 20, 10};

    @Test
    void kolmogorovSmirnov() {
        // scipy.stats.ks_2samp(np.repeat([0,1,2,3], REF), np.repeat([0,1,2,3], CUR)).statistic = 0.4
        assertThat(KolmogorovSmirnov.statistic(REF, CUR)).isCloseTo(0.4, within(1e-15));
        assertThat(KolmogorovSmirnov.statistic(REF, REF)).isZero();
        assertThat(KolmogorovSmirnov.statistic(new double[] {5, 0}, new double[] {0, 7})).isEqualTo(1);
        // Stephens-corrected asymptotic p: kstwobign.sf((sqrt(50) + 0.12 + 0.11/sqrt(50)) * 0.2).
        assertThat(KolmogorovSmirnov.pValue(0.2, 100, 100)).isCloseTo(0.03137665215307253, within(1e-13));
        assertThat(KolmogorovSmirnov.pValue(0, 100, 100)).isEqualTo(1);
        assertThat(KolmogorovSmirnov.pValue(0.5, 0, 100)).isEqualTo(1);
    }

    @Test
    void binnedKolmogorovSmirnovIsALowerBound() {
        // Merging bins can only hide the largest gap: D over {0,1} | {2,3} <= D over four bins.
        double merged = KolmogorovSmirnov.statistic(new double[] {30, 70}, new double[] {70, 30});
        assertThat(merged).isCloseTo(0.4, within(1e-15));
        double coarse = KolmogorovSmirnov.statistic(new double[] {10, 90}, new double[] {40, 60});
        assertThat(coarse).isCloseTo(0.3, within(1e-15)).isLessThanOrEqualTo(KolmogorovSmirnov.statistic(REF, CUR));
    }

    @Test
    void wasserstein() {
        double[] points = {0, 1, 2, 3};
        // scipy.stats.wasserstein_distance([0,1,2,3], [0,1,2,3], REF, CUR) = 1.0
        assertThat(Wasserstein.distance(REF, CUR, points)).isCloseTo(1.0, within(1e-15));
        // scipy.stats.wasserstein_distance([0,1,2], [1,2,3]) = 1.0 (a shift by one)
        assertThat(Wasserstein.distance(new double[] {1, 1, 1, 0}, new double[] {0, 1, 1, 1}, points))
                .isCloseTo(1.0, within(1e-15));
        // Evidently normalises by the reference's standard deviation (np.std of the REF sample = 1.0).
        assertThat(Wasserstein.normalised(REF, CUR, new double[] {0, 2, 4, 6}, 2.0)).isCloseTo(1.0, within(1e-15));
        assertThat(Wasserstein.normalised(REF, CUR, points, 0)).isCloseTo(1000, within(1e-9));
        assertThat(Wasserstein.distance(REF, REF, points)).isZero();
    }

    @Test
    void populationStability() {
        // np.sum((c - r) * np.log(c / r)) with r = REF/100, c = CUR/100
        assertThat(PopulationStability.index(REF, CUR)).isCloseTo(0.9128696382935673, within(1e-13));
        // An empty reference bin counts as a share of 1e-4.
        assertThat(PopulationStability.index(new double[] {0, 50, 50}, new double[] {10, 40, 50}))
                .isCloseTo(0.7123991075017365, within(1e-13));
        assertThat(PopulationStability.index(REF, new double[] {1, 2, 3, 4})).isCloseTo(0, within(1e-15));
    }

    @Test
    void jensenShannon() {
        assertThat(JensenShannon.distance(new double[] {1, 1}, new double[] {1, 0})).isCloseTo(0.5579230452841438, within(1e-13));
        assertThat(JensenShannon.distance(new double[] {10, 20, 30}, new double[] {20, 20, 20}))
                .isCloseTo(0.1803606400066241, within(1e-13));
        assertThat(JensenShannon.distance(new double[] {3, 0}, new double[] {0, 5})).isCloseTo(1, within(1e-15));
        assertThat(JensenShannon.distance(REF, new double[] {2, 4, 6, 8})).isCloseTo(0, within(1e-7));
    }

    @Test
    void chiSquareHomogeneity() {
        ChiSquareTest.Result r = ChiSquareTest.homogeneity(new double[] {10, 20, 30}, new double[] {20, 20, 20});
        assertThat(r.statistic()).isCloseTo(5.333333333333334, within(1e-12));
        assertThat(r.dof()).isEqualTo(2);
        assertThat(r.pValue()).isCloseTo(0.0694834512228015, within(1e-13));
        // A category empty in both samples carries no information: same result.
        ChiSquareTest.Result gap = ChiSquareTest.homogeneity(new double[] {10, 0, 20, 30}, new double[] {20, 0, 20, 20});
        assertThat(gap).isEqualTo(r);
        ChiSquareTest.Result two = ChiSquareTest.homogeneity(new double[] {250, 250}, new double[] {200, 300});
        assertThat(two.statistic()).isCloseTo(10.1010101010101, within(1e-12));
        assertThat(two.pValue()).isCloseTo(0.0014818807747203882, within(1e-14));
        assertThat(ChiSquareTest.homogeneity(new double[] {5, 0}, new double[] {7, 0}))
                .isEqualTo(new ChiSquareTest.Result(0, 0, 1));
    }
}
