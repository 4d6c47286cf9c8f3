package dev.metastream.learn;

/**
 * A task's slow linear learner: one affine layer over the task's scaled inputs, learned per example by
 * plain SGD at a small fixed rate ({@code model.linear.learning.rate}, River's default 0.01), with no trunk features
 * and no normalisation.
 *
 * <p>Why it exists: the deep head has to adapt within a few examples (new tasks, drifts), so its step is large; on a
 * long, noisy, nearly linear stream a large step is noise, and a per-example linear model with a small step averages
 * it away and wins. No single step size is right for both, so each task keeps both learners and
 * {@link FixedShareMixture} weighs their predictions by how well each has predicted lately. Its parameters start at
 * zero (a uniform prediction, or the task's centre for regression) and live in {@link TaskState}.
 *
 * <pre>{@code
 * float[] z = new float[out];
 * float[] y = features.outputOver(st.linear, features.linearInputs(), spec, z);  // predict
 * LinearExpert.learn(st.linear, features.linearInputs(), z, features.modelTarget(target), spec, 0.01f, 10f);
 * }</pre>
 */
final class LinearExpert {
    private LinearExpert() {
    }

    /** Zero parameters for {@code inputs -> outputs} (layout of {@link Head}). */
    static float[] initial(int inputs, int outputs) {
        return new float[Head.parameterCount(inputs, outputs)];
    }

    /**
     * One SGD step on one example: {@code z} are the raw outputs the expert predicted with and {@code target} the
     * target in the model's output space. The gradient is clipped to {@code clipNorm} and the step skipped when it is
     * not finite.
     */
    static void learn(float[] params, float[] inputs, float[] z, float[] target, TaskSpec spec, float learningRate,
                      float clipNorm) {
        learn(params, inputs, z, target, spec, learningRate, clipNorm, null);
    }

    /**
     * {@link #learn(float[], float[], float[], float[], TaskSpec, float, float)}, logging the step to a young
     * expert's {@link Steps} while they are fewer floats than the parameters.
     *
     * @param steps the steps that made {@code params} from zero, or null when the expert is kept dense only
     * @return {@code steps} with this step added, or null once the log would be larger than the parameters
     */
    static Steps learn(float[] params, float[] inputs, float[] z, float[] target, TaskSpec spec, float learningRate,
                       float clipNorm, Steps steps) {
        return learn(params, inputs, z, target, spec, learningRate, clipNorm, steps, new float[params.length]);
    }

    /**
     * {@link #learn(float[], float[], float[], float[], TaskSpec, float, float, Steps)} with the gradient computed in
     * {@code gradient} (zeroed, as long as {@code params}), so that a learner reusing it allocates no gradient per
     * step.
     */
    static Steps learn(float[] params, float[] inputs, float[] z, float[] target, TaskSpec spec, float learningRate,
                       float clipNorm, Steps steps, float[] gradient) {
        if (gradient.length != params.length) {
            throw new IllegalArgumentException("gradient length " + gradient.length + " != parameters "
                    + params.length);
        }
        int out = spec.outputs();
        float[] dz = new float[out];
        spec.loss().gradient(z, target, dz);
        float[] g = gradient;
        Head.backward(params, inputs.length, out, inputs, dz, g, null);
        // Eight running sums (VecMath.sumOfSquares), not one: one waits for each addition before the next, and was
        // about a third of this step's time on the bench workload. The step size is logged, so Steps still replays.
        double norm = Math.sqrt(VecMath.sumOfSquares(g, 0, g.length));
        if (!Double.isFinite(norm)) {
            return steps;
        }
        float step = norm > clipNorm ? (float) (learningRate * clipNorm / norm) : learningRate;
        apply(params, g, step);
        return steps == null ? null : steps.add(inputs, dz, step);
    }

    private static void apply(float[] params, float[] g, float step) {
        for (int i = 0; i < params.length; i++) {
            params[i] -= step * g[i];
        }
    }

