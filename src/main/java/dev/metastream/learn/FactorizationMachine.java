package dev.metastream.learn;

/**
 * The factorisation-machine term of a task's deep output ({@code model.fm.factors}): second-order interactions
 * through low-rank factors (Rendle, "Factorization Machines", ICDM 2010), with the task as one more categorical
 * feature. Each input {@code i} has a factor {@code v_i} of {@code k} numbers, shared by the partition's tasks; each
 * task has one factor {@code u_o} per output. For scaled inputs {@code x} and {@code s = sum_i x_i v_i}:
 *
 * <pre>
 * fm_o(x) = u_o . s  +  1/2 sum_f (s_f^2 - sum_i x_i^2 v_if^2)
 * </pre>
 *
 * the task x input interactions (with users as tasks and items as inputs, matrix factorisation: a user's taste times
 * an item's factor) and every pairwise input interaction (item x genre, genre x genre), in {@code O(k x non-zeros)}
 * by Rendle's identity. The term is added to the head's raw output, so the head, the mixture and the loss see one
 * deep output; the task's factor learns every example (fast), the input factors every example of the partition.
 *
 * <pre>{@code
 * float[] s = new float[k];
 * float pairwise = FactorizationMachine.sum(factors, k, x, s);
 * float z = head + FactorizationMachine.output(task, 0, k, s, pairwise);
 * }</pre>
 */
final class FactorizationMachine {
    /** Standard deviation of the initial input factors; the task factors start at zero (no taste known yet). */
    static final double INIT_STD = 0.1;

    private FactorizationMachine() {
    }

    /**
     * The key of a head shape's task-factor initialisation among the meta-learned head initialisations: a new task's
     * factor starts there, Reptile moves it as it moves the head's, and the meta-model carries it across partitions.
     */
    static String initKey(String shapeKey) {
        return shapeKey + "#fm";
    }

