package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Properties;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The factorisation machine's term against its definition (every pair of inputs, and the task with every input), its
 * step against double finite differences, and what it is for: a stream whose target is a user x item interaction.
 */
class FactorizationMachineTest {
    private static final int DIM = 12;
    private static final int K = 3;

    /** fm_o by the definition: u_o . sum_i x_i v_i + sum_{i<j} (v_i . v_j) x_i x_j, in doubles. */
    private static double reference(double[] task, double[] v, float[] x, int o) {
        double z = 0;
        for (int i = 0; i < DIM; i++) {
            for (int f = 0; f < K; f++) {
                z += task[o * K + f] * x[i] * v[i * K + f];
            }
            for (int j = i + 1; j < DIM; j++) {
                for (int f = 0; f < K; f++) {
                    z += v[i * K + f] * v[j * K + f] * x[i] * x[j];
                }
            }
        }
        return z;
    }

    private static float[] sparseInput(Random r) {
        float[] x = new float[DIM];
        for (int n = 0; n < 4; n++) {
            x[r.nextInt(DIM)] = r.nextBoolean() ? 1f : (float) r.nextGaussian();
        }
        return x;
    }

    @Test
    void outputIsTheSumOfEveryPairwiseInteraction() {
        Random r = new Random(1);
        float[] v = GradCheck.gaussian(r, DIM * K, 0.5);
        float[] task = GradCheck.gaussian(r, 2 * K, 0.5);
        for (int n = 0; n < 20; n++) {
            float[] x = sparseInput(r);
            float[] s = new float[K];
            float pairwise = FactorizationMachine.sum(v, K, x, s);
            for (int o = 0; o < 2; o++) {
                assertThat((double) FactorizationMachine.output(task, o, K, s, pairwise))
                        .isCloseTo(reference(GradCheck.widen(task), GradCheck.widen(v), x, o), within(1e-5));
            }
            assertThat(FactorizationMachine.output(null, 0, K, s, pairwise)).isEqualTo(pairwise);
        }
    }

    @Test
    void aStepIsAdaGradOnTheGradientOfTheLinearisedLoss() {
        // L = sum_o dz_o fm_o: with running squares G, a step moves every parameter by -a g / sqrt(G + g^2).
        Random r = new Random(2);
        float[] v = GradCheck.gaussian(r, DIM * K, 0.5);
        float[] task = GradCheck.gaussian(r, 2 * K, 0.5);
        float[] x = sparseInput(r);
        float[] dz = {0.7f, -0.4f};
        float rate = 0.01f;
        float history = 4f;
        double[] params = new double[task.length + v.length];
        System.arraycopy(GradCheck.widen(task), 0, params, 0, task.length);
        System.arraycopy(GradCheck.widen(v), 0, params, task.length, v.length);
        java.util.function.ToDoubleFunction<double[]> loss = p -> {
            double[] t = java.util.Arrays.copyOfRange(p, 0, task.length);
            double[] w = java.util.Arrays.copyOfRange(p, task.length, p.length);
            return dz[0] * reference(t, w, x, 0) + dz[1] * reference(t, w, x, 1);
        };
        float[] s = new float[K];
        FactorizationMachine.sum(v, K, x, s);
        float[] taskAfter = task.clone();
        float[] vAfter = v.clone();
        float[] taskSquares = new float[task.length];
        float[] vSquares = new float[v.length];
        java.util.Arrays.fill(taskSquares, history);
        java.util.Arrays.fill(vSquares, history);
        FactorizationMachine.learn(taskAfter, taskSquares, vAfter, vSquares, K, x, s, dz, rate);
        int moved = 0;
        for (int i = 0; i < params.length; i++) {
            double step = i < task.length ? taskAfter[i] - task[i] : vAfter[i - task.length] - v[i - task.length];
            double g = GradCheck.central(loss, params, i);
            double expected = -rate * g / Math.sqrt(history + g * g);
            assertThat(step).as("parameter %d", i).isCloseTo(expected, within(1e-7 + 1e-3 * Math.abs(expected)));
            moved += step != 0 ? 1 : 0;
        }
        assertThat(moved).isGreaterThan(task.length); // the task's factor and the rows of the non-zero inputs
    }

    /**
     * A confident prediction's gradient (softmax outputs near 0 or 1 give dz of 1e-20 and below) on a task's first
     * step: g * g underflows to 0 in floats, and g / sqrt(0) made the factor infinite, so every later output of the
     * task was NaN (found on MNIST rotations, where it stopped the evaluation). The factors stay finite and unmoved.
     */
    @Test
    void aGradientWhoseSquareUnderflowsLeavesTheFactorsFinite() {
        Random r = new Random(3);
        float[] v = GradCheck.gaussian(r, DIM * K, 0.5);
        float[] x = new float[DIM];
        java.util.Arrays.fill(x, 5f);
        float[] s = {-3.8f, -21f, 27.7f};
        float[] dz = {8e-26f, 4.6e-20f};
        float[] task = new float[2 * K];
        float[] taskSquares = new float[task.length];
        FactorizationMachine.learn(task, taskSquares, v, new float[v.length], K, x, s, dz, 0.1f);
        for (int f = 0; f < K; f++) {
            // Output 0's gradients (8e-26 times s) square to 0: no step. Output 1's (4.6e-20 times s) square to about
            // 1e-36, still a float: AdaGrad's first step, the rate whatever the gradient's size.
            assertThat(task[f]).isEqualTo(0f);
            assertThat(Math.abs(task[K + f])).isCloseTo(0.1f, within(1e-6f));
        }
        for (float p : v) {
            assertThat(p).isFinite();
        }
    }

