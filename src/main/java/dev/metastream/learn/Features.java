package dev.metastream.learn;

/**
 * One example as one task's head sees it: {@code [trunk features ; scaled inputs ; previous label]} (see
 * {@link ModelConfig}), with the mapping between the head's raw outputs and the task's targets. For regression the
 * head works in a centred and scaled space: a prediction is {@code centre + scale * z}, where the centre is the task's
 * running target mean shrunk toward the partition's ({@code task.target.prior.weight}; for a {@link BayesianHead}, whose
 * bias carries the task's offset, the partition's mean itself) and the scale the partition's target standard
 * deviation, so raw target scales do not matter and a new task starts at the partition's mean.
 *
 * <p>Stateless apart from the example: every statistic it uses lives in {@link TaskState} and {@link SharedState}.
 */
final class Features {
    private static final float[] NO_LAG = new float[0];
    private final TaskSpec spec;
    private final SharedState shared;
    private final int hidden;
    private final float[] scaledX;
    private final float[] linearX;
    private final int wide;
    private final float[] inputs;
    private final float centre;
    private final float scale;
    private float[] lag;
    private float[] logits;
    /** The trunk's pass that made the features, when they were made from raw inputs ({@link #of}), else null. */
    private Trunk.Pass trunkPass;
    /** The factorisation machine's term of each output and its {@code s = sum_i x_i v_i}, or null when it is off. */
    private final float[] fm;
    private final float[] fmSum;

    private Features(LearnerConfig config, SharedState shared, TaskState st, TaskSpec spec, float[] scaledX,
                     float[] h, float[] linearX, float[] inputsBuffer) {
        this.linearX = linearX;
        this.shared = shared;
        ModelConfig model = config.model();
        this.spec = spec;
        this.hidden = h.length;
        this.scaledX = scaledX;
        this.wide = model.wideInputs(config.trunk());
        int lagWidth = model.lagInputs(spec);
        if (spec.kind().realValued()) {
            double global = shared.targetCount > 0 ? shared.targetMean : 0;
            double prior = model.targetPriorWeight();
            // A Bayesian head's bias is the task's offset, with the meta-learned prior's uncertainty: centring on the
            // task's running mean as well would move its targets by a mean of a few examples, noise the posterior
            // then has to undo (sinusoid, 5 examples, seed 1: test MSE 0.297 centred per task, 0.06 on the partition).
            long n = st == null || BayesianHead.appliesTo(config, spec) ? 0 : st.targetCount;
            double mean = st == null ? 0 : st.targetMean;
            centre = n + prior > 0 ? (float) ((n * mean + prior * global) / (n + prior)) : (float) global;
            double sd = shared.targetCount >= 2 ? Math.sqrt(shared.targetM2 / shared.targetCount) : 1;
            scale = sd > 1e-6 ? (float) sd : 1f;
        } else {
            centre = 0f;
            scale = 1f;
        }
        int width = hidden + wide + lagWidth;
        // Every element is written below, so a reused buffer needs no zeroing.
        inputs = inputsBuffer != null && inputsBuffer.length == width ? inputsBuffer : new float[width];
        System.arraycopy(h, 0, inputs, 0, hidden);
        if (wide > 0) {
            System.arraycopy(scaledX, 0, inputs, hidden, wide);
        }
        float[] last = st == null ? null : st.lastTarget;
        lag = lagWidth == 0 ? NO_LAG : new float[lagWidth];
        if (last != null && lagWidth > 0) {
            for (int i = 0; i < lagWidth; i++) {
                lag[i] = spec.kind().realValued() ? (last[i] - centre) / scale : last[i];
            }
        }
        System.arraycopy(lag, 0, inputs, hidden + wide, lag.length);
        int k = model.fmFactors();
        // A prototype head's class means are the task's whole model: an offset the means do not learn would move its
        // distances (and, with MNIST's standardised pixels, overflowed them to NaN probabilities).
        if (k > 0 && shared.fmFactors != null && !PrototypeHead.appliesTo(config, spec)) {
            fmSum = new float[k];
            float pairwise = FactorizationMachine.sum(shared.fmFactors, k, scaledX, fmSum);
            float[] task = FactorizationMachine.taskFactor(config, shared, st, spec);
            fm = new float[spec.outputs()];
            for (int o = 0; o < fm.length; o++) {
                fm[o] = FactorizationMachine.output(task, o, k, fmSum, pairwise);
            }
        } else {
            fm = null;
            fmSum = null;
        }
    }

