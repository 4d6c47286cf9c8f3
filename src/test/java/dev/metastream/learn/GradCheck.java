package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.function.ToDoubleFunction;

/**
 * Finite-difference helpers for the gradient tests.
 *
 * <p>How the check is done: the analytic gradient is the production float code evaluated at
 * float parameters. The numeric reference is a central difference of a <em>double-precision
 * re-implementation</em> of the same function (written in the test), evaluated at those float
 * values widened to double and perturbed in double. So the finite difference carries no float
 * rounding noise and the 1e-4 relative-error bound measures only the analytic code.
 */
final class GradCheck {
    static final double MAX_REL_ERR = 1e-4;

    private GradCheck() {
    }

    /** Relative error |a-n| / max(|a|, |n|); both (near) zero counts as agreement. */
    static double relErr(double analytic, double numeric) {
        double denom = Math.max(Math.abs(analytic), Math.abs(numeric));
        if (denom < 1e-10) {
            return 0;
        }
        return Math.abs(analytic - numeric) / denom;
    }

    /** Central difference of f at x along coordinate i, step scaled to |x_i|. */
    static double central(ToDoubleFunction<double[]> f, double[] x, int i) {
        double h = 1e-6 * Math.max(1.0, Math.abs(x[i]));
        double old = x[i];
        x[i] = old + h;
        double up = f.applyAsDouble(x);
        x[i] = old - h;
        double down = f.applyAsDouble(x);
        x[i] = old;
        return (up - down) / (2 * h);
    }

    /** Asserts every coordinate of {@code analytic} matches the double finite difference. */
    static double check(String what, float[] analytic, ToDoubleFunction<double[]> f, float[] at) {
        double[] x = widen(at);
        double worst = 0;
        for (int i = 0; i < analytic.length; i++) {
            double num = central(f, x, i);
            double err = relErr(analytic[i], num);
            worst = Math.max(worst, err);
            assertThat(err).as("%s: component %d analytic %s numeric %s", what, i, analytic[i], num)
                    .isLessThan(MAX_REL_ERR);
        }
        return worst;
    }

    static double[] widen(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    static float[] gaussian(Random rnd, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rnd.nextGaussian() * scale);
        }
        return a;
    }

    /** Double-precision activation, the reference for {@link Activation#apply}. */
    static double act(Activation a, double z) {
        switch (a) {
            case IDENTITY:
                return z;
            case RELU:
                return Math.max(0, z);
            case TANH:
                return Math.tanh(z);
            case SIGMOID:
                return 1 / (1 + Math.exp(-z));
            default:
                throw new AssertionError(a);
        }
    }

    /** Double-precision loss, the reference for {@link Loss#value}. */
    static double loss(Loss loss, double[] z, float[] t) {
        double s = 0;
        switch (loss) {
            case SOFTMAX_CROSS_ENTROPY: {
                double max = Double.NEGATIVE_INFINITY;
                for (double v : z) {
                    max = Math.max(max, v);
                }
                double e = 0;
                for (double v : z) {
                    e += Math.exp(v - max);
                }
                double lse = max + Math.log(e);
                for (int i = 0; i < z.length; i++) {
                    s += t[i] * (lse - z[i]);
                }
                return s;
            }
            case SIGMOID_CROSS_ENTROPY:
                for (int i = 0; i < z.length; i++) {
                    s += Math.max(z[i], 0) + Math.log1p(Math.exp(-Math.abs(z[i]))) - t[i] * z[i];
                }
                return s;
            case SQUARED_ERROR:
                for (int i = 0; i < z.length; i++) {
                    s += 0.5 * (z[i] - t[i]) * (z[i] - t[i]);
                }
                return s;
            default:
                throw new AssertionError(loss);
        }
    }
}
