package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** SGD/momentum and Adam update rules. */
class OptimizerTest {

    @Test
    void plainSgdIsExactlyPMinusLrG() {
        Optimizer sgd = Optimizer.create("SGD", 0.0, 0.9, 0.999, 1e-8);
        assertThat(sgd).isInstanceOf(SgdMomentum.class);
        assertThat(sgd.stateSize(10)).isZero();
        Random rnd = new Random(1);
        float[] p = GradCheck.gaussian(rnd, 50, 1);
        float[] g = GradCheck.gaussian(rnd, 50, 1);
        float[] expected = new float[50];
        float lr = 0.037f;
        for (int i = 0; i < 50; i++) {
            expected[i] = p[i] - lr * g[i];
        }
        sgd.step(p, g, new float[0], lr, 1);
        assertThat(p).containsExactly(expected);
    }

    @Test
    void momentumAccumulatesVelocity() {
        Optimizer sgd = new SgdMomentum(0.5);
        float[] p = {0f};
        float[] state = new float[sgd.stateSize(1)];
        sgd.step(p, new float[] {1f}, state, 1f, 1);
        sgd.step(p, new float[] {1f}, state, 1f, 2);
        assertThat(state[0]).isEqualTo(1.5f);
        assertThat(p[0]).isEqualTo(-2.5f);
    }

    @Test
    void adamFirstStepIsLrTimesSign() {
        Optimizer adam = Optimizer.create("adam", 0, 0.9, 0.999, 1e-8);
        Random rnd = new Random(2);
        float[] p = GradCheck.gaussian(rnd, 40, 1);
        float[] before = p.clone();
        float[] g = GradCheck.gaussian(rnd, 40, 3);
        float[] state = new float[adam.stateSize(40)];
        assertThat(state).hasSize(80);
        float lr = 0.01f;
        adam.step(p, g, state, lr, 1);
        for (int i = 0; i < 40; i++) {
            assertThat((double) before[i] - p[i]).isCloseTo(lr * Math.signum(g[i]), within(1e-5));
        }
    }

    @Test
    void bothMinimiseAQuadratic() {
        // f(p) = 0.5 * sum_i a_i (p_i - c_i)^2 with mixed curvatures.
        float[] a = {0.5f, 1f, 2f, 4f};
        float[] c = {1f, -2f, 3f, 0.5f};
        for (Optimizer opt : new Optimizer[] {new SgdMomentum(0), new SgdMomentum(0.9),
                new Adam(0.9, 0.999, 1e-8)}) {
            float lr = opt instanceof Adam ? 0.05f : 0.1f;
            float[] p = new float[4];
            float[] state = new float[opt.stateSize(4)];
            float[] g = new float[4];
            for (long step = 1; step <= 3000; step++) {
                for (int i = 0; i < 4; i++) {
                    g[i] = a[i] * (p[i] - c[i]);
                }
                opt.step(p, g, state, lr, step);
            }
            for (int i = 0; i < 4; i++) {
                assertThat(p[i]).as("%s coordinate %d", opt.getClass().getSimpleName(), i)
                        .isCloseTo(c[i], within(1e-3f));
            }
        }
    }

    @Test
    void rejectsBadInput() {
        assertThatThrownBy(() -> Optimizer.create("rmsprop", 0, 0.9, 0.999, 1e-8))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sgd, adam");
        assertThatThrownBy(() -> new Adam(0.9, 0.999, 1e-8)
                .step(new float[1], new float[1], new float[2], 0.1f, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SgdMomentum(1.0)).isInstanceOf(IllegalArgumentException.class);
    }
}
