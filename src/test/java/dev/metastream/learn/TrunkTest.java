package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Trunk layout, single vs batched forward, and batched backward against double finite
 * differences of a double re-implementation of the forward pass (see {@link GradCheck}).
 */
class TrunkTest {
    private static final int[][] HIDDEN = {{}, {5}, {6, 4}};

    /** Double-precision reference forward; returns the pre-activations too when asked. */
    static double[] forwardRef(TrunkSpec spec, double[] p, float[] x, StringBuilder signs) {
        double[] a = GradCheck.widen(x);
        int[] hidden = spec.hidden();
        int off = 0;
        int in = spec.inputDim();
        for (int out : hidden) {
            double[] next = new double[out];
            for (int j = 0; j < out; j++) {
                double z = p[off + in * out + j];
                for (int i = 0; i < in; i++) {
                    z += a[i] * p[off + i * out + j];
                }
                if (signs != null) {
                    signs.append(z > 0 ? '+' : '-');
                }
                next[j] = GradCheck.act(spec.activation(), z);
            }
            off += (in + 1) * out;
            in = out;
            a = next;
        }
        return a;
    }

    private static float[] randomParams(TrunkSpec spec, Random rnd) {
        float[] p = spec.initialParameters(rnd.nextLong());
        // Non-zero biases so their gradients are exercised at a generic point.
        for (int i = 0; i < p.length; i++) {
            p[i] += (float) (0.3 * rnd.nextGaussian());
        }
        return p;
    }

    @Test
    void layoutAndCounts() {
        TrunkSpec spec = new TrunkSpec(4, new int[] {6, 3}, Activation.RELU);
        assertThat(spec.parameterCount()).isEqualTo(4 * 6 + 6 + 6 * 3 + 3);
        assertThat(spec.outputDim()).isEqualTo(3);
        assertThat(spec.weightOffset(1)).isEqualTo(30);
        TrunkSpec linear = new TrunkSpec(7, new int[0], Activation.TANH);
        assertThat(linear.outputDim()).isEqualTo(7);
        assertThat(linear.parameterCount()).isZero();
        assertThat(spec).isEqualTo(new TrunkSpec(4, new int[] {6, 3}, Activation.RELU));
        assertThat(spec.hashCode())
                .isEqualTo(new TrunkSpec(4, new int[] {6, 3}, Activation.RELU).hashCode());
        float[] p = spec.initialParameters(9);
        assertThat(p).isEqualTo(spec.initialParameters(9)).isNotEqualTo(spec.initialParameters(10));
        for (int j = 24; j < 30; j++) {
            assertThat(p[j]).isZero(); // b_0
        }
    }

    @Test
    void initialisationScales() {
        TrunkSpec he = new TrunkSpec(200, new int[] {300}, Activation.RELU);
        TrunkSpec glorot = new TrunkSpec(200, new int[] {300}, Activation.TANH);
        assertThat(std(he.initialParameters(1), 200 * 300)).isCloseTo(Math.sqrt(2.0 / 200),
                within(0.002));
        // Uniform(-L, L) has std L / sqrt(3) with L = sqrt(6 / (in + out)).
        assertThat(std(glorot.initialParameters(1), 200 * 300))
                .isCloseTo(Math.sqrt(6.0 / 500) / Math.sqrt(3), within(0.002));
    }

    private static double std(float[] p, int n) {
        double s = 0;
        double s2 = 0;
        for (int i = 0; i < n; i++) {
            s += p[i];
            s2 += (double) p[i] * p[i];
        }
        return Math.sqrt(s2 / n - (s / n) * (s / n));
    }

    @Test
    void singleForwardMatchesBatchRowWise() {
        Random rnd = new Random(3);
        for (Activation act : Activation.values()) {
            for (int[] hidden : new int[][] {{}, {5}, {6, 4}, {64, 32}}) {
                TrunkSpec spec = new TrunkSpec(9, hidden, act);
                Trunk trunk = new Trunk(spec);
                float[] p = randomParams(spec, rnd);
                float[][] xs = new float[7][];
                for (int r = 0; r < xs.length; r++) {
                    xs[r] = GradCheck.gaussian(rnd, 9, 1.0);
                }
                Trunk.Batch batch = trunk.forwardBatch(p, xs);
                assertThat(batch.size()).isEqualTo(7);
                float[] h = new float[spec.outputDim()];
                for (int r = 0; r < xs.length; r++) {
                    trunk.forward(p, xs[r], h);
                    assertThat(batch.output()[r]).hasSize(spec.outputDim());
                    double[] ref = forwardRef(spec, GradCheck.widen(p), xs[r], null);
                    for (int j = 0; j < h.length; j++) {
                        assertThat(h[j]).isCloseTo(batch.output()[r][j], within(1e-5f));
                        assertThat((double) h[j]).isCloseTo(ref[j], within(1e-5));
                    }
                }
            }
        }
    }

