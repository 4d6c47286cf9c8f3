package dev.metastream.baselines;

import dev.metastream.learn.Instance;
import dev.metastream.learn.TaskKind;
import dev.metastream.learn.kind.KindBehaviour;
import java.util.HashMap;
import java.util.Map;

/**
 * The no-change classifier (and regressor): predicts the task's previous label. On data with temporal dependence it
 * is the baseline to beat (Žliobaitė, "How good is the electricity benchmark for evaluating concept drift
 * adaptation", 2013; Bifet et al., "Pitfalls in benchmarking data stream classification and how to avoid them",
 * ECML PKDD 2013, where it is also the reference of the temporal kappa).
 *
 * <p>At a task's first example there is no previous label: classification and binary predict class 0 (the task has
 * no running majority yet), regression the global running mean of every target learned so far (0 before any).
 */
public final class NoChange implements Baseline {
    private final TaskKind kind;
    private final int classes;
    private final Map<String, float[]> last = new HashMap<>();
    private double sum;
    private long n;

    /**
     * @param kind    classification, binary or regression
     * @param classes classes of a classification task (ignored otherwise)
     */
    public NoChange(TaskKind kind, int classes) {
        Baselines.requireSupported(kind);
        this.kind = kind;
        this.classes = classes;
    }

    @Override
    public String name() {
        return "no-change";
    }

    @Override
    public float[] predictOne(Instance in, String item) {
        float[] prev = last.get(in.task());
        if (kind.trivial() == KindBehaviour.Trivial.MEAN) {
            return new float[] {prev != null ? prev[0] : (float) (n == 0 ? 0 : sum / n)};
        }
        boolean binary = Baselines.singleOutput(kind);
        return Targets.certain(prev == null ? 0 : Targets.label(prev, binary), classes, binary);
    }

    @Override
    public void learnOne(Instance in, String item) {
        last.put(in.task(), in.target().clone());
        sum += in.target()[0];
        n++;
    }
}
