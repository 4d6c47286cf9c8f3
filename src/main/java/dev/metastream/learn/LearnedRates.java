package dev.metastream.learn;

import dev.metastream.optim.GradientTransform;
import dev.metastream.optim.MetaSgd;
import java.util.Map;

/**
 * Per-parameter learning rates of the SGD heads, meta-learned across tasks ({@code meta.learning.rates=meta-sgd},
 * {@link MetaSgd}): the gradient transform of the head step, between the step's normalisation and the optimiser. The
 * rates of a head shape are kept in the shared model beside its initialisation, under {@link #key}, so every
 * partition learns them and the meta-update loop averages them as it does the initialisation; each task keeps the
 * previous gradient its next step's hypergradient needs ({@link TaskState#headRates}). Bayesian heads are fitted in
 * closed form and take no gradient step, so they have none; with {@code meta.enabled=false} (a from-scratch reference)
 * the rates are not used either.
 *
 * <pre>{@code
 * meta.learning.rates=meta-sgd
 * meta.learning.rates.step=0.001
 * }</pre>
 */
final class LearnedRates {
    private final GradientTransform transform;
    private final boolean enabled;

    LearnedRates(LearnerConfig config) {
        this.enabled = config.meta().learnedRates() && config.meta().enabled();
        this.transform = config.meta().learnedRates() ? new MetaSgd(config.meta().learnedRatesStep())
                : GradientTransform.IDENTITY;
    }

    /** The shared model's key of a head shape's learned rates. */
    static String key(String shapeKey) {
        return shapeKey + "#lr";
    }

    /** Whether a shape's heads learn with meta-learned rates under {@code config}. */
    static boolean appliesTo(LearnerConfig config, TaskSpec spec) {
        return config.meta().learnedRates() && !BayesianHead.appliesTo(config, spec);
    }

    /** The rates a partition starts from (every one the base learning rate), for a shape they apply to. */
    static void addInitial(LearnerConfig config, Map<String, float[]> inits, TaskSpec spec, int headParameters) {
        if (appliesTo(config, spec)) {
            inits.put(key(spec.shapeKey()), new MetaSgd(config.meta().learnedRatesStep()).initialShared(headParameters));
        }
    }

    /**
     * Learns the task's shape's rates from the head's gradient {@code g} and scales {@code g} by them (in place). A
     * shared model without rates for the shape (one written before they were configured) leaves {@code g} as it is.
     */
    void apply(SharedState shared, TaskState st, float[] g) {
        if (!enabled) {
            return;
        }
        float[] rates = shared.headInit.get(key(st.shapeKey));
        if (rates == null || rates.length != transform.sharedSize(g.length)) {
            return;
        }
        if (st.headRates == null || st.headRates.length != transform.stateSize(g.length)) {
            st.headRates = new float[transform.stateSize(g.length)];
        }
        transform.apply(g, rates, st.headRates);
    }
}
