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
 * Immutable learner configuration: model shape, batching and publishing, and one part per concern, each a record that
 * owns its keys and reads them: {@link OptimizerConfig optimisation}, {@link MetaConfig meta-learning},
 * {@link MemoryConfig gradient memory}, {@link DriftConfig drift}, the {@link ModelConfig per-task model} and
 * {@link ShiftConfig domain-shift monitoring}.
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
 * @param batchSize       examples per learning micro-batch
 * @param batchMaxWaitMs  longest wall-clock wait before a partial batch is learned
 * @param metricsWindow   sliding window of the windowed prequential metrics
 * @param metricsEveryExamples a task's metrics are published every this many of its examples
 * @param snapshotEveryExamples a task's head snapshot is published every this many of its learned examples
 * @param taskCacheSize   task states kept deserialised on heap (least recently used beyond are re-read)
 * @param maxAbsFeature   largest feature magnitude accepted (larger ones overflow float arithmetic)
 * @param optimizer       the optimiser of heads and trunk (kind, learning rates, its parameters, gradient clipping)
 * @param meta            meta-learning of the head initialisation (Reptile) and the aggregation of partition deltas
 * @param memory          the gradient memory that protects other tasks when the trunk learns
 * @param drift           drift detection per task and the learner's reaction to a drift
 * @param model           the per-task model's settings (input scaling, wide part, label lag, head step)
 * @param shift           label-free domain-shift monitoring (not part of the digest: it changes no model)
 */