    /** Scales {@code x}, runs the trunk on it and lays out the head's inputs. */
    static Features of(LearnerConfig config, Trunk trunk, SharedState shared, TaskState st, TaskSpec spec,
                       float[] x) {
        return of(config, trunk, shared, st, spec, x, null);
    }

    /**
     * {@link #of(LearnerConfig, Trunk, SharedState, TaskState, TaskSpec, float[])} with the head's and the linear
     * expert's inputs laid out in the learner's {@link StepBuffers} (unless null): the features are then valid until
     * the next features made with them. The scaled inputs and the trunk's pass, which the micro-batch keeps, are the
     * features' own.
     */
    static Features of(LearnerConfig config, Trunk trunk, SharedState shared, TaskState st, TaskSpec spec,
                       float[] x, StepBuffers buffers) {
        float[] scaled = scale(config, shared, st, x);
        Trunk.Pass pass = trunk.forwardKept(shared.trunk, scaled);
        float[] h = pass.output();
        float[] linearX = linearInputs(config, shared, st, x, scaled,
                buffers == null ? null : buffers.overwritten(StepBuffers.Slot.LINEAR_INPUTS, x.length));
        float[] inputs = buffers == null ? null
                : buffers.overwritten(StepBuffers.Slot.HEAD_INPUTS, width(config, spec, h.length));
        Features f = new Features(config, shared, st, spec, scaled, h, linearX, inputs);
        f.trunkPass = pass;
        return f;
    }

    /**
     * Lays out the head's inputs from already scaled inputs and trunk features, with the raw inputs {@code x} for the
     * task's {@link LinearExpert}.
     */
    static Features of(LearnerConfig config, SharedState shared, TaskState st, TaskSpec spec, float[] scaledX,
                       float[] h, float[] x) {
        return new Features(config, shared, st, spec, scaledX, h, linearInputs(config, shared, st, x, scaledX, null),
                null);
    }

    /**
     * The task's own view of {@code x}, for its {@link LinearExpert} ({@link #linearInputs()}; null without the
     * mixture): scaled by the task's statistics pooled with the partition's, since a per-task model should see the
     * task's own scales (on tasks whose features are distributed differently, a partition-wide scaler leaves each
     * task's inputs off-centre). Written into {@code out} (a new array when null) unless they are {@code scaledX}.
     */
    private static float[] linearInputs(LearnerConfig config, SharedState shared, TaskState st, float[] x,
                                        float[] scaledX, float[] out) {
        if (!config.model().mixture()) {
            return null;
        }
        if (config.model().perTaskScaler() || !config.model().scaleInputs()) {
            return scaledX;
        }
        if (out == null) {
            out = new float[x.length];
        }
        InputScaler.transformPooled(st == null ? null : st.scaler, shared.scaler, config.model().scalerPriorWeight(),
                x, out);
        return out;
    }

    /** Lays out the head's inputs from already scaled inputs and trunk features (no linear inputs). */
    static Features of(LearnerConfig config, SharedState shared, TaskState st, TaskSpec spec, float[] scaledX,
                       float[] h) {
        return new Features(config, shared, st, spec, scaledX, h, null, null);
    }

    /**
     * {@link #of(LearnerConfig, SharedState, TaskState, TaskSpec, float[], float[])} laying the head's inputs out in
     * {@code inputs} when it is {@link #width} long (the learner's reused rows: the features then own it while used).
     */
    static Features reusing(LearnerConfig config, SharedState shared, TaskState st, TaskSpec spec, float[] scaledX,
                            float[] h, float[] inputs) {
        return new Features(config, shared, st, spec, scaledX, h, null, inputs);
    }

