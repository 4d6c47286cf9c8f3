package dev.metastream.learn;

import java.util.List;

/**
 * A continual-learning method that keeps one task's trunk updates from undoing what other tasks learned, plugged into
 * the learner's micro-batch at fixed hooks (as Avalanche's strategy plugins are): {@link #replay} adds rows to the
 * trunk's batch, {@link #project} changes the trunk gradient before the step, and {@link #keepsMemory} says whether the
 * learner fills the per-task episodic memories (reservoir samples in the {@code memory} store) the other hooks read.
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
