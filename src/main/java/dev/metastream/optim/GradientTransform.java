package dev.metastream.optim;

/**
 * A rewrite of a gradient before the optimiser's step (Optax's {@code GradientTransformation}): it may scale, project
 * or otherwise change the gradient in place, and may learn while doing so. Its state lives in two caller-owned arrays
 * so the caller can persist and share them: {@code shared}, one per family of parameter vectors of the same shape
 * (meta-learned across the streams that use it), and {@code state}, one per stream (a task's head).
 *
 * <pre>{@code
 * GradientTransform t = new MetaSgd(0.001f);
 * float[] shared = t.initialShared(params.length);          // kept with the shared model
 * float[] state = new float[t.stateSize(params.length)];    // kept with the task
 * t.apply(grad, shared, state);                             // then optimizer.step(params, grad, ...)
 * }</pre>
 */
public interface GradientTransform {

    /** The transform that leaves every gradient as it is, with no state. */
    GradientTransform IDENTITY = new GradientTransform() {
        @Override
        public int stateSize(int parameterCount) {
            return 0;
        }

        @Override
        public int sharedSize(int parameterCount) {
            return 0;
        }

        @Override
        public void apply(float[] grad, float[] shared, float[] state) {
        }
    };

    /** Length of the per-stream state for {@code parameterCount} parameters; zeros before a stream's first step. */
    int stateSize(int parameterCount);

    /** Length of the state shared by the streams of {@code parameterCount} parameters. */
    int sharedSize(int parameterCount);

    /** The shared state every stream of {@code parameterCount} parameters starts from: zeros unless overridden. */
    default float[] initialShared(int parameterCount) {
        return new float[sharedSize(parameterCount)];
    }

    /**
     * Rewrites {@code grad} in place.
     *
     * @param grad   a stream's gradient at its current parameters, rewritten into what the optimiser steps by
     * @param shared the state shared by streams of this shape ({@link #initialShared}), may be changed in place
     * @param state  this stream's state ({@link #stateSize}), may be changed in place
     */
    void apply(float[] grad, float[] shared, float[] state);
}
