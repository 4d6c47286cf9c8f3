package dev.metastream.shift;

/**
 * Maximum mean discrepancy (MMD) with a Gaussian kernel, approximated by random Fourier features,
 * with a moment-matched chi-square null distribution.
 *
 * <p>References: A. Gretton et al. (2012), "A kernel two-sample test", JMLR 13; A. Rahimi and B.
 * Recht (2007), "Random features for large-scale kernel machines"; E. S. Pearson (1959), "Note on
 * an approximation to the distribution of non-central χ²", for the three-moment approximation of a
 * weighted sum of chi-squares. Online MMD detectors calibrated by expected run time follow
 * alibi-detect's {@code MMDDriftOnline} (Cobb et al. 2022).
 *
 * <p>With {@code D} features {@code z_k(x) = cos(w_k·x + b_k)}, {@code w_k ~ N(0, I/σ²)},
 * {@code b_k ~ U[0, 2π)}, the squared MMD of the Gaussian kernel of bandwidth {@code σ} is
 * approximated by {@code (2/D)·‖mean_ref z - mean_cur z‖²}. The test statistic standardises each
 * feature by its reference variance {@code v_k}:
 * <pre>
 *   T = Σ_k Δ_k² / (v_k (1/n + 1/m)),   Δ = mean_ref z - mean_cur z.
 * </pre>
 * Without shift, {@code Δ} is approximately normal with correlation matrix {@code R} (that of the
 * reference features), so {@code T} is a weighted sum of chi-squares with weights the eigenvalues of
 * {@code R}. It would be chi-square with {@code D} degrees of freedom only for uncorrelated features;
 * on low-dimensional inputs neighbouring cosines are strongly correlated. The threshold is
 * therefore Pearson's three-moment approximation ({@link #threshold}), which needs no matrix inverse.
 * Measured share of checks above the threshold at nominal α = 0.001, 20,000 simulated pairs of a
 * 436-example reference and a 500-example window each (D = 32): 0.0011–0.0017 on one Gaussian
 * input, ten uniform inputs and ten correlated Gaussian inputs; a two-moment (Satterthwaite) match
 * gave 0.0019–0.0042 and the plain {@code χ²_D} threshold 0.026–0.14. (Hotelling's T² with the
 * inverse covariance was tried first: its directions of tiny variance are high-order, heavy-tailed
 * functions of the inputs whose means are far from normal in windows of a few hundred examples, and
 * it alarmed constantly on one-dimensional input.)
 *
 * <p>The weights {@code w_kj} are not stored: they are read from a fixed table of standard normal
 * quantiles at a position given by a hash of {@code (seed, k, j)}, so a monitor needs no
 * {@code D × d} matrix in its serialised state, and its cost per example is
 * {@code O(D × non-zeros)}. Where {@code D × d} is small ({@link #MAX_TABLE_WEIGHTS}), the hashed
 * weights are expanded once into a table shared by every monitor of the same seed and shape
 * ({@link #weights}), and {@link #project(float[], float[], double[], double[][], double[])} reads it:
 * the same floats, added in the same order, so the same features bit for bit.
 *
 * <pre>{@code
 * double[] z = new double[dim];
 * FourierMmd.project(x, scale, offset, seed, z);     // scale, offset from FourierMmd.frame
 * double t = FourierMmd.statistic(refMean, curMean, refVariance, n, m);
 * boolean drift = t > FourierMmd.threshold(packedReferenceCovariance, dim, 0.001);
 * }</pre>
 */
public final class FourierMmd {

    private static final int TABLE_BITS = 12;
    /** Standard normal quantiles at (i + 0.5) / 4096: a discretised N(0, 1) for the weights. */
    private static final float[] NORMAL = new float[1 << TABLE_BITS]; // floats: 16 kB, stays in L1

