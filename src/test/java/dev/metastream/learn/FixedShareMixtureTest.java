package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** FixedShareMixture: weights follow the lower loss, keep the share floor and sum 1, combine averages, and switch fast. */
class FixedShareMixtureTest {
    private static final double ALPHA = 0.001;

    private static double sum(double[] w) {
        double s = 0;
        for (double v : w) {
            s += v;
        }
        return s;
    }

    @Test
    void initialWeightsAreEqual() {
        assertThat(FixedShareMixture.initial(4)).containsExactly(0.25, 0.25, 0.25, 0.25);
    }

    @Test
    void weightsMoveTowardTheExpertWithFewerLosses() {
        double[] w = FixedShareMixture.initial(3);
        FixedShareMixture.update(w, new double[] {0, 1, 1}, ALPHA);
        assertThat(w[0]).isGreaterThan(1.0 / 3);
        assertThat(w[1]).isLessThan(1.0 / 3);
        assertThat(w[2]).isEqualTo(w[1], within(1e-15));
        // Expert 1 loses half as often as expert 2, expert 0 never: the order of the weights follows the losses.
        double[] v = FixedShareMixture.initial(3);
        for (int t = 0; t < 20; t++) {
            FixedShareMixture.update(v, new double[] {0, t % 2, 1}, ALPHA);
        }
        assertThat(v[0]).isGreaterThan(v[1]);
        assertThat(v[1]).isGreaterThan(v[2]);
        assertThat(v[0]).isGreaterThan(0.99);
    }

    @Test
    void everyWeightStaysAboveTheShareFloorAndTheWeightsSumToOne() {
        int k = 3;
        double[] w = FixedShareMixture.initial(k);
        SplittableRandom r = new SplittableRandom(7);
        for (int t = 0; t < 10_000; t++) {
            double[] losses = new double[k];
            for (int j = 0; j < k; j++) {
                // Mostly 0/1 errors, sometimes a huge loss, and one expert that is always wrong.
                losses[j] = j == 2 ? 1 : r.nextInt(10) == 0 ? 1e6 * r.nextDouble() : r.nextInt(2);
            }
            FixedShareMixture.update(w, losses, ALPHA);
            assertThat(sum(w)).isCloseTo(1.0, within(1e-12));
            for (double v : w) {
                assertThat(v).isGreaterThanOrEqualTo(ALPHA / k - 1e-15);
            }
        }
    }

    @Test
    void combineIsTheWeightedMean() {
        double[] w = {0.2, 0.3, 0.5};
        float[] a = {1f, 0f, 2f};
        float[] b = {0f, 1f, -2f};
        float[] c = {0.5f, 0.5f, 4f};
        float[] y = FixedShareMixture.combine(w, a, b, c);
        assertThat(y).hasSize(3);
        assertThat(y[0]).isCloseTo(0.2f + 0.25f, within(1e-6f));
        assertThat(y[1]).isCloseTo(0.3f + 0.25f, within(1e-6f));
        assertThat(y[2]).isCloseTo(0.4f - 0.6f + 2f, within(1e-6f));
        // Weights (1, 0, 0) give the first expert's output.
        assertThat(FixedShareMixture.combine(new double[] {1, 0, 0}, a, b, c)).containsExactly(a);
    }

    @Test
    void aNonFiniteLossNeverMakesTheWeightsNaN() {
        double[] w = FixedShareMixture.initial(3);
        FixedShareMixture.update(w, new double[] {Double.NaN, 0.5, Double.POSITIVE_INFINITY}, ALPHA);
        for (double v : w) {
            assertThat(v).isFinite().isGreaterThanOrEqualTo(ALPHA / 3);
        }
        assertThat(sum(w)).isCloseTo(1.0, within(1e-12));
        assertThat(w[1]).as("the finite loss wins").isGreaterThan(w[0]).isGreaterThan(w[2]);

        double[] before = w.clone();
        FixedShareMixture.update(w, new double[] {Double.NaN, Double.NEGATIVE_INFINITY, Double.NaN}, ALPHA);
        assertThat(w).as("no finite loss: nothing to learn").containsExactly(before);

        for (int t = 0; t < 1000; t++) {
            FixedShareMixture.update(w, new double[] {t % 3 == 0 ? Double.NaN : 1e300, 0, Double.NEGATIVE_INFINITY},
                    0);
        }
        for (double v : w) {
            assertThat(v).isNotNaN().isFinite().isBetween(0.0, 1.0);
        }
        assertThat(sum(w)).isCloseTo(1.0, within(1e-12));
    }

    /**
     * Expert A is right and B wrong for 1000 examples, then the other way round: with share alpha, B's weight sits at
     * about alpha/K and its ratio to A's grows by e per example, so B has the majority after about
     * ln(K/alpha) examples; with share 0 it would need about as many examples as A led for.
     */
    @Test
    void aFormerLoserRegainsTheMajorityWithinAboutLnOneOverShareSteps() {
        int k = 3;
        int withShare = stepsToRegainMajority(k, ALPHA, 1000);
        double bound = Math.log(1 / ALPHA) + Math.log(k) + 2;
        assertThat(withShare).as("steps with share %s (bound %.1f)", ALPHA, bound).isPositive()
                .isLessThanOrEqualTo((int) Math.ceil(bound));
        int withoutShare = stepsToRegainMajority(k, 0, 1000);
        assertThat(withoutShare).as("steps with share 0").isGreaterThan(500);
    }

    /** Steps (1-based) after the switch until B's weight exceeds 1/2, or Integer.MAX_VALUE if not within 2000. */
    private static int stepsToRegainMajority(int k, double share, int lead) {
        double[] w = FixedShareMixture.initial(k);
        double[] aBest = new double[k];
        java.util.Arrays.fill(aBest, 1);
        aBest[0] = 0;
        for (int t = 0; t < lead; t++) {
            FixedShareMixture.update(w, aBest, share);
        }
        assertThat(w[0]).isGreaterThan(0.99);
        double[] bBest = new double[k];
        java.util.Arrays.fill(bBest, 1);
        bBest[1] = 0;
        for (int t = 1; t <= 2000; t++) {
            FixedShareMixture.update(w, bBest, share);
            if (w[1] > 0.5) {
                return t;
            }
        }
        return Integer.MAX_VALUE;
    }
}
