package dev.metastream.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The online posterior against the batch one, and what its variance says. */
class BayesianLinearRegressionTest {
    private static final int N = 4;

    @Test
    void examplesOneAtATimeGiveTheBatchPosterior() {
        SplittableRandom r = new SplittableRandom(3);
        int d = N + 1;
        float[] mean = {0.1f, -0.2f, 0f, 0.3f, 0.5f};
        float[] prior = BayesianLinearRegression.isotropic(d, 0.7);
        prior[1] = prior[d] = 0.2f; // a correlated prior
        float[] cov = prior.clone();
        float[] mean0 = mean.clone();
        double noise = 0.25;
        int n = 12;
        double[][] phi = new double[n][d];
        double[] y = new double[n];
        for (int k = 0; k < n; k++) {
            float[] x = new float[N];
            for (int i = 0; i < N; i++) {
                x[i] = (float) r.nextGaussian();
                phi[k][i] = x[i];
            }
            phi[k][N] = 1;
            y[k] = 2 * x[0] - x[2] + 0.5 + 0.5 * r.nextGaussian();
            BayesianLinearRegression.learn(mean, cov, x, y[k], noise);
        }
        // Batch: precision A = S0^-1 + Phi'Phi / noise, mean = A^-1 (S0^-1 m0 + Phi'y / noise).
        double[][] s0inv = invert(toMatrix(prior, d));
        double[][] a = new double[d][d];
        double[] b = new double[d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                a[i][j] = s0inv[i][j];
                b[i] += s0inv[i][j] * mean0[j];
            }
        }
        for (int k = 0; k < n; k++) {
            for (int i = 0; i < d; i++) {
                b[i] += phi[k][i] * y[k] / noise;
                for (int j = 0; j < d; j++) {
                    a[i][j] += phi[k][i] * phi[k][j] / noise;
                }
            }
        }
        double[][] post = invert(a);
        for (int i = 0; i < d; i++) {
            double m = 0;
            for (int j = 0; j < d; j++) {
                m += post[i][j] * b[j];
                assertThat((double) cov[i * d + j]).as("cov[%d][%d]", i, j).isCloseTo(post[i][j], within(1e-4));
            }
            assertThat((double) mean[i]).as("mean[%d]", i).isCloseTo(m, within(1e-4));
        }
    }

    @Test
    void noiselessLinearDataIsFittedAndTheWeightsVarianceShrinks() {
        SplittableRandom r = new SplittableRandom(5);
        int d = N + 1;
        float[] mean = new float[d];
        float[] cov = BayesianLinearRegression.isotropic(d, 1.0);
        float[] probe = {0.3f, -1f, 0.7f, 0.2f};
        double before = BayesianLinearRegression.parameterVariance(cov, probe);
        for (int k = 0; k < 3 * d; k++) {
            float[] x = new float[N];
            for (int i = 0; i < N; i++) {
                x[i] = (float) r.nextGaussian();
            }
            BayesianLinearRegression.learn(mean, cov, x, truth(x), 1e-4);
        }
        assertThat(BayesianLinearRegression.predict(mean, probe)).isCloseTo(truth(probe), within(0.01));
        double after = BayesianLinearRegression.parameterVariance(cov, probe);
        assertThat(after).isPositive().isLessThan(before / 100);
    }

    @Test
    void aNonFiniteTargetChangesNothing() {
        float[] mean = {1f, 2f, 3f};
        float[] cov = BayesianLinearRegression.isotropic(3, 1.0);
        float[] m0 = mean.clone();
        float[] c0 = cov.clone();
        BayesianLinearRegression.learn(mean, cov, new float[] {1f, 1f}, Double.NaN, 0.1);
        assertThat(mean).containsExactly(m0);
        assertThat(cov).containsExactly(c0);
    }

    private static double truth(float[] x) {
        return 1.5 * x[0] - 0.5 * x[1] + 2 * x[3] - 1;
    }

    private static double[][] toMatrix(float[] a, int d) {
        double[][] m = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                m[i][j] = a[i * d + j];
            }
        }
        return m;
    }

    /** Gauss-Jordan with partial pivoting (the matrices here are small and well conditioned). */
    private static double[][] invert(double[][] m) {
        int d = m.length;
        double[][] a = new double[d][2 * d];
        for (int i = 0; i < d; i++) {
            System.arraycopy(m[i], 0, a[i], 0, d);
            a[i][d + i] = 1;
        }
        for (int c = 0; c < d; c++) {
            int p = c;
            for (int i = c + 1; i < d; i++) {
                if (Math.abs(a[i][c]) > Math.abs(a[p][c])) {
                    p = i;
                }
            }
            double[] t = a[c];
            a[c] = a[p];
            a[p] = t;
            double pivot = a[c][c];
            for (int j = 0; j < 2 * d; j++) {
                a[c][j] /= pivot;
            }
            for (int i = 0; i < d; i++) {
                if (i != c) {
                    double f = a[i][c];
                    for (int j = 0; j < 2 * d; j++) {
                        a[i][j] -= f * a[c][j];
                    }
                }
            }
        }
        double[][] inv = new double[d][d];
        for (int i = 0; i < d; i++) {
            System.arraycopy(a[i], d, inv[i], 0, d);
        }
        return inv;
    }
}