    /**
     * A batch that reuses the passes kept at prediction gives the floats and the gradient of one that computes every
     * row, and a pass made before the parameters changed is not reused.
     */
    @Test
    void keptPassesGiveTheBatchsOwnFloats() {
        Random rnd = new Random(5);
        for (Activation act : Activation.values()) {
            for (int[] hidden : new int[][] {{}, {5}, {6, 4}, {64}}) {
                TrunkSpec spec = new TrunkSpec(9, hidden, act);
                Trunk trunk = new Trunk(spec);
                Trunk fresh = new Trunk(spec);
                float[] p = randomParams(spec, rnd);
                float[][] xs = new float[7][];
                for (int r = 0; r < xs.length; r++) {
                    xs[r] = GradCheck.gaussian(rnd, 9, 1.0);
                }
                xs[2][0] = Float.NaN; // its pass is not the batch's (ReLU of NaN is 0 there, NaN in the batch)
                Trunk.Pass[] known = new Trunk.Pass[4]; // rows 4.. have none
                for (int r = 0; r < known.length; r++) {
                    known[r] = trunk.forwardKept(p, xs[r]);
                }
                assertSameBatch(trunk.forwardBatch(p, xs, known), fresh.forwardBatch(p, xs), trunk, fresh, p, spec);
                boolean keepable = hidden.length > 0 && (act == Activation.RELU || act == Activation.IDENTITY);
                assertThat(trunk.rowsReused()).isEqualTo(keepable ? 3 : 0); // rows 0, 1 and 3

                float[] moved = p.clone();
                for (int i = 0; i < moved.length; i++) {
                    moved[i] += 0.01f;
                }
                Trunk.Pass[] stale = {trunk.forwardKept(p, xs[0]), trunk.forwardKept(p, xs[1])};
                assertSameBatch(trunk.forwardBatch(moved, xs, stale), fresh.forwardBatch(moved, xs), trunk, fresh,
                        moved, spec);
                assertThat(trunk.rowsReused()).isEqualTo(keepable ? 3 : 0);
                float[] h = new float[spec.outputDim()];
                trunk.forward(p, xs[3], h);
                assertThat(trunk.forwardKept(p, xs[3]).output()).isEqualTo(h);
            }
        }
    }

    private static void assertSameBatch(Trunk.Batch a, Trunk.Batch b, Trunk ta, Trunk tb, float[] p, TrunkSpec spec) {
        for (int r = 0; r < a.size(); r++) {
            assertThat(a.output()[r]).isEqualTo(b.output()[r]);
        }
        float[][] dH = new float[a.size()][];
        Random rnd = new Random(9);
        for (int r = 0; r < dH.length; r++) {
            dH[r] = GradCheck.gaussian(rnd, spec.outputDim(), 1.0);
        }
        float[] ga = new float[spec.parameterCount()];
        float[] gb = new float[spec.parameterCount()];
        ta.backwardBatch(p, a, dH, ga);
        tb.backwardBatch(p, b, dH, gb);
        assertThat(ga).isEqualTo(gb);
    }

