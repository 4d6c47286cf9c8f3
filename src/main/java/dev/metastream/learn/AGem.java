package dev.metastream.learn;

import java.util.List;

/**
 * A-GEM: the trunk gradient is projected so it does not increase the average memory loss of up to
 * {@code memory.tasks.per.step} other tasks (one averaged reference gradient, so the cost does not grow with the
 * number of tasks).
 *
 * <p>Chaudhry et al., "Efficient Lifelong Learning with A-GEM", ICLR 2019.
 */
final class AGem implements MemoryStrategy {
    @Override
    public boolean project(MemoryContext ctx, float[] g) {
        List<float[]> refs = Gem.references(ctx);
        if (refs.isEmpty()) {
            return false;
        }
        float[] mean = new float[g.length];
        for (float[] r : refs) {
            for (int j = 0; j < mean.length; j++) {
                mean[j] += r[j] / refs.size();
            }
        }
        return AGemProjection.project(g, mean);
    }

    @Override
    public boolean keepsMemory() {
        return true;
    }
}
