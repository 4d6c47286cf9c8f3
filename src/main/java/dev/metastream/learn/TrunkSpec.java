package dev.metastream.learn;

import java.util.Arrays;
import java.util.Objects;

/**
 * Shape of the shared trunk: {@code inputDim -> hidden[0] -> ... -> hidden[L-1]}, every layer
 * affine followed by {@code activation}. With no hidden layers the trunk is the identity (the
 * heads then form a linear model).
 *
 * <p>Flat parameter layout: for each layer l, W_l row-major {@code [in][out]}, then b_l
 * {@code [out]}.
 */
public record TrunkSpec(int inputDim, int[] hidden, Activation activation) {

    /** Validates and defensively copies {@code hidden}. */
    public TrunkSpec {
        if (inputDim <= 0) {
            throw new IllegalArgumentException("inputDim must be > 0: " + inputDim);
        }
        Objects.requireNonNull(activation, "activation");
        hidden = hidden == null ? new int[0] : hidden.clone();
        for (int h : hidden) {
            if (h <= 0) {
                throw new IllegalArgumentException("hidden sizes must be > 0: "
                        + Arrays.toString(hidden));
            }
        }
    }

    /** Copy of the hidden sizes (the record must stay immutable). */
    @Override
    public int[] hidden() {
        return hidden.clone();
    }

    /** Number of affine layers. */
    public int layerCount() {
        return hidden.length;
    }

    /** Input width of layer {@code l}. */
    public int layerIn(int l) {
        return l == 0 ? inputDim : hidden[l - 1];
    }

    /** Output width of layer {@code l}. */
    public int layerOut(int l) {
        return hidden[l];
    }

    /** Offset of W_l in the flat parameter vector; b_l follows at {@code + in*out}. */
    public int weightOffset(int l) {
        int off = 0;
        for (int k = 0; k < l; k++) {
            off += (layerIn(k) + 1) * layerOut(k);
        }
        return off;
    }

    /** Width of the trunk's features: last hidden size, or inputDim for an empty trunk. */
    public int outputDim() {
        return hidden.length == 0 ? inputDim : hidden[hidden.length - 1];
    }

    /** Total number of trunk parameters. */
    public int parameterCount() {
        return weightOffset(hidden.length);
    }

    /**
     * Deterministic initial parameters: He-normal (std sqrt(2/in)) for ReLU, Glorot-uniform
     * (limit sqrt(6/(in+out))) otherwise; biases zero.
     */
    public float[] initialParameters(long seed) {
        float[] p = new float[parameterCount()];
        Rng rng = new Rng(Seeds.mix(seed, 0x7275_6E6BL));
        int off = 0;
        for (int l = 0; l < hidden.length; l++) {
            int in = layerIn(l);
            int out = layerOut(l);
            if (activation == Activation.RELU) {
                double std = Math.sqrt(2.0 / in);
                for (int i = 0; i < in * out; i++) {
                    p[off + i] = (float) (std * rng.nextGaussian());
                }
            } else {
                double limit = Math.sqrt(6.0 / (in + out));
                for (int i = 0; i < in * out; i++) {
                    p[off + i] = (float) ((2.0 * rng.nextDouble() - 1.0) * limit);
                }
            }
            off += (in + 1) * out; // biases stay 0
        }
        return p;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrunkSpec s && s.inputDim == inputDim
                && Arrays.equals(s.hidden, hidden) && s.activation == activation;
    }

    @Override
    public int hashCode() {
        return Objects.hash(inputDim, Arrays.hashCode(hidden), activation);
    }

    @Override
    public String toString() {
        return "TrunkSpec[inputDim=" + inputDim + ", hidden=" + Arrays.toString(hidden)
                + ", activation=" + activation + "]";
    }
}
