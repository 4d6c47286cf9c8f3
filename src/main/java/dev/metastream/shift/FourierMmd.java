package dev.metastream.shift;

/**
 * Maximum mean discrepancy (MMD) with a Gaussian kernel, approximated by random Fourier features
 * and tested with Hotelling's two-sample T².
 *
 * <p>References: A. Gretton et al. (2012), "A kernel two-sample test", JMLR 13; A. Rahimi and B.
 * Recht (2007), "Random features for large-scale kernel machines"; H. Hotelling (1931) for T².
 * Online MMD detectors calibrated by expected run time follow alibi-detect's {@code MMDDriftOnline}
 * (Cobb et al. 2022, "Sequential multivariate change detection with calibrated and memoryless
 * false detection rates").
 *
 * <p>With {@code D} features {@code z_k(x) = cos(w_k·x + b_k)}, {@code w_k ~ N(0, I/σ²)},
 * {@code b_k ~ U[0, 2π)}, the squared MMD of the Gaussian kernel of bandwidth {@code σ} is
 * approximated by {@code (2/D)·‖mean_ref z - mean_cur z‖²}. A change in any feature mean is a change
 * of distribution, so instead of thresholding that distance we test the mean vectors: with the
 * reference covariance {@code S} of {@code z} (estimated with {@code ν} degrees of freedom)
 * <pre>
 *   T = Δᵀ S⁻¹ Δ / (1/n + 1/m),   Δ = mean_ref z - mean_cur z,
 * </pre>
 * which under no shift follows Hotelling's {@code T²(r, ν)}, i.e. {@code T·(ν-r+1)/(ν·r) ~ F(r,
 * ν-r+1)}, {@code r} the rank of {@code S} (≈ chi-square with {@code r} degrees of freedom for large
 * {@code ν}). The full covariance matters: on low-dimensional inputs the cosines of nearby
 * projections are strongly correlated, and the diagonal statistic {@code Σ Δ_k²/S_kk} would be far
 * more variable than a chi-square with {@code D} degrees of freedom (false alarms).
 *
 * <p>The weights {@code w_kj} are not stored: they are read from a fixed table of standard normal
 * quantiles at a position given by a hash of {@code (seed, k, j)}, so a monitor needs no
 * {@code D × d} matrix in memory or in its serialised state, and its cost per example is
 * {@code O(D × non-zeros)}.
 *
 * <pre>{@code
 * double[] z = new double[d];
 * FourierMmd.project(x, scale, offset, seed, z);          // scale, offset from FourierMmd.frame
 * FourierMmd.Whitener w = new FourierMmd.Whitener(packedCovariance, d);
 * double t = w.mahalanobis(delta) / (1.0 / n + 1.0 / m);
 * boolean drift = t > FourierMmd.threshold(w.rank(), n - 1, 0.001);
 * }</pre>
 */
public final class FourierMmd {

    private static final int TABLE_BITS = 12;
    /** Standard normal quantiles at (i + 0.5) / 4096: a discretised N(0, 1) for the weights. */
    private static final double[] NORMAL = new double[1 << TABLE_BITS];
    /** Pivots below this share of the largest variance count as zero (direction dropped). */
    static final double RANK_TOLERANCE = 1e-9;

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
            NORMAL[i] = q;
            NORMAL[NORMAL.length - 1 - i] = -q;
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
        long key = (((long) k) << 32) | (j & 0xffffffffL);
        long h = mix(seed + 0x9E3779B97F4A7C15L * (key + 1));
        return NORMAL[(int) (h >>> (64 - TABLE_BITS))];
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
            for (int k = 0; k < dim; k++) {
                out[k] += weight(seed, k, j) * s;
            }
        }
        for (int k = 0; k < dim; k++) {
            out[k] = Math.cos(out[k]);
        }
    }

    /**
     * Threshold of Hotelling's {@code T²(r, ν)} at false-alarm probability {@code alpha}.
     *
     * @param rank dimension {@code r} of the tested means, {@code >= 1}
     * @param nu degrees of freedom of the covariance estimate, {@code > r - 1}
     * @param alpha false-alarm probability in (0, 1)
     * @return {@code ν r / (ν - r + 1) · F⁻¹(1 - α; r, ν - r + 1)}
     */
    public static double threshold(int rank, double nu, double alpha) {
        double d2 = nu - rank + 1;
        if (rank < 1 || !(d2 > 0)) {
            throw new IllegalArgumentException("hotelling needs 1 <= rank < nu + 1, got rank " + rank + ", nu " + nu);
        }
        return nu * rank / d2 * Distributions.fQuantile(1 - alpha, rank, d2);
    }

    /**
     * Cholesky factor of a covariance matrix that drops (near-)degenerate directions: a pivot below
     * {@link #RANK_TOLERANCE} times the largest variance marks its coordinate as dependent on the
     * earlier ones, and the Mahalanobis distance is then taken over the remaining coordinates.
     */
    public static final class Whitener {
        private final int dim;
        private final double[] l; // row-major dim × dim lower triangle
        private final boolean[] kept;
        private final int rank;

        /**
         * Factorises a covariance matrix.
         *
         * @param packed lower triangle, row by row: {@code (0,0), (1,0), (1,1), (2,0), ...}
         * @param dim matrix dimension
         */
        public Whitener(double[] packed, int dim) {
            if (packed.length != dim * (dim + 1) / 2) {
                throw new IllegalArgumentException("packed covariance has " + packed.length + " entries for dim " + dim);
            }
            this.dim = dim;
            this.l = new double[dim * dim];
            this.kept = new boolean[dim];
            double maxVar = 0;
            for (int i = 0; i < dim; i++) {
                maxVar = Math.max(maxVar, packed[i * (i + 1) / 2 + i]);
            }
            double tol = RANK_TOLERANCE * maxVar;
            int r = 0;
            for (int j = 0; j < dim; j++) {
                double d = packed[j * (j + 1) / 2 + j];
                for (int k = 0; k < j; k++) {
                    d -= l[j * dim + k] * l[j * dim + k];
                }
                if (!(d > tol)) {
                    continue; // column j stays zero: dropped
                }
                kept[j] = true;
                r++;
                double ljj = Math.sqrt(d);
                l[j * dim + j] = ljj;
                for (int i = j + 1; i < dim; i++) {
                    double s = packed[i * (i + 1) / 2 + j];
                    for (int k = 0; k < j; k++) {
                        s -= l[i * dim + k] * l[j * dim + k];
                    }
                    l[i * dim + j] = s / ljj;
                }
            }
            this.rank = r;
        }

        /** @return the number of directions kept */
        public int rank() {
            return rank;
        }

        /**
         * {@code Δᵀ S⁻¹ Δ} over the kept directions.
         *
         * @param delta the difference of means, length {@code dim}
         * @return the squared Mahalanobis norm
         */
        public double mahalanobis(double[] delta) {
            double[] y = new double[dim];
            double sum = 0;
            for (int i = 0; i < dim; i++) {
                if (!kept[i]) {
                    continue;
                }
                double s = delta[i];
                for (int k = 0; k < i; k++) {
                    s -= l[i * dim + k] * y[k];
                }
                y[i] = s / l[i * dim + i];
                sum += y[i] * y[i];
            }
            return sum;
        }
    }
}
