package dev.metastream.baselines;

import dev.metastream.learn.TaskKind;
import dev.metastream.learn.kind.KindBehaviour;
import java.util.ArrayList;
import java.util.List;

/** The baselines that apply to a task kind, in the order they are reported. */
public final class Baselines {
    private Baselines() {}

    /** The name of the one non-trivial baseline (a learned model); every other one is a trivial baseline. */
    public static final String LINEAR = "linear";

    /** Whether there are baselines for the kind (classification, binary and regression; not multi-label). */
    public static boolean supports(TaskKind kind) {
        return kind.trivial() != KindBehaviour.Trivial.NONE;
    }

    /**
     * Fresh baselines for a kind.
     *
     * <ul>
     *   <li>classification, binary: {@code no-change}, {@code majority}, {@code global-majority}, {@code linear};
     *   <li>regression: {@code no-change}, {@code task-mean}, {@code global-mean}, {@code bias} (only when the stream
     *       has item keys), {@code linear}.
     * </ul>
     *
     * @param kind    the task kind
     * @param classes classes of a classification task
     * @param items   whether the examples carry item keys
     */
    public static List<Baseline> forKind(TaskKind kind, int classes, boolean items) {
        requireSupported(kind);
        List<Baseline> out = new ArrayList<>();
        out.add(new NoChange(kind, classes));
        if (kind.trivial() == KindBehaviour.Trivial.MEAN) {
            out.add(new Mean(true));
            out.add(new Mean(false));
            if (items) {
                out.add(new DampedBias());
            }
        } else {
            out.add(new Majority(kind, classes, true));
            out.add(new Majority(kind, classes, false));
        }
        out.add(new Linear(kind, classes));
        return out;
    }

    /**
     * Whether a kind's target is one 0/1 entry rather than a one-hot vector over its classes: the trivial
     * baselines' label encoding ({@link Targets}).
     */
    static boolean singleOutput(TaskKind kind) {
        // Asked with two classes: a kind whose width follows the class count is one-hot, whatever the task's count.
        return kind.outputs(2, 0) == 1;
    }

    static void requireSupported(TaskKind kind) {
        if (!supports(kind)) {
            throw new IllegalArgumentException("no baselines for " + kind + " tasks");
        }
    }
}
