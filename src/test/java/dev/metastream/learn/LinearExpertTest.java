package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** LinearExpert: per-example SGD learns a separable stream, its step is clipped, and a non-finite input is skipped. */
class LinearExpertTest {
    private static final TaskSpec BINARY = TaskSpec.from("binary", 0, List.of(), 0);
    private static final TaskSpec TWO_CLASSES = TaskSpec.from("classification", 2, List.of(), 0);

    @Test
    void startsAtZero() {
        assertThat(LinearExpert.initial(4, 3)).hasSize(15).containsOnly(0f);
    }

    @Test
    void learnsALinearlySeparableBinaryStream() {
        assertThat(prequentialAccuracyOfLast(BINARY, 3000, 1000, 1)).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void learnsALinearlySeparableTwoClassStream() {
        assertThat(prequentialAccuracyOfLast(TWO_CLASSES, 3000, 1000, 2)).isGreaterThanOrEqualTo(0.95);
    }

    /** Label 1 when x0 + 2 x1 - 0.5 > 0 on standard Gaussian 2-D inputs; test-then-train at rate 0.1. */
    private static double prequentialAccuracyOfLast(TaskSpec spec, int n, int last, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int out = spec.outputs();
        float[] p = LinearExpert.initial(2, out);
        int correct = 0;
        for (int i = 0; i < n; i++) {
            float[] x = {(float) r.nextGaussian(), (float) r.nextGaussian()};
            int y = x[0] + 2 * x[1] - 0.5 > 0 ? 1 : 0;
            float[] z = new float[out];
            Head.forward(p, 2, out, x, z);
            float[] prob = new float[out];
            spec.loss().output(z, prob);
            int predicted = spec.kind() == TaskKind.BINARY ? (prob[0] >= 0.5f ? 1 : 0) : Prediction.argmax(prob);
            if (i >= n - last && predicted == y) {
                correct++;
            }
            float[] target = spec.kind() == TaskKind.BINARY ? new float[] {y} : new float[] {1 - y, y};
            LinearExpert.learn(p, x, z, target, spec, 0.1f, 10f);
        }
        return correct / (double) last;
    }

    @Test
    void aGradientAboveTheClipNormMovesTheParametersByAtMostRateTimesClipNorm() {
        float rate = 0.1f;
        float clip = 1f;
        float[] p = LinearExpert.initial(2, 1);
        float[] x = {100f, -300f};
        // z = 0, target 1: dz = -0.5, so the gradient is (-50, 150, -0.5), norm about 158.
        LinearExpert.learn(p, x, new float[] {0f}, new float[] {1f}, BINARY, rate, clip);
        double moved = norm(p);
        assertThat(moved).isLessThanOrEqualTo(rate * clip * (1 + 1e-5)).isGreaterThan(rate * clip * 0.999);
        assertThat(p[0]).as("against the gradient").isPositive();
        assertThat(p[1]).isNegative();
    }

    @Test
    void aGradientBelowTheClipNormTakesThePlainStep() {
        float[] p = LinearExpert.initial(2, 1);
        float[] x = {1f, -2f};
        LinearExpert.learn(p, x, new float[] {0f}, new float[] {1f}, BINARY, 0.1f, 10f);
        // gradient (-0.5, 1.0, -0.5) times rate 0.1
        assertThat(p).containsExactly(0.05f, -0.1f, 0.05f);
    }

    @Test
    void aNonFiniteInputLeavesTheParametersUnchanged() {
        float[] p = {0.3f, -0.2f, 0.1f, 0.4f, -0.5f, 0.6f};
        float[] before = p.clone();
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            LinearExpert.learn(p, new float[] {1f, bad}, new float[] {0.2f, -0.1f}, new float[] {0f, 1f},
                    TWO_CLASSES, 0.1f, 10f);
            assertThat(p).as("input %s", bad).containsExactly(before);
        }
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float f : v) {
            s += (double) f * f;
        }
        return Math.sqrt(s);
    }
}
