package dev.metastream.learn.kind;

import dev.metastream.learn.TaskKind;
import dev.metastream.learn.TaskSpec;
import java.util.List;

/** {@link MultiLabel} against the task-kind contract. */
class MultiLabelKindTest extends TaskKindContract {
    @Override
    protected TaskKind kind() {
        return TaskKind.MULTILABEL;
    }

    @Override
    protected TaskSpec spec() {
        return TaskSpec.from("multi-label", 2, List.of(), 3);
    }

    @Override
    protected List<String[]> labelsAndDecisions() {
        return List.of(new String[] {"[0,1,1]", "[0,1,1]"}, new String[] {"[1,0,0]", "[1,0,0]"},
                new String[] {"[0.0,0,1.0]", "[0,0,1]"});
    }

    @Override
    protected List<String> badLabels() {
        return List.of("[0,1]", "[0,1,2]", "1", "[true,false,true]", "\"0,1,1\"");
    }

    @Override
    protected float[] wrongOutput(float[] target) {
        float[] w = target.clone();
        w[0] = 1 - w[0];
        return w;
    }

    @Override
    protected List<String> predictionFields() {
        return List.of("prediction", "probabilities");
    }
}