    /** The number of head inputs ({@link #width()}) a task of {@code spec} has over {@code hidden} trunk features. */
    static int width(LearnerConfig config, TaskSpec spec, int hidden) {
        ModelConfig model = config.model();
        return hidden + model.wideInputs(config.trunk()) + model.lagInputs(spec);
    }

    /**
     * The trunk's and the head's inputs: {@code x} scaled by the partition's scaler, or with
     * {@code input.scaling.scope=task} by the task's pooled with the partition's ({@code x} itself when scaling is
     * off).
     */
    static float[] scale(LearnerConfig config, SharedState shared, TaskState st, float[] x) {
        return config.model().scaleInputs() ? scale(config, shared, st, x, new float[x.length]) : x;
    }

    /**
     * {@link #scale(LearnerConfig, SharedState, TaskState, float[])} into {@code out} (as long as {@code x}), which it
     * returns; {@code x} itself when scaling is off.
     */
    static float[] scale(LearnerConfig config, SharedState shared, TaskState st, float[] x, float[] out) {
        if (!config.model().scaleInputs()) {
            return x;
        }
        if (config.model().perTaskScaler()) {
            InputScaler.transformPooled(st == null ? null : st.scaler, shared.scaler,
                    config.model().scalerPriorWeight(), x, out);
        } else {
            shared.scaler.transform(x, out);
        }
        return out;
    }

    /** After the head's step: the scalers, the previous label and the target statistics learn the example. */
    static void learn(LearnerConfig config, SharedState shared, TaskState st, TaskSpec spec, float[] x,
                      float[] target) {
        if (config.model().scaleInputs()) {
            shared.scaler.learn(x);
            if (config.model().keepsTaskScaler()) {
                if (st.scaler == null) {
                    st.scaler = InputScaler.create(x.length);
                }
                st.scaler.learn(x);
            }
        }
        st.lastTarget = target.clone();
        PriorExpert.learn(st, shared, spec, target);
        if (spec.kind().realValued()) {
            double t = target[0];
            shared.targetCount++;
            double d = t - shared.targetMean;
            shared.targetMean += d / shared.targetCount;
            shared.targetM2 += d * (t - shared.targetMean);
            st.targetCount++;
            st.targetMean += (t - st.targetMean) / st.targetCount;
        }
    }

    /** The same example with another previous-label part (null: none known, zeros). */
    Features withLag(float[] newLag) {
        int lagWidth = lag.length;
        lag = new float[lagWidth];
        if (newLag != null) {
            System.arraycopy(newLag, 0, lag, 0, Math.min(lagWidth, newLag.length));
        }
        System.arraycopy(lag, 0, inputs, hidden + wide, lagWidth);
        return this;
    }

    /** The partition's shared state the features were made with. */
    SharedState shared() {
        return shared;
    }

    /** The task's output for this example (class or label probabilities, binary probability, regression value). */
    float[] output(float[] head, TaskSpec spec) {
        logits = new float[spec.outputs()];
        Head.forward(head, inputs.length, spec.outputs(), inputs, logits);
        addFactorizationMachine(logits);
        return mapOutput(logits, spec);
    }

    /** Adds the factorisation machine's term (when on) to a head's raw outputs: the deep output is their sum. */
    private void addFactorizationMachine(float[] z) {
        if (fm != null) {
            for (int o = 0; o < z.length; o++) {
                z[o] += fm[o];
            }
        }
    }

    /** Regression: a raw output's unit in target units (the partition's target standard deviation); else 1. */
    float targetScale() {
        return scale;
    }

    /** The factorisation machine's term of output {@code o} (0 when it is off). */
    float factorizationTerm(int o) {
        return fm == null ? 0f : fm[o];
    }

    /** {@code s = sum_i x_i v_i} of the factorisation machine for this example, or null when it is off. */
    float[] factorizationSum() {
        return fmSum;
    }

    /**
     * The output of an affine layer {@code params} over {@code in} (the task's {@link #linearInputs()}), mapped as
     * {@link #output}; its raw outputs are written into {@code zOut}.
     */
    float[] outputOver(float[] params, float[] in, TaskSpec spec, float[] zOut) {
        Head.forward(params, in.length, spec.outputs(), in, zOut);
        return mapOutput(zOut, spec);
    }

