package dev.metastream.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RocAucTest extends StreamingMetricContract<RocAuc> {
    private static final double TOL = 1e-12;

    @Override
    protected RocAuc create() {
        return new RocAuc();
    }

    @Override
    protected void feed(RocAuc m, Random r) {
        int y = r.nextInt(2);
        m.update(y, Math.min(1, Math.max(0, 0.5 + 0.2 * (y - 0.5) + 0.25 * r.nextGaussian())));
    }

    /**
     * Positives {0.9, 0.6, 0.35}, negatives {0.6, 0.5, 0.1}; a pair counts 1 if the positive is higher, 1/2 if tied:
     * 0.9 beats all three (3); 0.6 beats 0.5 and 0.1 and ties 0.6 (2.5); 0.35 beats 0.1 (1). AUC = 6.5/9 = 13/18.
     */
    private static final int[] Y = {1, 0, 1, 0, 1, 0};
    private static final double[] S = {0.9, 0.6, 0.6, 0.5, 0.35, 0.1};

    @Test
    void exactByHand() {
        assertThat(RocAuc.exact(Y, S, 6)).isCloseTo(13.0 / 18, within(TOL));
        // The first four: positives {0.9, 0.6}, negatives {0.6, 0.5}: (2 + 1.5)/4 = 7/8.
        assertThat(RocAuc.exact(Y, S, 4)).isCloseTo(7.0 / 8, within(TOL));
        assertThat(RocAuc.exact(Y, S, 1)).isNaN();
    }

    /**
     * 1000 bins: only the two 0.6 scores share a bin and they are a true tie, so the histogram is exact, and the bound
     * is 1·1/(2·9) = 1/18. Two bins [0, .5) and [.5, 1]: bin 0 holds positive 0.35 and negative 0.1, bin 1 positives
     * {0.9, 0.6} and negatives {0.6, 0.5}: AUC ≈ (1·(0 + 1/2) + 2·(1 + 2/2))/9 = 4.5/9 = 1/2, bound (1·1 + 2·2)/18 =
     * 5/18, and indeed |1/2 − 13/18| = 4/18 ≤ 5/18.
     */
    @Test
    void histogramByHandAndWithinItsBound() {
        RocAuc fine = new RocAuc();
        RocAuc coarse = new RocAuc(2, 0, 1);
        for (int i = 0; i < 6; i++) {
            fine.update(Y[i], S[i]);
            coarse.update(Y[i], S[i]);
        }
        assertThat(fine.value()).isCloseTo(13.0 / 18, within(TOL));
        assertThat(fine.errorBound()).isCloseTo(1.0 / 18, within(TOL));
        assertThat(coarse.value()).isCloseTo(0.5, within(TOL));
        assertThat(coarse.errorBound()).isCloseTo(5.0 / 18, within(TOL));
        assertThat(Math.abs(coarse.value() - 13.0 / 18)).isLessThanOrEqualTo(coarse.errorBound());
    }

    @Test
    void histogramStaysWithinItsBoundOnRandomScores() {
        Random r = new Random(42);
        for (int bins : new int[] {4, 50, 1000}) {
            RocAuc auc = new RocAuc(bins, -3, 3);
            int n = 2000;
            int[] y = new int[n];
            double[] s = new double[n];
            for (int i = 0; i < n; i++) {
                y[i] = r.nextInt(2);
                s[i] = r.nextGaussian() + 0.8 * y[i]; // some beyond ±3: clamped into the end bins
                auc.update(y[i], s[i]);
            }
            double exact = RocAuc.exact(y, s, n);
            assertThat(Math.abs(auc.value() - exact)).as("%d bins", bins).isLessThanOrEqualTo(auc.errorBound() + TOL);
            assertThat(exact).isCloseTo(bruteForce(y, s), within(TOL));
        }
    }

    private static double bruteForce(int[] y, double[] s) {
        double wins = 0;
        long pairs = 0;
        for (int i = 0; i < y.length; i++) {
            for (int j = 0; j < y.length; j++) {
                if (y[i] == 1 && y[j] == 0) {
                    pairs++;
                    wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
                }
            }
        }
        return wins / pairs;
    }

    @Test
    void undefinedWithOneClassAndRejectsBadInput() {
        RocAuc auc = new RocAuc();
        auc.update(1, 0.3);
        assertThat(auc.value()).isNaN();
        assertThatThrownBy(() -> auc.update(2, 0.3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> auc.update(1, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RocAuc(0, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RocAuc(10, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
