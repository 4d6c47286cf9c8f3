package dev.metastream.learn;

/**
 * Adam (Kingma &amp; Ba 2015) with bias correction. State layout: first moments m
 * {@code [n]} then second moments v {@code [n]}.
 */
public final class Adam implements Optimizer {
    private final double beta1;
    private final double beta2;
    private final double epsilon;

    /** @param beta1 in [0,1) @param beta2 in [0,1) @param epsilon &gt; 0 */
    public Adam(double beta1, double beta2, double epsilon) {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(epsilon > 0)) {
            throw new IllegalArgumentException("need 0<=beta1<1, 0<=beta2<1, epsilon>0; got "
                    + beta1 + ", " + beta2 + ", " + epsilon);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
    }

    @Override
    public int stateSize(int parameterCount) {
        return 2 * parameterCount;
    }

    @Override
    public void step(float[] params, float[] grad, float[] state, float learningRate,
            long stepNumber) {
        step(params, grad, state, learningRate, stepNumber, null);
    }

    @Override
    public void step(float[] params, float[] grad, float[] state, float learningRate, long stepNumber,
            ParamRanges active) {
        int n = params.length;
        if (grad.length != n || state.length != 2 * n) {
            throw new IllegalArgumentException("expected grad length " + n + " and state length "
                    + 2 * n + ", got " + grad.length + " and " + state.length);
        }
        if (stepNumber < 1) {
            throw new IllegalArgumentException("stepNumber starts at 1: " + stepNumber);
        }
        // Bias corrections folded into the step size, computed once in double.
        double c1 = 1.0 - Math.pow(beta1, stepNumber);
        double c2 = 1.0 - Math.pow(beta2, stepNumber);
        if (active == null) {
            update(params, grad, state, learningRate, c1, c2, 0, n);
            return;
        }
        for (int k = 0; k < active.count(); k++) {
            update(params, grad, state, learningRate, c1, c2, active.from(k), active.to(k));
        }
    }

    private void update(float[] params, float[] grad, float[] state, float learningRate, double c1, double c2,
            int from, int to) {
        int n = params.length;
        float b1 = (float) beta1;
        float b2 = (float) beta2;
        for (int i = from; i < to; i++) {
            float g = grad[i];
            float m = b1 * state[i] + (1f - b1) * g;
            float v = b2 * state[n + i] + (1f - b2) * g * g;
            state[i] = m;
            state[n + i] = v;
            double mHat = m / c1;
            double vHat = v / c2;
            params[i] -= (float) (learningRate * mHat / (Math.sqrt(vHat) + epsilon));
        }
    }
}
