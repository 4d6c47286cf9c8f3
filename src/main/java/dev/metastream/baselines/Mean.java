package dev.metastream.baselines;

import dev.metastream.learn.Instance;
import java.util.HashMap;
import java.util.Map;

/**
 * The running-mean regressor: predicts the mean of the targets seen so far, per task ({@code task-mean}; a task's
 * first example falls back to the global mean) or over the whole stream ({@code global-mean}). The global mean is
 * the constant baseline of recommendation (the {@code mu} of Koren's baseline predictors, "Factor in the neighbors",
 * TKDD 2010) and the reference of R²; 0 before any target.
 */
public final class Mean implements Baseline {
    private final boolean perTask;
    private final Map<String, double[]> tasks = new HashMap<>();
    private double sum;
    private long n;

    /** @param perTask per-task means ({@code task-mean}) or one mean ({@code global-mean}) */
    public Mean(boolean perTask) {
        this.perTask = perTask;
    }

    @Override
    public String name() {
        return perTask ? "task-mean" : "global-mean";
    }

    @Override
    public float[] predictOne(Instance in, String item) {
        double[] t = perTask ? tasks.get(in.task()) : null;
        if (t != null) {
            return new float[] {(float) (t[0] / t[1])};
        }
        return new float[] {(float) (n == 0 ? 0 : sum / n)};
    }

    @Override
    public void learnOne(Instance in, String item) {
        double y = in.target()[0];
        sum += y;
        n++;
        if (perTask) {
            double[] t = tasks.computeIfAbsent(in.task(), k -> new double[2]);
            t[0] += y;
            t[1]++;
        }
    }
}
