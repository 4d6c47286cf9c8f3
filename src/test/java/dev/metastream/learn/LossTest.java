package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Loss values, gradients (double finite differences, see {@link GradCheck}) and outputs. */
class LossTest {

    private static float[] target(TaskKind kind, Random rnd, int n) {
        float[] t = new float[n];
        switch (kind) {
            case CLASSIFICATION:
                t[rnd.nextInt(n)] = 1f;
                break;
            case BINARY:
            case MULTILABEL:
                for (int i = 0; i < n; i++) {
                    t[i] = rnd.nextBoolean() ? 1f : 0f;
                }
                break;
            default:
                for (int i = 0; i < n; i++) {
                    t[i] = (float) rnd.nextGaussian();
                }
        }
        return t;
    }

    @Test
    void gradientsMatchDoubleFiniteDifferences() {
        Random rnd = new Random(11);
        for (TaskKind kind : TaskKind.values()) {
            Loss loss = kind.loss();
            for (int trial = 0; trial < 50; trial++) {
                int n = kind == TaskKind.BINARY || kind == TaskKind.REGRESSION && trial % 2 == 0
                        ? 1 : 2 + rnd.nextInt(8);
                float[] z = GradCheck.gaussian(rnd, n, 3.0);
                float[] t = target(kind, rnd, n);
                float[] dz = new float[n];
                loss.gradient(z, t, dz);
                GradCheck.check(kind + " " + loss, dz, zz -> GradCheck.loss(loss, zz, t), z);
                assertThat(loss.value(z, t))
                        .isCloseTo(GradCheck.loss(loss, GradCheck.widen(z), t), within(1e-9));
            }
        }
    }

    @Test
    void stableForExtremeLogits() {
        float[] z = {1000f, -1000f, 0f};
        float[] t = {0f, 1f, 0f};
        assertThat(Loss.SOFTMAX_CROSS_ENTROPY.value(z, t)).isCloseTo(2000.0, within(1e-9));
        assertThat(Loss.SIGMOID_CROSS_ENTROPY.value(z, t))
                .isCloseTo(1000 + 1000 + Math.log(2), within(1e-9));
        float[] dz = new float[3];
        Loss.SOFTMAX_CROSS_ENTROPY.gradient(z, t, dz);
        assertThat(dz).containsExactly(1f, -1f, 0f);
        float[] p = new float[3];
        Loss.SOFTMAX_CROSS_ENTROPY.output(z, p);
        assertThat(p).containsExactly(1f, 0f, 0f);
        Loss.SIGMOID_CROSS_ENTROPY.output(z, p);
        assertThat(p).containsExactly(1f, 0f, 0.5f);
    }

    @Test
    void outputsAreProbabilitiesOrIdentity() {
        float[] z = {0.5f, -1f, 2f};
        float[] p = new float[3];
        Loss.SOFTMAX_CROSS_ENTROPY.output(z, p);
        assertThat((double) p[0] + p[1] + p[2]).isCloseTo(1.0, within(1e-6));
        assertThat(p[2]).isGreaterThan(p[0]).isGreaterThan(p[1]);
        Loss.SQUARED_ERROR.output(z, p);
        assertThat(p).containsExactly(z);
        assertThat(Loss.SQUARED_ERROR.value(new float[] {3f}, new float[] {1f})).isEqualTo(2.0);
    }

    @Test
    void lengthMismatchRejected() {
        assertThatThrownBy(() -> Loss.SQUARED_ERROR.value(new float[2], new float[3]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
