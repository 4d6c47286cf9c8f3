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
 * <p>Zeros are folded in lazily, so learning an example costs its non-zero features, not {@code input.dim}: a
 * feature's mean and M2 cover the first {@code seen} examples, and the zeros since are merged in (Chan, Golub and
 * LeVeque 1979, a batch of {@code k} zeros) when its next non-zero value arrives, or on the fly when it is read.
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
    /** Per feature, how many of the {@code count} examples {@code mean} and {@code m2} cover; the rest were zeros. */
    final long[] seen;
    /**
     * Every input learned since {@link #create}, in order, while they are fewer bytes than the statistics they make
     * (at most {@link #INPUTS_KEPT}); null after, or for a scaler read from its statistics. See {@link #writeInputs}.
     */
    private float[][] inputs;
    /** Inputs a young scaler keeps: three examples' floats are fewer bytes than a mean and an M2 per feature. */
    static final int INPUTS_KEPT = 3;
    /**
     * Each feature's mean and standard deviation (-1 below {@link #MIN_VARIANCE}) as of {@link #scalesAt}
     * examples, made at the first {@link #transform} after a {@link #learn}: a micro-batch scales its replayed samples
     * (two per example by default) with one scaler between two learns, and each took a division and a square root per
     * feature again. Null until first used; not part of the state.
     */
    private double[] scaleMean;
    private double[] scaleSd;
    private long scalesAt = -1;

    private InputScaler(long count, double[] mean, double[] m2, long[] numeric, long[] seen) {
        this.count = count;
        this.mean = mean;
        this.m2 = m2;
        this.numeric = numeric;
        this.seen = seen;
    }

    /** A scaler over {@code dim} features that has seen nothing. */
    public static InputScaler create(int dim) {
        InputScaler s = new InputScaler(0, new double[dim], new double[dim], new long[dim], new long[dim]);
        s.inputs = new float[0][];
        return s;
    }

    /** Feature {@code i}'s running mean over every example learned, zeros included. */
    double mean(int i) {
        long n = seen[i];
        return n == count ? mean[i] : mean[i] * n / count;
    }

    /** Feature {@code i}'s running sum of squared deviations (Welford's M2) over every example learned. */
    double m2(int i) {
        long n = seen[i];
        return n == count ? m2[i] : m2[i] + mean[i] * mean[i] * ((double) n * (count - n) / count);
    }

    /** Feature {@code i}'s running (population) variance, 0 before the first example. */
    double variance(int i) {
        return count == 0 ? 0 : m2(i) / count;
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
        if (scalesAt != count) {
            if (scaleMean == null) {
                scaleMean = new double[mean.length];
                scaleSd = new double[mean.length];
            }
            for (int i = 0; i < mean.length; i++) {
                double var = variance(i);
                scaleMean[i] = mean(i);
                scaleSd[i] = var < MIN_VARIANCE ? -1 : Math.sqrt(var);
            }
            scalesAt = count;
        }
        for (int i = 0; i < x.length; i++) {
            float v = x[i];
            if (numeric[i] == 0 && isIndicatorValue(v)) {
                out[i] = v;
                continue;
            }
            // standardise(v, mean, variance) with the root taken once per learn.
            double sd = scaleSd[i];
            out[i] = sd < 0 ? 0f : clip((v - scaleMean[i]) / sd);
        }
    }

    private static boolean isIndicatorValue(float v) {
        return v == 0f || v == 1f || v == -1f;
    }

    private static float standardise(float v, double mean, double var) {
        if (var < MIN_VARIANCE) {
            return 0f; // nothing seen yet, or a constant: no scale to trust
        }
        return clip((v - mean) / Math.sqrt(var));
    }

    private static float clip(double z) {
        return (float) Math.max(-CLIP, Math.min(CLIP, z));
    }

    /**
     * Scales {@code x} with a task's statistics pooled with a prior scaler's (the partition's), as if the prior's
     * mean and variance had been seen {@code priorWeight} times: a task's first examples are scaled like the
     * partition's, and its own statistics take over as it sees more (the same shrinkage as a regression task's
     * centre). {@code task} may be null (a task that has seen nothing).
     */
    public static void transformPooled(InputScaler task, InputScaler prior, double priorWeight, float[] x,
                                       float[] out) {
        double a = task == null ? 0 : task.count;
        double b = prior.count == 0 ? 0 : priorWeight;
        for (int i = 0; i < x.length; i++) {
            float v = x[i];
            boolean numericSeen = prior.numeric[i] > 0 || (task != null && task.numeric[i] > 0);
            if (!numericSeen && isIndicatorValue(v)) {
                out[i] = v;
                continue;
            }
            if (a + b == 0) {
                out[i] = 0f;
                continue;
            }
            double mt = task == null ? 0 : task.mean(i);
            double vt = a == 0 ? 0 : task.variance(i);
            double ms = prior.mean(i);
            double vs = prior.variance(i);
            double m = (a * mt + b * ms) / (a + b);
            double var = (a * (vt + (mt - m) * (mt - m)) + b * (vs + (ms - m) * (ms - m))) / (a + b);
            out[i] = standardise(v, m, var);
        }
    }

    /** Adds {@code x} to the statistics; its zeros are folded in lazily (see the class comment). */
    public void learn(float[] x) {
        if (inputs != null) {
            inputs = count < INPUTS_KEPT && x.length == mean.length ? append(inputs, x.clone()) : null;
        }
        count++;
        for (int i = 0; i < x.length; i++) {
            float v = x[i];
            if (v == 0f) {
                continue;
            }
            long n = seen[i];
            long zeros = count - 1 - n;
            if (zeros > 0) {
                // Merge a batch of `zeros` zeros (mean 0, M2 0) into the n values seen.
                double merged = n + zeros;
                m2[i] += mean[i] * mean[i] * (n * (double) zeros / merged);
                mean[i] *= n / merged;
            }
            seen[i] = count;
            double d = v - mean[i];
            mean[i] += d / count;
            m2[i] += d * (v - mean[i]);
            if (v != 1f && v != -1f) {
                numeric[i]++;
            }
        }
    }

    /** The running mean of each feature (for snapshots and export). */
    public double[] mean() {
        double[] m = new double[mean.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = count == 0 ? 0 : mean(i);
        }
        return m;
    }

    /** The running (population) standard deviation of each feature. */
    public double[] std() {
        double[] s = new double[mean.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = Math.sqrt(variance(i));
        }
        return s;
    }

    /** An upper bound of the bytes {@link #writeCompact} (and {@link #write}) takes, to presize an encoding buffer. */
    int encodedSizeBound() {
        return 8 + 4 * 4 + 2 + 8 * (mean.length + m2.length + numeric.length + seen.length);
    }

    /** The first encoding (field {@code scaler}): every per-feature count in full. Read by {@link #read}. */
    void write(Codec.Writer w) {
        w.i64(count).doubles(mean).doubles(m2).longs(numeric).longs(seen);
    }

    /**
     * The encoding a state is written with (field {@code input.scaler}, read by {@link #readCompact}): as
     * {@link #write}, but a per-feature count array that is one value throughout (every feature numeric and seen in
     * every example, the dense case; or no feature numeric) is written as that case's tag alone. Dense inputs then
     * take half the bytes: a task's state is rewritten after every micro-batch it is in, so its size is what the
     * store, its compactions and the changelog pay for each example.
     */
    void writeCompact(Codec.Writer w) {
        w.i64(count).doubles(mean).doubles(m2);
        writeCounts(w, numeric);
        writeCounts(w, seen);
    }

    private static final int COUNTS_ALL_COUNT = 0;
    private static final int COUNTS_ALL_ZERO = 1;
    private static final int COUNTS_LISTED = 2;

    private void writeCounts(Codec.Writer w, long[] counts) {
        if (allEqual(counts, count)) {
            w.i8(COUNTS_ALL_COUNT);
        } else if (allEqual(counts, 0)) {
            w.i8(COUNTS_ALL_ZERO);
        } else {
            w.i8(COUNTS_LISTED).longs(counts);
        }
    }

    private static boolean allEqual(long[] a, long v) {
        for (long x : a) {
            if (x != v) {
                return false;
            }
        }
        return true;
    }

    private static long[] readCounts(Codec.Reader r, long count, int dim) {
        int tag = r.i8();
        return switch (tag) {
            case COUNTS_ALL_COUNT -> filled(dim, count);
            case COUNTS_ALL_ZERO -> new long[dim];
            case COUNTS_LISTED -> r.longs();
            default -> throw new IllegalArgumentException("unknown input scaler count tag " + tag);
        };
    }

    private static long[] filled(int dim, long v) {
        long[] a = new long[dim];
        java.util.Arrays.fill(a, v);
        return a;
    }

    private static float[][] append(float[][] a, float[] x) {
        float[][] b = java.util.Arrays.copyOf(a, a.length + 1);
        b[a.length] = x;
        return b;
    }

    /** Whether this scaler still holds every input it learned, so {@link #writeInputs} can write it. */
    boolean keepsInputs() {
        return inputs != null;
    }

    /**
     * A young scaler's encoding (field {@code input.scaler.inputs}, read by {@link #readInputs}): the inputs it
     * learned, which {@link #learn} turns into the same statistics bit for bit when replayed in order. A task's
     * first examples are most of the tasks a store holds when tasks are many and short (the users of a recommender,
     * the million-task benchmark), and one dense example is 400 bytes where a mean and an M2 per feature are 1,600
     * on the bench workload.
     */
    void writeInputs(Codec.Writer w) {
        w.i32(mean.length).i32(inputs.length);
        for (float[] x : inputs) {
            w.floats(x);
        }
    }

    /** Reads what {@link #writeInputs} wrote: a new scaler that learns the inputs again. */
    static InputScaler readInputs(Codec.Reader r) {
        int dim = r.i32();
        int n = r.i32();
        if (dim < 0 || n < 0 || n > INPUTS_KEPT) {
            throw new IllegalArgumentException("input scaler of " + dim + " features with " + n + " inputs kept");
        }
        InputScaler s = create(dim);
        for (int k = 0; k < n; k++) {
            float[] x = r.floats();
            if (x == null || x.length != dim) {
                throw new IllegalArgumentException("input scaler of " + dim + " features kept an input of "
                        + (x == null ? "null" : x.length));
            }
            s.learn(x);
        }
        return s;
    }

    /** Reads what {@link #writeCompact} wrote. */
    static InputScaler readCompact(Codec.Reader r) {
        long count = r.i64();
        double[] mean = r.doubles();
        double[] m2 = r.doubles();
        long[] numeric = readCounts(r, count, mean.length);
        long[] seen = readCounts(r, count, mean.length);
        if (numeric.length != mean.length || seen.length != mean.length || m2.length != mean.length) {
            throw new IllegalArgumentException("input scaler arrays of different lengths");
        }
        return new InputScaler(count, mean, m2, numeric, seen);
    }

    /** Reads what {@link #write} wrote; a scaler written before lazy zeros covered every example in every feature. */
    static InputScaler read(Codec.Reader r) {
        long count = r.i64();
        double[] mean = r.doubles();
        double[] m2 = r.doubles();
        long[] numeric = r.longs();
        long[] seen;
        if (r.hasMore()) {
            seen = r.longs();
        } else {
            seen = filled(mean.length, count);
        }
        return new InputScaler(count, mean, m2, numeric, seen);
    }

    InputScaler copy() {
        InputScaler c = new InputScaler(count, mean.clone(), m2.clone(), numeric.clone(), seen.clone());
        c.inputs = inputs; // never changed in place: learn appends to a new array
        return c;
    }
}
