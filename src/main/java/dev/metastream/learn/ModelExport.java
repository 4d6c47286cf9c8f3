package dev.metastream.learn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A task's model, or the shared model, in the portable format of {@code docs/model-format.md}: plain maps, lists and
 * numbers that any JSON library writes, holding everything another program needs to score an example exactly as
 * {@link StreamingLearner#score} does (the statistics that depend on the task's state, such as the pooled input
 * scaler, the regression centre and the prior expert's output, are evaluated at export time), and what
 * {@link #importTask} needs to seed a task from it.
 */
public final class ModelExport {
    /** The value of {@code format}. */
    public static final String FORMAT = "metastream-model";
    /** The value of {@code format_version} this build writes and reads. */
    public static final int VERSION = 1;

    private ModelExport() {}

    /**
     * A task's model as of its stored states.
     *
     * @param config      the learner configuration the states were written with
     * @param sharedState the partition's shared state, or null before its first batch
     * @param st          the task's state (not null)
     * @param provenance  who exports: {@code source}, {@code exported_at} and anything else to record
     */
    public static Map<String, Object> task(LearnerConfig config, SharedState sharedState, TaskState st,
                                           Map<String, Object> provenance) {
        SharedState shared = sharedState != null ? sharedState.withScaler(config)
                : SharedState.initial(config, config.optimizer().create());
        StreamingLearner.withCurrentHead(config, shared, st);
        TaskSpec spec = config.taskSpec(st.task);
        ModelConfig model = config.model();
        Map<String, Object> out = header("task", provenance);
        out.put("task", st.task);
        ((Map<String, Object>) out.get("provenance")).put("model_version", shared.baseVersion);
        ((Map<String, Object>) out.get("provenance")).put("task_version", st.updates);
        ((Map<String, Object>) out.get("provenance")).put("examples_learned", st.learned);
        ((Map<String, Object>) out.get("provenance")).put("config_digest", config.digest());
        out.put("task_kind", spec.kind().name().toLowerCase());
        out.put("outputs", spec.outputs());
        out.put("class_names", spec.classNames());
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("dim", config.inputDim());
        input.put("scaler", !model.scaleInputs() ? null : model.perTaskScaler()
                ? pooled(st.scaler, shared.scaler, model.scalerPriorWeight()) : plain(shared.scaler));
        out.put("input", input);
        out.put("trunk", trunk(config, shared.trunk));

        // Regression: the head works in a centred and scaled space (as Features does).
        float centre = 0f;
        float scale = 1f;
        if (spec.kind().realValued()) {
            double global = shared.targetCount > 0 ? shared.targetMean : 0;
            double prior = model.targetPriorWeight();
            long n = st.targetCount;
            centre = n + prior > 0 ? (float) ((n * st.targetMean + prior * global) / (n + prior)) : (float) global;
            double sd = shared.targetCount >= 2 ? Math.sqrt(shared.targetM2 / shared.targetCount) : 1;
            scale = sd > 1e-6 ? (float) sd : 1f;
        }
        int lagWidth = model.lagInputs(spec);
        float[] lag = new float[lagWidth];
        if (st.lastTarget != null) {
            for (int i = 0; i < lagWidth; i++) {
                lag[i] = spec.kind().realValued() ? (st.lastTarget[i] - centre) / scale : st.lastTarget[i];
            }
        }
        Map<String, Object> head = new LinkedHashMap<>();
        head.put("inputs", st.head.length / spec.outputs() - 1);
        head.put("outputs", spec.outputs());
        head.put("wide", model.wideInputs(config.trunk()));
        head.put("lag", floats(lag));
        head.put("parameters", floats(st.head));
        out.put("head", head);
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("function", spec.kind().activation());
        output.put("centre", centre);
        output.put("scale", scale);
        out.put("output", output);
        out.put("fm", factorizationMachine(config, shared, st, spec));

        if (model.mixture()) {
            int d = config.inputDim();
            boolean known = st.linear != null && st.linear.length == Head.parameterCount(d, spec.outputs())
                    && st.mixture != null && st.mixture.length == StreamingLearner.EXPERTS;
            Map<String, Object> mixture = new LinkedHashMap<>();
            mixture.put("weights", known ? doubles(st.mixture) : doubles(FixedShareMixture.initial(
                    StreamingLearner.EXPERTS)));
            Map<String, Object> linear = new LinkedHashMap<>();
            linear.put("inputs", d);
            linear.put("scaler", !model.scaleInputs() ? null : model.perTaskScaler() ? input.get("scaler")
                    : pooled(st.scaler, shared.scaler, model.scalerPriorWeight()));
            linear.put("parameters", floats(known ? st.linear : LinearExpert.initial(d, spec.outputs())));
            mixture.put("linear", linear);
            mixture.put("prior", floats(PriorExpert.output(st, shared, spec, model.targetPriorWeight())));
            if (model.partitionGate() && !spec.kind().realValued()) {
                // The partition's gate is scored with the task as it is served: its weights and the partition's
                // label frequencies as they are now (an import does not carry them; the importer's own apply).
                double[] g = shared.gates.get(spec.shapeKey());
                Map<String, Object> gate = new LinkedHashMap<>();
                gate.put("weights", doubles(g != null ? g : FixedShareMixture.initial(PartitionPriorGate.EXPERTS)));
                gate.put("partition_prior", floats(PartitionPriorGate.partitionPrior(shared, spec)));
                mixture.put("gate", gate);
            } else {
                mixture.put("gate", null);
            }
            out.put("mixture", mixture);
        } else {
            out.put("mixture", null);
        }
        return out;
    }

    /**
     * The factorisation machine's term ({@code model.fm.factors}): {@code factors} k, the task's factor
     * ({@code task}, {@code outputs x k}; before its first example the initialisation it would start from) and the partition's input factors
     * ({@code inputs}, {@code input.dim x k}); null when the term is off.
     */
    private static Map<String, Object> factorizationMachine(LearnerConfig config, SharedState shared, TaskState st,
                                                            TaskSpec spec) {
        int k = config.model().fmFactors();
        if (k == 0) {
            return null;
        }
        Map<String, Object> fm = new LinkedHashMap<>();
        fm.put("factors", k);
        float[] task = FactorizationMachine.taskFactor(config, shared, st, spec);
        fm.put("task", floats(task != null ? task : new float[spec.outputs() * k]));
        fm.put("inputs", floats(shared.fmFactors));
        return fm;
    }

    /** The shared model: the trunk and the meta-learned head initialisation of every head shape. */
    public static Map<String, Object> meta(LearnerConfig config, MetaSnapshot snapshot, Map<String, Object> provenance) {
        Map<String, Object> out = header("meta", provenance);
        ((Map<String, Object>) out.get("provenance")).put("model_version", snapshot.version());
        ((Map<String, Object>) out.get("provenance")).put("examples_learned", snapshot.examplesSeen());
        ((Map<String, Object>) out.get("provenance")).put("config_digest", snapshot.configDigest());
        out.put("trunk", trunk(config, snapshot.trunk()));
        Map<String, Object> init = new LinkedHashMap<>();
        snapshot.headInit().forEach((shape, p) -> init.put(shape, floats(p)));
        out.put("head_init", init);
        return out;
    }

    /**
     * Seeds a task from an exported task model: its head, linear expert and mixture weights, its previous label and
     * its label frequencies (the prior expert's output) are taken over; its counters, metrics, drift detector and own
     * input statistics start anew (the partition's scaler and trunk are those of the importing partition).
     *
     * @return the new state
     * @throws IllegalArgumentException when the model's kind or shapes do not fit this configuration (the message
     *                                  says which)
     */
    static TaskState importTask(StreamingLearner learner, String task, Map<String, Object> model) {
        LearnerConfig config = learner.config();
        TaskSpec spec = config.taskSpec(task);
        checkTask(config, task, model);
        Map<String, Object> head = map(model, "head");
        float[] h = floats(head.get("parameters"), "head.parameters");
        TaskState st = learner.newTaskState(task);
        return seed(config, spec, st, h, head, model);
    }

    /**
     * Checks that an exported task model fits task {@code task} of this configuration (format, kind, head shape).
     *
     * @throws IllegalArgumentException saying what does not fit and what to change
     */
    public static void checkTask(LearnerConfig config, String task, Map<String, Object> model) {
        TaskSpec spec = config.taskSpec(task);
        check(model, "task");
        String kind = String.valueOf(model.get("task_kind"));
        if (!kind.equals(spec.kind().name().toLowerCase())) {
            throw new IllegalArgumentException("the model is a " + kind + " task but task " + task + " is "
                    + spec.kind().name().toLowerCase() + " here (task.kind / tasks." + task + ".kind)");
        }
        Map<String, Object> head = map(model, "head");
        float[] h = floats(head.get("parameters"), "head.parameters");
        int inputs = config.model().headInputs(config.trunk(), spec);
        if (h.length != Head.parameterCount(inputs, spec.outputs())) {
            throw new IllegalArgumentException("head.parameters has " + h.length + " values but a " + kind
                    + " head here has " + Head.parameterCount(inputs, spec.outputs()) + " (" + inputs + " inputs x "
                    + spec.outputs() + " outputs + biases): export and import with the same input.dim, "
                    + "model.trunk.layers, model.wide, model.label.lag and task shape");
        }
    }

    private static TaskState seed(LearnerConfig config, TaskSpec spec, TaskState st, float[] h,
                                  Map<String, Object> head, Map<String, Object> model) {
        st.head = h;
        st.headSteps = null; // imported whole
        List<?> lag = (List<?>) head.get("lag");
        if (lag != null && !lag.isEmpty() && !spec.kind().realValued()) {
            st.lastTarget = floats(lag, "head.lag");
        }
        if (model.get("fm") instanceof Map<?, ?> fm && config.model().factorizationMachine()) {
            float[] task = floats(cast(fm).get("task"), "fm.task");
            if (task.length == spec.outputs() * config.model().fmFactors()) {
                st.fm = task;
                st.fmSquares = new float[task.length];
            }
        }
        Object mix = model.get("mixture");
        if (mix instanceof Map<?, ?> m && config.model().mixture()) {
            Map<String, Object> linear = map(cast(m), "linear");
            float[] l = floats(linear.get("parameters"), "mixture.linear.parameters");
            if (l.length == Head.parameterCount(config.inputDim(), spec.outputs())) {
                st.linear = l;
                st.linearSteps = null; // imported: not made by logged steps
                List<?> w = (List<?>) cast(m).get("weights");
                st.mixture = new double[w.size()];
                for (int i = 0; i < w.size(); i++) {
                    st.mixture[i] = ((Number) w.get(i)).doubleValue();
                }
            }
            float[] prior = floats(cast(m).get("prior"), "mixture.prior");
            if (!spec.kind().realValued() && prior.length == spec.outputs()) {
                st.labelMean = new double[prior.length];
                for (int i = 0; i < prior.length; i++) {
                    st.labelMean[i] = prior[i];
                }
                st.labelCount = Math.max(1, (long) config.model().targetPriorWeight());
            }
        }
        return st;
    }

    /**
     * The shared model of an export ({@code kind: meta}, or a task export's trunk) as a snapshot of the given version:
     * the trunk, and the head initialisations of a meta export.
     *
     * @throws IllegalArgumentException when the trunk's shape differs from this configuration's
     */
    public static MetaSnapshot importMeta(LearnerConfig config, Map<String, Object> model, long version, long now) {
        MetaSnapshot current = MetaSnapshot.initial(config);
        Map<String, Object> trunk = map(model, "trunk");
        float[] t = floats(trunk.get("parameters"), "trunk.parameters");
        if (t.length != current.trunk().length) {
            throw new IllegalArgumentException("trunk.parameters has " + t.length + " values but the trunk here has "
                    + current.trunk().length + ": export and import with the same input.dim and model.trunk.layers");
        }
        Map<String, float[]> init = new java.util.TreeMap<>();
        current.headInit().forEach((shape, p) -> init.put(shape, p.clone()));
        Object inits = model.get("head_init");
        if (inits instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                float[] p = floats(e.getValue(), "head_init." + e.getKey());
                float[] mine = init.get(String.valueOf(e.getKey()));
                if (mine == null || mine.length != p.length) {
                    throw new IllegalArgumentException("head_init." + e.getKey() + " does not fit a head shape of this "
                            + "configuration (shapes here: " + init.keySet() + ")");
                }
                init.put(String.valueOf(e.getKey()), p);
            }
        }
        return new MetaSnapshot(version, t, init, 0, 0, 0, config.digest(), now);
    }

    // ------------------------------------------------------------------ helpers

    private static Map<String, Object> header(String kind, Map<String, Object> provenance) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("format", FORMAT);
        out.put("format_version", VERSION);
        out.put("kind", kind);
        out.put("provenance", new LinkedHashMap<>(provenance));
        return out;
    }

    private static void check(Map<String, Object> model, String kind) {
        if (!FORMAT.equals(model.get("format"))) {
            throw new IllegalArgumentException("\"format\" must be \"" + FORMAT + "\" (a GET /models/{task}/export "
                    + "answer), not " + model.get("format"));
        }
        if (!(model.get("format_version") instanceof Number v) || v.intValue() != VERSION) {
            throw new IllegalArgumentException("\"format_version\" " + model.get("format_version")
                    + " is not read by this build (it reads " + VERSION + ")");
        }
        if (!kind.equals(model.get("kind"))) {
            throw new IllegalArgumentException("the model is of kind " + model.get("kind") + ", not " + kind
                    + (kind.equals("task") ? ": import it with POST /models/meta/import" : ""));
        }
    }

    /** Checks the header of an export of the given kind ({@code task} or {@code meta}). */
    public static void checkHeader(Map<String, Object> model, String kind) {
        check(model, kind);
    }

    private static Map<String, Object> trunk(LearnerConfig config, float[] parameters) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("inputs", config.trunk().inputDim());
        List<Integer> layers = new ArrayList<>();
        for (int h : config.trunk().hidden()) {
            layers.add(h);
        }
        t.put("layers", layers);
        t.put("activation", config.trunk().activation().name().toLowerCase());
        t.put("parameters", floats(parameters));
        return t;
    }

    /** A partition scaler's per-feature transform. */
    private static Map<String, Object> plain(InputScaler s) {
        int d = s.dim();
        double[] mean = new double[d];
        double[] std = new double[d];
        boolean[] indicator = new boolean[d];
        for (int i = 0; i < d; i++) {
            double var = s.variance(i);
            mean[i] = s.count == 0 ? 0 : s.mean(i);
            std[i] = var < 1e-12 ? 0 : Math.sqrt(var);
            indicator[i] = s.numeric[i] == 0;
        }
        return scaler(mean, std, indicator);
    }

    /** A task's statistics pooled with the partition's, as {@link InputScaler#transformPooled} computes them. */
    private static Map<String, Object> pooled(InputScaler task, InputScaler prior, double priorWeight) {
        int d = prior.dim();
        double a = task == null ? 0 : task.count;
        double b = prior.count == 0 ? 0 : priorWeight;
        double[] mean = new double[d];
        double[] std = new double[d];
        boolean[] indicator = new boolean[d];
        for (int i = 0; i < d; i++) {
            indicator[i] = !(prior.numeric[i] > 0 || (task != null && task.numeric[i] > 0));
            if (a + b == 0) {
                continue;
            }
            double mt = task == null ? 0 : task.mean(i);
            double vt = a == 0 ? 0 : task.variance(i);
            double ms = prior.mean(i);
            double vs = prior.variance(i);
            double m = (a * mt + b * ms) / (a + b);
            double var = (a * (vt + (mt - m) * (mt - m)) + b * (vs + (ms - m) * (ms - m))) / (a + b);
            mean[i] = m;
            std[i] = var < 1e-12 ? 0 : Math.sqrt(var);
        }
        return scaler(mean, std, indicator);
    }

    private static Map<String, Object> scaler(double[] mean, double[] std, boolean[] indicator) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("mean", doubles(mean));
        s.put("std", doubles(std));
        List<Boolean> ind = new ArrayList<>(indicator.length);
        for (boolean b : indicator) {
            ind.add(b);
        }
        s.put("indicator", ind);
        s.put("clip", (double) InputScaler.CLIP);
        return s;
    }

    private static List<Float> floats(float[] a) {
        List<Float> out = new ArrayList<>(a.length);
        for (float v : a) {
            out.add(v);
        }
        return out;
    }

    private static List<Double> doubles(double[] a) {
        List<Double> out = new ArrayList<>(a.length);
        for (double v : a) {
            out.add(v);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    private static Map<String, Object> map(Map<String, Object> model, String key) {
        if (!(model.get(key) instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("the model has no \"" + key + "\" object");
        }
        return cast(m);
    }

    private static float[] floats(Object v, String what) {
        if (!(v instanceof List<?> l)) {
            throw new IllegalArgumentException(what + " must be an array of numbers");
        }
        float[] out = new float[l.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(l.get(i) instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                throw new IllegalArgumentException(what + "[" + i + "] is not a finite number");
            }
            out[i] = n.floatValue();
        }
        return out;
    }
}
