package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Head forward/backward, checked against a double re-implementation (see {@link GradCheck}). */
class HeadTest {

    /** Double-precision reference of {@link Head#forward}. */
    static double[] forwardRef(double[] p, int in, int out, double[] h) {
        double[] z = new double[out];
        for (int j = 0; j < out; j++) {
            z[j] = p[in * out + j];
            for (int i = 0; i < in; i++) {
                z[j] += h[i] * p[i * out + j];
            }
        }
        return z;
    }

    @Test
    void gradientsMatchDoubleFiniteDifferences() {
        Random rnd = new Random(5);
        for (TaskKind kind : TaskKind.values()) {
            Loss loss = kind.loss();
            for (int trial = 0; trial < 10; trial++) {
                int in = 1 + rnd.nextInt(8);
                int out = kind == TaskKind.BINARY ? 1 : 1 + rnd.nextInt(5);
                float[] p = GradCheck.gaussian(rnd, Head.parameterCount(in, out), 0.7);
                float[] h = GradCheck.gaussian(rnd, in, 1.0);
                float[] t = new float[out];
                if (kind == TaskKind.CLASSIFICATION) {
                    t[rnd.nextInt(out)] = 1f;
                } else {
                    for (int j = 0; j < out; j++) {
                        t[j] = kind == TaskKind.REGRESSION ? (float) rnd.nextGaussian()
                                : rnd.nextInt(2);
                    }
                }
                float[] z = new float[out];
                Head.forward(p, in, out, h, z);
                float[] dz = new float[out];
                loss.gradient(z, t, dz);
                float[] dp = new float[p.length];
                Arrays.fill(dp, 0.25f); // backward must add, not overwrite
                float[] dh = new float[in];
                Head.backward(p, in, out, h, dz, dp, dh);
                for (int i = 0; i < dp.length; i++) {
                    dp[i] -= 0.25f;
                }
                double[] hd = GradCheck.widen(h);
                double[] pd = GradCheck.widen(p);
                GradCheck.check("head dp", dp,
                        pp -> GradCheck.loss(loss, forwardRef(pp, in, out, hd), t), p);
                GradCheck.check("head dh", dh,
                        hh -> GradCheck.loss(loss, forwardRef(pd, in, out, hh), t), h);
            }
        }
    }

    @Test
    void theWeightGradientIsOneProductAddedOncePerParameterAtEveryOutputCount() {
        Random rnd = new Random(9);
        for (int out = 1; out <= Head.REGISTER_OUTPUTS + 9; out++) {
            for (int in : new int[] {1, 7, 174}) {
                float[] p = new float[Head.parameterCount(in, out)];
                float[] h = new float[in];
                for (int i = 0; i < in; i++) {
                    h[i] = i % 3 == 1 ? 0f : (float) rnd.nextGaussian(); // zeros are skipped
                }
                float[] dz = new float[out];
                for (int j = 0; j < out; j++) {
                    dz[j] = (float) rnd.nextGaussian();
                }
                float[] acc = new float[p.length];
                for (int i = 0; i < acc.length; i++) {
                    acc[i] = (float) rnd.nextGaussian();
                }
                float[] expected = acc.clone();
                for (int i = 0; i < in; i++) {
                    for (int j = 0; j < out; j++) {
                        if (h[i] != 0f) {
                            expected[i * out + j] += h[i] * dz[j];
                        }
                    }
                }
                for (int j = 0; j < out; j++) {
                    expected[in * out + j] += dz[j];
                }
                Head.backward(p, in, out, h, dz, acc, null);
                assertThat(acc).as("%d inputs, %d outputs", in, out).containsExactly(expected);
            }
        }
    }

    @Test
    void nullDhIsAllowedAndLayoutIsWThenB() {
        int in = 3;
        int out = 2;
        assertThat(Head.parameterCount(in, out)).isEqualTo(8);
        float[] p = Head.initialParameters(in, out, 42);
        assertThat(p).isEqualTo(Head.initialParameters(in, out, 42));
        assertThat(Arrays.copyOfRange(p, 6, 8)).containsExactly(0f, 0f);
        for (int i = 0; i < 6; i++) {
            assertThat(Math.abs(p[i])).isLessThan(0.1f).isGreaterThan(0f);
        }
        float[] dp = new float[8];
        Head.backward(p, in, out, new float[] {1, 2, 3}, new float[] {1, -1}, dp, null);
        assertThat(dp).containsExactly(1, -1, 2, -2, 3, -3, 1, -1);
    }
}
