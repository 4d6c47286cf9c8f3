package dev.metastream.learn;

/**
 * One example as one task's head sees it: {@code [trunk features ; scaled inputs ; previous label]} (see
 * {@link ModelConfig}), with the mapping between the head's raw outputs and the task's targets. For regression the
 * head works in a centred and scaled space: a prediction is {@code centre + scale * z}, where the centre is the task's
 * running target mean shrunk toward the partition's ({@code task.target.prior.weight}) and the scale the partition's
 * target standard deviation, so raw target scales do not matter and a new task starts at the partition's mean.
 *
 * <p>Stateless apart from the example: every statistic it uses lives in {@link TaskState} and {@link SharedState}.
 */
final class Features {
    private static final float[] NO_LAG = new float[0];
    private final TaskSpec spec;
    private final int hidden;
    private final float[] scaledX;
    private final int wide;
    private final float[] inputs;
    private final float centre;
    private final float scale;
    private float[] lag;
    private float[] logits;

    private Features(LearnerConfig config, SharedState shared, TaskState st, TaskSpec spec, float[] scaledX,
                     float[] h) {
        ModelConfig model = config.model();
        this.spec = spec;
        this.hidden = h.length;
        this.scaledX = scaledX;
        this.wide = model.wideInputs(config.trunk());
        int lagWidth = model.lagInputs(spec);
        if (spec.kind() == TaskKind.REGRESSION) {
            double global = shared.targetCount > 0 ? shared.targetMean : 0;
            double prior = model.targetPriorWeight();
            long n = st == null ? 0 : st.targetCount;
            double mean = st == null ? 0 : st.targetMean;
            centre = n + prior > 0 ? (float) ((n * mean + prior * global) / (n + prior)) : (float) global;
            double sd = shared.targetCount >= 2 ? Math.sqrt(shared.targetM2 / shared.targetCount) : 1;
            scale = sd > 1e-6 ? (float) sd : 1f;
        } else {
            centre = 0f;
            scale = 1f;
        }
        inputs = new float[hidden + wide + lagWidth];
        System.arraycopy(h, 0, inputs, 0, hidden);
        if (wide > 0) {
            System.arraycopy(scaledX, 0, inputs, hidden, wide);
        }
        float[] last = st == null ? null : st.lastTarget;
        lag = lagWidth == 0 ? NO_LAG : new float[lagWidth];
        if (last != null && lagWidth > 0) {
            for (int i = 0; i < lagWidth; i++) {
                lag[i] = spec.kind() == TaskKind.REGRESSION ? (last[i] - centre) / scale : last[i];
            }
        }
        System.arraycopy(lag, 0, inputs, hidden + wide, lag.length);
    }

    /** Scales {@code x}, runs the trunk on it and lays out the head's inputs. */
    static Features of(LearnerConfig config, Trunk trunk, SharedState shared, TaskState st, TaskSpec spec,
                       float[] x) {
        float[] scaled = scale(config, shared, st, x);
        float[] h = new float[config.trunk().outputDim()];
        trunk.forward(shared.trunk, scaled, h);
        return new Features(config, shared, st, spec, scaled, h);
    }

    /** Lays out the head's inputs from already scaled inputs and trunk features. */
    static Features of(LearnerConfig config, SharedState shared, TaskState st, TaskSpec spec, float[] scaledX,
                       float[] h) {
        return new Features(config, shared, st, spec, scaledX, h);
    }

    /** The inputs scaled by the task's or the partition's scaler ({@code x} itself when scaling is off). */
    static float[] scale(LearnerConfig config, SharedState shared, TaskState st, float[] x) {
        InputScaler s = scaler(config, shared, st);
        if (s == null) {
            return x;
        }
        float[] out = new float[x.length];
        s.transform(x, out);
        return out;
    }

    private static InputScaler scaler(LearnerConfig config, SharedState shared, TaskState st) {
        if (!config.model().scaleInputs()) {
            return null;
        }
        if (config.model().perTaskScaler()) {
            return st != null && st.scaler != null ? st.scaler : InputScaler.create(config.inputDim());
        }
        return shared.scaler;
    }

    /** After the head's step: the scaler, the previous label and the target statistics learn the example. */
    static void learn(LearnerConfig config, SharedState shared, TaskState st, TaskSpec spec, float[] x,
                      float[] target) {
        InputScaler s = scaler(config, shared, st);
        if (s != null) {
            s.learn(x);
        }
        st.lastTarget = target.clone();
        if (spec.kind() == TaskKind.REGRESSION) {
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

    /** The task's output for this example (class or label probabilities, binary probability, regression value). */
    float[] output(float[] head, TaskSpec spec) {
        int out = spec.outputs();
        logits = new float[out];
        Head.forward(head, inputs.length, out, inputs, logits);
        float[] y = new float[out];
        spec.loss().output(logits, y);
        if (spec.kind() == TaskKind.REGRESSION) {
            y[0] = centre + scale * y[0];
        }
        return y;
    }

    /** The raw outputs of the last {@link #output} call. */
    float[] logits() {
        return logits;
    }

    /** A target in the head's output space (regression: centred and scaled). */
    float[] modelTarget(float[] target) {
        if (spec.kind() != TaskKind.REGRESSION) {
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
        int out = spec.outputs();
        float[] z = new float[out];
        Head.forward(head, inputs.length, out, inputs, z);
        float[] dz = new float[out];
        spec.loss().gradient(z, modelTarget(target), dz);
        float[] dIn = new float[inputs.length];
        if (into != null) {
            float[] dzHead = dz.clone();
            for (int k = 0; k < out; k++) {
                dzHead[k] *= into.scale();
            }
            Head.backward(head, inputs.length, out, inputs, dzHead, into.accumulate(), null);
        }
        for (int k = 0; k < out; k++) {
            dz[k] *= lossScale;
        }
        Head.backward(head, inputs.length, out, inputs, dz, new float[head.length], dIn);
        return java.util.Arrays.copyOf(dIn, hidden);
    }

    /** The head's inputs. */
    float[] inputs() {
        return inputs;
    }

    /** Number of head inputs. */
    int width() {
        return inputs.length;
    }

    /** Squared L2 norm of the head's inputs (normalised LMS divides a step by 1 + this). */
    float squaredNorm() {
        double s = 0;
        for (float v : inputs) {
            s += (double) v * v;
        }
        return (float) s;
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
