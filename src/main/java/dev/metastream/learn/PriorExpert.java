package dev.metastream.learn;

import java.util.Map;

/**
 * A task's trivial learner: it predicts the task's running label frequencies (classification), label rates (binary,
 * multi-label) or target mean (regression), shrunk toward its partition's as if the partition's had been seen
 * {@code task.target.prior.weight} times. Its class prediction is the running majority, per task while the task has
 * examples of its own and the partition's before.
 *
 * <p>Why it exists: on a stream whose features say little about the label (a rare, imbalanced outcome), every learner
 * with weights adds variance and the majority class wins. As one of the experts {@link FixedShareMixture} weighs, it
 * keeps the product from predicting worse than the trivial baseline it would otherwise lose to.
 *
 * <pre>{@code
 * float[] y = PriorExpert.output(st, shared, spec, 5.0);   // before learning the example
 * PriorExpert.learn(st, shared, spec, target);
 * }</pre>
 */
final class PriorExpert {
    private PriorExpert() {
    }

    /**
     * The prediction for a task (null: a task that has seen nothing) of shape {@code spec}: probabilities for label
     * kinds (uniform, or 0.5 per label, before anything is seen), the shrunk mean target for regression.
     */
    static float[] output(TaskState st, SharedState shared, TaskSpec spec, double priorWeight) {
        int out = spec.outputs();
        double[] global = shared.labelMeans.get(spec.shapeKey());
        long globalCount = shared.labelCounts.getOrDefault(spec.shapeKey(), 0L);
        long n = st == null || st.labelMean == null ? 0 : st.labelCount;
        double b = globalCount > 0 ? priorWeight : 0;
        float[] y = new float[out];
        for (int j = 0; j < out; j++) {
            double fallback = spec.kind().priorFallback(out);
            double mine = n > 0 ? st.labelMean[j] : 0;
            double theirs = globalCount > 0 ? global[j] : 0;
            y[j] = n + b > 0 ? (float) ((n * mine + b * theirs) / (n + b)) : (float) fallback;
        }
        return y;
    }

    /** Adds a labelled example's target to the task's and the partition's running means. */
    static void learn(TaskState st, SharedState shared, TaskSpec spec, float[] target) {
        if (st.labelMean == null || st.labelMean.length != target.length) {
            st.labelMean = new double[target.length];
            st.labelCount = 0;
        }
        st.labelCount++;
        add(st.labelMean, st.labelCount, target);
        String shape = spec.shapeKey();
        double[] global = shared.labelMeans.computeIfAbsent(shape, k -> new double[target.length]);
        long count = shared.labelCounts.merge(shape, 1L, Long::sum);
        add(global, count, target);
    }

    private static void add(double[] mean, long count, float[] target) {
        for (int j = 0; j < mean.length; j++) {
            mean[j] += (target[j] - mean[j]) / count;
        }
    }

    /** Writes the partition's label means (for {@link SharedState}'s encoding). */
    static void write(Codec.Writer w, Map<String, double[]> means, Map<String, Long> counts) {
        w.i32(means.size());
        means.forEach((shape, m) -> w.str(shape).i64(counts.getOrDefault(shape, 0L)).doubles(m));
    }

    /** Reads {@link #write} into the two maps. */
    static void read(Codec.Reader r, Map<String, double[]> means, Map<String, Long> counts) {
        int n = r.i32();
        for (int i = 0; i < n; i++) {
            String shape = r.str();
            counts.put(shape, r.i64());
            means.put(shape, r.doubles());
        }
    }
}
