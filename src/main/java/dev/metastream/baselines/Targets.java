package dev.metastream.baselines;

/** Reading targets and writing predictions in the learner's encoding (see {@link Baseline}). */
final class Targets {
    private Targets() {}

    /** The class of a one-hot target (argmax; the first on ties). */
    static int argmax(float[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) {
            if (a[i] > a[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The class index of a target: argmax of a one-hot vector, or 0/1 for a binary target. */
    static int label(float[] target, boolean binary) {
        return binary ? (target[0] >= 0.5f ? 1 : 0) : argmax(target);
    }

    /** A certain prediction of class {@code c}: {@code {c}} for binary, one-hot of length {@code classes} else. */
    static float[] certain(int c, int classes, boolean binary) {
        if (binary) {
            return new float[] {c};
        }
        float[] p = new float[classes];
        p[c] = 1f;
        return p;
    }

    /** The class with the most counts (the lowest index on ties). */
    static int majority(long[] counts) {
        int best = 0;
        for (int c = 1; c < counts.length; c++) {
            if (counts[c] > counts[best]) {
                best = c;
            }
        }
        return best;
    }
}
