package dev.metastream.learn;

import java.util.Locale;

/**
 * First-order update rule over flat parameters. State lives in a caller-owned array (of
 * length {@link #stateSize}) so it can be persisted per task alongside the parameters.
 */
public interface Optimizer {

    /** Length of the state array needed for {@code parameterCount} parameters. */
    int stateSize(int parameterCount);

    /**
     * Updates {@code params} in place from {@code grad}.
     *
     * @param state caller-owned state, zero-initialised before the first step
     * @param stepNumber 1 for the first step of this state, then increasing by one
     */
    void step(float[] params, float[] grad, float[] state, float learningRate, long stepNumber);

    /**
     * A lazy step: updates only the parameters in {@code active} (all of them when null) and leaves the others and
     * their state as they are, as sparse optimisers do for embedding rows a batch did not touch (TensorFlow's
     * {@code LazyAdamOptimizer}, PyTorch's {@code SparseAdam}). With every parameter active it is {@link #step}.
     */
    default void step(float[] params, float[] grad, float[] state, float learningRate, long stepNumber,
                      ParamRanges active) {
        if (active != null) {
            throw new UnsupportedOperationException(getClass().getSimpleName() + " has no lazy step");
        }
        step(params, grad, state, learningRate, stepNumber);
    }

    /**
     * Creates an optimiser by name: "sgd" (uses {@code momentum}) or "adam" (uses the betas
     * and {@code epsilon}); case-insensitive.
     */
    static Optimizer create(String name, double momentum, double beta1, double beta2,
            double epsilon) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        switch (n) {
            case "sgd":
                return new SgdMomentum(momentum);
            case "adam":
                return new Adam(beta1, beta2, epsilon);
            default:
                throw new IllegalArgumentException("Unknown optimizer '" + name
                        + "'; allowed: sgd, adam");
        }
    }
}
