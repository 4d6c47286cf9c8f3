package dev.metastream.learn;

import java.util.ArrayList;
import java.util.List;

/**
 * Experience replay: {@code memory.samples.per.task} samples from each of up to {@code memory.tasks.per.step} other
 * tasks' episodic memories join each micro-batch, and one trunk step is taken on the batch's mean loss plus the
 * replayed mean loss; the replayed tasks' heads learn from their samples too.
 *
 * <p>Chaudhry et al., "On Tiny Episodic Memories in Continual Learning", 2019.
 */
final class ExperienceReplay implements MemoryStrategy {
    private static final long SALT = 0x7265_706cL;

    @Override
    public List<Replayed> replay(MemoryContext ctx) {
        List<Replayed> out = new ArrayList<>();
        List<String> tasks = ctx.sampleOtherTasks(SALT);
        for (int i = 0; i < tasks.size(); i++) {
            String chosen = tasks.get(i);
            TaskState st = ctx.task().apply(chosen);
            List<MemorySample> mem = ctx.store().memory(chosen);
            if (st == null || mem.isEmpty()) {
                continue;
            }
            int m = Math.min(ctx.config().memory().samplesPerTask(), mem.size());
            int start = (int) Math.floorMod(Seeds.mix(ctx.bits(SALT, i), 0x736c6f74L), (long) mem.size());
            for (int s = 0; s < m; s++) {
                out.add(new Replayed(st, mem.get((start + s) % mem.size())));
            }
        }
        return out;
    }

    @Override
    public boolean keepsMemory() {
        return true;
    }
}
