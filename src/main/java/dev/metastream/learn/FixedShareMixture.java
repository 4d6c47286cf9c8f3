package dev.metastream.learn;

/**
 * Weighs a task's experts (its head, its {@link LinearExpert} and its {@link PriorExpert}) by their recent losses, with the
 * Fixed-Share update of Herbster and Warmuth, "Tracking the Best Expert" (Machine Learning 32, 1998): each example
 * multiplies an expert's weight by {@code exp(-loss)}, and then a share {@code alpha} of the total is spread evenly, so
 * an expert that lost for a long time can win again within a few examples after a change.
 *
 * <p>The caller chooses the loss: for labels the learner passes each expert's 0/1 error (the figure users read; a
 * log-loss weighting prefers a confident learner even where a calmer one is right more often), for regression half the
 * squared error in target standard deviations (with rate 1 the weights are then the posterior of "which expert predicts
 * this task best lately" under unit-variance Gaussian noise). The mixture's prediction is the weighted mean of the
 * experts' outputs (probabilities or values); its cumulative loss exceeds the best sequence of experts' by at most the
 * cost of describing its switches ({@code ln K} plus about {@code ln(1/share)} per switch).
 *
 * <pre>{@code
 * double[] w = FixedShareMixture.initial(2);
 * float[] y = FixedShareMixture.combine(w, deepOutput, linearOutput);
 * FixedShareMixture.update(w, new double[] {deepLoss, linearLoss}, 0.01);
 * }</pre>
 */
final class FixedShareMixture {
    private FixedShareMixture() {
    }

    /** Equal weights for {@code experts} experts. */
    static double[] initial(int experts) {
        double[] w = new double[experts];
        java.util.Arrays.fill(w, 1.0 / experts);
        return w;
    }

    /** The weighted mean of the experts' outputs. */
    static float[] combine(double[] weights, float[]... outputs) {
        float[] y = new float[outputs[0].length];
        for (int j = 0; j < y.length; j++) {
            double s = 0;
            for (int k = 0; k < weights.length; k++) {
                s += weights[k] * outputs[k][j];
            }
            y[j] = (float) s;
        }
        return y;
    }

    /**
     * The loss update, then the fixed share. A non-finite loss counts as the largest finite loss of the others plus
     * one, so one bad output cannot make the weights NaN.
     */
    static void update(double[] weights, double[] losses, double share) {
        double min = Double.POSITIVE_INFINITY;
        for (double l : losses) {
            if (Double.isFinite(l)) {
                min = Math.min(min, l);
            }
        }
        if (min == Double.POSITIVE_INFINITY) {
            return;
        }
        double total = 0;
        for (int k = 0; k < weights.length; k++) {
            // Relative to the smallest loss, so exp never underflows every weight at once.
            double l = Double.isFinite(losses[k]) ? losses[k] - min : 50;
            weights[k] *= Math.exp(-Math.min(l, 50));
            total += weights[k];
        }
        for (int k = 0; k < weights.length; k++) {
            weights[k] = (1 - share) * weights[k] / total + share / weights.length;
        }
    }
}
