package dev.metastream.learn;

/**
 * SGD with classic (heavy-ball) momentum: {@code v = mu v + g; p -= lr v}. With
 * {@code mu = 0} it is plain SGD and needs no state.
 */
public final class SgdMomentum implements Optimizer {
    private final float momentum;

    /** @param momentum in [0, 1) */
    public SgdMomentum(double momentum) {
        if (!(momentum >= 0.0 && momentum < 1.0)) {
            throw new IllegalArgumentException("momentum must be in [0, 1): " + momentum);
        }
        this.momentum = (float) momentum;
    }

    /** The momentum coefficient. */
    public double momentum() {
        return momentum;
    }

    @Override
    public int stateSize(int parameterCount) {
        return momentum == 0f ? 0 : parameterCount;
    }

    @Override
    public void step(float[] params, float[] grad, float[] state, float learningRate,
            long stepNumber) {
        step(params, grad, state, learningRate, stepNumber, null);
    }

    @Override
    public void step(float[] params, float[] grad, float[] state, float learningRate, long stepNumber,
            ParamRanges active) {
        if (grad.length != params.length) {
            throw new IllegalArgumentException("grad length " + grad.length + " != "
                    + params.length);
        }
        if (momentum != 0f && state.length != params.length) {
            throw new IllegalArgumentException("state length " + state.length + " != "
                    + params.length);
        }
        if (active == null) {
            update(params, grad, state, learningRate, 0, params.length);
            return;
        }
        for (int k = 0; k < active.count(); k++) {
            update(params, grad, state, learningRate, active.from(k), active.to(k));
        }
    }

    private void update(float[] params, float[] grad, float[] state, float learningRate, int from, int to) {
        if (momentum == 0f) {
            // Kept separate so plain SGD is exactly p - lr*g (no 0*v term that could be NaN).
            for (int i = from; i < to; i++) {
                params[i] -= learningRate * grad[i];
            }
            return;
        }
        for (int i = from; i < to; i++) {
            float v = momentum * state[i] + grad[i];
            state[i] = v;
            params[i] -= learningRate * v;
        }
    }
}
