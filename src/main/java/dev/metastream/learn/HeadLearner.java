package dev.metastream.learn;

/**
 * How a task's head learns each example, a part chosen per task kind ({@code meta.head.*}): gradient steps of the
 * learner's optimiser ({@link StreamingLearner}'s SGD heads), or the closed-form posterior update of a
 * {@link BayesianHead}. The learner calls it once per labelled example, after the prediction, at one fixed hook.
 */
interface HeadLearner {

    /**
     * Learns one example into {@code st.head}.
     *
     * @param shared the partition's shared state
     * @param st     the task's state
     * @param f      the example as the head sees it
     * @param dz     the loss's gradient at the head's raw outputs (before learning)
     * @param target the target in the head's output space ({@link Features#modelTarget})
     */
    void learn(SharedState shared, TaskState st, Features f, float[] dz, float[] target);

    /**
     * Whether the samples the gradient memory replays step the head too: an SGD head revisits them; a posterior has
     * already counted them once and would count them again.
     */
    boolean learnsReplayed();

    /**
     * The head the trunk's gradient on an example the head has already learned flows through: the head itself, or for
     * a head fitted in closed form from its examples, the head fitted without this one (a prototype head's class mean
     * without the example, as prototypical networks score a query against the other examples' means: the example's
     * own share of its mean would hide how far it lies from it).
     *
     * @param f      the example as the head sees it under the trunk being learned
     * @param target the example's target in the head's output space
     */
    default float[] trunkHead(SharedState shared, TaskState st, Features f, float[] target) {
        return st.head;
    }

    /** The head's resting state: its posterior (if any) back to the prior, with the head's parameters reset. */
    default void reset(TaskState st) {
        st.headCovariance = null;
        st.noiseSum = 0;
        st.noiseCount = 0;
    }
}
