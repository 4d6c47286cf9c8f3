package dev.metastream.learn;

import dev.metastream.learn.LearnerConfig.Key;
import java.util.List;

/**
 * Settings of the gradient memory that protects other tasks when the shared trunk learns, the part of
 * {@link LearnerConfig} that owns the {@code memory.*} keys. The strategies themselves are {@link MemoryStrategy}s.
 *
 * @param strategy       gradient memory: none, agem, gem or replay ({@code memory.strategy})
 * @param perTask        episodic memory capacity per task (examples) ({@code memory.per.task})
 * @param tasksPerStep   number of other tasks whose memories constrain one trunk update
 *                       ({@code memory.tasks.per.step})
 * @param samplesPerTask memory examples per sampled task used to compute its reference gradient
 *                       ({@code memory.samples.per.task})
 * @param refreshBatches a stored reference gradient is recomputed when older than this many batches
 *                       ({@code memory.refresh.batches})
 */
public record MemoryConfig(Strategy strategy, int perTask, int tasksPerStep, int samplesPerTask, int refreshBatches) {

    /** Gradient-memory strategies. */
    public enum Strategy {
        /** No projection; memories are not kept. */
        NONE,
        /** A-GEM: one averaged reference gradient. */
        AGEM,
        /** GEM: one constraint per sampled task, solved as a small quadratic program. */
        GEM,
        /**
         * Experience replay: each micro-batch is joined by samples of other tasks' episodic memories and one step is
         * taken on the joint loss (Chaudhry et al., "On Tiny Episodic Memories in Continual Learning", 2019).
         */
        REPLAY;

        static Strategy parse(String s) {
            return switch (s.trim().toLowerCase()) {
                case "none" -> NONE;
                case "agem", "a-gem" -> AGEM;
                case "gem" -> GEM;
                case "replay", "er" -> REPLAY;
                default -> throw new IllegalArgumentException(
                        "memory.strategy=" + s + " is not known: use one of none, agem, gem, replay");
            };
        }
    }

    /** Every key this part owns, with its default, in the order {@code config/application.properties} lists them. */
    public static final List<Key> KEYS = List.of(
            new Key("memory.strategy", "replay", "Gradient memory: replay (memory samples of other tasks join each batch; the default, at A-GEM's cost), agem (one averaged reference gradient), gem (one constraint per sampled task) or none."),
            new Key("memory.per.task", "64", "Episodic memory capacity per task (reservoir sample of its examples), at most 999999."),
            new Key("memory.tasks.per.step", "4", "How many other tasks' memories constrain each trunk update (replay: how many other tasks' memories are replayed)."),
            new Key("memory.samples.per.task", "8", "Memory examples per sampled task used for its reference gradient (replay: replayed into the batch). 8 replays half the rows 16 did, at the same quality on the GEM-protocol and real-stream tables (docs/benchmarks.md); 4 forgets more on MNIST rotations."),
            new Key("memory.refresh.batches", "4", "A stored reference gradient is recomputed when it is older than this many batches."));

    /** Reads this part's keys; absent ones take their defaults. */
    static MemoryConfig from(LearnerConfig.Reader r) {
        return new MemoryConfig(Strategy.parse(r.string("memory.strategy")), perTask(r),
                r.nonNegativeInt("memory.tasks.per.step"), r.positiveInt("memory.samples.per.task"),
                r.positiveInt("memory.refresh.batches"));
    }

    /** Memory slots are stored under six-digit keys that sort in slot order, so a task holds at most 999,999. */
    private static int perTask(LearnerConfig.Reader r) {
        int v = r.positiveInt("memory.per.task");
        if (v > 999_999) {
            throw new IllegalArgumentException("memory.per.task=" + v + " is above 999999, the most samples a task's "
                    + "episodic memory holds; lower it");
        }
        return v;
    }
}
