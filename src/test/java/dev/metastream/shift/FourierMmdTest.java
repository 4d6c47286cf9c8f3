package dev.metastream.shift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random Fourier features and the calibration of the MMD statistic's threshold. */
class FourierMmdTest {

    @Test
    void weightsAreStandardNormalAndSeeded() {
        double sum = 0;
        double sq = 0;
        int n = 0;
        for (int k = 0; k < 64; k++) {
            for (int j = 0; j < 1000; j++) {
                double w = FourierMmd.weight(7, k, j);
                sum += w;
                sq += w * w;
                n++;
            }
        }
        assertThat(sum / n).isCloseTo(0, within(0.02));
        assertThat(sq / n).isCloseTo(1, within(0.03));
        assertThat(FourierMmd.weight(7, 3, 5)).isEqualTo(FourierMmd.weight(7, 3, 5));
        int same = 0;
        for (int j = 0; j < 100; j++) {
            same += FourierMmd.weight(7, 0, j) == FourierMmd.weight(8, 0, j) ? 1 : 0;
        }
        assertThat(same).isLessThan(5);
        for (int k = 0; k < 100; k++) {
            assertThat(FourierMmd.phase(7, k)).isBetween(0.0, 2 * Math.PI);
        }
    }

    @Test
    void weightTableProjectsBitForBitAsTheHashedWeights() {
        Random r = new Random(3);
        for (int[] shape : new int[][] {{32, 100}, {7, 13}, {1, 1}, {256, 5}}) {
            int dim = shape[0];
            int inputs = shape[1];
            double[][] table = FourierMmd.weights(11, dim, inputs);
            assertThat(FourierMmd.weights(11, dim, inputs)).isSameAs(table);
            for (int j = 0; j < inputs; j++) {
                for (int k = 0; k < dim; k++) {
                    assertThat(table[j][k]).isEqualTo(FourierMmd.weight(11, k, j));
                }
            }
            float[] scale = new float[inputs];
            double[] offset = new double[dim];
            for (int j = 0; j < inputs; j++) {
                scale[j] = j % 7 == 3 ? 0f : (float) (0.1 + r.nextDouble());
            }
            for (int k = 0; k < dim; k++) {
                offset[k] = r.nextGaussian();
            }
            double[] hashed = new double[dim];
            double[] tabled = new double[dim];
            for (int row = 0; row < 200; row++) {
                float[] x = new float[inputs];
                for (int j = 0; j < inputs; j++) {
                    double u = r.nextDouble();
                    // zeros, missing and infinite values are skipped: any count of kept inputs, not only multiples of 4
                    x[j] = u < 0.2 ? 0f : u < 0.25 ? Float.NaN : u < 0.27 ? Float.POSITIVE_INFINITY
                            : (float) (r.nextGaussian() * 3);
                }
                FourierMmd.project(x, scale, offset, 11, hashed);
                FourierMmd.project(x, scale, offset, table, tabled);
                for (int k = 0; k < dim; k++) {
                    assertThat(Double.doubleToRawLongBits(tabled[k])).isEqualTo(Double.doubleToRawLongBits(hashed[k]));
                }
            }
        }
        assertThat(FourierMmd.weights(11, 256, FourierMmd.MAX_TABLE_WEIGHTS / 256 + 1)).isNull();
    }

    @Test
    void projectionReadingOnlyNonZerosEqualsTheStandardisedFormula() {
        double[] mean = {0.5, -2, 0, 10};
        double[] std = {0.3, 1.5, 0, 4}; // the third input is constant: left out
        double sigma = Math.sqrt(2 * 3);
        float[] scale = new float[4];
        double[] offset = new double[16];
        FourierMmd.frame(mean, std, sigma, 42, scale, offset);
        float[] x = {0.7f, 0f, 3f, 0f};
        double[] z = new double[16];
        FourierMmd.project(x, scale, offset, 42, z);
        for (int k = 0; k < 16; k++) {
            double a = FourierMmd.phase(42, k);
            for (int j = 0; j < 4; j++) {
                if (std[j] > 0) {
                    a += FourierMmd.weight(42, k, j) * (x[j] - mean[j]) / std[j] / sigma;
                }
            }
            assertThat(z[k]).isCloseTo(Math.cos(a), within(1e-6));
        }
    }

