package dev.metastream.learn;

import java.util.List;
import java.util.Map;

/**
 * A continual-learning method that keeps one task's trunk updates from undoing what other tasks learned, plugged into
 * the learner's micro-batch at fixed hooks (as Avalanche's strategy plugins are): {@link #replay} adds rows to the
 * trunk's batch, {@link #project} changes the trunk gradient before the step, {@link #remember} fills the per-task
 * episodic memories (reservoir samples in the {@code memory} store) the other hooks read, for the strategies that
 * {@link #keepsMemory}.
 *
 * <pre>{@code
 * MemoryStrategy m = MemoryStrategy.of(config);
 * List<MemoryStrategy.Replayed> extra = m.replay(ctx);   // before the forward pass
 * boolean changed = m.project(ctx, trunkGradient);        // before the trunk step
 * }</pre>
 */
interface MemoryStrategy {

    /** A memory sample replayed into a batch, with its task's state. */
    record Replayed(TaskState state, MemorySample sample) {}

    /** Rows of other tasks' memories that join this batch's trunk step; none by default. */
    default List<Replayed> replay(MemoryContext ctx) {
        return List.of();
    }

    /** Changes the trunk gradient in place; returns whether it changed. Leaves it as it is by default. */
    default boolean project(MemoryContext ctx, float[] trunkGradient) {
        return false;
    }

    /** Whether the learner keeps per-task episodic memories for this strategy. */
    boolean keepsMemory();

    /**
     * After the trunk step, offers each example of the batch to its task's episodic memory when this strategy
     * {@link #keepsMemory}: reservoir sampling per task of up to {@code memory.per.task} samples (Vitter's algorithm R,
     * {@link Reservoir}), with random bits derived from (task, count) so a replay after a crash keeps the same samples;
     * a task's first example enrols it among the partition's {@link MemoryContext#memoryTasks}.
     *
     * @param batch  the batch's examples, in order
     * @param states the states of the batch's tasks by id (their reservoir counters advance)
     */
    default void remember(MemoryContext ctx, List<Instance> batch, Map<String, TaskState> states) {
        if (!keepsMemory()) {
            return;
        }
        for (Instance in : batch) {
            TaskState st = states.get(in.task());
            long seen = st.memorySeen++;
            int slot = Reservoir.slot(seen, ctx.config().memory().perTask(),
                    Seeds.of(in.task(), seen ^ ctx.config().seed()));
            if (slot >= 0) {
                ctx.store().putMemorySample(in.task(), slot, new MemorySample(in.x(), in.target()));
            }
            if (seen == 0) {
                // One look-up and, for a new task, one store entry: the registry is not read or rewritten whole. The
                // state records its index, so that later batches need not look it up (MemoryTasks#indexHint).
                int index = ctx.memoryTasks().indexOf(in.task());
                st.recordMemoryIndex(index >= 0 ? index : ctx.memoryTasks().add(in.task()),
                        ctx.memoryTasks().generation());
            }
        }
    }

    /** The strategy {@code memory.strategy} names. */
    static MemoryStrategy of(LearnerConfig config) {
        return switch (config.memory().strategy()) {
            case NONE -> () -> false;
            case REPLAY -> new ExperienceReplay();
            case AGEM -> new AGem();
            case GEM -> new Gem();
        };
    }
}
