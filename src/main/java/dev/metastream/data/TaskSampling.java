package dev.metastream.data;

import dev.metastream.learn.Instance;
import dev.metastream.learn.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * The per-task draws the continual-learning transforms share: each task takes its training examples from the
 * training pool and its test examples from the held-out pool, without replacement within a task and independently
 * across tasks (so tasks may reuse source examples, as in GEM), each draw seeded from the seed, the task and the
 * split.
 */
final class TaskSampling {
    private TaskSampling() {}

    /** A seeded generator for one (purpose, task) pair: the same seed gives the same draws. */
    static Random random(long seed, String purpose, int task) {
        return new Random(Seeds.mix(Seeds.of(purpose, task), seed));
    }

    /**
     * {@code n} distinct indices of {@code [0, size)} in random order (a partial Fisher-Yates shuffle).
     *
     * @throws IllegalArgumentException naming {@code flag} when {@code n > size}
     */
    static int[] draw(int size, int n, Random rnd, String flag, String what) {
        if (n > size) {
            throw new IllegalArgumentException(flag + " " + n + " but " + what + " has only " + size
                    + " examples (a task draws without replacement); lower " + flag);
        }
        int[] idx = new int[size];
        for (int i = 0; i < size; i++) {
            idx[i] = i;
        }
        for (int i = 0; i < n; i++) {
            int j = i + rnd.nextInt(size - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        return java.util.Arrays.copyOf(idx, n);
    }

    /** The examples at {@code indices} as instances of {@code task}, features mapped by {@code features}. */
    static List<Instance> instances(String task, LabelledPool.Examples pool, int[] indices,
            UnaryOperator<float[]> features) {
        List<Instance> out = new ArrayList<>(indices.length);
        for (int i : indices) {
            out.add(pool.instance(task, i, features.apply(pool.x(i))));
        }
        return out;
    }

    /** Task ids {@code prefix-00 .. prefix-(k-1)}, zero-padded to a common width (at least 2 digits). */
    static String id(String prefix, int i, int k) {
        int width = Math.max(2, Integer.toString(k - 1).length());
        return String.format("%s-%0" + width + "d", prefix, i);
    }
}
