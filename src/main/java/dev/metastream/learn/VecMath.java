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
     * {@code sum a[i]^2} over {@code [from, to)} in double, as eight running sums (every eighth element each) added
     * pairwise at the end: one running sum waits for each addition before the next, and took as long as four did
     * (1,110 ns for a head's 1,750 gradients in a throwaway micro-benchmark, against 700 ns with eight). Each square of
     * a float is exact in double; only the order of the additions differs from one running sum, by a few units in the
     * last place of a double, below what a float (or a comparison with a clipping threshold) can see but at a tie.
     */
    static double sumOfSquares(float[] a, int from, int to) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        double s4 = 0;
        double s5 = 0;
        double s6 = 0;
        double s7 = 0;
        int i = from;
        for (; i + 7 < to; i += 8) {
            double a0 = a[i];
            double a1 = a[i + 1];
            double a2 = a[i + 2];
            double a3 = a[i + 3];
            double a4 = a[i + 4];
            double a5 = a[i + 5];
            double a6 = a[i + 6];
            double a7 = a[i + 7];
            s0 += a0 * a0;
            s1 += a1 * a1;
            s2 += a2 * a2;
            s3 += a3 * a3;
            s4 += a4 * a4;
            s5 += a5 * a5;
            s6 += a6 * a6;
            s7 += a7 * a7;
        }
        for (; i < to; i++) {
            double v = a[i];
            s0 += v * v;
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
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
     * hashed inputs) are skipped; up to {@link #REGISTER_OUTPUTS} outputs, every zero input is.
     */
    static void addRows(float[] p, int w, int n, int m, float[] x, float[] y) {
        if (m <= REGISTER_OUTPUTS) {
            addRowsInRegisters(p, w, n, m, x, y);
            return;
        }
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

    /** Most outputs {@link #addRows} holds in registers across the whole pass over the rows. */
    static final int REGISTER_OUTPUTS = 16;

    /**
     * {@link #addRows} for at most {@link #REGISTER_OUTPUTS} outputs (a head's): every output's running sum in a
     * register from the first row to the last, each row's outputs taken by a fall-through switch on their count.
     * The loop over a head's 10 outputs was too short to vectorise, and loaded and stored every output once per block
     * (1.5x slower at 174 x 10). One row at a time, each zero input skipped on its own: a head's inputs are ReLU
     * features (about half zero, rarely four in a row) and a one-hot previous label, and blocks of eight rows skipped
     * only all-zero fours; a row at a time was 2.1x faster on such inputs and 1.65x on dense ones (0.31 against 0.67 us
     * at 174 x 10). Each output's chain of additions is that of {@link #addRows} without its terms of zero inputs,
     * which add a zero to a running sum that is not -0: the same floats.
     */
    private static void addRowsInRegisters(float[] p, int w, int n, int m, float[] x, float[] y) {
        float y0 = m > 0 ? y[0] : 0f;
        float y1 = m > 1 ? y[1] : 0f;
        float y2 = m > 2 ? y[2] : 0f;
        float y3 = m > 3 ? y[3] : 0f;
        float y4 = m > 4 ? y[4] : 0f;
        float y5 = m > 5 ? y[5] : 0f;
        float y6 = m > 6 ? y[6] : 0f;
        float y7 = m > 7 ? y[7] : 0f;
        float y8 = m > 8 ? y[8] : 0f;
        float y9 = m > 9 ? y[9] : 0f;
        float y10 = m > 10 ? y[10] : 0f;
        float y11 = m > 11 ? y[11] : 0f;
        float y12 = m > 12 ? y[12] : 0f;
        float y13 = m > 13 ? y[13] : 0f;
        float y14 = m > 14 ? y[14] : 0f;
        float y15 = m > 15 ? y[15] : 0f;
        for (int i = 0; i < n; i++) {
            float xi = x[i];
            if (xi == 0f) {
                continue;
            }
            int row = w + i * m;
            switch (m) {
                case 16:
                    y15 = y15 + xi * p[row + 15];
                case 15:
                    y14 = y14 + xi * p[row + 14];
                case 14:
                    y13 = y13 + xi * p[row + 13];
                case 13:
                    y12 = y12 + xi * p[row + 12];
                case 12:
                    y11 = y11 + xi * p[row + 11];
                case 11:
                    y10 = y10 + xi * p[row + 10];
                case 10:
                    y9 = y9 + xi * p[row + 9];
                case 9:
                    y8 = y8 + xi * p[row + 8];
                case 8:
                    y7 = y7 + xi * p[row + 7];
                case 7:
                    y6 = y6 + xi * p[row + 6];
                case 6:
                    y5 = y5 + xi * p[row + 5];
                case 5:
                    y4 = y4 + xi * p[row + 4];
                case 4:
                    y3 = y3 + xi * p[row + 3];
                case 3:
                    y2 = y2 + xi * p[row + 2];
                case 2:
                    y1 = y1 + xi * p[row + 1];
                case 1:
                    y0 = y0 + xi * p[row + 0];
                    break;
                default:
                    throw new AssertionError(m);
            }
        }
        switch (m) {
            case 16:
                y[15] = y15;
            case 15:
                y[14] = y14;
            case 14:
                y[13] = y13;
            case 13:
                y[12] = y12;
            case 12:
                y[11] = y11;
            case 11:
                y[10] = y10;
            case 10:
                y[9] = y9;
            case 9:
                y[8] = y8;
            case 8:
                y[7] = y7;
            case 7:
                y[6] = y6;
            case 6:
                y[5] = y5;
            case 5:
                y[4] = y4;
            case 4:
                y[3] = y3;
            case 3:
                y[2] = y2;
            case 2:
                y[1] = y1;
            case 1:
                y[0] = y0;
                break;
            default:
                throw new AssertionError(m);
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
