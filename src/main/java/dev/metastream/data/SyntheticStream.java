package dev.metastream.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;


/**
 * A deterministic generator of a multi-task classification stream, for demos and tests.
 *
 * <p>Model: inputs are {@code x ~ N(0, 1)^inputDim}. All tasks share one fixed random non-linear representation
 * {@code h = tanh(P x + p)} into a small latent space of {@value #LATENT_DIM} dimensions. Task {@code t} labels an
 * input with {@code argmax_c (W_t h + b_t)_c}, where
 * {@code W_t = relatedness * S + (1 - relatedness) * T_t} mixes a map {@code S} shared by all tasks with a
 * task-specific random map {@code T_t}. The biases {@code b_t} are calibrated so each task's classes are roughly
 * balanced, which keeps every task learnable.
 *
 * <p>Each call to {@link #next()} picks one of the currently active tasks uniformly at random. Optionally one extra
 * task appears at example index {@link Config#newTaskAt()}, and the concept of task {@link Config#driftTask()}
 * changes abruptly at {@link Config#driftAt()}: from then on its map is replaced by a fresh random one that is
 * not derived from the shared map.
 *
 * <p>Everything is a pure function of the {@link Config}: two streams with the same configuration produce the same
 * examples. Not thread-safe.
 */
public final class SyntheticStream {

    /** Dimension of the shared latent representation. */
    public static final int LATENT_DIM = 8;

    /** Number of latent vectors used to calibrate class biases and to check the drifted concept. */
    private static final int CALIBRATION_SAMPLES = 4000;
    /** A drifted concept must disagree with the old one: at most this agreement on the calibration sample. */
    private static final double MAX_DRIFT_AGREEMENT = 0.5;

