package dev.metastream.learn;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Immutable learner configuration: model shape, optimisation, meta-learning, gradient memory and drift.
 *
 * <p>Built from {@link Properties} with {@link #from(Properties)}; every key, its default and its meaning is listed in
 * {@link #KEYS} (and mirrored, with the same defaults, in {@code config/application.properties}, which a test keeps in
 * step). Values a user can get wrong fail with a message naming the key and what to change.
 *
 * @param inputDim        number of input features after hashing ({@code input.dim})
 * @param defaultTask     the head shape of tasks not listed in {@code tasks.<id>.*}
 * @param taskOverrides   per-task head shapes
 * @param trunk           the shared trunk shape
 * @param seed            seed of every random choice (initialisation, sampling)
 * @param optimizer       "sgd" or "adam", for heads and trunk
 * @param headLearningRate learning rate of the per-task heads
 * @param trunkLearningRate learning rate of the shared trunk
 * @param momentum        SGD momentum
 * @param adamBeta1       Adam beta1
 * @param adamBeta2       Adam beta2
 * @param adamEpsilon     Adam epsilon
 * @param batchSize       examples per learning micro-batch
 * @param batchMaxWaitMs  longest wall-clock wait before a partial batch is learned
 * @param metaEnabled     whether the head initialisation is meta-learned (Reptile)
 * @param metaStepSize    Reptile step size epsilon
 * @param proximal        strength of the pull of a task's head toward the meta initialisation (0 = hard sharing only)
 * @param memoryStrategy  gradient memory: none, agem, gem or replay
 * @param memoryPerTask   episodic memory capacity per task (examples)
 * @param memoryTasksPerStep number of other tasks whose memories constrain one trunk update
 * @param memorySamplesPerTask memory examples per sampled task used to compute its reference gradient
 * @param memoryRefreshBatches a stored reference gradient is recomputed when older than this many batches
 * @param driftDetector   adwin, page-hinkley or none
 * @param driftParams     detector parameters ({@code drift.<detector>.<param>})
 * @param driftReaction   none, reset-head, boost-lr, background-head or restart-task
 * @param driftBoostFactor learning-rate multiplier after a drift (boost-lr)
 * @param driftBoostExamples how many examples the boost lasts
 * @param metricsWindow   sliding window of the windowed prequential metrics
 * @param metricsEveryExamples a task's metrics are published every this many of its examples
 * @param snapshotEveryExamples a task's head snapshot is published every this many of its learned examples
 * @param taskCacheSize   task states kept deserialised on heap (least recently used beyond are re-read)
 * @param maxAbsFeature   largest feature magnitude accepted (larger ones overflow float arithmetic)
 * @param clipNorm        gradients of the trunk and of each head are scaled down to at most this L2 norm
 * @param metaAverage     whether the aggregator averages partition deltas (mean) rather than summing them (sum)
 * @param driftMinRise    a detection counts only when the recent error exceeds the task's slow average by this fraction
 * @param driftCooldownExamples detections within this many of a task's examples after a reaction are ignored
 * @param model           the per-task model's settings (input scaling, wide part, label lag, head step)
 */
public record LearnerConfig(
        int inputDim,
        TaskSpec defaultTask,
        Map<String, TaskSpec> taskOverrides,
        TrunkSpec trunk,
        long seed,
        String optimizer,
        float headLearningRate,
        float trunkLearningRate,
        double momentum,
        double adamBeta1,
        double adamBeta2,
        double adamEpsilon,
        int batchSize,
        long batchMaxWaitMs,
        boolean metaEnabled,
        float metaStepSize,
        float proximal,
        MemoryStrategy memoryStrategy,
        int memoryPerTask,
        int memoryTasksPerStep,
        int memorySamplesPerTask,
        int memoryRefreshBatches,
        String driftDetector,
        Map<String, String> driftParams,
        DriftReaction driftReaction,
        float driftBoostFactor,
        int driftBoostExamples,
        int metricsWindow,
        long metricsEveryExamples,
        long snapshotEveryExamples,
        int taskCacheSize,
        double maxAbsFeature,
        float clipNorm,
        boolean metaAverage,
        double driftMinRise,
        long driftCooldownExamples,
        ModelConfig model) {

    /** Gradient-memory strategies. */
    public enum MemoryStrategy {
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

        static MemoryStrategy parse(String s) {
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

    /** What the learner does when a task's drift detector fires. */
    public enum DriftReaction {
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

        static DriftReaction parse(String s) {
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

    /** One documented configuration key. */
    public record Key(String name, String defaultValue, String doc) {}

    /** Every learner key with its default, in the order {@code config/application.properties} lists them. */
    public static final List<Key> KEYS = List.of(
            new Key("input.dim", "100", "Number of input features. Dense 'x' arrays must have exactly this length; sparse indices and hashed named features fall in [0, input.dim)."),
            new Key("task.kind", "classification", "Kind of every task not overridden: classification, binary, regression or multi-label."),
            new Key("task.classes", "10", "Number of classes of a classification task."),
            new Key("task.class.names", "", "Optional comma-separated class names; a string label is mapped to its position in this list and predictions name the class. Empty = no names: labels and predictions are class indices 0..task.classes-1."),
            new Key("task.labels", "5", "Number of labels of a multi-label task."),
            new Key("model.trunk.layers", "64", "Sizes of the shared trunk's dense layers, comma-separated; empty = a linear model on the inputs."),
            new Key("model.activation", "relu", "Activation of the trunk layers: relu, tanh, sigmoid or identity."),
            new Key("model.seed", "42", "Seed of every random choice the learner makes (initialisation, memory sampling)."),
            new Key("optimizer", "sgd", "Optimiser of heads and trunk: sgd (with momentum) or adam. Its state is kept per task."),
            new Key("optimizer.head.learning.rate", "0.2", "Learning rate of the per-task heads."),
            new Key("optimizer.trunk.learning.rate", "0.1", "Learning rate of the shared trunk."),
            new Key("optimizer.momentum", "0.5", "SGD momentum (0 = plain SGD)."),
            new Key("optimizer.adam.beta1", "0.9", "Adam beta1."),
            new Key("optimizer.adam.beta2", "0.999", "Adam beta2."),
            new Key("optimizer.adam.epsilon", "1e-8", "Adam epsilon."),
            new Key("learner.batch.size", "32", "Examples per learning micro-batch (a partition learns when this many are buffered)."),
            new Key("learner.batch.max.wait.ms", "200", "Longest wall-clock wait before a partial micro-batch is learned."),
            new Key("meta.enabled", "true", "Meta-learn the head initialisation new tasks start from (Reptile)."),
            new Key("meta.step.size", "0.1", "Reptile step size: how far the initialisation moves toward the adapted heads per batch."),
            new Key("meta.aggregation", "mean", "How the aggregator folds partition deltas into the shared model: mean (divide by the number of partitions contributing; stable) or sum (asynchronous SGD)."),
            new Key("meta.proximal", "0.0", "Pull of each task's head toward the meta initialisation (L2 proximal term; 0 = off)."),
            new Key("memory.strategy", "replay", "Gradient memory: replay (memory samples of other tasks join each batch; the default, at A-GEM's cost), agem (one averaged reference gradient), gem (one constraint per sampled task) or none."),
            new Key("memory.per.task", "64", "Episodic memory capacity per task (reservoir sample of its examples), at most 999999."),
            new Key("memory.tasks.per.step", "4", "How many other tasks' memories constrain each trunk update (replay: how many other tasks' memories are replayed)."),
            new Key("memory.samples.per.task", "16", "Memory examples per sampled task used for its reference gradient (replay: replayed into the batch)."),
            new Key("memory.refresh.batches", "4", "A stored reference gradient is recomputed when it is older than this many batches."),
            new Key("drift.detector", "adwin", "Drift detector run per task on the prequential error: adwin, page-hinkley or none."),
            new Key("drift.adwin.delta", "0.002", "ADWIN confidence."),
            new Key("drift.page-hinkley.threshold", "50", "Page-Hinkley alarm threshold (lambda)."),
            new Key("drift.page-hinkley.delta", "0.005", "Page-Hinkley tolerated change (delta)."),
            new Key("drift.page-hinkley.min.instances", "30", "Page-Hinkley examples before it may fire."),
            new Key("drift.reaction", "boost-lr", "What follows a detection: none, reset-head (the head back to the meta initialisation), boost-lr (the task's head and linear learner learn drift.boost.factor times faster for drift.boost.examples; the default: the one reaction measured to help on streams with known changes, docs/benchmarks.md), background-head (a fresh head learns beside the task's and replaces it once it errs less) or restart-task (every per-task learner restarts from what the partition knows: head at the meta initialisation, linear learner at zero, label frequencies at the partition's, mixture weights equal)."),
            new Key("drift.min.rise", "0.25", "A detection is a drift only when the detector's recent error is this fraction above the task's slow error average (a learning task's error moves both ways)."),
            new Key("drift.cooldown.examples", "200", "Detections within this many of a task's examples after a drift reaction are ignored (one change, one event)."),
            new Key("drift.boost.factor", "3", "Learning-rate multiplier after a drift (boost-lr)."),
            new Key("drift.boost.examples", "200", "How many of the task's examples the boost lasts (boost-lr)."),
            new Key("metrics.window", "500", "Sliding window (examples) of the windowed prequential metrics."),
            new Key("metrics.every.examples", "1000", "A task's metrics are published every this many of its labelled examples (and on the metrics.interval.ms timer)."),
            new Key("snapshot.every.examples", "1000", "A task's head snapshot is published every this many of its learned examples."),
            new Key("learner.task.cache.size", "10000", "Task states kept deserialised on heap per partition; older ones are re-read from the store."),
            new Key("input.max.abs.value", "1e6", "Largest feature magnitude accepted; larger values go to the dead-letter topic (scale such features: float arithmetic overflows near 3e38)."),
            new Key("optimizer.clip.norm", "10", "Gradients of the trunk and of each head are scaled down to at most this L2 norm."),
            new Key("input.scaling", "standardize", "Online scaling of dense inputs before the trunk and head: standardize (running mean and variance of features that are mostly non-zero, clipped to +-5; largest magnitude seen for mostly-zero ones) or none."),
            new Key("input.scaling.scope", "shared", "Whose statistics scale the trunk's and the head's inputs: shared (one scaler per partition, learned from all its tasks) or task (the task's own, pooled with the partition's). A task's linear learner (model.mixture) always sees its own."),
            new Key("input.scaling.prior.weight", "20", "A task's input statistics are pooled with the partition's as if the partition's had been seen this many times, so a new task's inputs are scaled like its partition's until it has its own."),
            new Key("model.wide", "true", "The head also sees the scaled inputs (a wide linear part beside the deep trunk), so it learns per-input effects (hashed items, categories) at its own fast rate; the mixture's linear learner (model.mixture) learns them slowly. Off, MNIST rotations gain 0.007 ACC, but the recommendation generator loses 0.019 RMSE and its clicks 0.010 accuracy (docs/benchmarks.md)."),
            new Key("model.label.lag", "true", "The head also sees the task's previous label, so it can learn a no-change predictor on autocorrelated streams."),
            new Key("task.target.prior.weight", "5", "A task's running target mean is shrunk toward its partition's as if the partition's had been seen this many times: for regression it centres the task's predictions; for labels it gives the running frequencies the mixture's prior learner predicts (model.mixture)."),
            new Key("optimizer.head.normalized", "joint", "Normalised LMS for a head's per-example step, so its size does not depend on the number or scale of inputs. per-part: the rows of each part (trunk features, wide inputs, previous label) are divided by 1 + |that part|^2, so the wide part learns as fast as a linear learner would; joint: every row by 1 + |head inputs|^2; none: the plain gradient."),
            new Key("model.mixture", "true", "Each task's prediction mixes three learners, weighted by their recent errors (Fixed-Share, Herbster and Warmuth 1998): its head (fast, over the trunk's features, the inputs and the previous label), a slow linear learner on the task's own scaled inputs (plain SGD at model.linear.learning.rate) and its running label frequencies or mean. A long, noisy, nearly linear stream is then predicted as well as by a per-example linear model, a stream with little signal as well as by its majority class, and a fast-changing one as well as by the head."),
            new Key("model.linear.learning.rate", "0.01", "SGD step of each task's slow linear learner (model.mixture)."),
            new Key("model.mixture.share", "0.001", "Fixed share of the mixture (model.mixture): the weight spread evenly over the learners after every example, so the mixture can switch to another learner within a few examples of a change (0 = never switch back)."),
            new Key("model.mixture.gate", "true", "Label tasks (model.mixture): each task's prediction is further weighed against its partition's running label frequencies (the global majority class) by one Fixed-Share gate learned from every example of the partition, so a stream of many small tasks whose features say little is predicted as well as by its global majority class (docs/benchmarks.md)."));

    private static final Map<String, String> DEFAULTS;

    static {
        Map<String, String> d = new LinkedHashMap<>();
        for (Key k : KEYS) {
            d.put(k.name(), k.defaultValue());
        }
        DEFAULTS = Map.copyOf(d);
    }

    /** The configuration with every default. */
    public static LearnerConfig defaults() {
        return from(new Properties());
    }

    /**
     * Reads a configuration; absent keys take their defaults.
     *
     * @throws IllegalArgumentException naming the key and the change to make when a value is invalid
     */
    public static LearnerConfig from(Properties p) {
        Reader r = new Reader(p);
        int inputDim = r.positiveInt("input.dim");
        TaskSpec defaultTask = TaskSpec.from(r.string("task.kind"), r.positiveInt("task.classes"),
                r.list("task.class.names"), r.positiveInt("task.labels"));
        Map<String, TaskSpec> overrides = new TreeMap<>();
        java.util.regex.Pattern taskKey = java.util.regex.Pattern.compile("tasks\\.(.+)\\.(kind|classes|class\\.names|labels)");
        java.util.Set<String> ids = new java.util.TreeSet<>();
        for (String name : p.stringPropertyNames()) {
            java.util.regex.Matcher m = taskKey.matcher(name);
            if (m.matches()) {
                ids.add(m.group(1));
            }
        }
        for (String id : ids) {
            // A per-task key that is not given falls back to the default task's.
            String prefix = "tasks." + id + ".";
            int classes = taskInt(p, prefix + "classes", defaultTask.classes());
            List<String> names = p.containsKey(prefix + "class.names")
                    ? splitList(p.getProperty(prefix + "class.names"))
                    : classes == defaultTask.classes() ? defaultTask.classNames() : List.of();
            try {
                overrides.put(id, TaskSpec.from(
                        p.getProperty(prefix + "kind", defaultTask.kind().name().toLowerCase()).trim(), classes, names,
                        taskInt(p, prefix + "labels", defaultTask.labels())));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(prefix + "*: " + e.getMessage(), e);
            }
        }
        int[] hidden = r.list("model.trunk.layers").stream().mapToInt(s -> {
            int v = Integer.parseInt(s);
            if (v <= 0) {
                throw new IllegalArgumentException("model.trunk.layers: layer sizes must be positive, got " + v);
            }
            return v;
        }).toArray();
        TrunkSpec trunk = new TrunkSpec(inputDim, hidden, Activation.parse(r.string("model.activation")));
        String optimizer = r.string("optimizer").toLowerCase();
        if (!optimizer.equals("sgd") && !optimizer.equals("adam")) {
            throw new IllegalArgumentException("optimizer=" + optimizer + " is not known: use sgd or adam");
        }
        String detector = r.string("drift.detector").toLowerCase();
        Map<String, String> driftParams = new TreeMap<>();
        String dprefix = "drift." + detector + ".";
        for (String name : union(p.stringPropertyNames(), DEFAULTS.keySet())) {
            if (name.startsWith(dprefix)) {
                // Properties spell words with dots (min.instances); detectors name parameters with underscores.
                driftParams.put(name.substring(dprefix.length()).replace('.', '_'), r.string(name));
            }
        }
        try {
            // Fail at start-up, not when the first task learns, on a detector name or parameter it does not know.
            dev.metastream.drift.DriftDetector.create(detector, driftParams);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("drift." + detector + ".*: " + e.getMessage(), e);
        }
        return new LearnerConfig(inputDim, defaultTask, Map.copyOf(overrides), trunk, r.longValue("model.seed"),
                optimizer, r.positiveFloat("optimizer.head.learning.rate"), r.nonNegativeFloat("optimizer.trunk.learning.rate"),
                r.doubleValue("optimizer.momentum"), r.doubleValue("optimizer.adam.beta1"), r.doubleValue("optimizer.adam.beta2"),
                r.doubleValue("optimizer.adam.epsilon"), r.positiveInt("learner.batch.size"),
                r.longValue("learner.batch.max.wait.ms"), Boolean.parseBoolean(r.string("meta.enabled")),
                r.nonNegativeFloat("meta.step.size"), r.nonNegativeFloat("meta.proximal"),
                MemoryStrategy.parse(r.string("memory.strategy")), memoryPerTask(r),
                r.nonNegativeInt("memory.tasks.per.step"), r.positiveInt("memory.samples.per.task"),
                r.positiveInt("memory.refresh.batches"), detector, Map.copyOf(driftParams),
                DriftReaction.parse(r.string("drift.reaction")), r.positiveFloat("drift.boost.factor"),
                r.nonNegativeInt("drift.boost.examples"), r.positiveInt("metrics.window"),
                r.positiveInt("metrics.every.examples"), r.positiveInt("snapshot.every.examples"),
                r.positiveInt("learner.task.cache.size"), r.doubleValue("input.max.abs.value"),
                r.positiveFloat("optimizer.clip.norm"), parseAggregation(r.string("meta.aggregation")),
                r.doubleValue("drift.min.rise"), r.nonNegativeInt("drift.cooldown.examples"),
                new ModelConfig(choice(r, "input.scaling", "standardize", "none"),
                        !choice(r, "input.scaling.scope", "shared", "task"),
                        r.nonNegativeFloat("input.scaling.prior.weight"), r.bool("model.wide"),
                        r.bool("model.label.lag"), r.nonNegativeFloat("task.target.prior.weight"),
                        HeadStepNormalization.parse(r.string("optimizer.head.normalized")), r.bool("model.mixture"),
                        r.nonNegativeFloat("model.linear.learning.rate"), probability(r, "model.mixture.share"),
                        r.bool("model.mixture.gate")));
    }

    /** The head shape of a task. */
    public TaskSpec taskSpec(String task) {
        return taskOverrides.getOrDefault(task, defaultTask);
    }

    /** The distinct head shapes this configuration can produce (one meta initialisation each). */
    public List<TaskSpec> headShapes() {
        List<TaskSpec> shapes = new ArrayList<>();
        shapes.add(defaultTask);
        for (TaskSpec s : taskOverrides.values()) {
            if (shapes.stream().noneMatch(x -> x.shapeKey().equals(s.shapeKey()))) {
                shapes.add(s);
            }
        }
        return shapes;
    }

    /** A short digest of every setting, carried by snapshots so a model can be traced to its configuration. */
    public String digest() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(toString().getBytes(StandardCharsets.UTF_8));
            md.update(Arrays.toString(trunk.hidden()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int taskInt(Properties p, String key, int fallback) {
        String v = p.getProperty(key);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n <= 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + "=" + v + " must be a positive whole number");
        }
    }

    /** True for {@code yes}, false for {@code no}; anything else names the key and both choices. */
    /** Memory slots are stored under six-digit keys that sort in slot order, so a task holds at most 999,999. */
    private static int memoryPerTask(Reader r) {
        int v = r.positiveInt("memory.per.task");
        if (v > 999_999) {
            throw new IllegalArgumentException("memory.per.task=" + v + " is above 999999, the most samples a task's "
                    + "episodic memory holds; lower it");
        }
        return v;
    }

    private static double probability(Reader r, String key) {
        double v = r.doubleValue(key);
        if (!(v >= 0 && v < 1)) {
            throw new IllegalArgumentException(key + "=" + v + " must be at least 0 and below 1");
        }
        return v;
    }

    private static boolean choice(Reader r, String key, String yes, String no) {
        String v = r.string(key).toLowerCase();
        if (v.equals(yes) || v.equals(no)) {
            return v.equals(yes);
        }
        throw new IllegalArgumentException(key + "=" + v + " is not known: use " + yes + " or " + no);
    }

    private static boolean parseAggregation(String s) {
        return switch (s.toLowerCase()) {
            case "mean" -> true;
            case "sum" -> false;
            default -> throw new IllegalArgumentException("meta.aggregation=" + s + " is not known: use mean or sum");
        };
    }

    static List<String> splitList(String s) {
        List<String> out = new ArrayList<>();
        for (String part : s.split(",")) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return out;
    }

    private static java.util.Set<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        java.util.Set<String> u = new java.util.TreeSet<>(a);
        u.addAll(b);
        return u;
    }

    /** Typed reads with messages that name the key. */
    private record Reader(Properties p) {
        String string(String key) {
            String v = p.getProperty(key);
            if (v == null) {
                v = DEFAULTS.get(key);
            }
            if (v == null) {
                throw new IllegalArgumentException("missing configuration key " + key);
            }
            return v.trim();
        }

        boolean bool(String key) {
            String v = string(key).toLowerCase();
            if (!v.equals("true") && !v.equals("false")) {
                throw new IllegalArgumentException(key + "=" + v + " must be true or false");
            }
            return v.equals("true");
        }

        List<String> list(String key) {
            return splitList(string(key));
        }

        long longValue(String key) {
            try {
                return Long.parseLong(string(key));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + "=" + string(key) + " is not a whole number");
            }
        }

        double doubleValue(String key) {
            try {
                double v = Double.parseDouble(string(key));
                if (!Double.isFinite(v)) {
                    throw new NumberFormatException();
                }
                return v;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + "=" + string(key) + " is not a finite number");
            }
        }

        int positiveInt(String key) {
            long v = longValue(key);
            if (v <= 0 || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(key + "=" + v + " must be a positive whole number");
            }
            return (int) v;
        }

        int nonNegativeInt(String key) {
            long v = longValue(key);
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(key + "=" + v + " must be zero or a positive whole number");
            }
            return (int) v;
        }

        float positiveFloat(String key) {
            double v = doubleValue(key);
            if (v <= 0) {
                throw new IllegalArgumentException(key + "=" + v + " must be greater than 0");
            }
            return (float) v;
        }

        float nonNegativeFloat(String key) {
            double v = doubleValue(key);
            if (v < 0) {
                throw new IllegalArgumentException(key + "=" + v + " must be 0 or more");
            }
            return (float) v;
        }
    }
}
