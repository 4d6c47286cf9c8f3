package dev.metastream.baselines;

/**
 * Running standardisation of dense features, as River's {@code preprocessing.StandardScaler}: per feature the
 * running mean and population variance by Welford's update (Welford, "Note on a method for calculating corrected sums
 * of squares and products", Technometrics 1962), and {@code (x - mean) / sd}, 0 where the variance is still 0. In a
 * pipeline the scaler learns an example before transforming it for the model's update, and transforms without
 * learning for a prediction.
 */
public final class RunningScaler {
    private double[] mean;
    private double[] var;
    private long n;

    /** Adds one example to the running statistics. */
    public void learn(float[] x) {
        if (mean == null) {
            mean = new double[x.length];
            var = new double[x.length];
        }
        check(x);
        n++;
        for (int j = 0; j < x.length; j++) {
            double old = mean[j];
            double m = old + (x[j] - old) / n;
            mean[j] = m;
            var[j] += ((x[j] - old) * (x[j] - m) - var[j]) / n;
        }
    }

    /** The standardised copy of {@code x} under the current statistics (all 0 before any example). */
    public double[] transform(float[] x) {
        double[] z = new double[x.length];
        if (mean == null) {
            return z;
        }
        check(x);
        for (int j = 0; j < x.length; j++) {
            z[j] = var[j] > 0 ? (x[j] - mean[j]) / Math.sqrt(var[j]) : 0;
        }
        return z;
    }

    /** Examples learned. */
    public long count() {
        return n;
    }

    /** The running mean of feature {@code j}. */
    public double mean(int j) {
        return mean == null ? 0 : mean[j];
    }

    /** The running population variance of feature {@code j}. */
    public double variance(int j) {
        return var == null ? 0 : var[j];
    }

    private void check(float[] x) {
        if (x.length != mean.length) {
            throw new IllegalArgumentException("x has " + x.length + " features, expected " + mean.length);
        }
    }
}
