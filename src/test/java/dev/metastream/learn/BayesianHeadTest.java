package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Learning quality of {@code meta.head.regression=bayes}: a regression family whose tasks differ along two shared
 * directions of the inputs, {@code y = a_t u'x + b_t v'x + c_t} with {@code x ~ N(0, I_8)} and per-task
 * {@code (a_t, b_t) ~ N(0, 1)}, {@code c_t ~ N(2, 0.5)}, plus noise 0.1. After 150 tasks of 20 examples streamed
 * once, each of 20 fresh tasks learns 4 examples and is scored on 200 held out.
 *
 * <p>A 4-shot fit of 8 inputs (and a bias, a trunk, the previous label) is underdetermined: only a prior that knows
 * where tasks vary fixes it. The Bayesian head with its meta-learned prior is compared with the same head from the
 * fixed isotropic prior ({@code meta.enabled=false}) and with SGD heads from the Reptile initialisation, trained on
 * the same stream. Observed: held-out MSE 0.12 (Bayesian, meta-learned prior), 1.74 (isotropic prior), 1.87 (SGD
 * heads); predicting each task's mean would score about 2. Without the meta-learned initial mixture weights (a fresh
 * task trusting its head, the linear learner and its running mean equally) the first figure was 0.94, and 0.32 while a
 * Bayesian head's targets were still centred on the task's running mean. The predictive variance is calibrated, on the
 * cautious side: the mean of the squared error over the variance is 0.63.
 */
class BayesianHeadTest {
    private static final int D = 8;
    private static final int TRAIN_TASKS = 150;
    private static final int TRAIN_PER_TASK = 20;
    private static final int FRESH_TASKS = 20;
    private static final int SHOTS = 4;
    private static final int HELD_OUT = 200;
    private static final double NOISE = 0.1;

    @Test
    void aMetaLearnedPriorFitsAFreshTaskFromFourExamples() {
        Result bayes = run("bayes", true);
        Result isotropic = run("bayes", false);
        Result sgd = run("sgd", true);
        System.out.printf("fresh-task MSE after %d examples: bayes %.3f (z^2 %.2f), isotropic prior %.3f, sgd %.3f%n",
                SHOTS, bayes.mse, bayes.meanZ2, isotropic.mse, sgd.mse);

        assertThat(bayes.mse).as("Bayesian head, meta-learned prior").isLessThan(0.5 * isotropic.mse)
                .isLessThan(0.5 * sgd.mse);
        assertThat(bayes.meanZ2).as("mean squared error over predictive variance").isBetween(0.5, 2.0);
        assertThat(sgd.meanZ2).as("SGD heads publish no variance").isNaN();
    }

    @Test
    void aLearnerRebuiltFromItsStorePredictsTheSameValueAndVariance() {
        SplittableRandom r = new SplittableRandom(2);
        float[] u = unit(r);
        float[] v = unit(r);
        InMemoryLearnerStore store = new InMemoryLearnerStore();
        LearnerConfig config = config("bayes", true);
        StreamingLearner learner = new StreamingLearner(config, store, "t", LearnerEvents.NONE);
        long ts = 0;
        for (int k = 0; k < 61; k++) {
            learner.observe(example(r, "task-" + k % 3, u, v, new double[] {1, -1, 2}, ts++));
        }
        assertThat(learner.task("task-0").headCovariance).isNotNull();
        learner.flush(); // as a commit does
        StreamingLearner rebuilt = new StreamingLearner(config, store, "t", LearnerEvents.NONE);
        for (int k = 0; k < 10; k++) {
            Instance in = example(r, "task-" + k % 3, u, v, new double[] {1, -1, 2}, ts);
            Prediction a = learner.score(in);
            Prediction b = rebuilt.score(in);
            assertThat(b.output()).containsExactly(a.output());
            assertThat(b.variance()).isEqualTo(a.variance()).isPositive();
        }
        TaskState st = learner.task("task-1");
        TaskState read = TaskState.fromBytes(st.toBytes());
        assertThat(read.headCovariance).containsExactly(st.headCovariance);
        assertThat(read.noiseSum).isEqualTo(st.noiseSum);
        assertThat(read.noiseCount).isEqualTo(st.noiseCount).isPositive();
    }

    private record Result(double mse, double meanZ2) {}

    private static Result run(String head, boolean meta) {
        SplittableRandom r = new SplittableRandom(17);
        float[] u = unit(r);
        float[] v = unit(r);
        StreamingLearner learner = new StreamingLearner(config(head, meta), new InMemoryLearnerStore(), "t",
                LearnerEvents.NONE);
        long ts = 0;
        for (int t = 0; t < TRAIN_TASKS; t++) {
            double[] task = {r.nextGaussian(), r.nextGaussian(), 2 + 0.5 * r.nextGaussian()};
            for (int k = 0; k < TRAIN_PER_TASK; k++) {
                learner.observe(example(r, "train-" + t, u, v, task, ts++));
            }
        }
        learner.learnPending(ts);
        double se = 0;
        double z2 = 0;
        int n = 0;
        for (int t = 0; t < FRESH_TASKS; t++) {
            double[] task = {r.nextGaussian(), r.nextGaussian(), 2 + 0.5 * r.nextGaussian()};
            String id = "fresh-" + t;
            for (int k = 0; k < SHOTS; k++) {
                learner.observe(example(r, id, u, v, task, ts++));
            }
            for (int k = 0; k < HELD_OUT; k++) {
                Instance in = example(r, id, u, v, task, ts);
                Prediction p = learner.score(in);
                double e = p.output()[0] - in.target()[0];
                se += e * e;
                z2 += e * e / p.variance();
                n++;
            }
        }
        return new Result(se / n, z2 / n);
    }

    private static Instance example(SplittableRandom r, String task, float[] u, float[] v, double[] t, long ts) {
        float[] x = new float[D];
        double pu = 0;
        double pv = 0;
        for (int i = 0; i < D; i++) {
            x[i] = (float) r.nextGaussian();
            pu += u[i] * x[i];
            pv += v[i] * x[i];
        }
        float y = (float) (t[0] * pu + t[1] * pv + t[2] + NOISE * r.nextGaussian());
        return new Instance(task, x, new float[] {y}, null, ts);
    }

    private static float[] unit(SplittableRandom r) {
        float[] a = new float[D];
        double s = 0;
        for (int i = 0; i < D; i++) {
            a[i] = (float) r.nextGaussian();
            s += a[i] * a[i];
        }
        for (int i = 0; i < D; i++) {
            a[i] /= (float) Math.sqrt(s);
        }
        return a;
    }

    private static LearnerConfig config(String head, boolean meta) {
        Properties p = new Properties();
        p.setProperty("input.dim", String.valueOf(D));
        p.setProperty("task.kind", "regression");
        p.setProperty("model.trunk.layers", "16");
        p.setProperty("model.seed", "42");
        p.setProperty("learner.batch.size", "8");
        p.setProperty("meta.enabled", String.valueOf(meta));
        p.setProperty("meta.head.regression", head);
        p.setProperty("drift.detector", "none");
        p.setProperty("drift.reaction", "none");
        return LearnerConfig.from(p);
    }
}
