package dev.metastream.evaluation;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The learning strategies {@code bin/metastream evaluate --strategy} compares on one stream: the baselines of the
 * continual-learning literature and metastream's own configuration. Each is a set of learner-key overrides on top of
 * the scenario's keys (and under the user's {@code --set}), plus, for three of them, a different way of running:
 *
 * <ul>
 *   <li>{@link #NAIVE}: fine-tuning one model on everything: every task id is mapped to one head, no memory, no
 *       meta-learning. The lower bound: it forgets.
 *   <li>{@link #INDEPENDENT}: one learner per task, own trunk and head, nothing shared. The reference of multi-task
 *       gain and negative transfer.
 *   <li>{@link #MULTIHEAD}: one head per task on the shared trunk, no memory, no meta-learning.
 *   <li>{@link #AGEM}, {@link #GEM}: multi-head plus that gradient memory (Chaudhry et al. 2019, "Efficient Lifelong
 *       Learning with A-GEM"; Lopez-Paz and Ranzato 2017).
 *   <li>{@link #REPLAY}: multi-head plus experience replay: other tasks' memory samples join each batch (Chaudhry et
 *       al. 2019, "On Tiny Episodic Memories in Continual Learning").
 *   <li>{@link #METASTREAM}: the default learner configuration ({@code LearnerConfig.defaults()}).
 *   <li>{@link #JOINT}: offline training over all tasks' data at once, shuffled, {@link Evaluator#JOINT_EPOCHS}
 *       epochs, multi-head, no memory, learning rate 0.02 for heads and trunk. The upper bound; it has only a final
 *       row, so BWT/FWT are not defined. The one-pass defaults are too large for several epochs over shuffled tasks:
 *       on MNIST permutations (seed 1) joint training reached ACC 0.70 with them, 0.83 at 0.05 and 0.86 at 0.02.
 * </ul>
 *
 * <p>The plain baselines run with {@code drift.reaction=none}, so a detector firing at a task switch (which looks like
 * a drift to a single shared head) does not change what they learn; {@link #METASTREAM} keeps its reaction. The
 * gradient-memory baselines keep the 16 memory samples per task they were measured with
 * ({@link #BASELINE_SAMPLES_PER_TASK}) when the product's default went to 8.
 */
public enum Strategy {
    /** One model for all tasks, no memory, no meta-learning. */
    NAIVE(Map.of("memory.strategy", "none", "meta.enabled", "false", "drift.reaction", "none")),
    /** A separate learner per task, nothing shared. */
    INDEPENDENT(Map.of("memory.strategy", "none", "meta.enabled", "false", "drift.reaction", "none")),
    /** Per-task heads on a shared trunk, no memory, no meta-learning. */
    MULTIHEAD(Map.of("memory.strategy", "none", "meta.enabled", "false", "drift.reaction", "none")),
    /** Multi-head with A-GEM. */
    AGEM(Map.of("memory.strategy", "agem", "meta.enabled", "false", "drift.reaction", "none",
            "memory.samples.per.task", Strategy.BASELINE_SAMPLES_PER_TASK)),
    /** Multi-head with GEM. */
    GEM(Map.of("memory.strategy", "gem", "meta.enabled", "false", "drift.reaction", "none",
            "memory.samples.per.task", Strategy.BASELINE_SAMPLES_PER_TASK)),
    /** Multi-head with experience replay. */
    REPLAY(Map.of("memory.strategy", "replay", "meta.enabled", "false", "drift.reaction", "none",
            "memory.samples.per.task", Strategy.BASELINE_SAMPLES_PER_TASK)),
    /** The default metastream configuration. */
    METASTREAM(Map.of()),
    /** Offline joint training over every task (upper bound). */
    JOINT(Map.of("memory.strategy", "none", "meta.enabled", "false", "drift.reaction", "none",
            "optimizer.head.learning.rate", "0.02", "optimizer.trunk.learning.rate", "0.02"));

    /** The head every task is mapped to under {@link #NAIVE}. */
    public static final String SHARED_TASK = "all-tasks";

    /**
     * {@code memory.samples.per.task} of the A-GEM, GEM and replay baselines: the value their rows in
     * {@code docs/benchmarks.md} were measured with (the product's default before it went to 8).
     */
    public static final String BASELINE_SAMPLES_PER_TASK = "16";

    private final Map<String, String> overrides;

    Strategy(Map<String, String> overrides) {
        this.overrides = overrides;
    }

    /** The learner keys this strategy sets. */
    public Map<String, String> overrides() {
        return new LinkedHashMap<>(overrides);
    }

    /** The {@code --strategy} name. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The task id the learner sees for a scenario task (every task is one under {@link #NAIVE}). */
    public String learnerTask(String task) {
        return this == NAIVE ? SHARED_TASK : task;
    }

    /** Whether the strategy runs through the streaming learner as one stream (everything but independent, joint). */
    public boolean singleStream() {
        return this != INDEPENDENT && this != JOINT;
    }

    /**
     * Parses a {@code --strategy} name.
     *
     * @throws IllegalArgumentException naming the flag and the known names
     */
    public static Strategy parse(String s) {
        String n = s.trim().toLowerCase(Locale.ROOT).replace("-", "");
        for (Strategy st : values()) {
            if (st.name().toLowerCase(Locale.ROOT).equals(n)) {
                return st;
            }
        }
        throw new IllegalArgumentException("--strategy " + s + " is not known: use one of " + names());
    }

    /** The names, comma-separated. */
    public static String names() {
        return Arrays.stream(values()).map(Strategy::cliName).collect(Collectors.joining(", "));
    }
}
