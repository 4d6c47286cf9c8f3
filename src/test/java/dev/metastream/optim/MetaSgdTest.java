package dev.metastream.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link MetaSgd}'s rates on a family of linear regression tasks {@code y = a x1 + b x2}, {@code (a, b) ~ N(0, I)},
 * whose first input is small ({@code x1 ~ N(0, 0.3^2)}) and second large ({@code x2 ~ N(0, 1)}): with one base rate,
 * plain SGD learns {@code a} eleven times as slowly as {@code b}, so after a few examples a task has learned {@code b}
 * and hardly begun {@code a}. Rates meta-learned on earlier tasks of the family should raise the first weight's rate
 * well above the second's, and fit a fresh task better after the same few examples. Observed after 300 tasks of 10
 * examples (meta step 0.01): rates 2.69 and 1.03 times the base rate, fresh-task loss after 10 examples 0.026 against
 * 0.039 with the fixed rate. The hypergradient is greedy (one step ahead), so the small input's rate stays well short
 * of the eleven times a few-shot fit would want.
 */
class MetaSgdTest {
    private static final float BASE_RATE = 0.5f;
    private static final int SHOTS = 10;
    private static final double SMALL = 0.3;

    @Test
    void ratesLearnedOnATaskFamilySeparateAndFitFreshTasksBetterAfterFewExamples() {
        SplittableRandom r = new SplittableRandom(7);
        MetaSgd metaSgd = new MetaSgd(0.01f);
        float[] shared = metaSgd.initialShared(2);
        for (int t = 0; t < 300; t++) {
            fewShotLoss(r, metaSgd, shared);
        }
        double small = MetaSgd.rate(shared, 0);
        double large = MetaSgd.rate(shared, 1);
        System.out.printf("learned rates (times the base rate): small input %.3f, large input %.3f%n", small, large);
        assertThat(small).as("rate of the small input's weight").isGreaterThan(2 * large).isGreaterThan(2);
        assertThat(large).as("rate of the large input's weight").isBetween(MetaSgd.MIN_RATE, 2.0);

        double learned = 0;
        double fixed = 0;
        SplittableRandom a = new SplittableRandom(11);
        SplittableRandom b = new SplittableRandom(11);
        int tasks = 200;
        for (int t = 0; t < tasks; t++) {
            learned += fewShotLoss(a, metaSgd, shared.clone());
            fixed += fewShotLoss(b, GradientTransform.IDENTITY, new float[0]);
        }
        System.out.printf("fresh-task loss after %d examples: learned rates %.4f, fixed rate %.4f%n", SHOTS,
                learned / tasks, fixed / tasks);
        assertThat(learned).isLessThan(0.8 * fixed);
    }

    @Test
    void alternatingGradientsLowerARateAndAgreeingOnesRaiseIt() {
        MetaSgd metaSgd = new MetaSgd(0.05f);
        float[] shared = metaSgd.initialShared(2);
        float[] previous = new float[metaSgd.stateSize(2)];
        for (int k = 0; k < 20; k++) {
            float[] g = {k % 2 == 0 ? 1f : -1f, 0.01f};
            metaSgd.apply(g, shared, previous);
            assertThat(g[0]).isEqualTo((float) ((k % 2 == 0 ? 1 : -1) * MetaSgd.rate(shared, 0)), within());
        }
        assertThat(MetaSgd.rate(shared, 0)).isCloseTo(Math.exp(-0.05 * 19), org.assertj.core.data.Offset.offset(1e-4));
        assertThat(MetaSgd.rate(shared, 1)).isCloseTo(Math.exp(0.05 * 19), org.assertj.core.data.Offset.offset(1e-4));
        for (int k = 0; k < 1000; k++) {
            metaSgd.apply(new float[] {k % 2 == 0 ? 1f : -1f, 0.01f}, shared, previous);
        }
        assertThat(MetaSgd.rate(shared, 0)).as("clipped below").isCloseTo(MetaSgd.MIN_RATE,
                org.assertj.core.data.Offset.offset(1e-6));
        assertThat(MetaSgd.rate(shared, 1)).as("clipped above").isCloseTo(MetaSgd.MAX_RATE,
                org.assertj.core.data.Offset.offset(1e-4));
    }

    @Test
    void theFirstStepOfAStreamLearnsNothingAndWrongSizesAreRefused() {
        MetaSgd metaSgd = new MetaSgd(0.1f);
        float[] shared = metaSgd.initialShared(3);
        float[] g = {1f, -2f, 3f};
        metaSgd.apply(g, shared, new float[3]);
        assertThat(g).containsExactly(1f, -2f, 3f);
        assertThat(new float[] {shared[0], shared[1], shared[2]}).containsOnly(0f);
        assertThatThrownBy(() -> metaSgd.apply(new float[2], shared, new float[2]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 4 and 2");
        assertThatThrownBy(() -> new MetaSgd(0f)).isInstanceOf(IllegalArgumentException.class);
    }

    private static org.assertj.core.data.Offset<Float> within() {
        return org.assertj.core.data.Offset.offset(1e-5f);
    }

    /** One task of the family learned by SGD from zero weights for {@link #SHOTS} examples; its expected loss then. */
    private static double fewShotLoss(SplittableRandom r, GradientTransform transform, float[] shared) {
        double a = r.nextGaussian();
        double b = r.nextGaussian();
        float[] w = new float[2];
        float[] state = new float[transform.stateSize(2)];
        for (int k = 0; k < SHOTS; k++) {
            float x1 = (float) (SMALL * r.nextGaussian());
            float x2 = (float) r.nextGaussian();
            float err = w[0] * x1 + w[1] * x2 - (float) (a * x1 + b * x2);
            float[] g = {err * x1, err * x2};
            transform.apply(g, shared, state);
            w[0] -= BASE_RATE * g[0];
            w[1] -= BASE_RATE * g[1];
        }
        return 0.5 * (SMALL * SMALL * (w[0] - a) * (w[0] - a) + (w[1] - b) * (w[1] - b));
    }
}
