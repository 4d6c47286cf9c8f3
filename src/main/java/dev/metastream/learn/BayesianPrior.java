package dev.metastream.learn;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Meta-learns the prior of {@link BayesianHead}s, online, by expectation-maximisation over the tasks each micro-batch
 * touched: the prior covariance moves toward the mean over those tasks of {@code (mu_t - mu_0)(mu_t - mu_0)' + P_t}
 * (the second moment of a task's weights about the prior mean, its posterior covariance included, so a task that has
 * seen few examples pulls the prior toward itself, not toward zero), and the noise variance toward the mean of the
 * tasks' own estimates; each by {@code meta.step.size} of the way per batch. The prior mean is Reptile's head
 * initialisation (the mean of the adapted heads: the same M-step), moved after this one. Tasks whose weights vary
 * along a few directions of the trunk's features get a prior that is wide along those and narrow elsewhere, so a few
 * examples fix a new task's head. Runs before {@link Reptile} in the chain {@link MetaLearner#of} builds.
 *
 * <pre>{@code
 * MetaLearner prior = new BayesianPrior(0.1f);
 * prior.afterBatch(touchedStates, shared.headInit);
 * }</pre>
 */
final class BayesianPrior implements MetaLearner {
    private final float stepSize;

    /** @param stepSize the share of the way toward the batch's estimate the prior moves per batch */
    BayesianPrior(float stepSize) {
        this.stepSize = stepSize;
    }

    @Override
    public void afterBatch(Collection<TaskState> states, Map<String, float[]> headInit) {
        Map<String, List<TaskState>> byShape = new TreeMap<>();
        for (TaskState st : states) {
            if (st.headCovariance != null) {
                byShape.computeIfAbsent(st.shapeKey, k -> new ArrayList<>()).add(st);
            }
        }
        byShape.forEach((shape, tasks) -> {
            float[] mean = headInit.get(shape);
            float[] prior = headInit.get(BayesianHead.priorKey(shape));
            float[] noise = headInit.get(BayesianHead.noiseKey(shape));
            if (mean == null || prior == null || noise == null) {
                return;
            }
            int d = mean.length;
            double[] target = new double[d * d];
            double noiseTarget = 0;
            int k = 0;
            for (TaskState st : tasks) {
                if (st.head.length != d || st.headCovariance.length != d * d) {
                    continue;
                }
                for (int i = 0; i < d; i++) {
                    double di = st.head[i] - mean[i];
                    int row = i * d;
                    for (int j = 0; j < d; j++) {
                        target[row + j] += di * (st.head[j] - mean[j]) + st.headCovariance[row + j];
                    }
                }
                noiseTarget += (BayesianHead.NOISE_PRIOR_WEIGHT * noise[0] + st.noiseSum)
                        / (BayesianHead.NOISE_PRIOR_WEIGHT + st.noiseCount);
                k++;
            }
            if (k == 0) {
                return;
            }
            double step = stepSize;
            for (int i = 0; i < target.length; i++) {
                prior[i] += (float) (step * (target[i] / k - prior[i]));
            }
            noise[0] = (float) Math.max(BayesianHead.MIN_NOISE, noise[0] + step * (noiseTarget / k - noise[0]));
        });
    }
}
