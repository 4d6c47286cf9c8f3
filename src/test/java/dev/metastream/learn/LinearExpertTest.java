package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * LinearExpert: per-example SGD learns a separable stream, its step is clipped, a non-finite input is skipped, and a
 * young expert's logged steps rebuild its parameters bit for bit.
 */
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

    @Test
    void loggedStepsRebuildTheParametersBitForBitUntilDenseIsSmaller() {
        // 100 inputs, 10 outputs (the bench's linear expert): 1,010 parameters, 111 floats a step, so 9 steps fit.
        TaskSpec spec = TaskSpec.from("classification", 10, List.of(), 0);
        assertThat(LinearExpert.Steps.capacity(100, 10)).isEqualTo(9);
        SplittableRandom r = new SplittableRandom(3);
        float[] p = LinearExpert.initial(100, 10);
        LinearExpert.Steps log = LinearExpert.Steps.start(100, 10);
        for (int step = 1; step <= 12; step++) {
            float[] x = new float[100];
            for (int i = 0; i < x.length; i++) {
                // large inputs on some steps, so the clipped step is logged too; exact zeros, which backward skips
                x[i] = i % 7 == 0 ? 0f : (float) (r.nextGaussian() * (step % 3 == 0 ? 50 : 1));
            }
            if (step == 4) {
                x[5] = Float.NaN; // not applied, and not logged
            }
            float[] z = new float[10];
            Head.forward(p, 100, 10, x, z);
            float[] target = new float[10];
            target[r.nextInt(10)] = 1f;
            log = LinearExpert.learn(p, x, z, target, spec, 0.37f * step, 10f, log);
            if (step <= 11) { // call 11 makes the tenth step (call 4 was skipped): nine fit, the tenth is dense
                assertThat(log == null).as("call %d", step).isEqualTo(step == 11);
            }
            if (log != null) {
                assertThat(log.count()).isEqualTo(step < 4 ? step : step - 1);
                float[] rebuilt = log.replay();
                for (int i = 0; i < p.length; i++) {
                    assertThat(Float.floatToRawIntBits(rebuilt[i])).as("step %d parameter %d", step, i)
                            .isEqualTo(Float.floatToRawIntBits(p[i]));
                }
                Codec.Writer w = new Codec.Writer(64);
                log.write(w);
                float[] read = LinearExpert.Steps.read(new Codec.Reader(w.toBytes())).replay();
                assertThat(read).containsExactly(rebuilt);
            }
        }
        assertThat(log).isNull();
    }

    @Test
    void aTaskStateWritesAYoungExpertAsItsStepsAndReadsItBackExactly() {
        TaskSpec spec = TaskSpec.from("classification", 10, List.of(), 0);
        TaskState st = new TaskState("t", "shape");
        st.metrics = dev.metastream.eval.PrequentialMetrics.detailed(TaskKind.CLASSIFICATION.metricsKind(), 100, 10);
        st.detector = dev.metastream.drift.DriftDetectors.create("page-hinkley", java.util.Map.of());
        st.linear = LinearExpert.initial(100, 10);
        st.linearSteps = LinearExpert.Steps.start(100, 10);
        st.mixture = new double[] {0.5, 0.3, 0.2};
        SplittableRandom r = new SplittableRandom(5);
        float[] x = new float[100];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        float[] target = new float[10];
        target[3] = 1f;
        st.linearSteps = LinearExpert.learn(st.linear, x, new float[10], target, spec, 0.01f, 10f, st.linearSteps);
        byte[] young = st.toBytes();
        TaskState back = TaskState.fromBytes(young);
        assertThat(back.linear).containsExactly(st.linear);
        assertThat(back.mixture).containsExactly(st.mixture);
        assertThat(back.linearSteps.count()).isEqualTo(1);
        // Dense, the same state is larger by about the parameters less one step: 1,010 floats against 111.
        st.linearSteps = null;
        byte[] dense = st.toBytes();
        assertThat(dense.length - young.length).isGreaterThan(4 * (1010 - 111 - 10));
        TaskState denseBack = TaskState.fromBytes(dense);
        assertThat(denseBack.linear).containsExactly(st.linear);
        assertThat(denseBack.linearSteps).isNull();
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float f : v) {
            s += (double) f * f;
        }
        return Math.sqrt(s);
    }
}
