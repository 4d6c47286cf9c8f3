package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Reptile and MetaLearner.of: the step toward the mean adapted head, per shape; mismatched heads left out; off. */
class ReptileTest {

    private static TaskState state(String task, String shape, float... head) {
        TaskState st = new TaskState(task, shape);
        st.head = head;
        return st;
    }

    @Test
    void movesEachShapesInitialisationTowardTheMeanOfItsHeads() {
        Map<String, float[]> init = new TreeMap<>();
        init.put("binary:1", new float[] {0f, 1f});
        init.put("classification:3", new float[] {2f, 2f, 2f});
        List<TaskState> states = List.of(
                state("a", "binary:1", 1f, 1f),
                state("b", "binary:1", 3f, -1f),
                state("c", "classification:3", 2f, 4f, 0f),
                // A head whose size no longer matches its shape's initialisation is left out.
                state("d", "binary:1", 100f, 100f, 100f));
        new Reptile(0.5f).afterBatch(states, init);
        // binary: mean(head - init) = ((1,0) + (3,-2)) / 2 = (2,-1); init += 0.5 * that.
        assertThat(init.get("binary:1")).containsExactly(new float[] {1f, 0.5f}, within(1e-6f));
        // classification: one head, (0,2,-2); init += 0.5 * that.
        assertThat(init.get("classification:3")).containsExactly(new float[] {2f, 3f, 1f}, within(1e-6f));
    }

    @Test
    void movesTheTaskFactorInitialisationOfTheFactorizationMachineToo() {
        Map<String, float[]> init = new TreeMap<>();
        init.put("binary:1", new float[] {0f});
        init.put(FactorizationMachine.initKey("binary:1"), new float[] {0f, 0f});
        TaskState a = state("a", "binary:1", 2f);
        a.fm = new float[] {1f, -1f};
        TaskState b = state("b", "binary:1", 0f); // no factor yet: counts for the head only
        new Reptile(0.5f).afterBatch(List.of(a, b), init);
        assertThat(init.get("binary:1")).containsExactly(new float[] {0.5f}, within(1e-6f));
        assertThat(init.get("binary:1#fm")).containsExactly(new float[] {0.5f, -0.5f}, within(1e-6f));
    }

    @Test
    void aShapeWithoutInitialisationOrTasksIsUntouched() {
        Map<String, float[]> init = new TreeMap<>();
        init.put("binary:1", new float[] {0.25f, -0.5f});
        new Reptile(0.1f).afterBatch(List.of(state("x", "regression:1", 1f, 1f)), init);
        assertThat(init.get("binary:1")).containsExactly(0.25f, -0.5f);
        assertThat(init).doesNotContainKey("regression:1");
    }

    @Test
    void metaConfigChoosesReptileOrNothing() {
        Properties on = new Properties();
        on.setProperty("meta.head.regression", "sgd");
        assertThat(MetaLearner.of(LearnerConfig.from(on).meta())).isInstanceOf(Reptile.class);
        // With Bayesian regression heads (the default) the prior's meta-learner runs before Reptile.
        assertThat(MetaLearner.of(LearnerConfig.defaults().meta())).isNotInstanceOf(Reptile.class)
                .isNotSameAs(MetaLearner.NONE);
        Properties off = new Properties();
        off.setProperty("meta.enabled", "false");
        assertThat(MetaLearner.of(LearnerConfig.from(off).meta())).isSameAs(MetaLearner.NONE);
        Properties zero = new Properties();
        zero.setProperty("meta.step.size", "0");
        assertThat(MetaLearner.of(LearnerConfig.from(zero).meta())).isSameAs(MetaLearner.NONE);
        Map<String, float[]> init = new TreeMap<>(Map.of("binary:1", new float[] {1f}));
        MetaLearner.NONE.afterBatch(List.of(state("a", "binary:1", 5f)), init);
        assertThat(init.get("binary:1")).containsExactly(1f);
    }
}
