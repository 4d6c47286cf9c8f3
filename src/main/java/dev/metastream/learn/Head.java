package dev.metastream.learn;

/**
 * Per-task affine output layer {@code z = h W + b} over trunk features, in plain loops (it is
 * small, so ND4J's per-op overhead would dominate). Layout: W row-major {@code [in][out]} then
 * b {@code [out]}.
 */
public final class Head {
    /** Standard deviation of the initial weights: small so new tasks start near-uniform. */
    static final double INIT_STD = 0.01;

    private Head() {
    }

    /** Number of parameters of an {@code in -> out} head. */
    public static int parameterCount(int in, int out) {
        return (in + 1) * out;
    }

    /** Small Gaussian W (std 0.01), zero b; deterministic in {@code seed}. */
    public static float[] initialParameters(int in, int out, long seed) {
        float[] p = new float[parameterCount(in, out)];
        Rng rng = new Rng(Seeds.mix(seed, 0x6865_6164L));
        for (int i = 0; i < in * out; i++) {
            p[i] = (float) (INIT_STD * rng.nextGaussian());
        }
        return p;
    }

    /** Writes the raw outputs {@code zOut[out]} for features {@code h[in]}. */
    public static void forward(float[] p, int in, int out, float[] h, float[] zOut) {
        int b = in * out;
        for (int j = 0; j < out; j++) {
            zOut[j] = p[b + j];
        }
        // Four input rows per pass: each output is loaded and stored once per four rows instead of once per row (about
        // a fifth faster for ten outputs). The sum is still taken row by row, left to right, so the result is the
        // same, bit for bit, as one row at a time.
        int i = 0;
        for (; i + 3 < in; i += 4) {
            float h0 = h[i];
            float h1 = h[i + 1];
            float h2 = h[i + 2];
            float h3 = h[i + 3];
            if (h0 == 0f && h1 == 0f && h2 == 0f && h3 == 0f) {
                continue; // ReLU features and hashed inputs are often exactly zero
            }
            int r0 = i * out;
            int r1 = r0 + out;
            int r2 = r1 + out;
            int r3 = r2 + out;
            for (int j = 0; j < out; j++) {
                zOut[j] = zOut[j] + h0 * p[r0 + j] + h1 * p[r1 + j] + h2 * p[r2 + j] + h3 * p[r3 + j];
            }
        }
        for (; i < in; i++) {
            float hi = h[i];
            if (hi == 0f) {
                continue;
            }
            int row = i * out;
            for (int j = 0; j < out; j++) {
                zOut[j] += hi * p[row + j];
            }
        }
    }

    /**
     * Adds dL/dp (= h ⊗ dz for W, dz for b) into {@code dpAccumulate} and writes dL/dh = W dz
     * into {@code dhOut} unless it is null.
     */
    public static void backward(float[] p, int in, int out, float[] h, float[] dz,
            float[] dpAccumulate, float[] dhOut) {
        int b = in * out;
        for (int i = 0; i < in; i++) {
            float hi = h[i];
            if (hi == 0f) {
                continue; // adds nothing; hashed inputs are mostly zero
            }
            int row = i * out;
            for (int j = 0; j < out; j++) {
                dpAccumulate[row + j] += hi * dz[j];
            }
        }
        if (dhOut != null) {
            // Apart, so a caller that needs no input gradient (a head's own step) does not pay for it.
            inputGradient(p, out, dz, in, dhOut);
        }
        for (int j = 0; j < out; j++) {
            dpAccumulate[b + j] += dz[j];
        }
    }

    /**
     * Writes dL/dh = W dz for the first {@code rows} inputs only into {@code dhOut}, without the parameter gradient:
     * the trunk's backward pass needs the gradient of its own features, not the head's.
     */
    public static void inputGradient(float[] p, int out, float[] dz, int rows, float[] dhOut) {
        for (int i = 0; i < rows; i++) {
            int row = i * out;
            float acc = 0f;
            for (int j = 0; j < out; j++) {
                acc += p[row + j] * dz[j];
            }
            dhOut[i] = acc;
        }
    }
}
