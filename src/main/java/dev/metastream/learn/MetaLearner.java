package dev.metastream.learn;

import java.util.Collection;
import java.util.Map;

/**
 * How the initialisation new tasks' heads start from is meta-learned, plugged into the learner's micro-batch at one
 * fixed hook (as {@link MemoryStrategy} is for the gradient memory): after the batch's trunk step, with the states of
 * the tasks the batch touched, it may move each head shape's initialisation. The shared model's aggregator then
 * averages what the partitions learned ({@code meta.aggregation}).
 *
 * <pre>{@code
 * MetaLearner meta = MetaLearner.of(config.meta());
 * meta.afterBatch(touchedStates, shared.headInit);   // once per learned micro-batch
 * }</pre>
 */
interface MetaLearner {

    /** Leaves the initialisations as they are ({@code meta.enabled=false}, or a step size of 0). */
    MetaLearner NONE = (states, headInit) -> {
    };

    /**
     * Called once per learned micro-batch.
     *
     * @param states   the states of the tasks the batch touched, in task-id order (the order is part of the
     *                 arithmetic, so a replay after a crash computes the same floats)
     * @param headInit the partition's initialisation per head shape ({@link TaskSpec#shapeKey()}), changed in place
     */
    void afterBatch(Collection<TaskState> states, Map<String, float[]> headInit);

    /** The meta-learner {@code meta.*} configures. */
    static MetaLearner of(MetaConfig config) {
        if (!config.enabled() || config.stepSize() <= 0) {
            return NONE;
        }
        MetaLearner reptile = new Reptile(config.stepSize());
        if (!config.bayesianRegression() && !config.prototypeClassification()) {
            return reptile;
        }
        // The closed-form heads' tasks' mixture weights, then Reptile's initialisation; before them the Bayesian heads'
        // prior (which reads the initialisation as it was before this batch).
        MetaLearner closedForm = chain(new MixturePrior(config.stepSize()), reptile);
        return config.bayesianRegression() ? chain(new BayesianPrior(config.stepSize()), closedForm) : closedForm;
    }

    /** Runs {@code first}, then {@code then}, on the same batch. */
    static MetaLearner chain(MetaLearner first, MetaLearner then) {
        return (states, headInit) -> {
            first.afterBatch(states, headInit);
            then.afterBatch(states, headInit);
        };
    }
}
