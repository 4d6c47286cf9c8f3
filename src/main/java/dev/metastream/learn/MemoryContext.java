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
record MemoryContext(LearnerConfig config, LearnerStore store, Set<String> batchTasks, MemoryTasks memoryTasks,
        long batchNumber, Function<String, TaskState> task, Function<String, ReferenceGradient> referenceGradient) {

    /** A context over a plain list of memory tasks (which {@link MemoryStrategy#remember} adds to), for tests. */
    MemoryContext(LearnerConfig config, LearnerStore store, Set<String> batchTasks, List<String> memoryTasks,
            long batchNumber, Function<String, TaskState> task, Function<String, ReferenceGradient> referenceGradient) {
        this(config, store, batchTasks, MemoryTasks.of(memoryTasks), batchNumber, task, referenceGradient);
    }

    /**
     * Up to {@code memory.tasks.per.step} tasks outside the batch that keep a memory, drawn without replacement with
     * bits derived from {@code salt} and the batch counter: a partial Fisher-Yates shuffle of the enrolled tasks outside
     * the batch, in registry order. The shuffle is run lazily: a candidate's position maps to its registry index past
     * the batch's own enrolled indices, and the few swapped positions are kept in a map, so a batch reads the batch's
     * tasks' indices and the drawn entries only, whatever the number of tasks, and draws exactly what shuffling the
     * whole list did.
     */
    List<String> sampleOtherTasks(long salt) {
        int want = config.memory().tasksPerStep();
        int n = memoryTasks.size();
        if (want == 0 || n == 0) {
            return List.of();
        }
        // Registry indices of the batch's enrolled tasks, ascending: the positions the candidate list skips.
        int[] skipped = new int[batchTasks.size()];
        int s = 0;
        for (String t : batchTasks) {
            int i = memoryTasks.indexHint(t, task.apply(t));
            if (i >= 0) {
                skipped[s++] = i;
            }
        }
        skipped = java.util.Arrays.copyOf(skipped, s);
        java.util.Arrays.sort(skipped);
        int candidates = n - skipped.length;
        int k = Math.min(want, candidates);
        List<String> chosen = new ArrayList<>(k);
        java.util.Map<Integer, Integer> swapped = new java.util.HashMap<>();
        long bits = Seeds.mix(config.seed() ^ salt, batchNumber);
        for (int i = 0; i < k; i++) {
            bits = Seeds.mix(bits, i);
            int j = i + (int) Math.floorMod(bits, (long) (candidates - i));
            int atJ = swapped.getOrDefault(j, j);
            swapped.put(j, swapped.getOrDefault(i, i));
            swapped.put(i, atJ);
            chosen.add(memoryTasks.get(registryIndex(atJ, skipped)));
        }
        return chosen;
    }

    /** The registry index of the {@code position}-th enrolled task outside the batch ({@code skipped} ascending). */
    private static int registryIndex(int position, int[] skipped) {
        int r = position;
        for (int e : skipped) {
            if (e > r) {
                break;
            }
            r++;
        }
        return r;
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
