package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@code meta.proximal} (soft sharing): each step of an SGD head adds {@code proximal * (head - init)} to its
 * gradient, an L2 pull toward the meta-learned initialisation. On the same stream, a task's head ends nearer the
 * initialisation the stronger the pull, and at 0 the pull is off (the head is the one without the term).
 */
class ProximalPullTest {
    private static final int DIM = 6;

    @Test
    void aStrongerPullKeepsTheHeadNearerTheInitialisation() {
        double off = distanceFromInit(0f);
        double weak = distanceFromInit(0.5f);
        double strong = distanceFromInit(5f);
        assertThat(off).isPositive();
        assertThat(weak).isLessThan(off);
        assertThat(strong).isLessThan(0.5 * weak);
    }

    @Test
    void pullOnlyWhereTheHeadIsAnSgdHead() {
        // A Bayesian head's prior is its pull toward the initialisation; meta.proximal leaves it as it is.
        assertThat(distanceFromInit(5f, "regression", "bayes")).isEqualTo(distanceFromInit(0f, "regression", "bayes"));
        assertThat(distanceFromInit(5f, "regression", "sgd")).isLessThan(distanceFromInit(0f, "regression", "sgd"));
    }

    private static double distanceFromInit(float proximal) {
        return distanceFromInit(proximal, "classification", "sgd");
    }

    /** Learns one task of 200 examples (its labels a fixed linear map of its inputs) and measures |head - init|. */
    private static double distanceFromInit(float proximal, String kind, String regressionHead) {
        Properties p = new Properties();
        p.setProperty("input.dim", String.valueOf(DIM));
        p.setProperty("task.kind", kind);
        p.setProperty("task.classes", "3");
        p.setProperty("model.trunk.layers", "8");
        p.setProperty("learner.batch.size", "10");
        p.setProperty("meta.proximal", String.valueOf(proximal));
        p.setProperty("meta.head.regression", regressionHead);
        p.setProperty("drift.detector", "none");
        p.setProperty("drift.reaction", "none");
        StreamingLearner learner = new StreamingLearner(LearnerConfig.from(p), new InMemoryLearnerStore(), "t",
                LearnerEvents.NONE);
        float[] init = learner.shared().headInit.get(learner.config().taskSpec("a").shapeKey()).clone();
        SplittableRandom r = new SplittableRandom(9);
        for (int k = 0; k < 200; k++) {
            float[] x = new float[DIM];
            for (int i = 0; i < DIM; i++) {
                x[i] = (float) r.nextGaussian();
            }
            float[] y;
            if (kind.equals("regression")) {
                y = new float[] {3 * x[0] - 2 * x[1]};
            } else {
                y = new float[3];
                y[x[0] > 0.5 ? 0 : x[1] > 0 ? 1 : 2] = 1f; // one-hot
            }
            learner.observe(new Instance("a", x, y, null, k));
        }
        float[] head = learner.task("a").head();
        // Reptile moves the initialisation toward the head as the task learns: measure against where it is now.
        float[] now = learner.shared().headInit.get(learner.config().taskSpec("a").shapeKey());
        double s = 0;
        for (int j = 0; j < head.length; j++) {
            double d = head[j] - now[j];
            s += d * d;
        }
        assertThat(init).hasSameSizeAs(head);
        return Math.sqrt(s);
    }
}