    static {
        int half = NORMAL.length / 2;
        for (int i = 0; i < half; i++) {
            double p = (i + 0.5) / NORMAL.length;
            double lo = -10;
            double hi = 0;
            for (int it = 0; it < 60; it++) {
                double mid = 0.5 * (lo + hi);
                if (Distributions.normalCdf(mid) < p) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            double q = 0.5 * (lo + hi);
            NORMAL[i] = (float) q;
            NORMAL[NORMAL.length - 1 - i] = (float) -q;
        }
    }

    private FourierMmd() {}

    private static long mix(long z) {
        // SplitMix64's finaliser: a cheap, well-mixed hash of the (seed, k, j) key.
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /**
     * The standard-normal weight of input {@code j} in projection {@code k} (divide by the bandwidth).
     *
     * @param seed the monitor's seed
     * @param k projection index
     * @param j input index
     * @return a draw from a 4096-point discretisation of N(0, 1)
     */
    public static double weight(long seed, int k, int j) {
        return NORMAL[index(hash(seed, k / PER_HASH, j), k % PER_HASH)];
    }

    /** Table indices per 64-bit hash: five 12-bit fields, so one hash serves five projections. */
    private static final int PER_HASH = 64 / TABLE_BITS;

    private static long hash(long seed, int group, int j) {
        long key = (((long) group) << 32) | (j & 0xffffffffL);
        return mix(seed + 0x9E3779B97F4A7C15L * (key + 1));
    }

    private static int index(long hash, int field) {
        return (int) (hash >>> (TABLE_BITS * field)) & ((1 << TABLE_BITS) - 1);
    }

    /**
     * The phase {@code b_k} of projection {@code k}, uniform in [0, 2π).
     *
     * @param seed the monitor's seed
     * @param k projection index
     * @return the phase
     */
    public static double phase(long seed, int k) {
        long h = mix(~seed + 0x9E3779B97F4A7C15L * (k + 1L));
        return (h >>> 11) * 0x1.0p-53 * 2 * Math.PI;
    }

    /**
     * Freezes the affine part of the projections: input {@code j} enters as
     * {@code (x_j - mean_j)/std_j/σ}, so {@code scale_j = 1/(std_j σ)} (0 for a constant input, which
     * then plays no part) and {@code offset_k = b_k - Σ_j w_kj·mean_j·scale_j}. Zeros then cost
     * nothing in {@link #project}.
     *
     * @param mean reference mean per input
     * @param std reference standard deviation per input
     * @param bandwidth kernel bandwidth σ in standardised units
     * @param seed the monitor's seed
     * @param scale out: per-input scale, length {@code mean.length}
     * @param offset out: per-projection offset, length D
     */
    public static void frame(double[] mean, double[] std, double bandwidth, long seed, float[] scale, double[] offset) {
        for (int j = 0; j < mean.length; j++) {
            scale[j] = std[j] > 0 ? (float) (1.0 / (std[j] * bandwidth)) : 0f;
        }
        for (int k = 0; k < offset.length; k++) {
            double o = phase(seed, k);
            for (int j = 0; j < mean.length; j++) {
                if (scale[j] != 0f && mean[j] != 0) {
                    o -= weight(seed, k, j) * mean[j] * scale[j];
                }
            }
            offset[k] = o;
        }
    }

    /** Largest weight table {@link #weights} builds: 2^19 doubles, 4 MB; wider inputs keep hashing. */
    public static final int MAX_TABLE_WEIGHTS = 1 << 19;
    /** Tables kept for reuse (most processes use one seed and shape; tests use a few). */
    private static final int CACHED_TABLES = 4;
    private static final java.util.Map<TableKey, double[][]> TABLES = new java.util.LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<TableKey, double[][]> eldest) {
            return size() > CACHED_TABLES;
        }
    };

    private record TableKey(long seed, int dim, int inputs) {}

    /** The table {@link #weights} returned last, with its arguments. */
    private record LastTable(long seed, int dim, int inputs, double[][] table) {}

    /**
     * The last table handed out: a monitor is made for every new or reread task, nearly always with the same
     * arguments, and the map's look-up (a record key hashed and compared under a lock) was 7% of a many-task run.
     */
    private static volatile LastTable last;

