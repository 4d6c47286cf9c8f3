package dev.metastream.learn.kind;

import dev.metastream.learn.TaskKind;
import dev.metastream.learn.TaskSpec;
import java.util.List;

/** {@link Binary} against the task-kind contract. */
class BinaryKindTest extends TaskKindContract {
    @Override
    protected TaskKind kind() {
        return TaskKind.BINARY;
    }

    @Override
    protected TaskSpec spec() {
        return TaskSpec.from("binary", 2, List.of(), 0);
    }

    @Override
    protected List<String[]> labelsAndDecisions() {
        return List.of(new String[] {"0", "0"}, new String[] {"1", "1"}, new String[] {"true", "1"},
                new String[] {"false", "0"}, new String[] {"1.0", "1"});
    }

    @Override
    protected List<String> badLabels() {
        return List.of("2", "0.5", "\"yes\"", "[1]", "-1");
    }

    @Override
    protected float[] wrongOutput(float[] target) {
        return new float[] {1 - target[0]};
    }

    @Override
    protected List<String> predictionFields() {
        return List.of("prediction", "probability");
    }
}
