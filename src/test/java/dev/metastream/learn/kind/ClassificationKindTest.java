package dev.metastream.learn.kind;

import dev.metastream.learn.TaskKind;
import dev.metastream.learn.TaskSpec;
import java.util.List;

/** {@link Classification} against the task-kind contract, with class names so both label forms are covered. */
class ClassificationKindTest extends TaskKindContract {
    @Override
    protected TaskKind kind() {
        return TaskKind.CLASSIFICATION;
    }

    @Override
    protected TaskSpec spec() {
        return TaskSpec.from("classification", 3, List.of("cat", "dog", "owl"), 0);
    }

    @Override
    protected List<String[]> labelsAndDecisions() {
        return List.of(new String[] {"0", "\"cat\""}, new String[] {"\"dog\"", "\"dog\""}, new String[] {"2.0", "\"owl\""});
    }

    @Override
    protected List<String> badLabels() {
        return List.of("3", "-1", "\"cow\"", "1.5", "true", "[0]", "1e400");
    }

    @Override
    protected float[] wrongOutput(float[] target) {
        float[] w = new float[target.length];
        w[(KindBehaviour.argmax(target) + 1) % w.length] = 1f;
        return w;
    }

    @Override
    protected List<String> predictionFields() {
        return List.of("prediction", "probabilities");
    }
}
