package dev.metastream.learn;

import java.util.ArrayList;
import java.util.List;

/**
 * GEM: the trunk gradient is projected onto the closest gradient that increases none of up to
 * {@code memory.tasks.per.step} other tasks' memory losses (one constraint per task, a small quadratic program).
 *
 * <p>Lopez-Paz &amp; Ranzato, "Gradient Episodic Memory for Continual Learning", NeurIPS 2017.
 */
final class Gem implements MemoryStrategy {
    private static final long SALT = 0L;

    @Override
    public boolean project(MemoryContext ctx, float[] g) {
        List<float[]> refs = references(ctx);
        return !refs.isEmpty() && GemProjection.project(g, refs.toArray(new float[0][]));
    }

    @Override
    public boolean keepsMemory() {
        return true;
    }

    /** Reference gradients of the sampled other tasks (recomputed by the learner when stale). */
    static List<float[]> references(MemoryContext ctx) {
        List<float[]> refs = new ArrayList<>();
        for (String t : ctx.sampleOtherTasks(SALT)) {
            ReferenceGradient ref = ctx.referenceGradient().apply(t);
            if (ref != null) {
                refs.add(ref.gradient());
            }
        }
        return refs;
    }
}
