package dev.metastream.learn;

/**
 * The dense layer's three products on matrices held as arrays of rows: the forward {@code Y = X W + b}, the weight
 * gradient {@code dW += A^T dZ} and the input gradient {@code dA = dZ W^T}, in plain loops.
 *
 * <p>Why rows: JDK 17's C2 vectorises a loop over arrays that all start at index 0 ({@code y[j] += a * w[j]}), but
 * not the same loop over offsets into one flat array ({@code y[j] += a * p[row + j]}): at the trunk's shape (96 x 100
 * x 64) the flat loop ran 2.2 G multiply-adds per second and the row loop 9.3 G (docs/benchmarks-throughput.md,
 * "twentieth stop"). Below {@link Trunk#GEMM_MIN_WORK} these loops beat ND4J's gemm, whose native buffers cost more
 * than the product.
 *
 * <p>Each output's sum runs over the inputs in order, four per pass, so the floats do not depend on whether the loop
 * was vectorised, nor on the CPU (unlike a BLAS gemm, whose kernels are chosen by CPU model).
 */
final class RowKernels {
    private RowKernels() {
    }

    /** Copies the row-major {@code n x m} matrix at {@code flat[offset ..]} into the rows {@code dst[0 .. n)}. */
    static void rows(float[] flat, int offset, int n, int m, float[][] dst) {
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, offset + i * m, dst[i], 0, m);
        }
    }

    /** Copies the transpose of the row-major {@code n x m} matrix at {@code flat[offset ..]} into {@code dst[0 .. m)}. */
    static void transposedRows(float[] flat, int offset, int n, int m, float[][] dst) {
        for (int i = 0; i < n; i++) {
            int row = offset + i * m;
            for (int j = 0; j < m; j++) {
                dst[j][i] = flat[row + j];
            }
        }
    }

    /**
     * {@code y[r] = bias + x[r] W} for every row {@code r}, with {@code W} as its {@code n} rows of {@code m} and the
     * bias at {@code flat[bias .. bias + m)}. A block of four zero inputs is skipped (ReLU features, hashed inputs).
     */
    static void affine(float[][] w, float[] flat, int bias, int n, int m, float[][] x, float[][] y) {
        for (int r = 0; r < x.length; r++) {
            float[] xr = x[r];
            float[] yr = y[r];
            System.arraycopy(flat, bias, yr, 0, m);
            int i = 0;
            for (; i + 3 < n; i += 4) {
                float x0 = xr[i];
                float x1 = xr[i + 1];
                float x2 = xr[i + 2];
                float x3 = xr[i + 3];
                if (x0 == 0f && x1 == 0f && x2 == 0f && x3 == 0f) {
                    continue;
                }
                float[] w0 = w[i];
                float[] w1 = w[i + 1];
                float[] w2 = w[i + 2];
                float[] w3 = w[i + 3];
                for (int j = 0; j < m; j++) {
                    yr[j] = yr[j] + x0 * w0[j] + x1 * w1[j] + x2 * w2[j] + x3 * w3[j];
                }
            }
            for (; i < n; i++) {
                float xi = xr[i];
                if (xi == 0f) {
                    continue;
                }
                float[] wi = w[i];
                for (int j = 0; j < m; j++) {
                    yr[j] += xi * wi[j];
                }
            }
        }
    }

    /**
     * {@code g[offset + i m + j] += sum_r a[r][i] dz[r][j]}: the weight gradient of a layer with {@code n} inputs and
     * {@code m} outputs, each sum taken over the rows in order into {@code scratch} (length at least {@code m}) and
     * then added.
     */
    static void weightGradient(float[][] a, float[][] dz, int n, int m, float[] g, int offset, float[] scratch) {
        int rows = a.length;
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(scratch, 0, m, 0f);
            int r = 0;
            for (; r + 3 < rows; r += 4) {
                float a0 = a[r][i];
                float a1 = a[r + 1][i];
                float a2 = a[r + 2][i];
                float a3 = a[r + 3][i];
                if (a0 == 0f && a1 == 0f && a2 == 0f && a3 == 0f) {
                    continue;
                }
                float[] d0 = dz[r];
                float[] d1 = dz[r + 1];
                float[] d2 = dz[r + 2];
                float[] d3 = dz[r + 3];
                for (int j = 0; j < m; j++) {
                    scratch[j] = scratch[j] + a0 * d0[j] + a1 * d1[j] + a2 * d2[j] + a3 * d3[j];
                }
            }
            for (; r < rows; r++) {
                float ar = a[r][i];
                if (ar == 0f) {
                    continue;
                }
                float[] d = dz[r];
                for (int j = 0; j < m; j++) {
                    scratch[j] += ar * d[j];
                }
            }
            int row = offset + i * m;
            for (int j = 0; j < m; j++) {
                g[row + j] += scratch[j];
            }
        }
    }

    /**
     * {@code da[r] = dz[r] W^T} for a layer with {@code n} inputs and {@code m} outputs, with {@code W^T} as its
     * {@code m} rows of {@code n} ({@link #transposedRows}).
     */
    static void inputGradient(float[][] wt, int n, int m, float[][] dz, float[][] da) {
        for (int r = 0; r < dz.length; r++) {
            float[] dzr = dz[r];
            float[] dar = da[r];
            java.util.Arrays.fill(dar, 0, n, 0f);
            int j = 0;
            for (; j + 3 < m; j += 4) {
                float d0 = dzr[j];
                float d1 = dzr[j + 1];
                float d2 = dzr[j + 2];
                float d3 = dzr[j + 3];
                if (d0 == 0f && d1 == 0f && d2 == 0f && d3 == 0f) {
                    continue;
                }
                float[] w0 = wt[j];
                float[] w1 = wt[j + 1];
                float[] w2 = wt[j + 2];
                float[] w3 = wt[j + 3];
                for (int i = 0; i < n; i++) {
                    dar[i] = dar[i] + d0 * w0[i] + d1 * w1[i] + d2 * w2[i] + d3 * w3[i];
                }
            }
            for (; j < m; j++) {
                float dj = dzr[j];
                if (dj == 0f) {
                    continue;
                }
                float[] wj = wt[j];
                for (int i = 0; i < n; i++) {
                    dar[i] += dj * wj[i];
                }
            }
        }
    }
}
