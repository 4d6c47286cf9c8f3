package dev.metastream.learn;

import dev.metastream.meta.BayesianLinearRegression;
import java.util.Map;

/**
 * A regression task's head as a Bayesian linear regression over its inputs (trunk features, scaled inputs, previous
 * label), learned in closed form by each example ({@link BayesianLinearRegression}) from a prior the partitions learn
 * across tasks ({@link BayesianPrior}): its mean is the meta-learned head initialisation (Reptile), its covariance and
 * the noise variance are kept beside it in the shared model, under {@link #priorKey} and {@link #noiseKey}, so they
 * reach every partition through the same meta-update loop. The task's {@link TaskState#head} is the posterior mean,
 * which is what the trunk's gradient flows through, so the trunk learns features in which tasks are linear; its
 * {@link TaskState#headCovariance} the posterior covariance. ALPaCA (Harrison, Sharma and Pavone 2018) with the prior
 * learned by expectation-maximisation.
 *
 * <p>Works in the head's standardised target space ({@link Features#modelTarget}); the factorisation machine's term,
 * when on, is an offset the linear part does not learn (it learns by its own gradient).
 *
 * <pre>{@code
 * meta.head.regression=bayes
 * }</pre>
 */
final class BayesianHead implements HeadLearner {
    /** Examples' worth of weight the partition's noise variance has in a task's own estimate. */
    static final double NOISE_PRIOR_WEIGHT = 5;
    /** The smallest noise variance, in target standard deviations squared: a fit is never trusted beyond it. */
    static final double MIN_NOISE = 1e-4;
    /**
     * Examples a task's noise estimate spans: older innovations fade, so the large ones of a head still learning its
     * task (or of a trunk still learning its features) stop counting as noise once the head fits (on a noiseless task
     * the estimate kept about 1/n of the first examples' errors: a variance a thousand times the error after 800).
     */
    static final long NOISE_HORIZON = 100;
    /** The noise variance a partition starts from: the targets' whole variance. */
    static final float INITIAL_NOISE = 1f;

    private final LearnerConfig config;

    BayesianHead(LearnerConfig config) {
        this.config = config;
    }

    /**
     * The most inputs a Bayesian head takes: its covariance is quadratic in them (128 inputs: 66 KB per task), so a
     * head over wide hashed inputs stays an SGD head.
     */
    static final int MAX_INPUTS = 128;

    /** Whether a task of this shape has a Bayesian head under {@code config}. */
    static boolean appliesTo(LearnerConfig config, TaskSpec spec) {
        return config.meta().bayesianRegression() && spec.kind().realValued() && spec.outputs() == 1
                && config.model().headInputs(config.trunk(), spec) <= MAX_INPUTS;
    }

    /** The shared model's key of a head shape's prior covariance. */
    static String priorKey(String shapeKey) {
        return shapeKey + "#prior";
    }

    /** The shared model's key of a head shape's noise variance. */
    static String noiseKey(String shapeKey) {
        return shapeKey + "#noise";
    }

    /**
     * The prior a partition starts from, for a head of {@code headInputs} inputs: each weight's variance
     * {@code 1 / (headInputs + 1)}, so a new task's predictive spread is about the mean square of its inputs, the
     * targets' own variance when those are standardised.
     */
    static void addInitialPrior(Map<String, float[]> inits, String shapeKey, int headInputs) {
        int d = headInputs + 1;
        inits.put(priorKey(shapeKey), BayesianLinearRegression.isotropic(d, 1.0 / d));
        inits.put(noiseKey(shapeKey), new float[] {INITIAL_NOISE});
    }

    @Override
    public void learn(SharedState shared, TaskState st, Features f, float[] dz, float[] target) {
        float[] phi = f.inputs();
        int d = phi.length + 1;
        if (st.headCovariance == null || st.headCovariance.length != d * d) {
            st.headCovariance = priorCovariance(config, shared, st.shapeKey, d);
        }
        double noise = noise(config, shared, st, st.shapeKey);
        double weights = BayesianLinearRegression.parameterVariance(st.headCovariance, phi);
        double y = target[0] - f.factorizationTerm(0);
        double innovation = BayesianLinearRegression.learn(st.head, st.headCovariance, phi, y, noise);
        if (Double.isFinite(innovation)) {
            // The innovation's square has expectation noise + weights; this share of it has expectation noise and is
            // never negative (subtracting the weights' share would be, and clipping it at 0 biases the estimate up).
            st.noiseSum += innovation * innovation * noise / (noise + weights);
            st.noiseCount++;
            if (st.noiseCount > NOISE_HORIZON) {
                st.noiseSum *= (double) NOISE_HORIZON / st.noiseCount;
                st.noiseCount = NOISE_HORIZON;
            }
        }
    }

    @Override
    public boolean learnsReplayed() {
        return false;
    }

    /**
     * The predictive variance of the head's raw output for inputs {@code phi}, in standardised target units:
     * {@code noise + [phi 1]' cov [phi 1]}, with the prior's covariance for a task that has not learned yet.
     */
    static double variance(LearnerConfig config, SharedState shared, TaskState st, String shapeKey, float[] phi) {
        int d = phi.length + 1;
        float[] cov = st != null && st.headCovariance != null && st.headCovariance.length == d * d
                ? st.headCovariance : priorCovariance(config, shared, shapeKey, d);
        return noise(config, shared, st, shapeKey) + BayesianLinearRegression.parameterVariance(cov, phi);
    }

    /** A task's noise variance: its own evidence pooled with the partition's estimate. */
    static double noise(LearnerConfig config, SharedState shared, TaskState st, String shapeKey) {
        double prior = INITIAL_NOISE;
        if (config.meta().enabled()) {
            float[] n = shared.headInit.get(noiseKey(shapeKey));
            if (n != null && n.length == 1 && n[0] > 0) {
                prior = n[0];
            }
        }
        double sum = st == null ? 0 : st.noiseSum;
        long count = st == null ? 0 : st.noiseCount;
        return Math.max(MIN_NOISE, (NOISE_PRIOR_WEIGHT * prior + sum) / (NOISE_PRIOR_WEIGHT + count));
    }

    /** The prior covariance a new task's posterior starts from: the meta-learned one, or the initial one. */
    private static float[] priorCovariance(LearnerConfig config, SharedState shared, String shapeKey, int d) {
        float[] prior = shared.headInit.get(priorKey(shapeKey));
        if (config.meta().enabled() && prior != null && prior.length == d * d) {
            return prior.clone();
        }
        return BayesianLinearRegression.isotropic(d, 1.0 / d);
    }
}
