package dev.metastream.learn;

import java.util.Locale;

/**
 * How a head's per-example gradient is scaled before its optimiser step ({@code optimizer.head.normalized}), so the
 * step size does not depend on how many inputs the head has or on their scale: normalised LMS (Nagumo and Noda 1967;
 * Haykin, "Adaptive Filter Theory", ch. 6) divides the step by {@code 1 + |inputs|^2}.
 *
 * <p>A head sees three parts of different sizes: the trunk's features (tens to hundreds of values), the scaled inputs
 * (the wide part) and the previous label. Divided jointly, the trunk's large norm shrinks the wide part's step to a
 * fraction of what a linear learner on the same inputs would take, and the wide part learns many times slower than a
 * per-example linear model. {@link #PER_PART} divides each part's rows by {@code 1 + |that part|^2}, as if each part
 * were its own normalised LMS filter on the shared residual; the bias is a part whose input is the constant 1.
 *
 * <pre>{@code
 * HeadStepNormalization.PER_PART.apply(g, features.partNorms(), hidden, wide, lag, outputs);
 * }</pre>
 */
public enum HeadStepNormalization {
    /** The plain gradient. */
    NONE,
    /** Every parameter's gradient divided by {@code 1 + |inputs|^2}. */
    JOINT,
    /** Each part's rows divided by {@code 1 + |part|^2}; the bias by 2. */
    PER_PART;

    /** Parses a config value: {@code per-part}, {@code joint} or {@code none}. */
    public static HeadStepNormalization parse(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "per-part" -> PER_PART;
            case "joint" -> JOINT;
            case "none" -> NONE;
            default -> throw new IllegalArgumentException("optimizer.head.normalized=" + value
                    + " is not one of per-part, joint, none");
        };
    }

    /**
     * Scales the head gradient {@code g} (layout of {@link Head}: {@code W[in][out]} then {@code b[out]}) in place.
     *
     * @param partNorms squared norms of the trunk features, the wide inputs and the previous label, in that order
     * @param hidden    number of trunk features
     * @param wide      number of wide inputs
     * @param lag       number of previous-label inputs
     * @param out       number of head outputs
     */
    public void apply(float[] g, float[] partNorms, int hidden, int wide, int lag, int out) {
        switch (this) {
            case NONE -> { }
            case JOINT -> {
                float s = 1f / (1f + partNorms[0] + partNorms[1] + partNorms[2]);
                for (int i = 0; i < g.length; i++) {
                    g[i] *= s;
                }
            }
            case PER_PART -> {
                scaleRows(g, 0, hidden, out, 1f / (1f + partNorms[0]));
                scaleRows(g, hidden, wide, out, 1f / (1f + partNorms[1]));
                scaleRows(g, hidden + wide, lag, out, 1f / (1f + partNorms[2]));
                scaleRows(g, hidden + wide + lag, 1, out, 0.5f);
            }
        }
    }

    private static void scaleRows(float[] g, int firstRow, int rows, int out, float s) {
        for (int i = firstRow * out, end = (firstRow + rows) * out; i < end; i++) {
            g[i] *= s;
        }
    }
}
