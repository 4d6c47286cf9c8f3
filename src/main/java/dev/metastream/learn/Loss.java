package dev.metastream.learn;

/**
 * Per-example loss on raw outputs ("logits") {@code z} against a target {@code t} of the same
 * length. Values are computed in double and in numerically stable forms.
 */
public enum Loss {
    /** -sum_i t_i log softmax(z)_i, via log-sum-exp; {@code t} is normally one-hot. */
    SOFTMAX_CROSS_ENTROPY,
    /** sum_i [softplus(z_i) - t_i z_i], i.e. independent logistic losses per output. */
    SIGMOID_CROSS_ENTROPY,
    /** 0.5 * sum_i (z_i - t_i)^2. */
    SQUARED_ERROR;

    /** Loss value for one example. */
    public double value(float[] z, float[] t) {
        check(z, t);
        switch (this) {
            case SOFTMAX_CROSS_ENTROPY: {
                double lse = logSumExp(z);
                double s = 0;
                for (int i = 0; i < z.length; i++) {
                    // t_i * (lse - z_i); skipping zero targets avoids 0 * inf when lse is huge.
                    if (t[i] != 0f) {
                        s += t[i] * (lse - z[i]);
                    }
                }
                return s;
            }
            case SIGMOID_CROSS_ENTROPY: {
                double s = 0;
                for (int i = 0; i < z.length; i++) {
                    s += softplus(z[i]) - (double) t[i] * z[i];
                }
                return s;
            }
            case SQUARED_ERROR: {
                double s = 0;
                for (int i = 0; i < z.length; i++) {
                    double d = (double) z[i] - t[i];
                    s += d * d;
                }
                return 0.5 * s;
            }
            default:
                throw new AssertionError(this);
        }
    }

    /** Writes d value / d z into {@code dz} (may not alias {@code z} or {@code t}). */
    public void gradient(float[] z, float[] t, float[] dz) {
        check(z, t);
        if (dz.length != z.length) {
            throw new IllegalArgumentException("dz length " + dz.length + " != " + z.length);
        }
        switch (this) {
            case SOFTMAX_CROSS_ENTROPY: {
                double lse = logSumExp(z);
                double tSum = 0;
                for (float ti : t) {
                    tSum += ti;
                }
                // General form (sum t) * softmax - t, so non-normalised targets stay exact.
                for (int i = 0; i < z.length; i++) {
                    dz[i] = (float) (tSum * Math.exp(z[i] - lse) - t[i]);
                }
                return;
            }
            case SIGMOID_CROSS_ENTROPY:
                // Subtract in double: sigmoid(z) - 1 in float would lose all precision for
                // confident correct predictions.
                for (int i = 0; i < z.length; i++) {
                    dz[i] = (float) (sigmoidDouble(z[i]) - t[i]);
                }
                return;
            case SQUARED_ERROR:
                for (int i = 0; i < z.length; i++) {
                    dz[i] = z[i] - t[i];
                }
                return;
            default:
                throw new AssertionError(this);
        }
    }

    /** Maps raw outputs to predictions: softmax / sigmoid probabilities, or identity. */
    public void output(float[] z, float[] out) {
        if (out.length != z.length) {
            throw new IllegalArgumentException("out length " + out.length + " != " + z.length);
        }
        switch (this) {
            case SOFTMAX_CROSS_ENTROPY: {
                double lse = logSumExp(z);
                for (int i = 0; i < z.length; i++) {
                    out[i] = (float) Math.exp(z[i] - lse);
                }
                return;
            }
            case SIGMOID_CROSS_ENTROPY:
                for (int i = 0; i < z.length; i++) {
                    out[i] = Activation.sigmoid(z[i]);
                }
                return;
            case SQUARED_ERROR:
                System.arraycopy(z, 0, out, 0, z.length);
                return;
            default:
                throw new AssertionError(this);
        }
    }

    static double logSumExp(float[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : z) {
            max = Math.max(max, v);
        }
        if (max == Double.NEGATIVE_INFINITY || Double.isNaN(max)) {
            return max;
        }
        double s = 0;
        for (float v : z) {
            s += Math.exp(v - max);
        }
        return max + Math.log(s);
    }

    static double sigmoidDouble(double z) {
        if (z >= 0) {
            return 1.0 / (1.0 + Math.exp(-z));
        }
        double e = Math.exp(z);
        return e / (1.0 + e);
    }

    /** log(1 + e^x) without overflow. */
    static double softplus(double x) {
        return Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    private static void check(float[] z, float[] t) {
        if (z.length != t.length) {
            throw new IllegalArgumentException("output length " + z.length
                    + " != target length " + t.length);
        }
    }
}
