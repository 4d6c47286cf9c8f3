package dev.metastream.baselines;

import dev.metastream.learn.Instance;
import dev.metastream.learn.TaskKind;
import dev.metastream.learn.kind.KindBehaviour;
import java.util.HashMap;
import java.util.Map;

/**
 * The majority-class classifier: predicts the class seen most often so far (MOA's {@code MajorityClass}; the
 * reference of Cohen's kappa, Bifet et al., "Pitfalls in benchmarking data stream classification", ECML PKDD 2013).
 * Per task ({@code majority}: each task's own counts) or over the whole stream ({@code global-majority}: one count
 * over every task). Ties and the empty count predict the lowest class.
 */
public final class Majority implements Baseline {
    private final boolean binary;
    private final int classes;
    private final boolean perTask;
    private final Map<String, long[]> counts = new HashMap<>();

    /**
     * @param kind    classification or binary
     * @param classes classes of a classification task (ignored for binary)
     * @param perTask counts per task ({@code majority}) or one count over all tasks ({@code global-majority})
     */
    public Majority(TaskKind kind, int classes, boolean perTask) {
        if (kind.trivial() != KindBehaviour.Trivial.MAJORITY) {
            throw new IllegalArgumentException("majority needs classification or binary, not " + kind);
        }
        this.binary = Baselines.singleOutput(kind);
        this.classes = binary ? 2 : classes;
        this.perTask = perTask;
    }

    @Override
    public String name() {
        return perTask ? "majority" : "global-majority";
    }

    @Override
    public float[] predictOne(Instance in, String item) {
        long[] c = counts.get(key(in));
        return Targets.certain(c == null ? 0 : Targets.majority(c), classes, binary);
    }

    @Override
    public void learnOne(Instance in, String item) {
        counts.computeIfAbsent(key(in), k -> new long[classes])[Targets.label(in.target(), binary)]++;
    }

    private String key(Instance in) {
        return perTask ? in.task() : "";
    }
}
