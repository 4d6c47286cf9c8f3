package dev.metastream.learn;

import java.util.Arrays;
import java.util.Collection;
import java.util.Map;

/**
 * Meta-learns the mixture weights ({@code model.mixture}) a new task starts from, for head shapes whose heads are
 * fitted in closed form ({@link BayesianHead}, {@link PrototypeHead}): after each micro-batch the shape's initial
 * weights move {@code meta.step.size} of the way toward the mean weights of the tasks the batch touched. Such a head is
 * good after a few examples, and a new task that trusted its head, its slow linear learner and its running label mean
 * equally (Fixed-Share's start) would spend those examples learning whom to trust; it starts where tasks came to.
 * Measured on a regression family (BayesianHeadTest): fresh-task MSE after 4 examples 0.94 with equal weights, 0.32
 * with these (before a Bayesian head's targets were centred on the partition's mean; 0.12 since).
 *
 * <pre>{@code
 * MetaLearner mixture = new MixturePrior(0.1f);
 * mixture.afterBatch(touchedStates, shared.headInit);   // moves "<shape>#mixture"
 * double[] w = MixturePrior.initial(config, shared, spec, 3);
 * }</pre>
 */
final class MixturePrior implements MetaLearner {
    private final float stepSize;

    /** @param stepSize the share of the way toward the touched tasks' mean weights the initial weights move */
    MixturePrior(float stepSize) {
        this.stepSize = stepSize;
    }

    /** The shared model's key of a head shape's initial mixture weights. */
    static String key(String shapeKey) {
        return shapeKey + "#mixture";
    }

    /** Whether a shape's new tasks start from meta-learned mixture weights under {@code config}. */
    static boolean appliesTo(LearnerConfig config, TaskSpec spec) {
        return config.model().mixture()
                && (BayesianHead.appliesTo(config, spec) || PrototypeHead.appliesTo(config, spec));
    }

    /** The weights a partition starts from: equal. */
    static void addInitial(Map<String, float[]> inits, String shapeKey, int experts) {
        float[] w = new float[experts];
        Arrays.fill(w, 1f / experts);
        inits.put(key(shapeKey), w);
    }

    /** A new task's mixture weights: the meta-learned ones where they apply, else equal weights. */
    static double[] initial(LearnerConfig config, SharedState shared, TaskSpec spec, int experts) {
        float[] w = appliesTo(config, spec) && config.meta().enabled() ? shared.headInit.get(key(spec.shapeKey())) : null;
        if (w == null || w.length != experts) {
            return FixedShareMixture.initial(experts);
        }
        double[] out = new double[experts];
        double sum = 0;
        for (int i = 0; i < experts; i++) {
            out[i] = Math.max(w[i], 1e-6);
            sum += out[i];
        }
        for (int i = 0; i < experts; i++) {
            out[i] /= sum;
        }
        return out;
    }

    @Override
    public void afterBatch(Collection<TaskState> states, Map<String, float[]> headInit) {
        Map<String, double[]> sums = new java.util.TreeMap<>();
        Map<String, Integer> counts = new java.util.TreeMap<>();
        for (TaskState st : states) {
            float[] init = headInit.get(key(st.shapeKey));
            if (init == null || st.mixture == null || st.mixture.length != init.length) {
                continue;
            }
            double[] s = sums.computeIfAbsent(st.shapeKey, k -> new double[init.length]);
            for (int i = 0; i < s.length; i++) {
                s[i] += st.mixture[i];
            }
            counts.merge(st.shapeKey, 1, Integer::sum);
        }
        sums.forEach((shape, s) -> {
            float[] init = headInit.get(key(shape));
            int k = counts.get(shape);
            for (int i = 0; i < init.length; i++) {
                init[i] += (float) (stepSize * (s[i] / k - init[i]));
            }
        });
    }
}
