package dev.metastream.data;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * {@code --transform split:G}: split MNIST (Zenke, Poole and Ganguli 2017, "Continual learning through synaptic
 * intelligence"). Classes {@code {0..G-1}}, {@code {G..2G-1}}, ... become tasks {@code split-0-1}, {@code split-2-3},
 * ... (the last group is smaller when G does not divide the number of classes). Labels keep their original class
 * index, so every task has the source's {@code task.classes} outputs and one head shape fits all (the
 * "class-incremental" labelling; a task-incremental learner simply never sees the other classes in a task).
 *
 * <pre>{@code
 * List<int[]> groups = SplitTransform.groups(10, 2); // {0,1}, {2,3}, ..., {8,9}
 * }</pre>
 */
public final class SplitTransform {
    private SplitTransform() {}

    /** The class groups of {@code classes} classes split {@code g} at a time. */
    public static List<int[]> groups(int classes, int g) {
        List<int[]> out = new ArrayList<>();
        for (int start = 0; start < classes; start += g) {
            int end = Math.min(classes, start + g);
            int[] group = new int[end - start];
            for (int c = start; c < end; c++) {
                group[c - start] = c;
            }
            out.add(group);
        }
        return out;
    }

    /** The task id of a class group, e.g. {@code split-0-1}. */
    public static String id(int[] group) {
        StringBuilder sb = new StringBuilder("split");
        for (int c : group) {
            sb.append('-').append(c);
        }
        return sb.toString();
    }

    static List<Scenario.TaskData> tasks(int classes, int g, LabelledPool.Examples train, LabelledPool.Examples test,
            int trainN, int testN, long seed, String flag) {
        List<Scenario.TaskData> out = new ArrayList<>();
        List<int[]> groups = groups(classes, g);
        for (int i = 0; i < groups.size(); i++) {
            int[] group = groups.get(i);
            String id = id(group);
            LabelledPool.Examples tr = subset(train, group);
            LabelledPool.Examples te = subset(test, group);
            if (tr.size() == 0) {
                throw new IllegalArgumentException(flag + ": task " + id + " has no training examples (no example of"
                        + " those classes in the source); choose another G or a source with those classes");
            }
            out.add(Scenarios.drawTask(id, i, tr, te, trainN == 0 ? tr.size() : trainN, testN, seed,
                    UnaryOperator.identity()));
        }
        return out;
    }

    private static LabelledPool.Examples subset(LabelledPool.Examples pool, int[] group) {
        int lo = group[0];
        int hi = group[group.length - 1];
        int[] keep = new int[pool.size()];
        int n = 0;
        for (int i = 0; i < pool.size(); i++) {
            int c = argmax(pool.target(i));
            if (c >= lo && c <= hi) {
                keep[n++] = i;
            }
        }
        int[] idx = java.util.Arrays.copyOf(keep, n);
        return new LabelledPool.Examples() {
            @Override
            public int size() {
                return idx.length;
            }

            @Override
            public float[] x(int i) {
                return pool.x(idx[i]);
            }

            @Override
            public float[] target(int i) {
                return pool.target(idx[i]);
            }

            @Override
            public String id(int i) {
                return pool.id(idx[i]);
            }

            @Override
            public long timestamp(int i) {
                return pool.timestamp(idx[i]);
            }
        };
    }

    /** The index of the largest entry, the first on ties (a one-hot target's class). */
    static int argmax(float[] t) {
        int best = 0;
        for (int i = 1; i < t.length; i++) {
            if (t[i] > t[best]) {
                best = i;
            }
        }
        return best;
    }
}
