package dev.metastream.learn;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Element-wise hidden-layer non-linearity, with its derivative expressed from the output. */
public enum Activation {
    /** a = z (a linear layer). */
    IDENTITY,
    /** a = max(0, z). */
    RELU,
    /** a = tanh(z). */
    TANH,
    /** a = 1 / (1 + e^-z). */
    SIGMOID;

    /**
     * Parses a name case-insensitively.
     *
     * @throws IllegalArgumentException listing the allowed values when the name is unknown
     */
    public static Activation parse(String name) {
        if (name != null) {
            String n = name.trim().toUpperCase(Locale.ROOT);
            for (Activation a : values()) {
                if (a.name().equals(n)) {
                    return a;
                }
            }
        }
        throw new IllegalArgumentException("Unknown activation '" + name + "'; allowed: "
                + Arrays.stream(values()).map(v -> v.name().toLowerCase(Locale.ROOT))
                        .collect(Collectors.joining(", ")));
    }

    /** Applies the activation to a pre-activation value. */
    public float apply(float z) {
        switch (this) {
            case IDENTITY:
                return z;
            case RELU:
                return z > 0f ? z : 0f;
            case TANH:
                return (float) Math.tanh(z);
            case SIGMOID:
                return sigmoid(z);
            default:
                throw new AssertionError(this);
        }
    }

    /**
     * Derivative d a / d z written in terms of the output {@code a = apply(z)}; backward passes
     * then need to keep only activations, not pre-activations.
     */
    public float derivativeFromOutput(float a) {
        switch (this) {
            case IDENTITY:
                return 1f;
            case RELU:
                return a > 0f ? 1f : 0f;
            case TANH:
                return 1f - a * a;
            case SIGMOID:
                return a * (1f - a);
            default:
                throw new AssertionError(this);
        }
    }

    /** Logistic function, written so that exp never overflows. */
    static float sigmoid(float z) {
        if (z >= 0f) {
            return (float) (1.0 / (1.0 + Math.exp(-z)));
        }
        double e = Math.exp(z);
        return (float) (e / (1.0 + e));
    }
}
