package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link StreamingLearner#score(LearnerConfig, SharedState, TaskState, Instance)}, the Kafka-free scoring the HTTP API
 * serves predictions with, gives bit for bit what the learner itself would predict from the same stored states: for a
 * task that has learned, for a new task (meta initialisation), and for a partition that has not learned yet.
 */
class ServingScoreTest {
    private static final int DIM = 6;

    private static LearnerConfig config(boolean meta) {
        Properties p = new Properties();
        p.setProperty("input.dim", String.valueOf(DIM));
        p.setProperty("task.classes", "3");
        p.setProperty("model.trunk.layers", "8");
        p.setProperty("learner.batch.size", "4");
        p.setProperty("meta.enabled", String.valueOf(meta));
        p.setProperty("tasks.r.kind", "regression");
        return LearnerConfig.from(p);
    }

    private static Instance example(SplittableRandom r, String task, boolean labelled) {
        float[] x = new float[DIM];
        for (int j = 0; j < DIM; j++) {
            x[j] = (float) r.nextGaussian();
        }
        float[] t = null;
        if (labelled && task.equals("r")) {
            t = new float[] {x[0] - x[1]};
        } else if (labelled) {
            t = new float[3];
            t[x[0] > 0 ? 0 : (x[1] > 0 ? 1 : 2)] = 1;
        }
        return new Instance(task, x, t, null, 0);
    }

    @Test
    void matchesTheLearnersOwnPredictionFromStoredStates() {
        for (boolean meta : List.of(true, false)) {
            LearnerConfig config = config(meta);
            InMemoryLearnerStore store = new InMemoryLearnerStore();
            StreamingLearner learner = new StreamingLearner(config, store, "p", LearnerEvents.NONE);
            SplittableRandom r = new SplittableRandom(3);
            for (int i = 0; i < 203; i++) {
                learner.observe(example(r, i % 3 == 0 ? "a" : (i % 3 == 1 ? "b" : "r"), true));
            }
            learner.learnPending(1);
            learner.flush();
            for (String task : List.of("a", "b", "r", "never-seen")) {
                Instance in = example(r, task, false);
                Prediction own = learner.score(in);
                Prediction served = StreamingLearner.score(config, store.shared(), store.task(task), in);
                assertThat(served.output()).as(task).containsExactly(own.output());
                assertThat(served.metaVersion()).isEqualTo(own.metaVersion());
                assertThat(served.taskVersion()).isEqualTo(own.taskVersion());
            }
            assertThat(store.task("a").updates()).isPositive();
        }
    }

    @Test
    void aPartitionThatHasNotLearnedScoresWithTheInitialModel() {
        LearnerConfig config = config(true);
        StreamingLearner fresh = new StreamingLearner(config, new InMemoryLearnerStore(), "p", LearnerEvents.NONE);
        Instance in = example(new SplittableRandom(5), "a", false);
        Prediction served = StreamingLearner.score(config, null, null, in);
        assertThat(served.output()).containsExactly(fresh.score(in).output());
        assertThat(served.metaVersion()).isZero();
        assertThat(served.taskVersion()).isZero();
    }
}
