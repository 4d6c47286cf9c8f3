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
     * Enrolled tasks up to which every one is read and shuffled as before the registry, so partitions of up to this
     * many tasks replay exactly the samples they did (every figure in docs/benchmarks.md stays bit for bit); beyond it,
     * indices are drawn.
     */
    static final int EXACT_SHUFFLE_TASKS = 10_000;

    /**
     * Up to {@code memory.tasks.per.step} tasks outside the batch that keep a memory, drawn without replacement with
     * bits derived from {@code salt} and the batch counter. With up to {@link #EXACT_SHUFFLE_TASKS} enrolled tasks (or
     * at most twice the batch's tasks plus the draw) every one is read and a partial Fisher-Yates shuffle picks among
     * those outside the batch; with more, indices are drawn at random and a task in the batch or already drawn is
     * drawn again (at least half of the tasks qualify, so a draw is seldom repeated), reading only the drawn entries:
     * the cost of a batch does not grow with the number of tasks.
     */
    List<String> sampleOtherTasks(long salt) {
        int want = config.memory().tasksPerStep();
        int n = memoryTasks.size();
        if (want == 0 || n == 0) {
            return List.of();
        }
        if (n > Math.max(EXACT_SHUFFLE_TASKS, 2 * (batchTasks.size() + want))) {
            java.util.LinkedHashSet<String> chosen = new java.util.LinkedHashSet<>();
            long bits = Seeds.mix(config.seed() ^ salt ^ 0x7461_736bL, batchNumber);
            for (int attempt = 0; chosen.size() < want && attempt < 16 * want + 64; attempt++) {
                bits = Seeds.mix(bits, attempt);
                String c = memoryTasks.get((int) Math.floorMod(bits, (long) n));
                if (!batchTasks.contains(c)) {
                    chosen.add(c);
                }
            }
            return new ArrayList<>(chosen);
        }
        List<String> candidates = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String t = memoryTasks.get(i);
            if (!batchTasks.contains(t)) {
                candidates.add(t);
            }
        }
        int k = Math.min(want, candidates.size());
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