    /**
     * Every weight of a monitor's projections, {@code table[j][k] = weight(seed, k, j)}, or null when the table
     * would hold more than {@link #MAX_TABLE_WEIGHTS} (then {@link #project(float[], float[], double[], long,
     * double[])} hashes them). One array per input, because JDK 17's C2 vectorises the projection's multiply-adds over
     * arrays that start at index 0 and not over offsets into one flat array (2.4x faster at 100 inputs and 32
     * projections; docs/benchmarks-throughput.md, "twentieth stop"). Doubles, though each is a float of the quantile
     * table, so that the multiply-add needs no conversion; the values, and so the products, are the same. Tables are
     * shared by callers of the same arguments: treat the arrays as read-only.
     *
     * @param seed the monitor's seed
     * @param dim number of projections D
     * @param inputs input dimension
     * @return the table, or null
     */
    public static double[][] weights(long seed, int dim, int inputs) {
        if ((long) dim * inputs > MAX_TABLE_WEIGHTS || dim < 1 || inputs < 1) {
            return null;
        }
        LastTable l = last;
        if (l != null && l.seed == seed && l.dim == dim && l.inputs == inputs) {
            return l.table;
        }
        TableKey key = new TableKey(seed, dim, inputs);
        synchronized (TABLES) {
            double[][] t = TABLES.get(key);
            if (t != null) {
                last = new LastTable(seed, dim, inputs, t);
                return t;
            }
        }
        // Built outside the lock; two threads building the same table at once build equal ones.
        double[][] t = new double[inputs][dim];
        for (int j = 0; j < inputs; j++) {
            for (int k0 = 0, group = 0; k0 < dim; k0 += PER_HASH, group++) {
                long h = hash(seed, group, j);
                int end = Math.min(dim, k0 + PER_HASH);
                for (int k = k0, field = 0; k < end; k++, field++) {
                    t[j][k] = NORMAL[index(h, field)];
                }
            }
        }
        synchronized (TABLES) {
            TABLES.putIfAbsent(key, t);
            double[][] shared = TABLES.get(key);
            last = new LastTable(seed, dim, inputs, shared);
            return shared;
        }
    }

    /**
     * {@link #project(float[], float[], double[], long, double[])} with the weights read from a table of
     * {@link #weights} (same seed, {@code out.length} projections, {@code x.length} inputs): the same features, bit
     * for bit, as dense multiply-adds instead of a hash per five weights. Four inputs are added per pass over the
     * projections, each projection's sum still taken input by input in order, so the sums are those of one input per
     * pass.
     *
     * @param x raw inputs
     * @param scale per-input scale from {@link #frame}
     * @param offset per-projection offset from {@link #frame}
     * @param weights the table: {@code x.length} rows of {@code out.length}
     * @param out the D features (also used as scratch)
     */
    public static void project(float[] x, float[] scale, double[] offset, double[][] weights, double[] out) {
        int dim = out.length;
        if (weights.length != x.length || (weights.length > 0 && weights[0].length != dim)) {
            throw new IllegalArgumentException("weight table of " + weights.length + " rows of "
                    + (weights.length > 0 ? weights[0].length : 0) + " for " + x.length + " inputs and " + dim
                    + " projections");
        }
        System.arraycopy(offset, 0, out, 0, dim);
        int held = 0; // inputs waiting for a pass, with rows r0..r2 and factors s0..s2
        double[] r0 = null;
        double[] r1 = null;
        double[] r2 = null;
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        for (int j = 0; j < x.length; j++) {
            float v = x[j];
            if (v == 0f || scale[j] == 0f || !Float.isFinite(v)) {
                continue;
            }
            double s = (double) v * scale[j];
            double[] row = weights[j];
            switch (held) {
                case 0 -> {
                    r0 = row;
                    s0 = s;
                    held = 1;
                }
                case 1 -> {
                    r1 = row;
                    s1 = s;
                    held = 2;
                }
                case 2 -> {
                    r2 = row;
                    s2 = s;
                    held = 3;
                }
                default -> {
                    for (int k = 0; k < dim; k++) {
                        out[k] = out[k] + r0[k] * s0 + r1[k] * s1 + r2[k] * s2 + row[k] * s;
                    }
                    held = 0;
                }
            }
        }
        if (held > 0) {
            addRow(r0, s0, out);
        }
        if (held > 1) {
            addRow(r1, s1, out);
        }
        if (held > 2) {
            addRow(r2, s2, out);
        }
        cosines(out);
    }

