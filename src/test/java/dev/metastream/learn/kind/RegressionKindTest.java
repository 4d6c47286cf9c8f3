package dev.metastream.learn.kind;

import dev.metastream.learn.TaskKind;
import dev.metastream.learn.TaskSpec;
import java.util.List;

/** {@link Regression} against the task-kind contract. */
class RegressionKindTest extends TaskKindContract {
    @Override
    protected TaskKind kind() {
        return TaskKind.REGRESSION;
    }

    @Override
    protected TaskSpec spec() {
        return TaskSpec.from("regression", 2, List.of(), 0);
    }

    @Override
    protected List<String[]> labelsAndDecisions() {
        return List.of(new String[] {"0", "0.0"}, new String[] {"-3.5", "-3.5"}, new String[] {"1024", "1024.0"});
    }

    @Override
    protected List<String> badLabels() {
        return List.of("\"1\"", "true", "[1]", "1e400", "2e6");
    }

    @Override
    protected float[] wrongOutput(float[] target) {
        return new float[] {target[0] + 1};
    }

    @Override
    protected List<String> predictionFields() {
        return List.of("prediction");
    }
}
