package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Reading the learner configuration: defaults, per-task overrides, and messages that name the key to fix. */
class LearnerConfigTest {

    @Test
    void perTaskOverridesInheritWhatTheyDoNotSet() {
        Properties p = new Properties();
        p.setProperty("task.classes", "3");
        p.setProperty("task.class.names", "low,medium,high");
        p.setProperty("tasks.price.kind", "regression");
        p.setProperty("tasks.genre.classes", "5");
        p.setProperty("tasks.tags.kind", "multi-label");
        p.setProperty("tasks.tags.labels", "7");
        LearnerConfig c = LearnerConfig.from(p);
        assertThat(c.taskSpec("price").kind()).isEqualTo(TaskKind.REGRESSION);
        assertThat(c.taskSpec("genre").kind()).isEqualTo(TaskKind.CLASSIFICATION);
        assertThat(c.taskSpec("genre").outputs()).isEqualTo(5);
        assertThat(c.taskSpec("genre").classNames()).as("3 default names do not fit 5 classes").isEmpty();
        assertThat(c.taskSpec("tags").outputs()).isEqualTo(7);
        assertThat(c.taskSpec("anything-else").classNames()).containsExactly("low", "medium", "high");
        assertThat(c.headShapes()).extracting(TaskSpec::shapeKey)
                .containsExactlyInAnyOrder("classification:3", "regression:1", "classification:5", "multilabel:7");
    }

    @Test
    void badValuesNameTheKey() {
        Properties p = new Properties();
        p.setProperty("tasks.genre.classes", "five");
        assertThatThrownBy(() -> LearnerConfig.from(p)).hasMessageContaining("tasks.genre.classes");
        Properties q = new Properties();
        q.setProperty("input.dim", "-3");
        assertThatThrownBy(() -> LearnerConfig.from(q)).hasMessageContaining("input.dim");
        Properties r = new Properties();
        r.setProperty("memory.strategy", "ewc");
        assertThatThrownBy(() -> LearnerConfig.from(r)).hasMessageContaining("agem");
        // Memory slots live under six-digit keys that sort in slot order (KafkaLearnerStore), so more would reorder.
        Properties m = new Properties();
        m.setProperty("memory.per.task", "1000000");
        assertThatThrownBy(() -> LearnerConfig.from(m)).hasMessageContaining("memory.per.task=1000000");
        Properties share = new Properties();
        share.setProperty("model.mixture.share", "1");
        assertThatThrownBy(() -> LearnerConfig.from(share)).hasMessageContaining("model.mixture.share");
        Properties step = new Properties();
        step.setProperty("optimizer.head.normalized", "true");
        assertThatThrownBy(() -> LearnerConfig.from(step)).hasMessageContaining("per-part, joint, none");
    }

    @Test
    void theDigestChangesWithTheConfiguration() {
        Properties p = new Properties();
        p.setProperty("model.trunk.layers", "32");
        assertThat(LearnerConfig.from(p).digest()).isNotEqualTo(LearnerConfig.defaults().digest())
                .hasSize(16);
        assertThat(LearnerConfig.defaults().digest()).isEqualTo(LearnerConfig.defaults().digest());
    }
}