    @Test
    void batchBackwardMatchesDoubleFiniteDifferences() {
        Random rnd = new Random(17);
        int skipped = 0;
        int checked = 0;
        for (Activation act : Activation.values()) {
            for (int[] hidden : HIDDEN) {
                TrunkSpec spec = new TrunkSpec(4, hidden, act);
                Trunk trunk = new Trunk(spec);
                float[] p = randomParams(spec, rnd);
                float[][] xs = new float[3][];
                float[][] dH = new float[3][];
                for (int r = 0; r < 3; r++) {
                    xs[r] = GradCheck.gaussian(rnd, 4, 1.0);
                    dH[r] = GradCheck.gaussian(rnd, spec.outputDim(), 1.0);
                }
                // Scalar objective L = sum_r dH_r · H_r, so dL/dH = dH exactly.
                Trunk.Batch batch = trunk.forwardBatch(p, xs);
                float[] grad = new float[spec.parameterCount()];
                trunk.backwardBatch(p, batch, dH, grad);
                double[] pd = GradCheck.widen(p);
                String baseSigns = signs(spec, pd, xs);
                for (int i = 0; i < grad.length; i++) {
                    // ReLU has kinks: skip a coordinate whose +-h probe changes the sign
                    // pattern (the derivative is undefined there); counted and bounded below.
                    if (act == Activation.RELU && atKink(spec, pd, xs, i, baseSigns)) {
                        skipped++;
                        continue;
                    }
                    double num = GradCheck.central(pp -> objective(spec, pp, xs, dH), pd, i);
                    // Relative to the gradient, or absolute below 1e-6: a float gradient that is a small sum of
                    // terms of order one is off by ~1e-7 from rounding alone, whatever order it is summed in. Over
                    // 23,200 coordinates of random two-layer tanh trunks, the plain loops and ND4J's gemm missed 1e-4
                    // relative at 16 and 13 of them, with the same mean absolute error (7.3e-8 and 7.2e-8).
                    assertThat(Math.min(GradCheck.relErr(grad[i], num), Math.abs(grad[i] - num) / 1e-6 * 1e-4))
                            .as("%s %s param %d analytic %s numeric %s", act,
                                    java.util.Arrays.toString(hidden), i, grad[i], num)
                            .isLessThan(GradCheck.MAX_REL_ERR);
                    checked++;
                }
                if (hidden.length == 0) {
                    assertThat(grad).isEmpty();
                    assertThat(batch.output()[1]).containsExactly(xs[1]);
                }
            }
        }
        assertThat(checked).isGreaterThan(320); // 4 activations x 83 parameters, minus ReLU kinks
        assertThat(skipped).isLessThan(5);
    }

    /**
     * The batch's plain loops and ND4J's gemm ({@link Trunk#GEMM_MIN_WORK} 0) give the same outputs and gradients up
     * to float rounding, and the loops give the single-example forward's floats exactly (the same sums in the same
     * order), zeros skipped or not, at widths that are and are not multiples of the loops' blocks of four.
     */
    @Test
    void batchLoopsMatchTheGemmAndTheSingleForward() {
        Random rnd = new Random(23);
        for (Activation act : Activation.values()) {
            for (int[] hidden : new int[][] {{5}, {6, 4}, {64, 32}, {17}}) {
                for (int dim : new int[] {9, 12, 100}) {
                    TrunkSpec spec = new TrunkSpec(dim, hidden, act);
                    Trunk loops = new Trunk(spec, 0, Long.MAX_VALUE);
                    Trunk gemm = new Trunk(spec, 0, 0);
                    float[] p = randomParams(spec, rnd);
                    float[][] xs = new float[11][];
                    float[][] dH = new float[11][];
                    for (int r = 0; r < xs.length; r++) {
                        xs[r] = GradCheck.gaussian(rnd, dim, 1.0);
                        for (int i = r % 3; i < dim; i += 3) {
                            xs[r][i] = 0f; // blocks of zeros the loops skip, and blocks they do not
                        }
                        dH[r] = GradCheck.gaussian(rnd, spec.outputDim(), 1.0);
                    }
                    Trunk.Batch a = loops.forwardBatch(p, xs);
                    Trunk.Batch b = gemm.forwardBatch(p, xs);
                    float[] ga = new float[p.length];
                    float[] gb = new float[p.length];
                    loops.backwardBatch(p, a, dH, ga);
                    gemm.backwardBatch(p, b, dH, gb);
                    float[] h = new float[spec.outputDim()];
                    for (int r = 0; r < xs.length; r++) {
                        for (int j = 0; j < h.length; j++) {
                            assertThat(a.output()[r][j]).isCloseTo(b.output()[r][j], within(1e-5f));
                        }
                        if (act == Activation.RELU || act == Activation.IDENTITY) {
                            loops.forward(p, xs[r], h);
                            assertThat(a.output()[r]).containsExactly(h);
                        }
                    }
                    for (int i = 0; i < p.length; i++) {
                        assertThat(ga[i]).as("%s %s dim %d param %d", act, java.util.Arrays.toString(hidden), dim, i)
                                .isCloseTo(gb[i], within(1e-4f * Math.max(1f, Math.abs(gb[i]))));
                    }
                }
            }
        }
    }

