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
        VecMath.addRows(p, 0, in, out, h, zOut);
    }

    /** Most outputs {@link #backward} holds in registers for a single pass over the inputs. */
    static final int REGISTER_OUTPUTS = 16;

    /**
     * Adds dL/dp (= h ⊗ dz for W, dz for b) into {@code dpAccumulate} and writes dL/dh = W dz
     * into {@code dhOut} unless it is null.
     */
    public static void backward(float[] p, int in, int out, float[] h, float[] dz,
            float[] dpAccumulate, float[] dhOut) {
        if (out <= REGISTER_OUTPUTS) {
            weightGradientInRegisters(in, out, h, dz, dpAccumulate);
        } else {
            weightGradientInBlocks(in, out, h, dz, dpAccumulate);
        }
        if (dhOut != null) {
            // Apart, so a caller that needs no input gradient (a head's own step) does not pay for it.
            inputGradient(p, out, dz, in, dhOut);
        }
        int b = in * out;
        for (int q = 0; q < out; q++) {
            dpAccumulate[b + q] += dz[q];
        }
    }

    /**
     * {@code h ⊗ dz} added into the weights' gradient in one pass over the inputs, every output's {@code dz} held
     * in a register and each row's outputs added by a fall-through switch on their count: a head has few outputs (10
     * classes, or one), and an inner loop over so few is not vectorised and paid its overhead on every row (1.9x
     * slower at 174 x 10 than this; the blocks of eight outputs before it, 1.4x). Each parameter's gradient is still
     * one product added once, so the result is the same bit for bit.
     */
    private static void weightGradientInRegisters(int in, int out, float[] h, float[] dz, float[] dpAccumulate) {
        float d0 = out > 0 ? dz[0] : 0f;
        float d1 = out > 1 ? dz[1] : 0f;
        float d2 = out > 2 ? dz[2] : 0f;
        float d3 = out > 3 ? dz[3] : 0f;
        float d4 = out > 4 ? dz[4] : 0f;
        float d5 = out > 5 ? dz[5] : 0f;
        float d6 = out > 6 ? dz[6] : 0f;
        float d7 = out > 7 ? dz[7] : 0f;
        float d8 = out > 8 ? dz[8] : 0f;
        float d9 = out > 9 ? dz[9] : 0f;
        float d10 = out > 10 ? dz[10] : 0f;
        float d11 = out > 11 ? dz[11] : 0f;
        float d12 = out > 12 ? dz[12] : 0f;
        float d13 = out > 13 ? dz[13] : 0f;
        float d14 = out > 14 ? dz[14] : 0f;
        float d15 = out > 15 ? dz[15] : 0f;
        for (int i = 0; i < in; i++) {
            float hi = h[i];
            if (hi == 0f) {
                continue; // adds nothing; hashed inputs are mostly zero
            }
            int k = i * out;
            switch (out) {
                case 16:
                    dpAccumulate[k + 15] += hi * d15;
                case 15:
                    dpAccumulate[k + 14] += hi * d14;
                case 14:
                    dpAccumulate[k + 13] += hi * d13;
                case 13:
                    dpAccumulate[k + 12] += hi * d12;
                case 12:
                    dpAccumulate[k + 11] += hi * d11;
                case 11:
                    dpAccumulate[k + 10] += hi * d10;
                case 10:
                    dpAccumulate[k + 9] += hi * d9;
                case 9:
                    dpAccumulate[k + 8] += hi * d8;
                case 8:
                    dpAccumulate[k + 7] += hi * d7;
                case 7:
                    dpAccumulate[k + 6] += hi * d6;
                case 6:
                    dpAccumulate[k + 5] += hi * d5;
                case 5:
                    dpAccumulate[k + 4] += hi * d4;
                case 4:
                    dpAccumulate[k + 3] += hi * d3;
                case 3:
                    dpAccumulate[k + 2] += hi * d2;
                case 2:
                    dpAccumulate[k + 1] += hi * d1;
                case 1:
                    dpAccumulate[k + 0] += hi * d0;
                    break;
                default:
                    throw new AssertionError(out);
            }
        }
    }

    /** {@code h ⊗ dz} for more outputs than registers: eight outputs at a time over every row, then the rest. */
    private static void weightGradientInBlocks(int in, int out, float[] h, float[] dz, float[] dpAccumulate) {
        int j = 0;
        for (; j + 8 <= out; j += 8) {
            float d0 = dz[j];
            float d1 = dz[j + 1];
            float d2 = dz[j + 2];
            float d3 = dz[j + 3];
            float d4 = dz[j + 4];
            float d5 = dz[j + 5];
            float d6 = dz[j + 6];
            float d7 = dz[j + 7];
            for (int i = 0; i < in; i++) {
                float hi = h[i];
                if (hi == 0f) {
                    continue;
                }
                int k = i * out + j;
                dpAccumulate[k] += hi * d0;
                dpAccumulate[k + 1] += hi * d1;
                dpAccumulate[k + 2] += hi * d2;
                dpAccumulate[k + 3] += hi * d3;
                dpAccumulate[k + 4] += hi * d4;
                dpAccumulate[k + 5] += hi * d5;
                dpAccumulate[k + 6] += hi * d6;
                dpAccumulate[k + 7] += hi * d7;
            }
        }
        if (j < out) {
            for (int i = 0; i < in; i++) {
                float hi = h[i];
                if (hi == 0f) {
                    continue;
                }
                int row = i * out;
                for (int q = j; q < out; q++) {
                    dpAccumulate[row + q] += hi * dz[q];
                }
            }
        }
    }

    /**
     * Writes dL/dh = W dz for the first {@code rows} inputs only into {@code dhOut}, without the parameter gradient:
     * the trunk's backward pass needs the gradient of its own features, not the head's.
     */
    public static void inputGradient(float[] p, int out, float[] dz, int rows, float[] dhOut) {
        // Four independent rows per pass keep four sums in flight; each row's sum is still taken left to right, so the
        // result is the same, bit for bit, as one row at a time.
        int i = 0;
        for (; i + 3 < rows; i += 4) {
            int r0 = i * out;
            int r1 = r0 + out;
            int r2 = r1 + out;
            int r3 = r2 + out;
            float a0 = 0f;
            float a1 = 0f;
            float a2 = 0f;
            float a3 = 0f;
            for (int j = 0; j < out; j++) {
                float d = dz[j];
                a0 += p[r0 + j] * d;
                a1 += p[r1 + j] * d;
                a2 += p[r2 + j] * d;
                a3 += p[r3 + j] * d;
            }
            dhOut[i] = a0;
            dhOut[i + 1] = a1;
            dhOut[i + 2] = a2;
            dhOut[i + 3] = a3;
        }
        for (; i < rows; i++) {
            int row = i * out;
            float acc = 0f;
            for (int j = 0; j < out; j++) {
                acc += p[row + j] * dz[j];
            }
            dhOut[i] = acc;
        }
    }
}
