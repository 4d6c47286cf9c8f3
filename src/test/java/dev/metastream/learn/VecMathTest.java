package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The small dense helpers against their one-loop definitions. */
class VecMathTest {

    @Test
    void aSumOfSquaresIsTheOneLoopSumUpToItsOrderOfAdditions() {
        Random r = new Random(4);
        for (int length : new int[] {0, 1, 3, 4, 5, 64, 174, 1750, 6411}) {
            float[] a = new float[length + 7];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (r.nextGaussian() * Math.exp(4 * r.nextGaussian()));
            }
            for (int from : new int[] {0, 3}) {
                int to = from + length;
                double sequential = 0;
                for (int i = from; i < to; i++) {
                    sequential += (double) a[i] * a[i];
                }
                double sum = VecMath.sumOfSquares(a, from, to);
                assertThat(sum).as("length %d from %d", length, from).isCloseTo(sequential,
                        within(1e-15 * sequential));
                assertThat((float) sum).isEqualTo((float) sequential);
            }
        }
        // Exact where every partial sum is: small integers.
        assertThat(VecMath.sumOfSquares(new float[] {1, 2, 3, 4, 5, 6, 7}, 0, 7)).isEqualTo(140);
        assertThat(VecMath.sumOfSquares(new float[] {1, 2, 3, 4, 5, 6, 7}, 2, 5)).isEqualTo(50);
        assertThat(VecMath.sumOfSquares(new float[] {Float.NaN, 1}, 0, 2)).isNaN();
        assertThat(VecMath.sumOfSquares(new float[] {Float.MAX_VALUE, Float.MAX_VALUE}, 0, 2)).isFinite();
    }

    /**
     * Up to {@link VecMath#REGISTER_OUTPUTS} outputs (a head's), {@code addRows} adds one row at a time and skips each
     * zero input; beyond, it adds blocks of rows and skips only all-zero fours. The two differ where a skipped zero
     * would have added something: {@code 0 x inf} (NaN) or a zero onto a running sum of -0.
     */
    @Test
    void addRowsGivesTheFloatsOfItsDefinitionAtEveryWidth() {
        Random r = new Random(6);
        for (int m = 1; m <= VecMath.REGISTER_OUTPUTS + 4; m++) {
            for (int n : new int[] {1, 3, 4, 5, 8, 11, 16, 23, 174}) {
                for (int trial = 0; trial < 4; trial++) {
                    int w = r.nextInt(5);
                    float[] p = new float[w + n * m];
                    for (int i = 0; i < p.length; i++) {
                        p[i] = (float) r.nextGaussian();
                    }
                    if (trial == 3) {
                        p[w + r.nextInt(n * m)] = Float.POSITIVE_INFINITY; // 0 x inf where a zero is not skipped
                    }
                    float[] x = new float[n];
                    for (int i = 0; i < n; i++) {
                        int kind = r.nextInt(6);
                        x[i] = kind == 0 ? 0f : kind == 1 ? -0f : (float) r.nextGaussian();
                    }
                    if (trial >= 1 && n >= 8) {
                        java.util.Arrays.fill(x, 0, 4, 0f); // a block of four zeros, skipped whole
                    }
                    float[] y = new float[m];
                    for (int j = 0; j < m; j++) {
                        y[j] = trial == 2 ? -0f : (float) r.nextGaussian();
                    }
                    float[] expected = y.clone();
                    if (m <= VecMath.REGISTER_OUTPUTS) {
                        rowsOneAtATime(p, w, n, m, x, expected);
                    } else {
                        blocksOfRows(p, w, n, m, x, expected);
                    }
                    VecMath.addRows(p, w, n, m, x, y);
                    for (int j = 0; j < m; j++) {
                        assertThat(Float.floatToRawIntBits(y[j])).as("m %d n %d trial %d output %d", m, n, trial, j)
                                .isEqualTo(Float.floatToRawIntBits(expected[j]));
                    }
                }
            }
        }
    }

    /** What addRows computes for a head's few outputs: one row at a time, each zero input skipped. */
    private static void rowsOneAtATime(float[] p, int w, int n, int m, float[] x, float[] y) {
        for (int i = 0; i < n; i++) {
            if (x[i] == 0f) {
                continue;
            }
            for (int j = 0; j < m; j++) {
                y[j] = y[j] + x[i] * p[w + i * m + j];
            }
        }
    }

    /**
     * What addRows computes for more outputs, written with a loop over the outputs: blocks of eight rows when both of their fours have
     * a non-zero input, else the four that has; then fours, skipped when all zero; then single rows, zeros skipped.
     */
    private static void blocksOfRows(float[] p, int w, int n, int m, float[] x, float[] y) {
        int i = 0;
        for (; i + 7 < n; i += 8) {
            boolean low = x[i] != 0f || x[i + 1] != 0f || x[i + 2] != 0f || x[i + 3] != 0f;
            boolean high = x[i + 4] != 0f || x[i + 5] != 0f || x[i + 6] != 0f || x[i + 7] != 0f;
            if (low && high) {
                for (int j = 0; j < m; j++) {
                    float s = y[j];
                    for (int k = 0; k < 8; k++) {
                        s = s + x[i + k] * p[w + (i + k) * m + j];
                    }
                    y[j] = s;
                }
            } else if (low || high) {
                int at = low ? i : i + 4;
                for (int j = 0; j < m; j++) {
                    float s = y[j];
                    for (int k = 0; k < 4; k++) {
                        s = s + x[at + k] * p[w + (at + k) * m + j];
                    }
                    y[j] = s;
                }
            }
        }
        for (; i + 3 < n; i += 4) {
            if (x[i] == 0f && x[i + 1] == 0f && x[i + 2] == 0f && x[i + 3] == 0f) {
                continue;
            }
            for (int j = 0; j < m; j++) {
                float s = y[j];
                for (int k = 0; k < 4; k++) {
                    s = s + x[i + k] * p[w + (i + k) * m + j];
                }
                y[j] = s;
            }
        }
        for (; i < n; i++) {
            if (x[i] == 0f) {
                continue;
            }
            for (int j = 0; j < m; j++) {
                y[j] += x[i] * p[w + i * m + j];
            }
        }
    }
}
