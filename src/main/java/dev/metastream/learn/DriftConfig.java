package dev.metastream.learn;

import dev.metastream.drift.DriftDetector;
import dev.metastream.drift.DriftDetectors;
import dev.metastream.learn.LearnerConfig.Key;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Settings of drift detection and of the learner's reaction to a drift, the part of {@link LearnerConfig} that owns
 * the {@code drift.*} keys. The detectors themselves live in {@code dev.metastream.drift}.
 *
 * @param detector        a detector name of {@link DriftDetectors#ALL} ({@code drift.detector})
 * @param params          detector parameters ({@code drift.<detector>.<param>}, dots in the parameter's name
 *                        written as underscores)
 * @param reaction        what the learner does after a drift ({@code drift.reaction})
 * @param boostFactor     learning-rate multiplier after a drift (boost-lr) ({@code drift.boost.factor})
 * @param boostExamples   how many of the task's examples the boost lasts ({@code drift.boost.examples})
 * @param minRise         a detection counts only when the recent error exceeds the task's slow average by this
 *                        fraction ({@code drift.min.rise})
 * @param cooldownExamples detections within this many of a task's examples after a reaction are ignored
 *                        ({@code drift.cooldown.examples})
 */
public record DriftConfig(String detector, Map<String, String> params, Reaction reaction, float boostFactor,
        int boostExamples, double minRise, long cooldownExamples) {

    /** What the learner does when a task's drift detector fires. */
    public enum Reaction {
        /** Only publish the drift event. */
        NONE,
        /** Reset the task's head (and optimiser state) to the meta-learned initialisation. */
        RESET_HEAD,
        /** Multiply the task's learning rate by {@code drift.boost.factor} for {@code drift.boost.examples}. */
        BOOST_LR,
        /** Start a fresh background head that replaces the task's head once it errs less ({@link BackgroundHead}). */
        BACKGROUND_HEAD,
        /**
         * Restart every per-task learner from what the partition knows: the head from the meta-learned initialisation,
         * the linear learner from zero, the label frequencies from the partition's, the mixture from equal weights.
         */
        RESTART_TASK;

        static Reaction parse(String s) {
            return switch (s.trim().toLowerCase()) {
                case "none" -> NONE;
                case "reset-head", "reset" -> RESET_HEAD;
                case "boost-lr", "boost" -> BOOST_LR;
                case "background-head", "background" -> BACKGROUND_HEAD;
                case "restart-task", "restart" -> RESTART_TASK;
                default -> throw new IllegalArgumentException(
                        "drift.reaction=" + s + " is not known: use one of none, reset-head, boost-lr, background-head, restart-task");
            };
        }
    }

    /** Every key this part owns, with its default, in the order {@code config/application.properties} lists them. */
    public static final List<Key> KEYS = List.of(
            new Key("drift.detector", "page-hinkley", "Drift detector run per task on the prequential error: "
                    + DriftDetectors.allowedNames() + " (their parameters are listed at the end of this file). "
                    + "page-hinkley with threshold 20 found the most of the known changes of the abrupt drift streams "
                    + "with the fewest false alarms (docs/benchmarks.md)."),
            new Key("drift.adwin.delta", "0.002", "ADWIN confidence."),
            new Key("drift.adwin.clock", "1", "ADWIN checks for a cut every this many of a task's examples (River's "
                    + "default is 32, which adds up to 32 examples of delay on a task's low-rate error stream)."),
            new Key("drift.page-hinkley.threshold", "20", "Page-Hinkley alarm threshold (lambda); the detector's own "
                    + "default is River's 50, which found fewer of the drift streams' changes (docs/benchmarks.md)."),
            new Key("drift.page-hinkley.delta", "0.005", "Page-Hinkley tolerated change (delta)."),
            new Key("drift.page-hinkley.min.instances", "30", "Page-Hinkley examples before it may fire."),
            new Key("drift.reaction", "boost-lr", "What follows a detection: none, reset-head (the head back to the meta initialisation), boost-lr (the task's head and linear learner learn drift.boost.factor times faster for drift.boost.examples; the default: the one reaction measured to help on streams with known changes, docs/benchmarks.md), background-head (a fresh head starts at the detector's warning, learns beside the task's and replaces it once it errs less, or at the drift once it has learned 30 examples) or restart-task (every per-task learner restarts from what the partition knows: head at the meta initialisation, linear learner at zero, label frequencies at the partition's, mixture weights equal)."),
            new Key("drift.min.rise", "0.25", "A detection is a drift only when the detector's recent error is this fraction above the task's slow error average (a learning task's error moves both ways)."),
            new Key("drift.cooldown.examples", "200", "Detections within this many of a task's examples after a drift reaction are ignored (one change, one event)."),
            new Key("drift.boost.factor", "3", "Learning-rate multiplier after a drift (boost-lr)."),
            new Key("drift.boost.examples", "200", "How many of the task's examples the boost lasts (boost-lr)."));

    /** A new detector of this kind and these parameters, for one task. */
    public DriftDetector newDetector() {
        return FACTORIES.computeIfAbsent(this, c -> DriftDetectors.factory(c.detector, c.params)).get();
    }

    /** Per configuration, its detectors' maker: the parameters are checked and parsed once, not per new task. */
    private static final Map<DriftConfig, java.util.function.Supplier<DriftDetector>> FACTORIES =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** Reads this part's keys; absent ones take their defaults. */
    static DriftConfig from(LearnerConfig.Reader r) {
        String detector = r.string("drift.detector").toLowerCase();
        Map<String, String> params = new TreeMap<>();
        String prefix = "drift." + detector + ".";
        for (String name : r.names()) {
            if (name.startsWith(prefix)) {
                // Properties spell words with dots (min.instances); detectors name parameters with underscores.
                params.put(name.substring(prefix.length()).replace('.', '_'), r.string(name));
            }
        }
        try {
            // Fail at start-up, not when the first task learns, on a detector name or parameter it does not know.
            DriftDetector.create(detector, params);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("drift." + detector + ".*: " + e.getMessage(), e);
        }
        return new DriftConfig(detector, Map.copyOf(params), Reaction.parse(r.string("drift.reaction")),
                r.positiveFloat("drift.boost.factor"), r.nonNegativeInt("drift.boost.examples"),
                r.doubleValue("drift.min.rise"), r.nonNegativeInt("drift.cooldown.examples"));
    }
}