    /**
     * A young linear expert written as the steps that made it. Its parameters start at zero and each step subtracts
     * {@code step × (inputs ⊗ dz, dz)}, a gradient that does not depend on the parameters, so the inputs, output
     * gradient and step size of each (111 floats on the bench workload, against 1,010 parameters) rebuild the
     * parameters bit for bit, by the same arithmetic in the same order. A task's state is rewritten after every
     * micro-batch it is in and read back whenever it returns, so with many short tasks (users of a recommender, the
     * million-task benchmark's two examples each) these bytes are paid per example; a task past a few steps is stored
     * dense.
     *
     * <pre>{@code
     * LinearExpert.Steps log = LinearExpert.Steps.start(inputs, outputs);   // with the zero parameters
     * log = LinearExpert.learn(params, x, z, target, spec, 0.01f, 10f, log); // null once dense is smaller
     * float[] same = log.replay();                                          // equals params, bit for bit
     * }</pre>
     */
    static final class Steps {
        private final int inputs;
        private final int outputs;
        /** Per step: its inputs, its output gradient, its step size. */
        private float[] data;
        private int count;

        private Steps(int inputs, int outputs, float[] data, int count) {
            this.inputs = inputs;
            this.outputs = outputs;
            this.data = data;
            this.count = count;
        }

        /** An empty log for zero parameters {@code inputs -> outputs}, or null when no step is smaller than them. */
        static Steps start(int inputs, int outputs) {
            return capacity(inputs, outputs) > 0 ? new Steps(inputs, outputs, new float[0], 0) : null;
        }

        /** Steps a log may hold while it is smaller than the parameters it makes. */
        static int capacity(int inputs, int outputs) {
            int stride = inputs + outputs + 1;
            return (Head.parameterCount(inputs, outputs) - 1) / stride;
        }

        /** Steps logged. */
        int count() {
            return count;
        }

        private Steps add(float[] x, float[] dz, float step) {
            if (count >= capacity(inputs, outputs) || x.length != inputs || dz.length != outputs) {
                return null; // dense from here on
            }
            int stride = inputs + outputs + 1;
            data = java.util.Arrays.copyOf(data, (count + 1) * stride);
            int at = count * stride;
            System.arraycopy(x, 0, data, at, inputs);
            System.arraycopy(dz, 0, data, at + inputs, outputs);
            data[at + inputs + outputs] = step;
            count++;
            return this;
        }

        /** The parameters the logged steps make from zero. */
        float[] replay() {
            float[] params = initial(inputs, outputs);
            int stride = inputs + outputs + 1;
            float[] x = new float[inputs];
            float[] dz = new float[outputs];
            float[] g = new float[params.length];
            for (int s = 0; s < count; s++) {
                int at = s * stride;
                System.arraycopy(data, at, x, 0, inputs);
                System.arraycopy(data, at + inputs, dz, 0, outputs);
                java.util.Arrays.fill(g, 0f); // a fresh gradient, as learn's
                Head.backward(params, inputs, outputs, x, dz, g, null);
                apply(params, g, data[at + inputs + outputs]);
            }
            return params;
        }

        void write(Codec.Writer w) {
            w.i32(inputs).i32(outputs).floats(data);
        }

        /** Reads {@link #write}; throws on a log whose length is not whole steps of its shape. */
        static Steps read(Codec.Reader r) {
            int inputs = r.i32();
            int outputs = r.i32();
            float[] data = r.floats();
            int stride = inputs + outputs + 1;
            if (inputs < 0 || outputs <= 0 || data == null || data.length % stride != 0
                    || data.length / stride > capacity(inputs, outputs)) {
                throw new IllegalStateException("linear expert steps of " + (data == null ? "null" : data.length)
                        + " floats for " + inputs + " inputs and " + outputs + " outputs");
            }
            return new Steps(inputs, outputs, data, data.length / stride);
        }
    }
}