    /**
     * The trunk keeps its weights as rows between calls: a parameter changed in place (as an optimiser step changes
     * them), or other parameters passed, must be seen by the next forward, single or batched.
     */
    @Test
    void weightsChangedInPlaceAreSeenByTheNextForward() {
        Random rnd = new Random(31);
        TrunkSpec spec = new TrunkSpec(6, new int[] {5, 4}, Activation.RELU);
        Trunk trunk = new Trunk(spec);
        float[] p = randomParams(spec, rnd);
        float[] x = GradCheck.gaussian(rnd, 6, 1.0);
        float[] h = new float[4];
        for (int step = 0; step < 6; step++) {
            trunk.forward(p, x, h);
            p[rnd.nextInt(5 * 6)] += 0.5f; // a weight of W_0, in place
            if (step % 2 == 1) {
                trunk.forward(randomParams(spec, rnd), x, h); // another array in between
            }
            trunk.forward(p, x, h);
            double[] ref = forwardRef(spec, GradCheck.widen(p), x, null);
            float[] batch = trunk.forwardBatch(p, new float[][] {x}).output()[0];
            for (int j = 0; j < h.length; j++) {
                assertThat((double) h[j]).isCloseTo(ref[j], within(1e-5));
            }
            assertThat(batch).containsExactly(h);
        }
    }

    /** Rows with a few non-zero inputs of {@code dim}: hashed categorical features. */
    private static float[][] sparseRows(Random rnd, int rows, int dim, int nonZero) {
        float[][] xs = new float[rows][dim];
        for (float[] x : xs) {
            for (int k = 0; k < nonZero; k++) {
                x[rnd.nextInt(dim)] = rnd.nextBoolean() ? 1f : (float) rnd.nextGaussian();
            }
        }
        return xs;
    }

    @Test
    void sparseBatchRunsAsAnEmbeddingBagWithTheSameOutputsAndGradients() {
        Random rnd = new Random(5);
        for (Activation act : Activation.values()) {
            for (int[] hidden : new int[][] {{5}, {6, 4}}) {
                TrunkSpec spec = new TrunkSpec(200, hidden, act);
                Trunk trunk = new Trunk(spec);
                float[] p = randomParams(spec, rnd);
                float[][] xs = sparseRows(rnd, 6, 200, 3);
                float[][] dH = new float[xs.length][];
                for (int r = 0; r < xs.length; r++) {
                    dH[r] = GradCheck.gaussian(rnd, spec.outputDim(), 1.0);
                }
                Trunk.Batch batch = trunk.forwardBatch(p, xs);
                assertThat(batch.embeddingBag()).isTrue();
                float[] grad = new float[spec.parameterCount()];
                trunk.backwardBatch(p, batch, dH, grad);
                double[] pd = GradCheck.widen(p);
                for (int r = 0; r < xs.length; r++) {
                    double[] ref = forwardRef(spec, pd, xs[r], null);
                    for (int j = 0; j < ref.length; j++) {
                        assertThat((double) batch.output()[r][j]).isCloseTo(ref[j], within(1e-5));
                    }
                }
                // Every gradient coordinate against the double reference at a smooth point (ReLU kinks skipped),
                // and every non-zero coordinate inside the active ranges.
                boolean[] active = new boolean[grad.length];
                ParamRanges ranges = batch.activeParameters();
                for (int k = 0; k < ranges.count(); k++) {
                    for (int i = ranges.from(k); i < ranges.to(k); i++) {
                        active[i] = true;
                    }
                }
                String base = signs(spec, pd, xs);
                for (int i = 0; i < grad.length; i++) {
                    if (!active[i]) {
                        assertThat(grad[i]).as("inactive parameter %d", i).isZero();
                        continue;
                    }
                    if (act == Activation.RELU && atKink(spec, pd, xs, i, base)) {
                        continue;
                    }
                    double num = GradCheck.central(pp -> objective(spec, pp, xs, dH), pd, i);
                    assertThat(GradCheck.relErr(grad[i], num)).as("%s param %d", act, i)
                            .isLessThan(GradCheck.MAX_REL_ERR);
                }
                // Only the rows of the inputs the batch saw are active: at most 6 x 3 rows of W_0.
                int later = spec.parameterCount() - 200 * hidden[0];
                assertThat(ranges.size()).isLessThanOrEqualTo(18 * hidden[0] + later);
            }
        }
    }