    private static void addRow(double[] row, double s, double[] out) {
        for (int k = 0; k < out.length; k++) {
            out[k] += row[k] * s;
        }
    }

    /**
     * Random Fourier features of one example, {@code out_k = cos(offset_k + Σ_j w_kj x_j scale_j)},
     * reading the non-zero, finite inputs only (a missing value counts as 0).
     *
     * @param x raw inputs
     * @param scale per-input scale from {@link #frame}
     * @param offset per-projection offset from {@link #frame}
     * @param seed the monitor's seed
     * @param out the D features (also used as scratch)
     */
    public static void project(float[] x, float[] scale, double[] offset, long seed, double[] out) {
        int dim = out.length;
        System.arraycopy(offset, 0, out, 0, dim);
        for (int j = 0; j < x.length; j++) {
            float v = x[j];
            if (v == 0f || scale[j] == 0f || !Float.isFinite(v)) {
                continue;
            }
            double s = (double) v * scale[j];
            for (int k0 = 0, group = 0; k0 < dim; k0 += PER_HASH, group++) {
                long h = hash(seed, group, j);
                int end = Math.min(dim, k0 + PER_HASH);
                for (int k = k0, field = 0; k < end; k++, field++) {
                    out[k] += NORMAL[index(h, field)] * s;
                }
            }
        }
        cosines(out);
    }

    /** Largest argument {@link #cosines} reduces itself; beyond it (or on a NaN) the whole array takes Math.cos. */
    static final double COSINE_REDUCTION_LIMIT = 1 << 20;
    /** π in three parts of at most 27 significant bits each but the last, so {@code q·C1} and {@code q·C2} are exact. */
    private static final double PI_1 = Double.longBitsToDouble(Double.doubleToLongBits(Math.PI) & 0xFFFF_FFFF_F800_0000L);
    private static final double PI_2 = Double.longBitsToDouble(
            Double.doubleToLongBits(Math.PI - PI_1) & 0xFFFF_FFFF_F800_0000L);
    private static final double PI_3 = Math.PI - PI_1 - PI_2 + 1.2246467991473532e-16; // + (π - Math.PI)
    private static final double INV_PI = 1 / Math.PI;

    /**
     * {@code a[k] = cos(a[k])} for every element, within about 1e-15 of {@link Math#cos}: a random Fourier feature is
     * a mean over hundreds of examples in a test at α = 0.001, far coarser. The loop has no branch and no call, and
     * took about 2.2 ns per element in a micro-benchmark here against 8 ns for {@code Math.cos}, which is called 64
     * times per example by the task's and the partition's monitors (about a tenth of the linear model's time). Cody-Waite reduction to
     * {@code r = a - qπ} in [-π/2, π/2] with π in three parts, then {@code (-1)^q} times cos(r)'s Taylor series to
     * r^20 (truncation below 2e-17 there).
     */
    static void cosines(double[] a) {
        for (double v : a) {
            // A test and a branch never taken per element: a running Math.max was one chain of dependent steps, and
            // took a third of this method's time.
            if (!(Math.abs(v) <= COSINE_REDUCTION_LIMIT)) { // also a NaN
                for (int k = 0; k < a.length; k++) {
                    a[k] = Math.cos(a[k]);
                }
                return;
            }
        }
        for (int k = 0; k < a.length; k++) {
            double x = a[k];
            double q = Math.rint(x * INV_PI);
            double r = x - q * PI_1 - q * PI_2 - q * PI_3;
            double half = 0.5 * q;
            double sign = 1 - 4 * (half - Math.floor(half)); // +1 for an even q, -1 for an odd one
            double r2 = r * r;
            double c = 1.0 / 2432902008176640000.0; // 1/20!
            c = c * r2 - 1.0 / 6402373705728000.0;
            c = c * r2 + 1.0 / 20922789888000.0;
            c = c * r2 - 1.0 / 87178291200.0;
            c = c * r2 + 1.0 / 479001600.0;
            c = c * r2 - 1.0 / 3628800.0;
            c = c * r2 + 1.0 / 40320.0;
            c = c * r2 - 1.0 / 720.0;
            c = c * r2 + 1.0 / 24.0;
            c = c * r2 - 0.5;
            c = c * r2 + 1.0;
            a[k] = sign * c;
        }
    }