    /** Deterministic initial input factors, {@code dim x k}, row {@code i} at {@code i * k}. */
    static float[] initialInputFactors(int dim, int k, long seed) {
        float[] v = new float[dim * k];
        Rng rng = new Rng(Seeds.mix(seed, 0x666D_6661L));
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (INIT_STD * rng.nextGaussian());
        }
        return v;
    }

    /**
     * Writes {@code s = sum_i x_i v_i} over the non-zero inputs and returns the pairwise input interactions
     * {@code 1/2 sum_f (s_f^2 - sum_i x_i^2 v_if^2)}, in one pass.
     */
    static float sum(float[] factors, int k, float[] x, float[] s) {
        java.util.Arrays.fill(s, 0f);
        // One running sum of squares per factor, not one for all: k independent additions per input instead of a
        // chain of k dependent ones (the term's cost on dense inputs halves).
        float[] squares = new float[k];
        int f = 0;
        for (; f + 8 <= k; f += 8) {
            sumEight(factors, k, f, x, s, squares);
        }
        for (int i = 0; f < k && i < x.length; i++) {
            float xi = x[i];
            if (xi == 0f) {
                continue;
            }
            int row = i * k;
            for (int g = f; g < k; g++) {
                float v = xi * factors[row + g];
                s[g] += v;
                squares[g] += v * v;
            }
        }
        double total = 0;
        for (int g = 0; g < k; g++) {
            total += (double) s[g] * s[g] - squares[g];
        }
        return (float) (0.5 * total);
    }

    /**
     * {@link #sum}'s sums for factors {@code f .. f+7}, held in registers over every input: a loop over k = 8 factors
     * is too short for the JIT to vectorise and paid its overhead per input (2.6x slower). Each sum still adds the
     * inputs in order, so the same floats.
     */
    private static void sumEight(float[] factors, int k, int f, float[] x, float[] s, float[] squares) {
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        float s4 = 0f;
        float s5 = 0f;
        float s6 = 0f;
        float s7 = 0f;
        float q0 = 0f;
        float q1 = 0f;
        float q2 = 0f;
        float q3 = 0f;
        float q4 = 0f;
        float q5 = 0f;
        float q6 = 0f;
        float q7 = 0f;
        for (int i = 0; i < x.length; i++) {
            float xi = x[i];
            if (xi == 0f) {
                continue;
            }
            int r = i * k + f;
            float v0 = xi * factors[r];
            float v1 = xi * factors[r + 1];
            float v2 = xi * factors[r + 2];
            float v3 = xi * factors[r + 3];
            float v4 = xi * factors[r + 4];
            float v5 = xi * factors[r + 5];
            float v6 = xi * factors[r + 6];
            float v7 = xi * factors[r + 7];
            s0 += v0;
            s1 += v1;
            s2 += v2;
            s3 += v3;
            s4 += v4;
            s5 += v5;
            s6 += v6;
            s7 += v7;
            q0 += v0 * v0;
            q1 += v1 * v1;
            q2 += v2 * v2;
            q3 += v3 * v3;
            q4 += v4 * v4;
            q5 += v5 * v5;
            q6 += v6 * v6;
            q7 += v7 * v7;
        }
        s[f] = s0;
        s[f + 1] = s1;
        s[f + 2] = s2;
        s[f + 3] = s3;
        s[f + 4] = s4;
        s[f + 5] = s5;
        s[f + 6] = s6;
        s[f + 7] = s7;
        squares[f] = q0;
        squares[f + 1] = q1;
        squares[f + 2] = q2;
        squares[f + 3] = q3;
        squares[f + 4] = q4;
        squares[f + 5] = q5;
        squares[f + 6] = q6;
        squares[f + 7] = q7;
    }

    /**
     * The factor a task's output uses: its own, or before its first example the meta-learned initialisation a new
     * task would start from (null, zeros, when there is none).
     */
    static float[] taskFactor(LearnerConfig config, SharedState shared, TaskState st, TaskSpec spec) {
        int length = spec.outputs() * config.model().fmFactors();
        if (st != null && st.fm != null && st.fm.length == length) {
            return st.fm;
        }
        float[] init = shared.headInit.get(initKey(spec.shapeKey()));
        return config.meta().enabled() && init != null && init.length == length ? init : null;
    }

    /** {@code fm_o(x)} for output {@code o}; {@code task} may be null (a task with no factor yet: zeros). */
    static float output(float[] task, int o, int k, float[] s, float pairwise) {
        float z = pairwise;
        if (task != null) {
            for (int f = 0; f < k; f++) {
                z += task[o * k + f] * s[f];
            }
        }
        return z;
    }

    /**
     * One AdaGrad step of both factors on the loss gradient {@code dz} of the raw outputs (Duchi, Hazan and Singer
     * 2011, the step libFM and LIBFFM take): each parameter moves by {@code rate g / sqrt(G)}, {@code G} its running
     * sum of squared gradients ({@code taskSquares}, {@code inputSquares}), so a factor starting near zero leaves the
     * saddle there within a few examples, a rare item's factor keeps a large step and a frequent one's settles, and
     * the rate does not depend on the scale of the target. The task's gradient is {@code dz_o s}; each non-zero
     * input's {@code x_i sum_o dz_o u_o + (sum_o dz_o) (x_i s - x_i^2 v_i)}, both with the factors before the step.
     */
    static void learn(float[] task, float[] taskSquares, float[] factors, float[] inputSquares, int k, float[] x,
                      float[] s, float[] dz, float rate) {
        learn(task, taskSquares, factors, inputSquares, k, x, s, dz, rate,
                new float[scratchLength(k, x.length, dz.length)]);
    }

    /** Length of the scratch {@link #learn(float[], float[], float[], float[], int, float[], float[], float[], float,
     * float[])} needs for {@code inputs} inputs and {@code outputs} outputs. */
    static int scratchLength(int k, int inputs, int outputs) {
        return k * Math.max(inputs, outputs);
    }

    /**
     * {@link #learn(float[], float[], float[], float[], int, float[], float[], float[], float)} with the caller's
     * scratch for the gradients (at least {@link #scratchLength} long), so a step allocates nothing. The same floats:
     * every gradient is taken before any factor moves, as each reads its own factor only.
     */
    static void learn(float[] task, float[] taskSquares, float[] factors, float[] inputSquares, int k, float[] x,
                      float[] s, float[] dz, float rate, float[] grad) {
        float dzSum = 0;
        float[] pull = new float[k]; // sum_o dz_o u_o
        for (int o = 0; o < dz.length; o++) {
            dzSum += dz[o];
            for (int f = 0; f < k; f++) {
                pull[f] += dz[o] * task[o * k + f];
            }
        }
        boolean plain = true;
        for (int o = 0; o < dz.length; o++) {
            for (int f = 0; f < k; f++) {
                float g = dz[o] * s[f];
                grad[o * k + f] = g;
                plain &= plainStep(g);
            }
        }
        adagrad(task, taskSquares, grad, dz.length * k, rate, plain);
        boolean dense = true;
        for (float xi : x) {
            dense &= xi != 0f;
        }
        if (!dense) {
            // Hashed inputs are mostly zero: their rows are stepped one by one, the zeros skipped.
            for (int i = 0; i < x.length; i++) {
                float xi = x[i];
                if (xi == 0f) {
                    continue;
                }
                int row = i * k;
                for (int f = 0; f < k; f++) {
                    adagrad(factors, inputSquares, row + f,
                            xi * pull[f] + dzSum * (xi * s[f] - xi * xi * factors[row + f]), rate);
                }
            }
            return;
        }
        plain = k == 8 ? inputGradientsOfEight(factors, x, s, pull, dzSum, grad)
                : inputGradients(factors, k, x, s, pull, dzSum, grad);
        adagrad(factors, inputSquares, grad, x.length * k, rate, plain);
    }

    /**
     * Every input factor's gradient {@code x_i pull + dzSum (x_i s - x_i^2 v_i)} into {@code grad}, for dense inputs.
     *
     * @return whether every gradient is plain ({@link #plainStep})
     */
    private static boolean inputGradients(float[] factors, int k, float[] x, float[] s, float[] pull, float dzSum,
                                          float[] grad) {
        boolean plain = true;
        for (int i = 0; i < x.length; i++) {
            float xi = x[i];
            int row = i * k;
            for (int f = 0; f < k; f++) {
                float g = xi * pull[f] + dzSum * (xi * s[f] - xi * xi * factors[row + f]);
                grad[row + f] = g;
                plain &= plainStep(g);
            }
        }
        return plain;
    }

    /**
     * {@link #inputGradients} for the default eight factors, their pulls and sums held in registers: a loop over
     * eight is too short for the JIT to vectorise and paid its overhead per input (as in {@link #sumEight}). The same
     * expression for each gradient, so the same floats.
     */
    private static boolean inputGradientsOfEight(float[] factors, float[] x, float[] s, float[] pull, float dzSum,
                                                 float[] grad) {
        float p0 = pull[0];
        float p1 = pull[1];
        float p2 = pull[2];
        float p3 = pull[3];
        float p4 = pull[4];
        float p5 = pull[5];
        float p6 = pull[6];
        float p7 = pull[7];
        float s0 = s[0];
        float s1 = s[1];
        float s2 = s[2];
        float s3 = s[3];
        float s4 = s[4];
        float s5 = s[5];
        float s6 = s[6];
        float s7 = s[7];
        boolean plain = true;
        for (int i = 0; i < x.length; i++) {
            float xi = x[i];
            float xx = xi * xi;
            int r = i * 8;
            float g0 = xi * p0 + dzSum * (xi * s0 - xx * factors[r]);
            float g1 = xi * p1 + dzSum * (xi * s1 - xx * factors[r + 1]);
            float g2 = xi * p2 + dzSum * (xi * s2 - xx * factors[r + 2]);
            float g3 = xi * p3 + dzSum * (xi * s3 - xx * factors[r + 3]);
            float g4 = xi * p4 + dzSum * (xi * s4 - xx * factors[r + 4]);
            float g5 = xi * p5 + dzSum * (xi * s5 - xx * factors[r + 5]);
            float g6 = xi * p6 + dzSum * (xi * s6 - xx * factors[r + 6]);
            float g7 = xi * p7 + dzSum * (xi * s7 - xx * factors[r + 7]);
            grad[r] = g0;
            grad[r + 1] = g1;
            grad[r + 2] = g2;
            grad[r + 3] = g3;
            grad[r + 4] = g4;
            grad[r + 5] = g5;
            grad[r + 6] = g6;
            grad[r + 7] = g7;
            plain &= plainStep(g0) & plainStep(g1) & plainStep(g2) & plainStep(g3) & plainStep(g4) & plainStep(g5)
                    & plainStep(g6) & plainStep(g7);
        }
        return plain;
    }

    /**
     * Smallest gradient {@link #adagrad(float[], float[], float[], int, float, boolean)} steps without its guards: its
     * square and so the root of the running sum are positive floats (below about 1e-19 the square underflows).
     */
    private static final float PLAIN_GRADIENT = 1e-18f;

    /** Whether {@code g} needs none of a step's guards: finite, and not so small that its square underflows. */
    private static boolean plainStep(float g) {
        float a = Math.abs(g);
        return a >= PLAIN_GRADIENT & a <= Float.MAX_VALUE;
    }

    /**
     * AdaGrad steps of {@code p[0..length)} on {@code grad[0..length)}. When every gradient is {@code plain}
     * ({@link #plainStep}) the loop has no branch, a loop the JIT can vectorise (square roots and divisions are most
     * of a step's cost); otherwise each parameter takes the guarded step. Both give the same floats for a plain
     * gradient.
     */
    private static void adagrad(float[] p, float[] squares, float[] grad, int length, float rate, boolean plain) {
        if (!plain) {
            for (int j = 0; j < length; j++) {
                adagrad(p, squares, j, grad[j], rate);
            }
            return;
        }
        for (int j = 0; j < length; j++) {
            float g = grad[j];
            float sum = squares[j] + g * g;
            squares[j] = sum;
            p[j] -= rate * g / (float) Math.sqrt(sum);
        }
    }

    private static void adagrad(float[] p, float[] squares, int j, float g, float rate) {
        if (!Float.isFinite(g) || g == 0f) {
            return;
        }
        squares[j] += g * g;
        float root = (float) Math.sqrt(squares[j]);
        if (root == 0f) {
            // g * g underflowed (|g| below ~1e-23, a confident prediction's gradient on a first step): g / 0 would
            // make the factor infinite, then every output of the task NaN. A step that small moves nothing anyway.
            return;
        }
        p[j] -= rate * g / root;
    }
}
