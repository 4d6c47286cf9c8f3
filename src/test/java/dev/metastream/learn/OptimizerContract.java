package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Generic contract every {@link Optimizer} satisfies; each update rule's test class extends it. */
abstract class OptimizerContract {
    /** Curvatures and minimum of the convex quadratic f(p) = ½ Σ a_i (p_i − c_i)². */
    static final float[] A = {0.5f, 1f, 2f, 4f, 0.25f};
    static final float[] C = {1f, -2f, 3f, 0.5f, -1.5f};

    /** @return the optimiser under test, as {@link Optimizer#create} makes it */
    protected abstract Optimizer newOptimizer();

    /** @return a learning rate at which it converges on the quadratic */
    protected abstract float stableLearningRate();

    /** @return whether past gradients keep moving the parameters (momentum, Adam's first moment) */
    protected abstract boolean carriesVelocity();

    static double f(float[] p) {
        double s = 0;
        for (int i = 0; i < p.length; i++) {
            s += 0.5 * A[i] * (p[i] - C[i]) * (p[i] - C[i]);
        }
        return s;
    }

    static float[] grad(float[] p) {
        float[] g = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            g[i] = A[i] * (p[i] - C[i]);
        }
        return g;
    }

    /** Runs {@code steps} steps from p = 0 with fresh state; returns p then the state, concatenated. */
    float[] run(Optimizer opt, int steps, float lr) {
        float[] p = new float[A.length];
        float[] state = new float[opt.stateSize(p.length)];
        for (long k = 1; k <= steps; k++) {
            opt.step(p, grad(p), state, lr, k);
        }
        float[] out = Arrays.copyOf(p, p.length + state.length);
        System.arraycopy(state, 0, out, p.length, state.length);
        return out;
    }

    @Test
    void lazyStepMovesOnlyTheActiveParametersAndMatchesTheFullStepThere() {
        Optimizer opt = newOptimizer();
        Random rnd = new Random(4);
        int n = 40;
        float[] p = GradCheck.gaussian(rnd, n, 1);
        float[] state = new float[opt.stateSize(n)];
        for (long k = 1; k <= 3; k++) { // some history, so momentum and moments are not zero
            opt.step(p, GradCheck.gaussian(rnd, n, 1), state, 0.05f, k);
        }
        float[] g = GradCheck.gaussian(rnd, n, 1);
        ParamRanges active = ParamRanges.builder().add(2, 7).add(7, 9).add(20, 33).build();
        boolean[] in = new boolean[n];
        for (int k = 0; k < active.count(); k++) {
            for (int i = active.from(k); i < active.to(k); i++) {
                in[i] = true;
            }
        }
        float[] fullP = p.clone();
        float[] fullState = state.clone();
        opt.step(fullP, g, fullState, 0.05f, 4);
        float[] lazyP = p.clone();
        float[] lazyState = state.clone();
        opt.step(lazyP, g, lazyState, 0.05f, 4, active);
        for (int i = 0; i < n; i++) {
            assertThat(lazyP[i]).as("param %d", i).isEqualTo(in[i] ? fullP[i] : p[i]);
        }
        for (int i = 0; i < state.length; i++) {
            assertThat(lazyState[i]).as("state %d", i).isEqualTo(in[i % n] ? fullState[i] : state[i]);
        }
        float[] allP = p.clone();
        float[] allState = state.clone();
        opt.step(allP, g, allState, 0.05f, 4, ParamRanges.builder().add(0, n).build());
        assertThat(allP).containsExactly(fullP);
        assertThat(allState).containsExactly(fullState);
    }

    @Test
    void zeroGradientAtTheFirstStepLeavesParamsUnchanged() {
        Optimizer opt = newOptimizer();
        float[] p = GradCheck.gaussian(new Random(1), 30, 1);
        float[] before = p.clone();
        float[] state = new float[opt.stateSize(30)];
        opt.step(p, new float[30], state, 0.1f, 1);
        assertThat(Arrays.equals(p, before)).isTrue();
        for (float v : state) {
            assertThat(v).isZero();
        }
    }

    @Test
    void zeroGradientAfterHistoryMovesOnlyWithVelocity() {
        Optimizer opt = newOptimizer();
        float[] p = {0f, 0f};
        float[] state = new float[opt.stateSize(2)];
        opt.step(p, new float[] {1f, -1f}, state, 0.1f, 1);
        float[] before = p.clone();
        opt.step(p, new float[2], state, 0.1f, 2);
        assertThat(!Arrays.equals(p, before)).isEqualTo(carriesVelocity());
        if (carriesVelocity()) { // still moving the way the first gradient pushed
            assertThat(p[0]).isLessThan(before[0]);
            assertThat(p[1]).isGreaterThan(before[1]);
        }
    }

    @Test
    void firstStepMovesEveryParamAgainstItsGradient() {
        Optimizer opt = newOptimizer();
        float[] p = new float[A.length];
        float[] g = grad(p);
        opt.step(p, g, new float[opt.stateSize(p.length)], stableLearningRate(), 1);
        for (int i = 0; i < p.length; i++) {
            assertThat(Math.signum(p[i])).as("coordinate %d", i).isEqualTo(-Math.signum(g[i]));
        }
        assertThat(f(p)).isLessThan(f(new float[A.length]));
    }

    @Test
    void iteratedStepsDecreaseTheQuadratic() {
        Optimizer opt = newOptimizer();
        double f0 = f(new float[A.length]);
        double previous = f0;
        for (int steps : new int[] {10, 100, 1000}) {
            double value = f(Arrays.copyOf(run(opt, steps, stableLearningRate()), A.length));
            assertThat(value).as("after %d steps", steps).isLessThan(previous);
            previous = value;
        }
        assertThat(previous).isLessThan(1e-4 * f0);
    }

    @Test
    void stateOfStateSizeIsWhatStepNeedsAndIsAllUsed() {
        Optimizer opt = newOptimizer();
        assertThat(opt.stateSize(0)).isZero();
        for (int n : new int[] {1, 7, 64}) {
            assertThat(opt.stateSize(n)).isEqualTo(n * opt.stateSize(1)).isNotNegative();
            Random r = new Random(n);
            float[] p = GradCheck.gaussian(r, n, 1);
            float[] g = GradCheck.gaussian(r, n, 1);
            float[] state = new float[opt.stateSize(n)];
            opt.step(p, g, state, 0.01f, 1);
            for (float v : state) { // no slack: a nonzero gradient writes every state entry
                assertThat(v).isNotZero();
            }
            if (state.length > 0) {
                assertThatThrownBy(() -> opt.step(p, g, new float[state.length - 1], 0.01f, 2))
                        .isInstanceOf(IllegalArgumentException.class);
            }
            assertThatThrownBy(() -> opt.step(p, new float[n + 1], state, 0.01f, 2))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        opt.step(new float[0], new float[0], new float[0], 0.01f, 1);
    }

    @Test
    void sameInputsGiveBitIdenticalOutputs() {
        // What exactly-once replay needs: a fresh optimiser over copies of the same params and state does the same.
        float[] straight = run(newOptimizer(), 200, stableLearningRate());
        assertThat(run(newOptimizer(), 200, stableLearningRate())).isEqualTo(straight);
        // Stopping half way and resuming from copies of params and state (a store round trip) changes nothing.
        Optimizer opt = newOptimizer();
        float[] p = new float[A.length];
        float[] state = new float[opt.stateSize(p.length)];
        for (long k = 1; k <= 200; k++) {
            p = p.clone();
            state = state.clone();
            opt.step(p, grad(p), state, stableLearningRate(), k);
        }
        float[] resumed = Arrays.copyOf(p, p.length + state.length);
        System.arraycopy(state, 0, resumed, p.length, state.length);
        assertThat(Arrays.equals(resumed, straight)).isTrue();
    }

    @Test
    void learningRateZeroLeavesParamsUnchanged() {
        Optimizer opt = newOptimizer();
        Random r = new Random(5);
        float[] p = GradCheck.gaussian(r, 40, 1);
        float[] before = p.clone();
        float[] state = new float[opt.stateSize(40)];
        for (long k = 1; k <= 5; k++) {
            opt.step(p, GradCheck.gaussian(r, 40, 3), state, 0f, k);
        }
        assertThat(Arrays.equals(p, before)).isTrue();
    }
}