    /**
     * Configuration of a {@link SyntheticStream}.
     *
     * @param inputDim    dimension of the inputs {@code x} (default 20)
     * @param classes     number of classes, at least 2 (default 3)
     * @param tasks       number of tasks present from the start, named {@code task-0 .. task-(tasks-1)} (default 5)
     * @param seed        seed of all randomness
     * @param newTaskAt   example index from which one extra task {@code task-<tasks>} appears; -1 = never
     * @param driftAt     example index from which the concept of {@code driftTask} changes abruptly; -1 = never
     * @param driftTask   the task whose concept drifts (default {@code task-0})
     * @param relatedness in [0, 1]: weight of the shared map in each task's map (default 0.8)
     */
    public record Config(int inputDim, int classes, int tasks, long seed, long newTaskAt, long driftAt,
                         String driftTask, double relatedness) {

        /**
         * Validates the parameters.
         *
         * @param inputDim    dimension of the inputs, at least 1
         * @param classes     number of classes, at least 2
         * @param tasks       initial number of tasks, at least 1
         * @param seed        seed of all randomness
         * @param newTaskAt   index at which one extra task appears, or -1
         * @param driftAt     index at which {@code driftTask} drifts, or -1
         * @param driftTask   name of the drifting task; must exist if {@code driftAt >= 0}
         * @param relatedness weight of the shared map, in [0, 1]
         */
        public Config {
            if (inputDim < 1) {
                throw new IllegalArgumentException("inputDim must be >= 1, got " + inputDim);
            }
            if (classes < 2) {
                throw new IllegalArgumentException("classes must be >= 2, got " + classes);
            }
            if (tasks < 1) {
                throw new IllegalArgumentException("tasks must be >= 1, got " + tasks);
            }
            if (newTaskAt < -1 || driftAt < -1) {
                throw new IllegalArgumentException("newTaskAt and driftAt must be >= 0, or -1 for never");
            }
            if (!(relatedness >= 0.0 && relatedness <= 1.0)) {
                throw new IllegalArgumentException("relatedness must be in [0, 1], got " + relatedness);
            }
            Objects.requireNonNull(driftTask, "driftTask");
            if (driftAt >= 0) {
                int idx = taskIndex(driftTask);
                int maxIdx = newTaskAt >= 0 ? tasks : tasks - 1;
                if (idx < 0 || idx > maxIdx) {
                    throw new IllegalArgumentException("driftTask '" + driftTask + "' is not one of the tasks task-0.."
                            + "task-" + maxIdx);
                }
            }
        }

        /**
         * The defaults: 20 inputs, 3 classes, 5 tasks, seed 42, no new task, no drift, drift task {@code task-0},
         * relatedness 0.8.
         *
         * @return the default configuration
         */
        public static Config defaults() {
            return new Config(20, 3, 5, 42L, -1, -1, "task-0", 0.8);
        }

        /**
         * Returns a copy with inputDim = v.
         *
         * @param v input dimension
         * @return the modified copy
         */
        public Config withInputDim(int v) {
            return new Config(v, classes, tasks, seed, newTaskAt, driftAt, driftTask, relatedness);
        }

        /**
         * Returns a copy with classes = v.
         *
         * @param v number of classes
         * @return the modified copy
         */
        public Config withClasses(int v) {
            return new Config(inputDim, v, tasks, seed, newTaskAt, driftAt, driftTask, relatedness);
        }

        /**
         * Returns a copy with tasks = v.
         *
         * @param v initial number of tasks
         * @return the modified copy
         */
        public Config withTasks(int v) {
            return new Config(inputDim, classes, v, seed, newTaskAt, driftAt, driftTask, relatedness);
        }

        /**
         * Returns a copy with seed = v.
         *
         * @param v seed
         * @return the modified copy
         */
        public Config withSeed(long v) {
            return new Config(inputDim, classes, tasks, v, newTaskAt, driftAt, driftTask, relatedness);
        }

        /**
         * Returns a copy with newTaskAt = v.
         *
         * @param v index of the new task's appearance, -1 = never
         * @return the modified copy
         */
        public Config withNewTaskAt(long v) {
            return new Config(inputDim, classes, tasks, seed, v, driftAt, driftTask, relatedness);
        }

        /**
         * Returns a copy with driftAt = v.
         *
         * @param v index of the drift, -1 = never
         * @return the modified copy
         */
        public Config withDriftAt(long v) {
            return new Config(inputDim, classes, tasks, seed, newTaskAt, v, driftTask, relatedness);
        }

        /**
         * Returns a copy with driftTask = v.
         *
         * @param v the drifting task
         * @return the modified copy
         */
        public Config withDriftTask(String v) {
            return new Config(inputDim, classes, tasks, seed, newTaskAt, driftAt, v, relatedness);
        }

        /**
         * Returns a copy with relatedness = v.
         *
         * @param v relatedness in [0, 1]
         * @return the modified copy
         */
        public Config withRelatedness(double v) {
            return new Config(inputDim, classes, tasks, seed, newTaskAt, driftAt, driftTask, v);
        }
    }

    /**
     * One labelled example of the stream.
     *
     * @param task  the task name, {@code task-<n>}
     * @param x     the input vector (owned by the example; do not modify)
     * @param y     the class label in {@code [0, classes)}
     * @param id    a unique id within the stream, {@code s<seed>-<index>}
     * @param index position in the stream, starting at 0
     */
    public record Example(String task, float[] x, int y, String id, long index) {

        /** Compares all fields, {@code x} by content. */
        @Override
        public boolean equals(Object o) {
            return o instanceof Example e && y == e.y && index == e.index && task.equals(e.task)
                    && id.equals(e.id) && Arrays.equals(x, e.x);
        }

        /** Consistent with {@link #equals(Object)}. */
        @Override
        public int hashCode() {
            return Objects.hash(task, y, id, index) * 31 + Arrays.hashCode(x);
        }

        /** Shows {@code x} by content. */
        @Override
        public String toString() {
            return "Example[task=" + task + ", x=" + Arrays.toString(x) + ", y=" + y + ", id=" + id
                    + ", index=" + index + "]";
        }
    }

