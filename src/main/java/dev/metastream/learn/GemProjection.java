package dev.metastream.learn;

/**
 * GEM gradient projection (Lopez-Paz &amp; Ranzato, "Gradient Episodic Memory for Continual
 * Learning", NeurIPS 2017): the closest g̃ to g (Euclidean) with ⟨g̃, c_k⟩ ≥ 0 for every
 * constraint gradient c_k (one per remembered task).
 *
 * <p>Solved through the dual: min_v ½ vᵀ(CCᵀ)v + (Cg)ᵀv, v ≥ 0, then g̃ = g + Cᵀv. The dual is
 * K×K with K the number of constraints, so it is solved exactly in double with the
 * Lawson–Hanson active-set method, polished by projected coordinate descent if needed.
 */
public final class GemProjection {
    /** Relative KKT tolerance for the dual solution. */
    static final double KKT_TOL = 1e-10;
    /** Relative feasibility tolerance guaranteed after return. */
    static final double FEAS_TOL = 1e-6;

    private GemProjection() {
    }

    /**
     * Projects {@code g} in place onto {⟨·, c_k⟩ ≥ 0 ∀k}. Untouched (returns false) when no
     * constraint is violated. After a projection every ⟨g̃, c_k⟩ ≥ −1e-6·(‖g̃‖·‖c_k‖ + 1); if
     * neither the QP nor the sequential-projection fallback achieves that, g is set to zero,
     * which is always feasible (the step is skipped rather than allowed to interfere).
     *
     * @param constraints rows c_k, each of length g.length; null or zero rows are ignored
     * @return true when g was changed
     */
    public static boolean project(float[] g, float[][] constraints) {
        if (constraints == null || constraints.length == 0) {
            return false;
        }
        int n = g.length;
        // Keep only non-zero constraints: a zero row is satisfied by every g.
        float[][] c = new float[constraints.length][];
        double[] p = new double[constraints.length];
        int k = 0;
        boolean violated = false;
        for (float[] row : constraints) {
            if (row == null) {
                continue;
            }
            if (row.length != n) {
                throw new IllegalArgumentException("constraint length " + row.length
                        + " != gradient length " + n);
            }
            double rr = VecMath.dot(row, row);
            if (rr == 0) {
                continue;
            }
            double d = VecMath.dot(row, g);
            c[k] = row;
            p[k] = d;
            violated |= d < 0;
            k++;
        }
        if (!violated) {
            return false;
        }
        double[][] m = new double[k][k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j <= i; j++) {
                double v = VecMath.dot(c[i], c[j]);
                m[i][j] = v;
                m[j][i] = v;
            }
        }
        double gNorm = VecMath.norm(g);
        double scale = 0;
        for (int i = 0; i < k; i++) {
            scale = Math.max(scale, Math.sqrt(m[i][i]) * gNorm);
        }
        double tol = KKT_TOL * Math.max(scale, Double.MIN_NORMAL);
        double[] v = solveDual(m, java.util.Arrays.copyOf(p, k), tol);

