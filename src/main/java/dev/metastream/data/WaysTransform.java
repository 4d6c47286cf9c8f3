package dev.metastream.data;

import dev.metastream.learn.Instance;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * {@code --transform ways:N}: N-way classification tasks drawn from any labelled classification source, as in the
 * few-shot benchmarks built on Omniglot and miniImageNet (Vinyals et al. 2016, "Matching Networks for One Shot
 * Learning"). Task i draws N distinct classes of the source at random (seeded from the seed and i) and relabels them
 * 0..N-1 in the order drawn, so a label means another class in every task and only the features carry over from one
 * task to the next.
 *
 * <p>Each task's training and test examples come from its classes' examples in the training and held-out pools, as
 * evenly spread over the N classes as the count allows (N-way K-shot: {@code --train-per-task} = N x K), without
 * replacement within a task. The training examples arrive in rounds of one example of each class, in a random order
 * within each round, as a few-shot episode's support set holds K of each class: after its first N x k examples a task
 * has seen k of each class, the k-shot figure of {@code --shots k} ({@link Scenario#shotSize()} is N). The test
 * examples are shuffled. Tasks draw independently, so they
 * reuse source examples; those share one feature array (the features are not transformed), which keeps a thousand
 * tasks drawn from MNIST within the size of MNIST itself.
 *
 * <pre>{@code
 * Scenario s = Scenarios.build(new ScenarioSpec("idx:data/mnist", "ways:5", 25, 50, "natural", 1, 0, 1000, null, null,
 *         null, null)); // 1,000 tasks of 5 MNIST digits relabelled 0..4, 5 training examples per digit
 * }</pre>
 */
public final class WaysTransform {
    private WaysTransform() {}

    /** Tasks made when {@code --tasks} is 0. */
    public static final int DEFAULT_TASKS = 1000;
    /** Training examples per class of a task when {@code --train-per-task} is 0 (20-shot). */
    public static final int DEFAULT_SHOTS = 20;

    /**
     * Task {@code task}'s classes: {@code ways} distinct ones of {@code present}, in random order; label k is the
     * class at [k].
     */
    static int[] classes(int[] present, int ways, long seed, int task) {
        int[] picks = TaskSampling.draw(present.length, ways, TaskSampling.random(seed, "ways", task),
                "--transform ways:", "the source's classes");
        int[] out = new int[ways];
        for (int k = 0; k < ways; k++) {
            out[k] = present[picks[k]];
        }
        return out;
    }

    /**
     * The tasks.
     *
     * @param ways    classes per task
     * @param tasks   number of tasks
     * @param classes the source's classes ({@code task.classes})
     * @param train   the training pool
     * @param test    the held-out pool, or null when the source has none: each class's last
     *                {@code ceil(testN / ways)} training examples are then held out (what one task may draw of it)
     * @param trainN  training examples per task (0 = {@link #DEFAULT_SHOTS} per class)
     * @param testN   test examples per task (0 = none)
     * @param flag    the {@code --transform} flag as given, for messages
     */
    static List<Scenario.TaskData> tasks(int ways, int tasks, int classes, LabelledPool.Examples train,
            LabelledPool.Examples test, int trainN, int testN, long seed, String flag) {
        int[][] trainByClass = byClass(train, classes);
        int[][] testByClass;
        LabelledPool.Examples testPool;
        if (test != null) {
            testByClass = byClass(test, classes);
            testPool = test;
        } else {
            int held = (testN + ways - 1) / ways;
            testByClass = new int[classes][];
            for (int c = 0; c < classes; c++) {
                int[] all = trainByClass[c];
                int cut = Math.max(0, all.length - held);
                trainByClass[c] = Arrays.copyOfRange(all, 0, cut);
                testByClass[c] = Arrays.copyOfRange(all, cut, all.length);
            }
            testPool = train;
        }
        // Only classes with training examples can make a task (a file's label list may name more).
        int[] present = IntStream.range(0, classes).filter(c -> trainByClass[c].length > 0).toArray();
        if (present.length < ways) {
            throw new IllegalArgumentException(flag + " needs " + ways + " classes with training examples; the source"
                    + " has " + present.length + (test == null && testN > 0 ? " once each class's held-out tail is"
                    + " cut (lower --test-per-task)" : "") + ": use a smaller N");
        }
        // Tasks reuse source examples: one feature array per source example, shared by every task that draws it.
        float[][] trainX = new float[train.size()][];
        float[][] testX = test == null ? trainX : new float[test.size()][];
        int perTask = trainN > 0 ? trainN : DEFAULT_SHOTS * ways;
        List<Scenario.TaskData> out = new ArrayList<>(tasks);
        for (int i = 0; i < tasks; i++) {
            String id = TaskSampling.id("ways", i, tasks);
            int[] chosen = classes(present, ways, seed, i);
            List<Instance> tr = inRounds(draw(id, chosen, train, trainByClass, trainX, perTask,
                    TaskSampling.random(seed, "train", i), "--train-per-task", "training", flag), ways,
                    TaskSampling.random(seed, "rounds", i));
            List<Instance> te = draw(id, chosen, testPool, testByClass, testX, testN,
                    TaskSampling.random(seed, "test", i), "--test-per-task", "held-out", flag);
            out.add(new Scenario.TaskData(id, tr, te));
        }
        return out;
    }

    /**
     * {@code n} examples of the chosen classes, spread evenly (the first {@code n % ways} classes in the task's order
     * give one more), labelled by the class's place in {@code chosen}, in random order.
     */
    private static List<Instance> draw(String task, int[] chosen, LabelledPool.Examples pool, int[][] byClass,
            float[][] features, int n, Random rnd, String sizeFlag, String poolName, String flag) {
        int ways = chosen.length;
        List<Instance> out = new ArrayList<>(n);
        for (int k = 0; k < ways; k++) {
            int[] members = byClass[chosen[k]];
            int want = n / ways + (k < n % ways ? 1 : 0);
            if (want > members.length) {
                throw new IllegalArgumentException(sizeFlag + " " + n + " asks " + want + " examples of class "
                        + chosen[k] + " for task " + task + " but the " + poolName + " pool has " + members.length
                        + " (" + flag + " draws each task's examples evenly from its " + ways + " classes); lower "
                        + sizeFlag);
            }
            float[] label = oneHot(k, ways);
            for (int j : TaskSampling.draw(members.length, want, rnd, sizeFlag, "class " + chosen[k])) {
                int e = members[j];
                if (features[e] == null) {
                    features[e] = pool.x(e);
                }
                out.add(new Instance(task, features[e], label, pool.id(e), pool.timestamp(e)));
            }
        }
        Collections.shuffle(out, rnd);
        return out;
    }

    /**
     * The examples in rounds: each round takes the next example of every class that has one left, in a random order,
     * so any prefix of N x k examples holds k of each class.
     */
    static List<Instance> inRounds(List<Instance> examples, int ways, Random rnd) {
        List<List<Instance>> byLabel = new ArrayList<>(ways);
        for (int k = 0; k < ways; k++) {
            byLabel.add(new ArrayList<>());
        }
        for (Instance in : examples) {
            byLabel.get(SplitTransform.argmax(in.target())).add(in);
        }
        List<Instance> out = new ArrayList<>(examples.size());
        List<Integer> labels = new ArrayList<>(ways);
        for (int round = 0; out.size() < examples.size(); round++) {
            labels.clear();
            for (int k = 0; k < ways; k++) {
                if (round < byLabel.get(k).size()) {
                    labels.add(k);
                }
            }
            Collections.shuffle(labels, rnd);
            for (int k : labels) {
                out.add(byLabel.get(k).get(round));
            }
        }
        return out;
    }

    /** The pool's example indices by class (the argmax of each one-hot target), in pool order. */
    static int[][] byClass(LabelledPool.Examples pool, int classes) {
        int[] count = new int[classes];
        int[] label = new int[pool.size()];
        for (int i = 0; i < pool.size(); i++) {
            label[i] = SplitTransform.argmax(pool.target(i));
            count[label[i]]++;
        }
        int[][] out = new int[classes][];
        for (int c = 0; c < classes; c++) {
            out[c] = new int[count[c]];
        }
        Arrays.fill(count, 0);
        for (int i = 0; i < label.length; i++) {
            out[label[i]][count[label[i]]++] = i;
        }
        return out;
    }

    private static float[] oneHot(int k, int n) {
        float[] t = new float[n];
        t[k] = 1f;
        return t;
    }

}