    /** Raw outputs mapped to the task's outputs by the loss's link, regression back to target units. */
    private float[] mapOutput(float[] zOut, TaskSpec spec) {
        int out = spec.outputs();
        float[] y = new float[out];
        spec.loss().output(zOut, y);
        if (spec.kind().realValued()) {
            y[0] = centre + scale * y[0];
        }
        return y;
    }

    /**
     * The inputs of a task's {@link LinearExpert}: the inputs scaled by the task's own statistics
     * ({@link #scaleForTask}), not the previous label: on a stream whose label does not persist it is noise the slow
     * learner would average for thousands of examples, and the head already sees it.
     */
    float[] linearInputs() {
        if (linearX == null) {
            throw new IllegalStateException("linear inputs exist only for features made from raw inputs");
        }
        return linearX;
    }

    /** The raw outputs of the last {@link #output} call. */
    float[] logits() {
        return logits;
    }

    /** A target in the head's output space (regression: centred and scaled). */
    float[] modelTarget(float[] target) {
        if (!spec.kind().realValued()) {
            return target;
        }
        return new float[] {(target[0] - centre) / scale};
    }

    /**
     * dLoss/dh of the trunk features for this example through {@code head}, the loss scaled by {@code lossScale};
     * adds the head's own gradient (times {@code into.scale()}) into {@code into} unless it is null.
     */
    float[] inputGradient(float[] head, TaskSpec spec, float[] target, float lossScale,
                          StreamingLearner.HeadGradient into) {
        return inputGradient(head, spec, target, lossScale, into, new float[hidden]);
    }

    /**
     * {@link #inputGradient(float[], TaskSpec, float[], float, StreamingLearner.HeadGradient)} written into
     * {@code dH} (as long as the trunk's features; every element is written), which it returns.
     */
    float[] inputGradient(float[] head, TaskSpec spec, float[] target, float lossScale,
                          StreamingLearner.HeadGradient into, float[] dH) {
        if (dH.length != hidden) {
            throw new IllegalArgumentException("dH length " + dH.length + " != trunk features " + hidden);
        }
        int out = spec.outputs();
        float[] z = new float[out];
        Head.forward(head, inputs.length, out, inputs, z);
        addFactorizationMachine(z);
        float[] dz = new float[out];
        spec.loss().gradient(z, modelTarget(target), dz);
        if (into != null) {
            float[] dzHead = dz.clone();
            for (int k = 0; k < out; k++) {
                dzHead[k] *= into.scale();
            }
            Head.backward(head, inputs.length, out, inputs, dzHead, into.accumulate(), null);
            if (into.rows() != null) {
                into.rows().add(new float[][] {inputs, dzHead});
            }
        }
        for (int k = 0; k < out; k++) {
            dz[k] *= lossScale;
        }
        Head.inputGradient(head, out, dz, hidden, dH);
        return dH;
    }

    /** The head's inputs. */
    float[] inputs() {
        return inputs;
    }

    /** Number of head inputs. */
    int width() {
        return inputs.length;
    }

    /** Squared L2 norms of the head's three parts: trunk features, wide inputs, previous label. */
    float[] partNorms() {
        int lagWidth = inputs.length - hidden - wide;
        return new float[] {squaredNorm(0, hidden), squaredNorm(hidden, wide), squaredNorm(hidden + wide, lagWidth)};
    }

    /** Widths of the head's three parts, in the order of {@link #partNorms()}. */
    int[] partWidths() {
        return new int[] {hidden, wide, inputs.length - hidden - wide};
    }

    private float squaredNorm(int from, int length) {
        return (float) VecMath.sumOfSquares(inputs, from, from + length);
    }

    /** The trunk's pass over {@link #scaledX()}, kept for the micro-batch, or null when the features had none. */
    Trunk.Pass trunkPass() {
        return trunkPass;
    }

    /** The scaled inputs (the trunk's input). */
    float[] scaledX() {
        return scaledX;
    }

    /** The previous-label part as the head saw it. */
    float[] lag() {
        return lag;
    }
}
