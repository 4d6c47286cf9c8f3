package dev.metastream.data;

import dev.metastream.learn.Instance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A source's labelled examples before the continual-learning transform and the per-task sampling: per task a training
 * pool and, when the source has one, a separate held-out pool (MNIST's t10k files). Examples are read on demand so
 * that a 60,000-image pool stays bytes until an example is drawn.
 *
 * @param name          the source's description, e.g. {@code idx:data/mnist}
 * @param learnerConfig the learner keys the data fixes ({@code input.dim}, {@code task.kind}, ...)
 * @param tasks         the source's tasks in natural order
 * @param imageRows     image height when the features are a row-major image, else 0
 * @param imageCols     image width when the features are a row-major image, else 0
 */
record LabelledPool(String name, Map<String, String> learnerConfig, List<Task> tasks, int imageRows, int imageCols) {

    LabelledPool {
        learnerConfig = Map.copyOf(learnerConfig);
        tasks = List.copyOf(tasks);
    }

    /**
     * One task's pools.
     *
     * @param id        task id
     * @param train     training pool in source order
     * @param test      held-out pool, or null when the source has none (the held-out split is then cut from
     *                  {@code train})
     * @param positions for sources whose tasks interleave (a CSV with a task column): {@code positions[i]} is the
     *                  place of {@code train}'s example i in the whole file (increasing; comparable across tasks);
     *                  null when the source's tasks come one after the other
     */
    record Task(String id, Examples train, Examples test, long[] positions) {
        /** A task of a source whose tasks come one after the other. */
        Task(String id, Examples train, Examples test) {
            this(id, train, test, null);
        }
    }

    /** Random access to labelled examples; {@link #x} returns a fresh array the caller may change. */
    interface Examples {
        /** Number of examples. */
        int size();

        /** Features of example {@code i} (a fresh array). */
        float[] x(int i);

        /** Encoded target of example {@code i} (shared; do not change). */
        float[] target(int i);

        /** The source's id of example {@code i}, or null. */
        String id(int i);

        /** Event time of example {@code i}. */
        long timestamp(int i);

        /** The examples {@code [from, to)}. */
        default Examples range(int from, int to) {
            Examples base = this;
            if (from < 0 || to > size() || from > to) {
                throw new IndexOutOfBoundsException("[" + from + ", " + to + ") of " + size());
            }
            return new Examples() {
                @Override
                public int size() {
                    return to - from;
                }

                @Override
                public float[] x(int i) {
                    return base.x(from + i);
                }

                @Override
                public float[] target(int i) {
                    return base.target(from + i);
                }

                @Override
                public String id(int i) {
                    return base.id(from + i);
                }

                @Override
                public long timestamp(int i) {
                    return base.timestamp(from + i);
                }
            };
        }

        /** Example {@code i} as an instance of {@code task} with features {@code x}. */
        default Instance instance(String task, int i, float[] x) {
            return new Instance(task, x, target(i), id(i), timestamp(i));
        }
    }

    /** Examples backed by parsed instances (CSV, JSONL, generators). */
    static Examples of(List<Instance> instances) {
        List<Instance> list = List.copyOf(instances);
        return new Examples() {
            @Override
            public int size() {
                return list.size();
            }

            @Override
            public float[] x(int i) {
                return list.get(i).x().clone();
            }

            @Override
            public float[] target(int i) {
                return list.get(i).target();
            }

            @Override
            public String id(int i) {
                return list.get(i).id();
            }

            @Override
            public long timestamp(int i) {
                return list.get(i).timestamp();
            }
        };
    }

    /** The concatenation of several example sets. */
    static Examples concat(List<Examples> parts) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        List<Examples> list = List.copyOf(parts);
        int[] starts = new int[list.size() + 1];
        for (int p = 0; p < list.size(); p++) {
            starts[p + 1] = starts[p] + list.get(p).size();
        }
        return new Examples() {
            private int part(int i) {
                int p = java.util.Arrays.binarySearch(starts, i);
                p = p >= 0 ? p : -p - 2;
                while (starts[p + 1] == i) { // skip empty parts
                    p++;
                }
                return p;
            }

            @Override
            public int size() {
                return starts[list.size()];
            }

            @Override
            public float[] x(int i) {
                int p = part(i);
                return list.get(p).x(i - starts[p]);
            }

            @Override
            public float[] target(int i) {
                int p = part(i);
                return list.get(p).target(i - starts[p]);
            }

            @Override
            public String id(int i) {
                int p = part(i);
                return list.get(p).id(i - starts[p]);
            }

            @Override
            public long timestamp(int i) {
                int p = part(i);
                return list.get(p).timestamp(i - starts[p]);
            }
        };
    }

    /** A scenario's tasks as a pool (used when a transform is applied to a generator). */
    static LabelledPool of(Scenario s) {
        List<Task> tasks = new ArrayList<>();
        for (Scenario.TaskData t : s.tasks()) {
            tasks.add(new Task(t.task(), of(t.train()), t.test().isEmpty() ? null : of(t.test())));
        }
        return new LabelledPool(s.name(), s.learnerConfig(), tasks, 0, 0);
    }

    /** Number of features. */
    int inputDim() {
        return Integer.parseInt(learnerConfig.get("input.dim"));
    }

    /** The task kind's name as in {@code task.kind}. */
    String kind() {
        return learnerConfig.getOrDefault("task.kind", "classification");
    }
}