    @Test
    void cosinesAgreeWithMathCosWherePhasesFallAndBeyond() {
        Random r = new Random(5);
        double[] args = new double[4096];
        for (int i = 0; i < args.length; i++) {
            args[i] = switch (i % 4) {
                case 0 -> r.nextGaussian() * 10; // where a projection's phase falls
                case 1 -> (r.nextInt(2001) - 1000) * Math.PI / 2 + r.nextGaussian() * 1e-9; // near the zeros and peaks
                case 2 -> (r.nextDouble() * 2 - 1) * FourierMmd.COSINE_REDUCTION_LIMIT;
                default -> Math.scalb(r.nextDouble(), -r.nextInt(60)); // tiny
            };
        }
        double[] fast = args.clone();
        FourierMmd.cosines(fast);
        for (int i = 0; i < args.length; i++) {
            assertThat(fast[i]).as("cos(%s)", args[i]).isCloseTo(Math.cos(args[i]), within(2e-15));
            assertThat(Math.abs(fast[i])).isLessThanOrEqualTo(1);
        }
        assertThat(fastCosines(0, -0.0, Math.PI)).containsExactly(1, 1, -1);
        assertThat(fastCosines(-Math.PI / 2)[0]).isCloseTo(0, within(1e-16));

        // An argument beyond the reduction, or not a number, sends the whole array to Math.cos.
        double[] beyond = {0.5, 3 * FourierMmd.COSINE_REDUCTION_LIMIT, 1e300, -2.5};
        assertThat(fastCosines(beyond)).containsExactly(Math.cos(0.5), Math.cos(3 * FourierMmd.COSINE_REDUCTION_LIMIT),
                Math.cos(1e300), Math.cos(-2.5));
        double[] odd = fastCosines(1, Double.NaN, Double.POSITIVE_INFINITY);
        assertThat(odd[0]).isEqualTo(Math.cos(1));
        assertThat(odd[1]).isNaN();
        assertThat(odd[2]).isNaN();
    }

    private static double[] fastCosines(double... a) {
        double[] out = a.clone();
        FourierMmd.cosines(out);
        return out;
    }

    @Test
    void thresholdOfKnownCorrelations() {
        // Uncorrelated features: T is chi-square with D degrees of freedom.
        int d = 5;
        double[] identity = new double[d * (d + 1) / 2];
        for (int i = 0; i < d; i++) {
            identity[i * (i + 1) / 2 + i] = 2.0; // variances do not matter, correlations do
        }
        assertThat(FourierMmd.threshold(identity, d, 0.001))
                .isCloseTo(Distributions.chiSquareQuantile(0.999, d), within(1e-9));
        // Two identical features: T = 2·chi²_1.
        double[] twins = {1, 1, 1};
        assertThat(FourierMmd.threshold(twins, 2, 0.01)).isCloseTo(2 * Distributions.chiSquareQuantile(0.99, 1), within(1e-9));
        // A feature of zero variance is left out.
        double[] withConstant = {1, 0, 0};
        assertThat(FourierMmd.threshold(withConstant, 2, 0.01)).isCloseTo(Distributions.chiSquareQuantile(0.99, 1), within(1e-9));
        assertThat(FourierMmd.threshold(new double[] {0}, 1, 0.01)).isNaN();
    }

    @Test
    void falseAlarmRateIsNearNominalWhereChiSquareWithDDegreesIsFarAbove() {
        // One standard normal input (the most correlated features), D = 32, a 436-example
        // reference and a 500-example window per trial, alpha = 0.01. Measured over 20,000 trials
        // at alpha = 0.001: 0.0011 with this threshold, 0.14 with chi2_32's.
        int dim = 32;
        int trials = 1500;
        int above = 0;
        int aboveChi2 = 0;
        Random r = new Random(1);
        double chi2 = Distributions.chiSquareQuantile(0.99, dim);
        for (int t = 0; t < trials; t++) {
            float[] scale = new float[1];
            double[] offset = new double[dim];
            FourierMmd.frame(new double[] {0}, new double[] {1}, Math.sqrt(2), t, scale, offset);
            double[] z = new double[dim];
            double[] refSum = new double[dim];
            double[] curSum = new double[dim];
            double[] products = new double[dim * (dim + 1) / 2];
            int n = 436;
            int m = 500;
            for (int i = 0; i < n + m; i++) {
                FourierMmd.project(new float[] {(float) r.nextGaussian()}, scale, offset, t, z);
                for (int k = 0; k < dim; k++) {
                    if (i < n) {
                        refSum[k] += z[k];
                        for (int l = 0; l <= k; l++) {
                            products[k * (k + 1) / 2 + l] += z[k] * z[l];
                        }
                    } else {
                        curSum[k] += z[k];
                    }
                }
            }
            double[] refMean = new double[dim];
            double[] curMean = new double[dim];
            double[] variance = new double[dim];
            for (int k = 0; k < dim; k++) {
                refMean[k] = refSum[k] / n;
                curMean[k] = curSum[k] / m;
            }
            for (int k = 0; k < dim; k++) {
                for (int l = 0; l <= k; l++) {
                    products[k * (k + 1) / 2 + l] = (products[k * (k + 1) / 2 + l] - n * refMean[k] * refMean[l]) / (n - 1);
                }
                variance[k] = products[k * (k + 1) / 2 + k];
            }
            double stat = FourierMmd.statistic(refMean, curMean, variance, n, m);
            above += stat > FourierMmd.threshold(products, dim, 0.01) ? 1 : 0;
            aboveChi2 += stat > chi2 ? 1 : 0;
        }
        assertThat((double) above / trials).isBetween(0.003, 0.02);
        assertThat((double) aboveChi2 / trials).isGreaterThan(0.1);
    }
}