    /** A task's label function: argmax of an affine map of the latent vector. */
    private record Concept(double[][] w, double[] b) {
        int label(double[] h) {
            int best = 0;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < w.length; c++) {
                double s = b[c];
                double[] wc = w[c];
                for (int k = 0; k < h.length; k++) {
                    s += wc[k] * h[k];
                }
                if (s > bestScore) {
                    bestScore = s;
                    best = c;
                }
            }
            return best;
        }
    }

    private final Config config;
    private final double[][] projection;   // LATENT_DIM x inputDim
    private final double[] projectionBias; // LATENT_DIM
    private final double[][] calibration;  // CALIBRATION_SAMPLES latent vectors
    private final Map<String, Concept> concepts = new LinkedHashMap<>();
    private final List<String> initialTasks = new ArrayList<>();
    private final String newTask;
    private final Concept driftConcept;
    private final Random sampler;
    private long nextIndex;

    /**
     * Builds the stream's random structure (representation, task maps, drifted concept).
     *
     * @param c the configuration
     */
    public SyntheticStream(Config c) {
        this.config = Objects.requireNonNull(c, "config");
        Random structure = new Random(mix(c.seed(), 1));
        double scale = 1.5 / Math.sqrt(c.inputDim()); // pre-activations ~ N(0, 1.5^2): tanh is clearly non-linear
        projection = gaussianMatrix(structure, LATENT_DIM, c.inputDim(), scale);
        projectionBias = new double[LATENT_DIM];
        for (int k = 0; k < LATENT_DIM; k++) {
            projectionBias[k] = 0.3 * structure.nextGaussian();
        }
        double[][] shared = gaussianMatrix(structure, c.classes(), LATENT_DIM, 1.0);

        Random calib = new Random(mix(c.seed(), 2));
        calibration = new double[CALIBRATION_SAMPLES][];
        float[] x = new float[c.inputDim()];
        for (int i = 0; i < CALIBRATION_SAMPLES; i++) {
            fillGaussian(calib, x);
            calibration[i] = latent(x);
        }

        int totalTasks = c.tasks() + (c.newTaskAt() >= 0 ? 1 : 0);
        for (int t = 0; t < totalTasks; t++) {
            String name = "task-" + t;
            if (t < c.tasks()) {
                initialTasks.add(name);
            }
            Random taskRandom = new Random(mix(c.seed(), 1000 + t));
            double[][] own = gaussianMatrix(taskRandom, c.classes(), LATENT_DIM, 1.0);
            double[][] w = new double[c.classes()][LATENT_DIM];
            for (int i = 0; i < c.classes(); i++) {
                for (int k = 0; k < LATENT_DIM; k++) {
                    w[i][k] = c.relatedness() * shared[i][k] + (1 - c.relatedness()) * own[i][k];
                }
            }
            concepts.put(name, calibrate(w));
        }
        newTask = c.newTaskAt() >= 0 ? "task-" + c.tasks() : null;
        driftConcept = c.driftAt() >= 0 ? drifted(concepts.get(c.driftTask())) : null;
        sampler = new Random(mix(c.seed(), 3));
    }

    /**
     * The configuration this stream was built from.
     *
     * @return the configuration
     */
    public Config config() {
        return config;
    }

    /**
     * The index the next call to {@link #next()} will return.
     *
     * @return the number of examples generated so far
     */
    public long position() {
        return nextIndex;
    }

    /**
     * The tasks that {@link #next()} chooses from at a given example index.
     *
     * @param index an example index
     * @return the active task names, in order
     */
    public List<String> activeTasks(long index) {
        List<String> out = new ArrayList<>(initialTasks);
        if (newTask != null && index >= config.newTaskAt()) {
            out.add(newTask);
        }
        return out;
    }

    /**
     * Generates the next example: a uniformly chosen active task, a fresh input, and its label under the task's
     * concept at this index.
     *
     * @return the next example
     */
    public Example next() {
        long index = nextIndex++;
        List<String> active = activeTasks(index);
        String task = active.get(sampler.nextInt(active.size()));
        float[] x = new float[config.inputDim()];
        fillGaussian(sampler, x);
        return new Example(task, x, labelOf(task, x, index), "s" + config.seed() + "-" + index, index);
    }

    /**
     * The label a task's concept assigns to an input, as in effect at a given example index (so before and after
     * {@link Config#driftAt()} the drifting task may answer differently). Useful as an oracle in evaluations.
     *
     * @param task  a task name of this stream (the extra task included, regardless of {@code index})
     * @param x     an input of length {@link Config#inputDim()}
     * @param index the example index whose concept applies
     * @return the class label
     * @throws IllegalArgumentException for an unknown task or a wrong input length
     */
    public int labelOf(String task, float[] x, long index) {
        Concept concept = concepts.get(task);
        if (concept == null) {
            throw new IllegalArgumentException("unknown task '" + task + "'; tasks are " + concepts.keySet());
        }
        if (x.length != config.inputDim()) {
            throw new IllegalArgumentException("x has length " + x.length + ", expected " + config.inputDim());
        }
        if (driftConcept != null && index >= config.driftAt() && task.equals(config.driftTask())) {
            concept = driftConcept;
        }
        return concept.label(latent(x));
    }

    /**
     * An example as a record of the examples topic: {@code {"task":"task-3","id":"...","x":[...],"y":1}}.
     *
     * @param e an example
     * @return the record, for {@link ExampleRecordWriter}
     */
    public static ExampleRecord record(Example e) {
        return new ExampleRecord(e.task(), new ExampleRecord.Dense(e.x()), new ExampleRecord.Value(e.y()), e.id(),
                null);
    }

    /**
     * Serialises an example in the application's input format, by {@link ExampleRecordWriter}:
     * {@code {"task":"task-3","id":"...","x":[...],"y":1}}.
     *
     * @param e an example
     * @return one line of JSON (no trailing newline)
     */
    public static String toJson(Example e) {
        return ExampleRecordWriter.json(record(e));
    }

    private double[] latent(float[] x) {
        double[] h = new double[LATENT_DIM];
        for (int k = 0; k < LATENT_DIM; k++) {
            double s = projectionBias[k];
            double[] pk = projection[k];
            for (int i = 0; i < x.length; i++) {
                s += pk[i] * x[i];
            }
            h[k] = Math.tanh(s);
        }
        return h;
    }

    /** Chooses biases so that the classes of {@code w} are roughly balanced on the calibration sample. */
    private Concept calibrate(double[][] w) {
        int classes = w.length;
        double[] b = new double[classes];
        Concept concept = new Concept(w, b);
        double step = 0.0;
        for (double[] row : w) {
            for (double v : row) {
                step += v * v;
            }
        }
        step = Math.sqrt(step / classes); // typical score scale
        int[] counts = new int[classes];
        for (int round = 0; round < 200; round++) {
            Arrays.fill(counts, 0);
            for (double[] h : calibration) {
                counts[concept.label(h)]++;
            }
            double worst = 0;
            for (int c = 0; c < classes; c++) {
                double gap = 1.0 / classes - (double) counts[c] / calibration.length;
                worst = Math.max(worst, Math.abs(gap));
                b[c] += step * gap;
            }
            if (worst < 0.02) {
                break;
            }
        }
        return concept;
    }

    /** A fresh random concept for the drifting task that mostly disagrees with {@code old}. */
    private Concept drifted(Concept old) {
        Random r = new Random(mix(config.seed(), 4));
        Concept best = null;
        double bestAgreement = 2;
        for (int attempt = 0; attempt < 50 && bestAgreement > MAX_DRIFT_AGREEMENT; attempt++) {
            Concept candidate = calibrate(gaussianMatrix(r, config.classes(), LATENT_DIM, 1.0));
            int same = 0;
            for (double[] h : calibration) {
                if (candidate.label(h) == old.label(h)) {
                    same++;
                }
            }
            double agreement = (double) same / calibration.length;
            if (agreement < bestAgreement) {
                bestAgreement = agreement;
                best = candidate;
            }
        }
        return best;
    }

    private static double[][] gaussianMatrix(Random r, int rows, int cols, double scale) {
        double[][] m = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                m[i][j] = scale * r.nextGaussian();
            }
        }
        return m;
    }

    private static void fillGaussian(Random r, float[] x) {
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
    }

    /** Derives independent seeds for the stream's parts (SplitMix64 finaliser). */
    private static long mix(long seed, long stream) {
        long z = seed * 0x9E3779B97F4A7C15L + stream * 0xBF58476D1CE4E5B9L + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The index of a task name {@code task-<n>}, or -1 if it is not of that form. */
    private static int taskIndex(String name) {
        if (!name.startsWith("task-")) {
            return -1;
        }
        try {
            int n = Integer.parseInt(name.substring(5));
            return name.equals("task-" + n) ? n : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
