package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The learner's mixture (model.mixture, defaults): the prior wins on a no-signal stream, and a noisy linear one is learned. */
class MixtureLearnerQualityTest {

    private static StreamingLearner learner(int dim, String kind, int classes) {
        Properties p = new Properties();
        p.setProperty("input.dim", String.valueOf(dim));
        p.setProperty("task.kind", kind);
        p.setProperty("task.classes", String.valueOf(classes));
        return new StreamingLearner(LearnerConfig.from(p), new InMemoryLearnerStore(), "p", LearnerEvents.NONE);
    }

    /**
     * Labels ignore the features: class 0 with probability 0.8, else 1 or 2. The prior expert (index 2) ends with the
     * largest weight and the learner is about as accurate as always predicting class 0.
     *
     * <p>Observed (seed 21): weights [0.18, 0.39, 0.42], accuracy 0.8037 = the majority rate. The margin over the
     * linear expert is small by design: once both always predict class 0 their 0/1 losses are equal and their weight
     * ratio stops changing, so only the linear expert's early mistakes separate them.
     */
    @Test
    void onAStreamWithoutSignalThePriorWinsAndTheMajorityClassIsMatched() {
        int dim = 5;
        StreamingLearner learner = learner(dim, "classification", 3);
        SplittableRandom r = new SplittableRandom(21);
        int n = 3000;
        int correct = 0;
        int majority = 0;
        for (int i = 0; i < n; i++) {
            float[] x = new float[dim];
            for (int j = 0; j < dim; j++) {
                x[j] = (float) r.nextGaussian();
            }
            double u = r.nextDouble();
            int y = u < 0.8 ? 0 : u < 0.9 ? 1 : 2;
            float[] t = new float[3];
            t[y] = 1;
            Prediction p = learner.observe(new Instance("t", x, t, null, i));
            correct += p.predictedClass() == y ? 1 : 0;
            majority += y == 0 ? 1 : 0;
        }
        double[] w = learner.task("t").mixture();
        assertThat(w).hasSize(3);
        assertThat(w[2]).as("prior expert's weight in %s", java.util.Arrays.toString(w))
                .isGreaterThan(w[0]).isGreaterThan(w[1]);
        assertThat(correct / (double) n).isGreaterThanOrEqualTo(majority / (double) n - 0.01);
    }

    /**
     * Binary label = sign(w.x) over 5 standard Gaussian features, 10% flipped: prequential accuracy at least 0.85
     * (observed 0.881 with seed 22, 0.870-0.877 with seeds 1-3; the best possible is 0.9).
     */
    @Test
    void aNoisyLinearStreamIsLearned() {
        int dim = 5;
        StreamingLearner learner = learner(dim, "binary", 2);
        SplittableRandom r = new SplittableRandom(22);
        double[] wTrue = {1.0, -0.7, 0.5, 0.3, -1.2};
        int n = 5000;
        int correct = 0;
        for (int i = 0; i < n; i++) {
            float[] x = new float[dim];
            double s = 0;
            for (int j = 0; j < dim; j++) {
                x[j] = (float) r.nextGaussian();
                s += wTrue[j] * x[j];
            }
            int y = s > 0 ? 1 : 0;
            if (r.nextDouble() < 0.1) {
                y = 1 - y;
            }
            Prediction p = learner.observe(new Instance("t", x, new float[] {y}, null, i));
            correct += p.predictedClass() == y ? 1 : 0;
        }
        assertThat(correct / (double) n).isGreaterThanOrEqualTo(0.85);
        assertThat(learner.task("t").mixture()).hasSize(3);
    }
}
