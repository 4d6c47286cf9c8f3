package dev.metastream.learn;

/**
 * The {@code background-head} drift reaction: the detector's warning (or, without one, the detection) starts a second
 * head for the task from a fresh initialisation, which learns every example beside the task's head; it replaces the
 * task's head once its recent error is lower, or at the drift when it has learned {@link #MIN_EXAMPLES} examples
 * ({@link #promote}), and is dropped when it has not won within {@link #PATIENCE} examples. A false alarm costs the
 * background's steps and nothing else, and after a real change the task is served by a head that learned only the
 * new concept. The same idea as the background learners of Adaptive Random Forests (Gomes et al., Machine Learning
 * 2017) and Hoeffding Adaptive Trees (Bifet &amp; Gavaldà, IDA 2009), for a linear head.
 *
 * <pre>{@code
 * BackgroundHead.start(state, freshHead, optimizerStateSize);   // at a warning (or a detection)
 * BackgroundHead.promote(state);                                  // at the detection
 * BackgroundHead.observe(state, foregroundError, backgroundError); // each example, then step both heads
 * }</pre>
 */
final class BackgroundHead {
    /** Examples a background learns before it may replace the head. */
    static final int MIN_EXAMPLES = 30;
    /** Examples after which a background that has not won is dropped. */
    static final int PATIENCE = 500;

    private BackgroundHead() {}

    /** Starts a background head for the task (a running one is kept: one change, one candidate). */
    static void start(TaskState st, float[] head, int optimizerStateSize) {
        if (st.background != null) {
            return;
        }
        st.background = head;
        st.backgroundOptimizerState = new float[optimizerStateSize];
        st.backgroundStep = 0;
        st.backgroundSeen = 0;
        st.backgroundError = 0;
        st.foregroundError = 0;
    }

    /**
     * Counts one example's errors of both heads (before either learned it) and swaps or drops the background.
     *
     * @return whether the background replaced the task's head
     */
    static boolean observe(TaskState st, double foregroundError, double backgroundError) {
        st.backgroundSeen++;
        st.foregroundError += foregroundError;
        st.backgroundError += backgroundError;
        if (st.backgroundSeen >= MIN_EXAMPLES && st.backgroundError < st.foregroundError) {
            swap(st);
            return true;
        }
        if (st.backgroundSeen >= PATIENCE) {
            clear(st);
        }
        return false;
    }

    /**
     * At a drift: a running background that has learned at least {@link #MIN_EXAMPLES} examples (it was started at the
     * detector's warning) will replace the task's head whatever its error, since the drift says the head's past no
     * longer applies. The swap itself happens in {@link #observe}, at the end of the same example, after both heads
     * learned it (the example's steps were computed for the heads as they were): the foreground's error is set to
     * infinity so the background wins there.
     *
     * @return whether the background will replace the task's head
     */
    static boolean promote(TaskState st) {
        if (st.background == null || st.backgroundSeen + 1 < MIN_EXAMPLES) {
            return false;
        }
        st.foregroundError = Double.POSITIVE_INFINITY;
        return true;
    }

    private static void swap(TaskState st) {
        st.head = st.background;
        st.headSteps = null; // the background's own steps made it: stored whole
        st.optimizerState = st.backgroundOptimizerState;
        st.optimizerStep = st.backgroundStep;
        // A Bayesian head's posterior, or a prototype head's class means, described the head it replaces: the new one
        // starts from the prior's covariance, or from no classes.
        st.headCovariance = null;
        st.prototypes = null;
        st.noiseSum = 0;
        st.noiseCount = 0;
        st.swaps++;
        clear(st);
    }

    static void clear(TaskState st) {
        st.background = null;
        st.backgroundOptimizerState = null;
        st.backgroundStep = 0;
        st.backgroundSeen = 0;
        st.backgroundError = 0;
        st.foregroundError = 0;
    }
}
