package dev.metastream.learn;

/**
 * Causal online scaling of one task's dense inputs, so raw scales (a pressure near 1019, a price up to 300) neither
 * saturate the trunk nor dominate the head.
 *
 * <p>Per feature it keeps Welford's running mean and variance (Welford 1962; the same estimator as River's
 * {@code preprocessing.StandardScaler}) and how many of its values were other than 0 and +-1. A numeric feature is
 * standardised, {@code (x - mean) / std}, and clipped to {@code +-CLIP} so one outlier cannot blow a step up; an
 * <em>indicator</em> (every value seen is 0 or +-1: one-hot and hashed categorical features) passes unchanged, which
 * keeps it sparse and keeps a rare category from being blown up to {@code 1/sqrt(p)}. Statistics are updated with
 * labelled examples only, after they are scored, so a prediction never uses the example it predicts.
 *
 * <pre>{@code
 * InputScaler s = InputScaler.create(3);
 * float[] out = new float[3];
 * s.transform(x, out);   // scale with what was seen before x
 * s.learn(x);            // then learn x
 * }</pre>
 */
public final class InputScaler {
    /** Standardised values are clipped to this magnitude. */
    static final float CLIP = 5f;
    private static final double MIN_VARIANCE = 1e-12;

    long count;
    final double[] mean;
    final double[] m2;
    /** Per feature, how many values were other than 0 and +-1 (none: an indicator, passed unchanged). */
    final long[] numeric;

    private InputScaler(long count, double[] mean, double[] m2, long[] numeric) {
        this.count = count;
        this.mean = mean;
        this.m2 = m2;
        this.numeric = numeric;
    }

    /** A scaler over {@code dim} features that has seen nothing. */
    public static InputScaler create(int dim) {
        return new InputScaler(0, new double[dim], new double[dim], new long[dim]);
    }

    /** Number of features. */
    public int dim() {
        return mean.length;
    }

    /** Examples learned. */
    public long count() {
        return count;
    }

    /** Writes the scaled {@code x} into {@code out} (both of length {@link #dim()}). */
    public void transform(float[] x, float[] out) {
        for (int i = 0; i < x.length; i++) {
            out[i] = scale(i, x[i]);
        }
    }

    private float scale(int i, float v) {
        if (numeric[i] == 0 && (v == 0f || v == 1f || v == -1f)) {
            return v;
        }
        double var = count == 0 ? 0 : m2[i] / count;
        if (var < MIN_VARIANCE) {
            return 0f; // nothing seen yet, or a constant: no scale to trust
        }
        double z = (v - mean[i]) / Math.sqrt(var);
        return (float) Math.max(-CLIP, Math.min(CLIP, z));
    }

    /** Adds {@code x} to the statistics. */
    public void learn(float[] x) {
        count++;
        for (int i = 0; i < x.length; i++) {
            float v = x[i];
            double d = v - mean[i];
            mean[i] += d / count;
            m2[i] += d * (v - mean[i]);
            if (v != 0f && v != 1f && v != -1f) {
                numeric[i]++;
            }
        }
    }

    /** The running mean of each feature (for snapshots and export). */
    public double[] mean() {
        return mean.clone();
    }

    /** The running (population) standard deviation of each feature. */
    public double[] std() {
        double[] s = new double[mean.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = count == 0 ? 0 : Math.sqrt(m2[i] / count);
        }
        return s;
    }

    void write(Codec.Writer w) {
        w.i64(count).doubles(mean).doubles(m2).longs(numeric);
    }

    static InputScaler read(Codec.Reader r) {
        return new InputScaler(r.i64(), r.doubles(), r.doubles(), r.longs());
    }

    InputScaler copy() {
        return new InputScaler(count, mean.clone(), m2.clone(), numeric.clone());
    }
}
