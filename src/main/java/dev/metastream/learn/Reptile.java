package dev.metastream.learn;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reptile (Nichol, Achiam and Schulman, "On First-Order Meta-Learning Algorithms", 2018), online: after each micro-batch
 * every head shape's initialisation moves toward the mean of the heads of that shape the batch touched,
 * {@code init += stepSize * mean(head - init)}. A head has adapted to its task from that initialisation, example by
 * example, so the initialisation drifts toward a point from which a few steps reach any of the tasks: the few-shot
 * start a new task gets. Heads of another size than their shape's initialisation (a task whose shape changed) are left
 * out.
 *
 * <pre>{@code
 * MetaLearner reptile = new Reptile(0.1f);
 * reptile.afterBatch(touchedStates, shared.headInit);
 * }</pre>
 */
final class Reptile implements MetaLearner {
    private final float stepSize;

    /**
     * @param stepSize the outer step ({@code meta.step.size}): the share of the way toward the mean adapted head the
     *                 initialisation moves per batch
     */
    Reptile(float stepSize) {
        this.stepSize = stepSize;
    }

    @Override
    public void afterBatch(Collection<TaskState> states, Map<String, float[]> headInit) {
        Map<String, float[]> sums = new TreeMap<>();
        Map<String, Integer> counts = new TreeMap<>();
        for (TaskState st : states) {
            accumulate(headInit, st.shapeKey, st.head, sums, counts);
            if (st.fm != null) {
                accumulate(headInit, FactorizationMachine.initKey(st.shapeKey), st.fm, sums, counts);
            }
        }
        sums.forEach((shape, s) -> {
            float[] init = headInit.get(shape);
            float step = stepSize / counts.get(shape);
            for (int j = 0; j < init.length; j++) {
                init[j] += step * s[j];
            }
        });
    }

    /** Adds {@code adapted - init} of one task's part to the sums of its initialisation {@code key}. */
    private static void accumulate(Map<String, float[]> headInit, String key, float[] adapted,
                                   Map<String, float[]> sums, Map<String, Integer> counts) {
        float[] init = headInit.get(key);
        if (init == null || init.length != adapted.length) {
            return;
        }
        float[] s = sums.computeIfAbsent(key, k -> new float[init.length]);
        for (int j = 0; j < s.length; j++) {
            s[j] += adapted[j] - init[j];
        }
        counts.merge(key, 1, Integer::sum);
    }
}
