package dev.metastream.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * {@code --transform permute:K}: permuted MNIST (Goodfellow et al. 2013, "An empirical investigation of catastrophic
 * forgetting"; the GEM protocol of Lopez-Paz and Ranzato 2017). Task {@code perm-i} applies one fixed random
 * permutation of the features, seeded from the seed and {@code i}, to every example it draws. As in GEM every task is
 * permuted, task 0 included (no identity task).
 *
 * <pre>{@code
 * int[] p = PermuteTransform.permutation(784, 42, 0);
 * float[] permuted = PermuteTransform.apply(image, p); // permuted[j] = image[p[j]]
 * }</pre>
 */
public final class PermuteTransform {
    private PermuteTransform() {}

    /** Task {@code task}'s permutation of {@code dim} features: a Fisher-Yates shuffle seeded from (seed, task). */
    public static int[] permutation(int dim, long seed, int task) {
        Random rnd = TaskSampling.random(seed, "permute", task);
        int[] p = new int[dim];
        for (int i = 0; i < dim; i++) {
            p[i] = i;
        }
        for (int i = dim - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** {@code out[j] = x[perm[j]]}. */
    public static float[] apply(float[] x, int[] perm) {
        float[] out = new float[x.length];
        for (int j = 0; j < x.length; j++) {
            out[j] = x[perm[j]];
        }
        return out;
    }

    static List<Scenario.TaskData> tasks(int k, LabelledPool.Examples train, LabelledPool.Examples test, int dim,
            int trainN, int testN, long seed) {
        List<Scenario.TaskData> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            String id = TaskSampling.id("perm", i, k);
            int[] perm = permutation(dim, seed, i);
            out.add(Scenarios.drawTask(id, i, train, test, trainN, testN, seed, x -> apply(x, perm)));
        }
        return out;
    }
}