    /**
     * Users as tasks, one-hot items, ratings {@code p_u . q_i}: no input carries the answer alone, and each (user,
     * item) pair is seen about twice, so per-task weights on the items cannot learn it; the term shares the item
     * factors across users and can.
     */
    @Test
    void learnsAUserTimesItemInteractionTheHeadAloneCannot() {
        double without = rmseOfLastThird(0);
        double with = rmseOfLastThird(4);
        assertThat(with).isLessThan(0.8 * without);
    }

    private static double rmseOfLastThird(int factors) {
        int users = 40;
        int items = 30;
        int dim = 64;
        Random r = new Random(7);
        double[][] p = new double[users][2];
        double[][] q = new double[items][2];
        for (double[] a : p) {
            a[0] = r.nextGaussian();
            a[1] = r.nextGaussian();
        }
        for (double[] a : q) {
            a[0] = r.nextGaussian();
            a[1] = r.nextGaussian();
        }
        Properties props = new Properties();
        props.setProperty("input.dim", String.valueOf(dim));
        props.setProperty("task.kind", "regression");
        props.setProperty("model.fm.factors", String.valueOf(factors));
        StreamingLearner learner = new StreamingLearner(LearnerConfig.from(props), new InMemoryLearnerStore(), "p",
                LearnerEvents.NONE);
        int n = 60 * users;
        double sq = 0;
        int counted = 0;
        for (int t = 0; t < n; t++) {
            int u = r.nextInt(users);
            int i = r.nextInt(items);
            float[] x = new float[dim];
            x[i] = 1f;
            float y = (float) (p[u][0] * q[i][0] + p[u][1] * q[i][1]);
            float predicted = learner.observe(new Instance("user-" + u, x, new float[] {y}, null, t)).output()[0];
            if (t >= 2 * n / 3) {
                sq += (predicted - y) * (predicted - y);
                counted++;
            }
        }
        return Math.sqrt(sq / counted);
    }

    /**
     * A step takes every gradient before it moves a factor, and steps dense inputs' factors without guards when none
     * needs one: the same floats as stepping each factor in turn with its guards, at any number of factors, dense or
     * sparse, and with gradients small enough to need the guards.
     */
    @Test
    void aStepGivesTheFloatsOfStepsTakenOneFactorAtATime() {
        Random r = new Random(8);
        for (int k : new int[] {1, 3, 8, 9}) {
            for (int trial = 0; trial < 6; trial++) {
                int dim = 5 + r.nextInt(30);
                float[] v = GradCheck.gaussian(r, dim * k, 0.5);
                float[] task = GradCheck.gaussian(r, 2 * k, 0.5);
                float[] x = new float[dim];
                for (int i = 0; i < dim; i++) {
                    x[i] = trial % 2 == 1 && r.nextInt(3) == 0 ? 0f : (float) r.nextGaussian(); // odd trials sparse
                }
                float[] dz = trial >= 4 ? new float[] {3e-20f, -0.2f} : new float[] {0.7f, -0.4f}; // guarded steps
                float[] s = new float[k];
                FactorizationMachine.sum(v, k, x, s);
                float[] taskSquares = GradCheck.gaussian(r, task.length, 1);
                float[] vSquares = GradCheck.gaussian(r, v.length, 1);
                for (int i = 0; i < vSquares.length; i++) {
                    vSquares[i] = trial == 2 ? 0f : vSquares[i] * vSquares[i];
                }
                for (int i = 0; i < taskSquares.length; i++) {
                    taskSquares[i] = taskSquares[i] * taskSquares[i];
                }
                float[] expectedTask = task.clone();
                float[] expectedTaskSquares = taskSquares.clone();
                float[] expectedV = v.clone();
                float[] expectedVSquares = vSquares.clone();
                oneFactorAtATime(expectedTask, expectedTaskSquares, expectedV, expectedVSquares, k, x, s, dz, 0.1f);
                FactorizationMachine.learn(task, taskSquares, v, vSquares, k, x, s, dz, 0.1f);
                assertThat(task).as("k %d trial %d", k, trial).containsExactly(expectedTask);
                assertThat(taskSquares).containsExactly(expectedTaskSquares);
                assertThat(v).as("k %d trial %d", k, trial).containsExactly(expectedV);
                assertThat(vSquares).containsExactly(expectedVSquares);
            }
        }
    }

    /** The step's definition: each factor in turn, skipped on a gradient that is zero, not finite or whose root is 0. */
    private static void oneFactorAtATime(float[] task, float[] taskSquares, float[] v, float[] vSquares, int k,
                                         float[] x, float[] s, float[] dz, float rate) {
        float dzSum = 0;
        float[] pull = new float[k];
        for (int o = 0; o < dz.length; o++) {
            dzSum += dz[o];
            for (int f = 0; f < k; f++) {
                pull[f] += dz[o] * task[o * k + f];
            }
        }
        for (int o = 0; o < dz.length; o++) {
            for (int f = 0; f < k; f++) {
                guardedStep(task, taskSquares, o * k + f, dz[o] * s[f], rate);
            }
        }
        for (int i = 0; i < x.length; i++) {
            float xi = x[i];
            if (xi == 0f) {
                continue;
            }
            for (int f = 0; f < k; f++) {
                int j = i * k + f;
                guardedStep(v, vSquares, j, xi * pull[f] + dzSum * (xi * s[f] - xi * xi * v[j]), rate);
            }
        }
    }

    private static void guardedStep(float[] p, float[] squares, int j, float g, float rate) {
        if (!Float.isFinite(g) || g == 0f) {
            return;
        }
        squares[j] += g * g;
        float root = (float) Math.sqrt(squares[j]);
        if (root != 0f) {
            p[j] -= rate * g / root;
        }
    }
}