    /**
     * The standardised squared distance between the projected means.
     *
     * @param referenceMean mean of each feature over the reference
     * @param currentMean mean of each feature over the recent window
     * @param referenceVariance variance of each feature over the reference
     * @param n reference size
     * @param m recent size
     * @return {@code T = Σ_k Δ_k² / (v_k (1/n + 1/m))}, features of zero variance left out
     */
    public static double statistic(double[] referenceMean, double[] currentMean, double[] referenceVariance,
            double n, double m) {
        double t = 0;
        double f = 1 / n + 1 / m;
        for (int k = 0; k < referenceMean.length; k++) {
            double v = referenceVariance[k];
            if (v > 0) {
                double d = referenceMean[k] - currentMean[k];
                t += d * d / (v * f);
            }
        }
        return t;
    }

    /**
     * The threshold of {@link #statistic} at false-alarm probability {@code alpha}, by Pearson's
     * three-moment approximation of a weighted sum of chi-squares: with {@code R} the reference
     * correlation of the {@code r} features of non-zero variance and {@code c_i = tr(R^i)},
     * {@code T ≈ c_1 + sqrt(c_2/h)·(χ²_h - h)}, {@code h = c_2³/c_3²}, which matches the mean,
     * variance and skewness of {@code T}.
     *
     * @param packedCovariance reference covariance, lower triangle row by row
     * @param dim number of features
     * @param alpha false-alarm probability in (0, 1)
     * @return the threshold, or NaN when no feature varies
     */
    public static double threshold(double[] packedCovariance, int dim, double alpha) {
        if (packedCovariance.length != dim * (dim + 1) / 2) {
            throw new IllegalArgumentException("packed covariance has " + packedCovariance.length + " entries for dim " + dim);
        }
        int[] kept = new int[dim];
        int r = 0;
        for (int i = 0; i < dim; i++) {
            if (packedCovariance[i * (i + 1) / 2 + i] > 0) {
                kept[r++] = i;
            }
        }
        if (r == 0) {
            return Double.NaN;
        }
        double[] corr = new double[r * r];
        for (int a = 0; a < r; a++) {
            for (int b = 0; b < r; b++) {
                int i = Math.max(kept[a], kept[b]);
                int k = Math.min(kept[a], kept[b]);
                double vi = packedCovariance[kept[a] * (kept[a] + 1) / 2 + kept[a]];
                double vk = packedCovariance[kept[b] * (kept[b] + 1) / 2 + kept[b]];
                corr[a * r + b] = a == b ? 1 : packedCovariance[i * (i + 1) / 2 + k] / Math.sqrt(vi * vk);
            }
        }
        double c2 = 0;
        double c3 = 0;
        for (int a = 0; a < r; a++) {
            for (int b = 0; b < r; b++) {
                double rab = corr[a * r + b];
                c2 += rab * rab;
                double sq = 0; // (R²)_ab
                for (int k = 0; k < r; k++) {
                    sq += corr[a * r + k] * corr[k * r + b];
                }
                c3 += sq * rab; // R symmetric: Σ_ab (R²)_ab R_ba = tr(R³)
            }
        }
        double h = c2 * c2 * c2 / (c3 * c3);
        return r + Math.sqrt(c2 / h) * (Distributions.chiSquareQuantile(1 - alpha, h) - h);
    }
}
