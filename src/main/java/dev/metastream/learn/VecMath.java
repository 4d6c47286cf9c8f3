package dev.metastream.learn;

/** Small dense helpers shared by the projections (double accumulation) and the layers' forward passes. */
final class VecMath {
    private VecMath() {
    }

    static double dot(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("length mismatch: " + a.length + " vs " + b.length);
        }
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    static double dot(double[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /**
     * {@code sum a[i]^2} over {@code [from, to)} in double, as four running sums (every fourth element each) added at
     * the end: one running sum waits for each addition before the next (four cycles each), so a head's gradient norm
     * took as long as the head's backward pass. Each square of a float is exact in double; only the order of the
     * additions differs from one running sum, by a few units in the last place of a double, below what a float (or a
     * comparison with a clipping threshold) can see but at a tie.
     */
    static double sumOfSquares(float[] a, int from, int to) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = from;
        for (; i + 3 < to; i += 4) {
            double a0 = a[i];
            double a1 = a[i + 1];
            double a2 = a[i + 2];
            double a3 = a[i + 3];
            s0 += a0 * a0;
            s1 += a1 * a1;
            s2 += a2 * a2;
            s3 += a3 * a3;
        }
        for (; i < to; i++) {
            double v = a[i];
            s0 += v * v;
        }
        return (s0 + s1) + (s2 + s3);
    }

    static double norm(float[] a) {
        return Math.sqrt(dot(a, a));
    }

    static double norm(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v * v;
        }
        return Math.sqrt(s);
    }

    /**
     * {@code y += x W} for a row-major {@code W[n][m]} stored at {@code p[w ..]}: the product of an affine layer whose
     * outputs {@code y} already hold the bias. Four input rows per pass, so each output is loaded and stored once per
     * four rows instead of once per row (about a fifth faster for small layers); the sum is still taken row by row, left
     * to right, so the result is the same, bit for bit, as one row at a time. Blocks of zero inputs (ReLU features,
     * hashed inputs) are skipped.
     */
    static void addRows(float[] p, int w, int n, int m, float[] x, float[] y) {
        int i = 0;
        // Eight rows per pass when both of their blocks of four have a non-zero input: the same sums in the same order
        // as two passes of four (each a left-to-right chain on y[j]), with y loaded and stored half as often. A block
        // of four zeros is still skipped as a whole, as the four-row pass below skips it.
        for (; i + 7 < n; i += 8) {
            boolean low = x[i] != 0f || x[i + 1] != 0f || x[i + 2] != 0f || x[i + 3] != 0f;
            boolean high = x[i + 4] != 0f || x[i + 5] != 0f || x[i + 6] != 0f || x[i + 7] != 0f;
            if (low && high) {
                float x0 = x[i];
                float x1 = x[i + 1];
                float x2 = x[i + 2];
                float x3 = x[i + 3];
                float x4 = x[i + 4];
                float x5 = x[i + 5];
                float x6 = x[i + 6];
                float x7 = x[i + 7];
                int r0 = w + i * m;
                int r1 = r0 + m;
                int r2 = r1 + m;
                int r3 = r2 + m;
                int r4 = r3 + m;
                int r5 = r4 + m;
                int r6 = r5 + m;
                int r7 = r6 + m;
                for (int j = 0; j < m; j++) {
                    y[j] = y[j] + x0 * p[r0 + j] + x1 * p[r1 + j] + x2 * p[r2 + j] + x3 * p[r3 + j]
                            + x4 * p[r4 + j] + x5 * p[r5 + j] + x6 * p[r6 + j] + x7 * p[r7 + j];
                }
            } else if (low) {
                addFour(p, w, i, m, x, y);
            } else if (high) {
                addFour(p, w, i + 4, m, x, y);
            }
        }
        for (; i + 3 < n; i += 4) {
            float x0 = x[i];
            float x1 = x[i + 1];
            float x2 = x[i + 2];
            float x3 = x[i + 3];
            if (x0 == 0f && x1 == 0f && x2 == 0f && x3 == 0f) {
                continue;
            }
            int r0 = w + i * m;
            int r1 = r0 + m;
            int r2 = r1 + m;
            int r3 = r2 + m;
            for (int j = 0; j < m; j++) {
                y[j] = y[j] + x0 * p[r0 + j] + x1 * p[r1 + j] + x2 * p[r2 + j] + x3 * p[r3 + j];
            }
        }
        for (; i < n; i++) {
            float xi = x[i];
            if (xi == 0f) {
                continue;
            }
            int row = w + i * m;
            for (int j = 0; j < m; j++) {
                y[j] += xi * p[row + j];
            }
        }
    }

    /** {@code y += x[i..i+3] W[i..i+3]}, one left-to-right chain per output, as a pass of {@link #addRows}. */
    private static void addFour(float[] p, int w, int i, int m, float[] x, float[] y) {
        float x0 = x[i];
        float x1 = x[i + 1];
        float x2 = x[i + 2];
        float x3 = x[i + 3];
        int r0 = w + i * m;
        int r1 = r0 + m;
        int r2 = r1 + m;
        int r3 = r2 + m;
        for (int j = 0; j < m; j++) {
            y[j] = y[j] + x0 * p[r0 + j] + x1 * p[r1 + j] + x2 * p[r2 + j] + x3 * p[r3 + j];
        }
    }
}