public record LearnerConfig(
        int inputDim,
        TaskSpec defaultTask,
        Map<String, TaskSpec> taskOverrides,
        TrunkSpec trunk,
        long seed,
        int batchSize,
        long batchMaxWaitMs,
        int metricsWindow,
        long metricsEveryExamples,
        long snapshotEveryExamples,
        int taskCacheSize,
        double maxAbsFeature,
        OptimizerConfig optimizer,
        MetaConfig meta,
        MemoryConfig memory,
        DriftConfig drift,
        ModelConfig model,
        ShiftConfig shift) {

    /** One documented configuration key. */
    public record Key(String name, String defaultValue, String doc) {}

    /** The keys of the model's shape and seed, which this record reads itself. */
    private static final List<Key> SHAPE_KEYS = List.of(
            new Key("input.dim", "100", "Number of input features. Dense 'x' arrays must have exactly this length; sparse indices and hashed named features fall in [0, input.dim)."),
            new Key("task.kind", "classification", "Kind of every task not overridden: classification, binary, regression or multi-label."),
            new Key("task.classes", "10", "Number of classes of a classification task."),
            new Key("task.class.names", "", "Optional comma-separated class names; a string label is mapped to its position in this list and predictions name the class. Empty = no names: labels and predictions are class indices 0..task.classes-1."),
            new Key("task.labels", "5", "Number of labels of a multi-label task."),
            new Key("model.trunk.layers", "64", "Sizes of the shared trunk's dense layers, comma-separated; empty = a linear model on the inputs."),
            new Key("model.activation", "relu", "Activation of the trunk layers: relu, tanh, sigmoid or identity."),
            new Key("model.seed", "42", "Seed of every random choice the learner makes (initialisation, memory sampling)."));

    /** The keys of micro-batching, which this record reads itself. */
    private static final List<Key> BATCH_KEYS = List.of(
            new Key("learner.batch.size", "32", "Examples per learning micro-batch (a partition learns when this many are buffered)."),
            new Key("learner.batch.max.wait.ms", "200", "Longest wall-clock wait before a partial micro-batch is learned."));

    /** The keys of publishing, the task cache and input bounds, which this record reads itself. */
    private static final List<Key> OUTPUT_KEYS = List.of(
            new Key("metrics.window", "500", "Sliding window (examples) of the windowed prequential metrics."),
            new Key("metrics.every.examples", "1000", "A task's metrics are published every this many of its labelled examples (and on the metrics.interval.ms timer)."),
            new Key("snapshot.every.examples", "1000", "A task's head snapshot is published every this many of its learned examples."),
            new Key("learner.task.cache.size", "10000", "Task states (and, apart, domain-shift monitors) kept deserialised on heap per partition, and no more than an eighth of the maximum heap each per partition (estimated at four times a state's stored size); older ones are re-read from the store. A state read from the store is cached when its task was read within about this many reads before; otherwise it is held for two micro-batches and dropped."),
            new Key("input.max.abs.value", "1e6", "Largest feature magnitude accepted; larger values go to the dead-letter topic (scale such features: float arithmetic overflows near 3e38)."));

    /**
     * Every learner key with its default, in the order {@code config/application.properties} lists them: this
     * record's own and each part's {@code KEYS}, in the order the file has always had ({@code optimizer.clip.norm} after
     * {@code input.max.abs.value}).
     */
    public static final List<Key> KEYS = concat(SHAPE_KEYS, OptimizerConfig.LEADING_KEYS, BATCH_KEYS, MetaConfig.KEYS,
            MemoryConfig.KEYS, DriftConfig.KEYS, OUTPUT_KEYS, List.of(OptimizerConfig.CLIP_NORM_KEY), ModelConfig.KEYS,
            ShiftConfig.KEYS);

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
        // The optimiser's and the drift detector's names were always checked before the other values: their parts
        // are read first. Each value is checked as before; only which of several wrong values is named first may differ.
        OptimizerConfig optimizer = OptimizerConfig.from(r);
        DriftConfig drift = DriftConfig.from(r);
        return new LearnerConfig(inputDim, defaultTask, Map.copyOf(overrides), trunk, r.longValue("model.seed"),
                r.positiveInt("learner.batch.size"), r.longValue("learner.batch.max.wait.ms"),
                r.positiveInt("metrics.window"), r.positiveInt("metrics.every.examples"),
                r.positiveInt("snapshot.every.examples"), r.positiveInt("learner.task.cache.size"),
                r.doubleValue("input.max.abs.value"), optimizer, MetaConfig.from(r), MemoryConfig.from(r), drift,
                ModelConfig.from(r), ShiftConfig.from(r));
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
            md.update(digestText().getBytes(StandardCharsets.UTF_8));
            md.update(Arrays.toString(trunk.hidden()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The text the digest is computed from: every setting, spelt as this record's {@code toString()} spelt them when
     * all were its own components (before they were grouped into parts), so the digest of a configuration, carried by
     * the snapshots and states written before, stays the same. Do not reorder or rename: add a new setting at the end.
     */
    String digestText() {
        OptimizerConfig o = optimizer;
        MemoryConfig m = memory;
        DriftConfig d = drift;
        // Maps in key order: Map.copyOf iterates in an order that changes from one JVM to the next, so a config with
        // two detector parameters or two task overrides had a different digest at every start (one entry prints the
        // same either way, so the digests of earlier single-entry configs are unchanged).
        return "LearnerConfig[inputDim=" + inputDim + ", defaultTask=" + defaultTask + ", taskOverrides="
                + new java.util.TreeMap<>(taskOverrides)
                + ", trunk=" + trunk + ", seed=" + seed + ", optimizer=" + o.name()
                + ", headLearningRate=" + o.headLearningRate() + ", trunkLearningRate=" + o.trunkLearningRate()
                + ", momentum=" + o.momentum() + ", adamBeta1=" + o.adamBeta1() + ", adamBeta2=" + o.adamBeta2()
                + ", adamEpsilon=" + o.adamEpsilon() + ", batchSize=" + batchSize + ", batchMaxWaitMs=" + batchMaxWaitMs
                + ", metaEnabled=" + meta.enabled() + ", metaStepSize=" + meta.stepSize()
                + ", proximal=" + meta.proximal() + ", memoryStrategy=" + m.strategy() + ", memoryPerTask=" + m.perTask()
                + ", memoryTasksPerStep=" + m.tasksPerStep() + ", memorySamplesPerTask=" + m.samplesPerTask()
                + ", memoryRefreshBatches=" + m.refreshBatches() + ", driftDetector=" + d.detector()
                + ", driftParams=" + new java.util.TreeMap<>(d.params()) + ", driftReaction=" + d.reaction()
                + ", driftBoostFactor=" + d.boostFactor() + ", driftBoostExamples=" + d.boostExamples()
                + ", metricsWindow=" + metricsWindow + ", metricsEveryExamples=" + metricsEveryExamples
                + ", snapshotEveryExamples=" + snapshotEveryExamples + ", taskCacheSize=" + taskCacheSize
                + ", maxAbsFeature=" + maxAbsFeature + ", clipNorm=" + o.clipNorm() + ", metaAverage=" + meta.average()
                + ", driftMinRise=" + d.minRise() + ", driftCooldownExamples=" + d.cooldownExamples()
                + ", model=" + model + (bayesianHeads() ? ", regressionHead=bayes" : "")
                // The heads' momentum was the trunk's until it had its own key: only a different one is a new model.
                + (o.headMomentum() == o.momentum() ? "" : ", headMomentum=" + o.headMomentum())
                + (prototypeHeads() ? ", classificationHead=prototype" : "")
                + (meta.learnedRates() ? ", learningRates=meta-sgd(" + meta.learnedRatesStep() + ")" : "")
                + (meta.transfer() == MetaConfig.Transfer.OFF ? "" : ", transfer=" + meta.transfer()) + "]";
    }

    /** Whether any task has a prototype head: only then does {@code meta.head.classification} change the model. */
    private boolean prototypeHeads() {
        return headShapes().stream().anyMatch(shape -> PrototypeHead.appliesTo(this, shape));
    }

    private boolean bayesianHeads() {
        return headShapes().stream().anyMatch(shape -> BayesianHead.appliesTo(this, shape));
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

    static List<String> splitList(String s) {
        List<String> out = new ArrayList<>();
        for (String part : s.split(",")) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return out;
    }

    @SafeVarargs
    private static List<Key> concat(List<Key>... parts) {
        List<Key> all = new ArrayList<>();
        for (List<Key> part : parts) {
            all.addAll(part);
        }
        return List.copyOf(all);
    }

    private static java.util.Set<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        java.util.Set<String> u = new java.util.TreeSet<>(a);
        u.addAll(b);
        return u;
    }

    /**
     * Typed reads of the given properties, falling back to every learner key's default, with messages that name the
     * key. Each part of the configuration reads its own keys through one.
     */
    record Reader(Properties p) {
        /** The names of every key given or defaulted. */
        java.util.Set<String> names() {
            return union(p.stringPropertyNames(), DEFAULTS.keySet());
        }


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