    @Test
    void denseBatchKeepsTheGemmAndEveryParameterActive() {
        Random rnd = new Random(8);
        TrunkSpec spec = new TrunkSpec(200, new int[] {5}, Activation.RELU);
        Trunk trunk = new Trunk(spec);
        float[][] xs = sparseRows(rnd, 6, 200, 60); // about a quarter non-zero
        Trunk.Batch batch = trunk.forwardBatch(randomParams(spec, rnd), xs);
        assertThat(batch.embeddingBag()).isFalse();
        assertThat(batch.activeParameters()).isNull();
    }

    @Test
    void backwardAccumulates() {
        TrunkSpec spec = new TrunkSpec(3, new int[] {4}, Activation.TANH);
        Trunk trunk = new Trunk(spec);
        float[] p = spec.initialParameters(1);
        float[][] xs = {{1, 2, 3}, {-1, 0.5f, 0}};
        float[][] dH = {{1, 0, 0, 1}, {0, 1, -1, 0}};
        Trunk.Batch b = trunk.forwardBatch(p, xs);
        float[] once = new float[p.length];
        trunk.backwardBatch(p, b, dH, once);
        float[] twice = once.clone();
        trunk.backwardBatch(p, b, dH, twice);
        for (int i = 0; i < p.length; i++) {
            assertThat(twice[i]).isCloseTo(2 * once[i], within(1e-6f));
        }
    }

    @Test
    void aTrunkReusingItsRowsBetweenBatchesOfEverySizeGivesAFreshTrunksGradients() {
        Random rnd = new Random(21);
        for (Activation act : Activation.values()) {
            TrunkSpec spec = new TrunkSpec(5, new int[] {6, 4, 3}, act);
            float[] p = randomParams(spec, rnd);
            Trunk reused = new Trunk(spec);
            for (int rows : new int[] {7, 2, 7, 9, 1, 9}) {
                float[][] xs = new float[rows][];
                float[][] dH = new float[rows][];
                for (int r = 0; r < rows; r++) {
                    xs[r] = GradCheck.gaussian(rnd, spec.inputDim(), 1.0);
                    dH[r] = GradCheck.gaussian(rnd, spec.outputDim(), 1.0);
                }
                Trunk fresh = new Trunk(spec);
                float[] expected = new float[p.length];
                fresh.backwardBatch(p, fresh.forwardBatch(p, xs), dH, expected);
                float[] actual = new float[p.length];
                reused.backwardBatch(p, reused.forwardBatch(p, xs), dH, actual);
                assertThat(actual).as("%s, %d rows", act, rows).isEqualTo(expected);
            }
        }
    }

    /** Whether a +-h probe of parameter {@code i} changes the ReLU sign pattern (no derivative there). */
    private static boolean atKink(TrunkSpec spec, double[] pd, float[][] xs, int i, String base) {
        double h = 1e-6 * Math.max(1.0, Math.abs(pd[i]));
        double old = pd[i];
        pd[i] = old + h;
        String up = signs(spec, pd, xs);
        pd[i] = old - h;
        String down = signs(spec, pd, xs);
        pd[i] = old;
        return !(up.equals(base) && down.equals(base));
    }

    private static double objective(TrunkSpec spec, double[] p, float[][] xs, float[][] dH) {
        double s = 0;
        for (int r = 0; r < xs.length; r++) {
            double[] h = forwardRef(spec, p, xs[r], null);
            for (int j = 0; j < h.length; j++) {
                s += dH[r][j] * h[j];
            }
        }
        return s;
    }

    private static String signs(TrunkSpec spec, double[] p, float[][] xs) {
        StringBuilder sb = new StringBuilder();
        for (float[] x : xs) {
            forwardRef(spec, p, x, sb);
        }
        return sb.toString();
    }
}
