package dev.metastream.learn;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * What a {@link MemoryStrategy} sees of one micro-batch: the tasks in it, the other tasks that keep a memory, the
 * stores, and the learner's reference-gradient computation. Random choices are derived from (seed, batch counter), so
 * a replay after a crash makes the same ones.
 *
 * @param config            the learner configuration
 * @param store             where memories and reference gradients live
 * @param batchTasks        tasks with examples in this batch
 * @param memoryTasks       every task of this partition that keeps a memory
 * @param batchNumber       this partition's batch counter
 * @param task              a task's current state, or null
 * @param referenceGradient a task's trunk gradient on a slice of its memory (null when it has none)
 */
record MemoryContext(LearnerConfig config, LearnerStore store, Set<String> batchTasks, List<String> memoryTasks,
        long batchNumber, Function<String, TaskState> task, Function<String, ReferenceGradient> referenceGradient) {

    /**
     * Up to {@code memory.tasks.per.step} tasks outside the batch that keep a memory, drawn without replacement by a
     * partial Fisher-Yates shuffle over bits derived from {@code salt} and the batch counter.
     */
    List<String> sampleOtherTasks(long salt) {
        List<String> candidates = new ArrayList<>();
        for (String t : memoryTasks) {
            if (!batchTasks.contains(t)) {
                candidates.add(t);
            }
        }
        int k = Math.min(config.memory().tasksPerStep(), candidates.size());
        List<String> chosen = new ArrayList<>(k);
        long bits = Seeds.mix(config.seed() ^ salt, batchNumber);
        for (int i = 0; i < k; i++) {
            bits = Seeds.mix(bits, i);
            int j = i + (int) Math.floorMod(bits, (long) (candidates.size() - i));
            String c = candidates.get(j);
            candidates.set(j, candidates.get(i));
            candidates.set(i, c);
            chosen.add(c);
        }
        return chosen;
    }

    /** The bits the historic replay sampler derived for its i-th task (kept so replays stay reproducible). */
    long bits(long salt, int i) {
        long bits = Seeds.mix(config.seed() ^ salt, batchNumber);
        for (int k = 0; k <= i; k++) {
            bits = Seeds.mix(bits, k);
        }
        return bits;
    }
}
