package dev.metastream.learn;

/**
 * What the model said about one example, before it learned from it.
 *
 * @param instance     the example scored
 * @param spec         the task's head shape (to read {@code output})
 * @param output       class probabilities, label probabilities, the binary probability or the regression value
 * @param metaVersion  version of the shared (meta) model the prediction was made with
 * @param taskVersion  number of updates the task's head had received
 * @param variance     regression with a Bayesian head ({@code meta.head.regression=bayes}): the predictive variance
 *                     of the value, in squared target units; else NaN
 */
public record Prediction(Instance instance, TaskSpec spec, float[] output, long metaVersion, long taskVersion,
                         double variance) {

    /** A prediction without a variance. */
    public Prediction(Instance instance, TaskSpec spec, float[] output, long metaVersion, long taskVersion) {
        this(instance, spec, output, metaVersion, taskVersion, Double.NaN);
    }

    /** The most probable class (classification), 0/1 (binary), or -1 for other kinds. */
    public int predictedClass() {
        return spec.kind().predictedClass(output);
    }

    static int argmax(float[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) {
            if (a[i] > a[best]) {
                best = i;
            }
        }
        return best;
    }
}