        double[] gt = new double[n];
        for (int i = 0; i < n; i++) {
            gt[i] = g[i];
        }
        for (int j = 0; j < k; j++) {
            if (v[j] != 0) {
                float[] row = c[j];
                for (int i = 0; i < n; i++) {
                    gt[i] += v[j] * row[i];
                }
            }
        }
        store(gt, g);
        if (feasible(g, c, k)) {
            return true;
        }
        // Solver failed or rounding hurt: a few rounds of sequential half-space projections.
        for (int round = 0; round < 64; round++) {
            boolean moved = false;
            for (int j = 0; j < k; j++) {
                double d = VecMath.dot(gt, c[j]);
                if (d < 0) {
                    double s = d / m[j][j];
                    for (int i = 0; i < n; i++) {
                        gt[i] -= s * c[j][i];
                    }
                    moved = true;
                }
            }
            if (!moved) {
                break;
            }
        }
        store(gt, g);
        if (!feasible(g, c, k)) {
            java.util.Arrays.fill(g, 0f);
        }
        return true;
    }

    private static void store(double[] src, float[] dst) {
        for (int i = 0; i < dst.length; i++) {
            dst[i] = (float) src[i];
        }
    }

    static boolean feasible(float[] g, float[][] c, int k) {
        double gn = VecMath.norm(g);
        for (int j = 0; j < k; j++) {
            double d = VecMath.dot(g, c[j]);
            if (d < -FEAS_TOL * (gn * VecMath.norm(c[j]) + 1)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Solves min ½vᵀMv + pᵀv s.t. v ≥ 0 (M symmetric PSD, positive diagonal). Lawson–Hanson
     * active set first; projected coordinate descent polishes when KKT residuals remain.
     */
    static double[] solveDual(double[][] m, double[] p, double tol) {
        int k = p.length;
        double[] v = new double[k];
        boolean[] active = new boolean[k];
        double[] grad = new double[k];
        int maxOuter = 3 * k + 20;
        outer:
        for (int it = 0; it < maxOuter; it++) {
            gradient(m, p, v, grad);
            int enter = -1;
            double best = tol;
            for (int j = 0; j < k; j++) {
                if (!active[j] && -grad[j] > best) {
                    best = -grad[j];
                    enter = j;
                }
            }
            if (enter < 0) {
                break;
            }
            active[enter] = true;
            for (int inner = 0; inner <= k; inner++) {
                double[] s = solveActive(m, p, active);
                if (s == null) {
                    break outer;
                }
                // Step from v towards s until the first active variable hits zero.
                double alpha = 1;
                int blocking = -1;
                for (int j = 0; j < k; j++) {
                    if (active[j] && s[j] <= 0) {
                        double denom = v[j] - s[j];
                        double a = denom > 0 ? v[j] / denom : 0;
                        if (blocking < 0 || a < alpha) {
                            alpha = a;
                            blocking = j;
                        }
                    }
                }
                if (blocking < 0) {
                    System.arraycopy(s, 0, v, 0, k);
                    continue outer;
                }
                if (blocking == enter && inner == 0) {
                    // Numerically the entering variable cannot move; stop and let the
                    // coordinate-descent polish below finish the job.
                    active[enter] = false;
                    break outer;
                }
                for (int j = 0; j < k; j++) {
                    if (active[j]) {
                        v[j] += alpha * (s[j] - v[j]);
                    }
                }
                // The blocking variable leaves (exactly zero), as does any pushed to <= 0.
                v[blocking] = 0;
                for (int j = 0; j < k; j++) {
                    if (active[j] && v[j] <= 0) {
                        v[j] = 0;
                        active[j] = false;
                    }
                }
            }
        }
        if (kktResidual(m, p, v, grad) > tol) {
            // Projected coordinate descent: always converges for PSD M with positive diagonal.
            for (int sweep = 0; sweep < 2000; sweep++) {
                for (int j = 0; j < k; j++) {
                    double gj = p[j];
                    for (int i = 0; i < k; i++) {
                        gj += m[j][i] * v[i];
                    }
                    v[j] = Math.max(0, v[j] - gj / m[j][j]);
                }
                if (kktResidual(m, p, v, grad) <= tol) {
                    break;
                }
            }
        }
        return v;
    }

    private static void gradient(double[][] m, double[] p, double[] v, double[] out) {
        for (int j = 0; j < p.length; j++) {
            double s = p[j];
            for (int i = 0; i < p.length; i++) {
                s += m[j][i] * v[i];
            }
            out[j] = s;
        }
    }

    /** Max KKT violation: |grad| on positive variables, negative grad on zero variables. */
    static double kktResidual(double[][] m, double[] p, double[] v, double[] scratch) {
        gradient(m, p, v, scratch);
        double r = 0;
        for (int j = 0; j < p.length; j++) {
            r = Math.max(r, v[j] > 0 ? Math.abs(scratch[j]) : Math.max(0, -scratch[j]));
        }
        return r;
    }

    /**
     * Solves M_AA s_A = −p_A by Cholesky, adding a growing ridge when M_AA is (near) singular,
     * which happens with duplicate or linearly dependent constraints. Inactive entries are 0.
     */
    private static double[] solveActive(double[][] m, double[] p, boolean[] active) {
        int k = p.length;
        int[] idx = new int[k];
        int a = 0;
        double maxDiag = 0;
        for (int j = 0; j < k; j++) {
            if (active[j]) {
                idx[a++] = j;
                maxDiag = Math.max(maxDiag, m[j][j]);
            }
        }
        double[] s = new double[k];
        if (a == 0) {
            return s;
        }
        double ridge = 0;
        double[][] l = new double[a][a];
        for (int attempt = 0; attempt < 12; attempt++) {
            if (cholesky(m, idx, a, ridge, maxDiag, l)) {
                double[] y = new double[a];
                for (int i = 0; i < a; i++) {
                    double t = -p[idx[i]];
                    for (int j = 0; j < i; j++) {
                        t -= l[i][j] * y[j];
                    }
                    y[i] = t / l[i][i];
                }
                for (int i = a - 1; i >= 0; i--) {
                    double t = y[i];
                    for (int j = i + 1; j < a; j++) {
                        t -= l[j][i] * y[j];
                    }
                    y[i] = t / l[i][i];
                }
                for (int i = 0; i < a; i++) {
                    s[idx[i]] = y[i];
                }
                return s;
            }
            ridge = ridge == 0 ? 1e-13 * maxDiag : ridge * 10;
        }
        return null;
    }

    private static boolean cholesky(double[][] m, int[] idx, int a, double ridge, double maxDiag,
            double[][] l) {
        for (int i = 0; i < a; i++) {
            for (int j = 0; j <= i; j++) {
                double sum = m[idx[i]][idx[j]] + (i == j ? ridge : 0);
                for (int q = 0; q < j; q++) {
                    sum -= l[i][q] * l[j][q];
                }
                if (i == j) {
                    // A tiny pivot means a dependent constraint; treat as failure so the
                    // caller retries with a ridge instead of producing huge coefficients.
                    if (sum <= 1e-12 * maxDiag) {
                        return false;
                    }
                    l[i][i] = Math.sqrt(sum);
                } else {
                    l[i][j] = sum / l[j][j];
                }
            }
        }
        return true;
    }
}
