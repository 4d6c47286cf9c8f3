package dev.metastream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metastream.learn.InMemoryLearnerStore;
import dev.metastream.learn.Instance;
import dev.metastream.learn.LearnerConfig;
import dev.metastream.learn.LearnerEvents;
import dev.metastream.learn.StreamingLearner;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The library entry: learnOne / predictOne on a learnable stream reach good accuracy; it is the engine itself (the
 * same predictions as a {@link StreamingLearner} over an {@link InMemoryLearnerStore} fed the same examples); bad input
 * is refused with the parser's message; tasks are listed and reset.
 */
class OnlineLearnerTest {

    @Test
    void learnsABinaryTaskFromNamedFeatures() {
        OnlineLearner model = OnlineLearner.create(Map.of("input.dim", "32", "task.kind", "binary",
                "learner.batch.size", "8"));
        Random r = new Random(7);
        int correct = 0;
        int n = 3000;
        for (int i = 0; i < n; i++) {
            double visits = r.nextGaussian();
            String plan = r.nextBoolean() ? "pro" : "free";
            int churned = visits + (plan.equals("pro") ? -0.5 : 0.5) > 0 ? 1 : 0;
            Object before = model.learnOne("churn", Map.of("visits", visits, "plan", plan), churned);
            if (i >= n - 1000 && before.equals(churned)) {
                correct++;
            }
        }
        assertThat(correct / 1000.0).as("prequential accuracy over the last 1000").isGreaterThan(0.85);
        assertThat(model.predictOne("churn", Map.of("visits", 3.0, "plan", "free"))).isEqualTo(1);
        assertThat(model.predictOne("churn", Map.of("visits", -3.0, "plan", "pro"))).isEqualTo(0);
        assertThat(model.predictProbaOne("churn", Map.of("visits", 3.0, "plan", "free"))[0]).isGreaterThan(0.5f);
        assertThat(model.metrics("churn")).containsKeys("accuracy", "auc", "log_loss");
        assertThat(model.examplesLearned("churn")).isEqualTo(n);
        assertThat(model.tasks()).containsExactly("churn");
        assertThat(model.resetTask("churn")).isTrue();
        assertThat(model.tasks()).isEmpty();
        assertThat(model.metrics("churn")).isEmpty();
    }

    @Test
    void isTheStreamingLearnerItself() {
        Properties p = new Properties();
        p.setProperty("input.dim", "4");
        p.setProperty("task.classes", "3");
        p.setProperty("task.class.names", "low,mid,high");
        p.setProperty("model.trunk.layers", "8");
        p.setProperty("learner.batch.size", "4");
        OnlineLearner model = OnlineLearner.create(p);
        StreamingLearner engine = new StreamingLearner(LearnerConfig.from(p), new InMemoryLearnerStore(), "x",
                LearnerEvents.NONE);
        for (int i = 0; i < 50; i++) {
            double[] x = {Math.sin(i), Math.cos(i), Math.sin(2 * i), 1};
            int y = i % 3;
            String task = "t" + (i % 2);
            float[] fromFacade = model.predictProbaOne(task, x);
            float[] xf = {(float) x[0], (float) x[1], (float) x[2], 1f};
            float[] fromEngine = engine.observe(new Instance(task, xf, oneHot(y), null, i)).output();
            assertThat(fromFacade).containsExactly(fromEngine);
            model.learnOne(task, x, new String[] {"low", "mid", "high"}[y]);
        }
        assertThat(model.predictOne("t0", new double[] {0, 1, 0, 1})).isIn("low", "mid", "high");
        assertThat(model.tasks()).containsExactly("t0", "t1");
    }

    @Test
    void refusesBadInputWithTheParsersMessage() {
        OnlineLearner model = OnlineLearner.create(Map.of("input.dim", "4"));
        assertThatThrownBy(() -> model.learnOne("t", new double[] {1, 2}, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("input.dim=4");
        assertThatThrownBy(() -> model.learnOne("t", new double[] {1, 2, 3, 4}, 99))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label-out-of-range");
        assertThatThrownBy(() -> model.predictOne("t", "not features"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Map<String, ?>");
        assertThatThrownBy(() -> OnlineLearner.create(Map.of("input.dim", "-1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("input.dim");
    }

    private static float[] oneHot(int y) {
        float[] t = new float[3];
        t[y] = 1;
        return t;
    }
}
