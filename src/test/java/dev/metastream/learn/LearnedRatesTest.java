package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metastream.optim.MetaSgd;
import java.util.Properties;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@code meta.learning.rates=meta-sgd} in the learner ({@link LearnedRates}): the SGD heads' per-parameter rates live
 * in the shared model under {@code <shape>#lr}, learn from the stream, travel in meta-updates, and, with each task's
 * previous gradient, survive a restart exactly; the setting's values are checked and the default changes no digest.
 */
class LearnedRatesTest {
    private static final int D = 4;

    @Test
    void ratesLearnInTheSharedModelAndTravelInMetaUpdates() {
        StreamingLearner learner = new StreamingLearner(config("regression", "meta-sgd", true),
                new InMemoryLearnerStore(), "t", LearnerEvents.NONE);
        stream(learner, new SplittableRandom(3), 0, 200);
        float[] rates = learner.shared().headInit().get(LearnedRates.key("regression:1"));
        assertThat(rates).isNotNull();
        int n = rates.length / 2;
        assertThat(n).isEqualTo(learner.task("task-0").head().length);
        double min = Double.MAX_VALUE;
        double max = 0;
        for (int j = 0; j < n; j++) {
            min = Math.min(min, MetaSgd.rate(rates, j));
            max = Math.max(max, MetaSgd.rate(rates, j));
        }
        assertThat(max).as("some rate moved").isGreaterThan(min * 1.01);
        assertThat(min).isGreaterThanOrEqualTo(MetaSgd.MIN_RATE * 0.999);
        assertThat(max).isLessThanOrEqualTo(MetaSgd.MAX_RATE * 1.001);
        assertThat(learner.task("task-0").headRates).hasSize(n);
        MetaUpdate u = learner.drainMetaUpdate(1000);
        assertThat(u.headInitDelta()).containsKey(LearnedRates.key("regression:1"));
    }

    @Test
    void fixedRatesBayesianHeadsAndScratchRunsKeepNoRates() {
        StreamingLearner fixed = new StreamingLearner(config("regression", "fixed", true), new InMemoryLearnerStore(),
                "t", LearnerEvents.NONE);
        stream(fixed, new SplittableRandom(3), 0, 40);
        assertThat(fixed.shared().headInit()).doesNotContainKey(LearnedRates.key("regression:1"));
        assertThat(fixed.task("task-0").headRates).isNull();

        Properties bayes = properties("regression", "meta-sgd", true);
        bayes.setProperty("meta.head.regression", "bayes");
        StreamingLearner bayesian = new StreamingLearner(LearnerConfig.from(bayes), new InMemoryLearnerStore(), "t",
                LearnerEvents.NONE);
        stream(bayesian, new SplittableRandom(3), 0, 40);
        assertThat(bayesian.shared().headInit()).doesNotContainKey(LearnedRates.key("regression:1"));

        StreamingLearner scratch = new StreamingLearner(config("regression", "meta-sgd", false),
                new InMemoryLearnerStore(), "t", LearnerEvents.NONE);
        stream(scratch, new SplittableRandom(3), 0, 40);
        assertThat(scratch.task("task-0").headRates).isNull();
        assertThat(scratch.shared().headInit().get(LearnedRates.key("regression:1"))).containsOnly(0f);
    }

    /** Restart equivalence: a learner rebuilt from its store (re-learning the pending examples) goes on identically. */
    @Test
    void aLearnerRebuiltFromItsStoreHasTheSameRatesAndGoesOnIdentically() {
        for (String kind : new String[] {"regression", "classification"}) {
            LearnerConfig config = config(kind, "meta-sgd", true);
            InMemoryLearnerStore store = new InMemoryLearnerStore();
            StreamingLearner learner = new StreamingLearner(config, store, "t", LearnerEvents.NONE);
            SplittableRandom r = new SplittableRandom(5);
            long ts = stream(learner, r, 0, 61);
            assertThat(learner.pendingCount()).as("examples to re-learn after the restart").isPositive();
            learner.flush(); // as a commit does
            StreamingLearner rebuilt = new StreamingLearner(config, store, "t", LearnerEvents.NONE);
            String key = LearnedRates.key(config.taskSpec("task-0").shapeKey());
            assertThat(rebuilt.shared().headInit().get(key)).as(kind)
                    .containsExactly(learner.shared().headInit().get(key));
            for (String task : new String[] {"task-0", "task-1", "task-2"}) {
                assertThat(rebuilt.task(task).headRates).as(kind).containsExactly(learner.task(task).headRates);
                TaskState read = TaskState.fromBytes(learner.task(task).toBytes());
                assertThat(read.headRates).containsExactly(learner.task(task).headRates);
            }
            // The rebuilt learner goes on (on the store it shares with the first) as the first would have.
            StreamingLearner reference = new StreamingLearner(config, new InMemoryLearnerStore(), "t",
                    LearnerEvents.NONE);
            stream(reference, new SplittableRandom(5), 0, 61);
            stream(reference, new SplittableRandom(9), ts, 30);
            learner = reference;
            stream(rebuilt, new SplittableRandom(9), ts, 30);
            assertThat(rebuilt.shared().headInit().get(key)).as(kind)
                    .containsExactly(learner.shared().headInit().get(key));
            assertThat(rebuilt.task("task-1").head()).as(kind).containsExactly(learner.task("task-1").head());
        }
    }

    @Test
    void theSettingIsCheckedAndItsDefaultChangesNoDigest() {
        Properties p = properties("regression", "meta-sgd", true);
        p.setProperty("meta.learning.rates", "adaptive");
        assertThatThrownBy(() -> LearnerConfig.from(p)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("meta.learning.rates=adaptive is not known: use fixed or meta-sgd");
        p.setProperty("meta.learning.rates", "Meta-SGD");
        assertThat(LearnerConfig.from(p).meta().learnedRates()).isTrue();
        p.setProperty("meta.learning.rates.step", "0");
        assertThatThrownBy(() -> LearnerConfig.from(p)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("meta.learning.rates.step");

        assertThat(LearnerConfig.defaults().meta().learnedRates()).isFalse();
        Properties q = new Properties();
        String before = LearnerConfig.from(q).digest();
        q.setProperty("meta.learning.rates", "fixed");
        q.setProperty("meta.learning.rates.step", "0.5");
        assertThat(LearnerConfig.from(q).digest()).as("fixed rates: the step changes nothing").isEqualTo(before);
        q.setProperty("meta.learning.rates", "meta-sgd");
        assertThat(LearnerConfig.from(q).digestText()).endsWith(", learningRates=meta-sgd(0.5)]");
        assertThat(LearnerConfig.from(q).digest()).isNotEqualTo(before);
    }

    /** Three tasks of a linear family, round-robin; returns the next timestamp. */
    private static long stream(StreamingLearner learner, SplittableRandom r, long ts, int examples) {
        boolean labels = !learner.config().taskSpec("task-0").kind().realValued();
        double[][] w = {{1, -2, 0.5, 0}, {-1, 0.5, 2, 1}, {0.3, 0.3, -1, 2}};
        for (int k = 0; k < examples; k++) {
            int t = k % 3;
            float[] x = new float[D];
            double y = 0;
            for (int i = 0; i < D; i++) {
                x[i] = (float) ((i == 0 ? 0.2 : 1) * r.nextGaussian());
                y += w[t][i] * x[i];
            }
            float[] target = labels ? (y > 0 ? new float[] {0, 1} : new float[] {1, 0}) : new float[] {(float) (y + 0.1 * r.nextGaussian())};
            learner.observe(new Instance("task-" + t, x, target, null, ts++));
        }
        return ts;
    }

    private static LearnerConfig config(String kind, String rates, boolean meta) {
        return LearnerConfig.from(properties(kind, rates, meta));
    }

    private static Properties properties(String kind, String rates, boolean meta) {
        Properties p = new Properties();
        p.setProperty("input.dim", String.valueOf(D));
        p.setProperty("task.kind", kind);
        p.setProperty("task.classes", "2");
        p.setProperty("model.trunk.layers", "8");
        p.setProperty("model.seed", "42");
        p.setProperty("learner.batch.size", "8");
        p.setProperty("meta.enabled", String.valueOf(meta));
        p.setProperty("meta.head.regression", "sgd");
        p.setProperty("meta.learning.rates", rates);
        p.setProperty("meta.learning.rates.step", "0.01");
        return p;
    }
}
