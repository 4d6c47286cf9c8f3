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
        int out = spec.outputs();
        float[] dz = new float[out];
        spec.loss().gradient(z, target, dz);
        float[] g = new float[params.length];
        Head.backward(params, inputs.length, out, inputs, dz, g, null);
        double norm = 0;
        for (float v : g) {
            norm += (double) v * v;
        }
        norm = Math.sqrt(norm);
        if (!Double.isFinite(norm)) {
            return;
        }
        float step = norm > clipNorm ? (float) (learningRate * clipNorm / norm) : learningRate;
        for (int i = 0; i < params.length; i++) {
            params[i] -= step * g[i];
        }
    }
}
