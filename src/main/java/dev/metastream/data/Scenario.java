package dev.metastream.data;

import dev.metastream.learn.Instance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A labelled stream laid out for evaluation: tasks in the order they are trained, each with its training stream and a
 * held-out test set, plus the learner settings the data needs (input width, task kind, classes).
 *
 * <p>A continual-learning benchmark (MNIST permutations, say) has many tasks with test sets; a drift stream
 * (rotating hyperplane, SEA) has one or a few tasks, no test set, and the positions of its true concept changes.
 * The training stream is every task's {@code train} list, in task order, one pass, unless the scenario gives an
 * explicit {@code order} (a stream whose tasks interleave, such as users of a recommender): then it is that order.
 *
 * @param name          what produced it, e.g. {@code idx:data/mnist + permute:20}
 * @param learnerConfig learner keys the data fixes ({@code input.dim}, {@code task.kind}, {@code task.classes}, ...);
 *                      the evaluation applies them over the strategy's settings
 * @param tasks         the tasks in training order
 * @param changePoints  true concept changes, in training-stream order (empty when the stream has none)
 * @param order         the training stream as (task, index) positions when the tasks interleave; empty = task after
 *                      task. Each task's examples appear in their list order, every one once, and the tasks are listed
 *                      in the order their last example comes (so the task-end checkpoints follow the task order)
 * @param items         per task id, the item key of each training example (parallel to {@code train}), for
 *                      baselines that model items (recommendation streams); empty when the stream has none
 * @param shiftPoints   where the inputs' distribution moves while the concept stays (a generator's
 *                      {@code shift-every}), in training-stream order; what a label-free monitor should find (empty when
 *                      the stream has none)
 * @param shotSize      training examples per shot: N for {@code ways:N} tasks, whose K-shot figure is taken after K
 *                      examples of each of the N classes ({@code --shots K}); 1 for every other stream
 */
public record Scenario(String name, Map<String, String> learnerConfig, List<TaskData> tasks,
        List<ChangePoint> changePoints, List<Position> order, Map<String, List<String>> items,
        List<ChangePoint> shiftPoints, int shotSize) {

    public Scenario {
        learnerConfig = Map.copyOf(learnerConfig);
        tasks = List.copyOf(tasks);
        changePoints = List.copyOf(changePoints);
        order = List.copyOf(order);
        items = Map.copyOf(items);
        shiftPoints = List.copyOf(shiftPoints);
        if (shotSize < 1) {
            throw new IllegalArgumentException("shotSize must be at least 1, got " + shotSize);
        }
        checkOrder(tasks, order);
        for (TaskData t : tasks) {
            List<String> it = items.get(t.task());
            if (it != null && it.size() != t.train().size()) {
                throw new IllegalArgumentException("task " + t.task() + " has " + t.train().size()
                        + " training examples but " + it.size() + " item keys");
            }
        }
    }

    /** A scenario without input shifts. */
    public Scenario(String name, Map<String, String> learnerConfig, List<TaskData> tasks,
            List<ChangePoint> changePoints, List<Position> order, Map<String, List<String>> items) {
        this(name, learnerConfig, tasks, changePoints, order, items, List.of(), 1);
    }

    /** A scenario whose shots are single examples. */
    public Scenario(String name, Map<String, String> learnerConfig, List<TaskData> tasks,
            List<ChangePoint> changePoints, List<Position> order, Map<String, List<String>> items,
            List<ChangePoint> shiftPoints) {
        this(name, learnerConfig, tasks, changePoints, order, items, shiftPoints, 1);
    }

    /** This scenario with {@code examples} training examples per shot. */
    public Scenario withShotSize(int examples) {
        return new Scenario(name, learnerConfig, tasks, changePoints, order, items, shiftPoints, examples);
    }

    /** This scenario under another name (a generator names it by its whole {@code --source}). */
    public Scenario named(String newName) {
        return new Scenario(newName, learnerConfig, tasks, changePoints, order, items, shiftPoints, shotSize);
    }

    /** This scenario with the given input shift points. */
    public Scenario withShiftPoints(List<ChangePoint> points) {
        return new Scenario(name, learnerConfig, tasks, changePoints, order, items, points, shotSize);
    }

    /** A scenario trained task after task, without item keys. */
    public Scenario(String name, Map<String, String> learnerConfig, List<TaskData> tasks,
            List<ChangePoint> changePoints) {
        this(name, learnerConfig, tasks, changePoints, List.of(), Map.of());
    }

    /** The training stream in the order it is fed: {@code order}, or every task's examples task after task. */
    public List<Position> trainOrder() {
        if (!order.isEmpty()) {
            return order;
        }
        List<Position> out = new ArrayList<>();
        for (int t = 0; t < tasks.size(); t++) {
            for (int i = 0; i < tasks.get(t).train().size(); i++) {
                out.add(new Position(t, i));
            }
        }
        return out;
    }

    /** Whether the tasks interleave (an explicit {@code order}). */
    public boolean interleaved() {
        return !order.isEmpty();
    }

    /** The item key of training example {@code index} of task {@code task} (index in the scenario), or null. */
    public String item(int task, int index) {
        List<String> it = items.get(tasks.get(task).task());
        return it == null ? null : it.get(index);
    }

    /** Whether the training examples carry item keys. */
    public boolean hasItems() {
        return !items.isEmpty();
    }

    /** A scenario whose training stream follows {@code order} (file sources: rows in file order), without items. */
    public Scenario(String name, Map<String, String> learnerConfig, List<TaskData> tasks,
            List<ChangePoint> changePoints, List<Position> order) {
        this(name, learnerConfig, tasks, changePoints, order == null ? List.of() : order, Map.of());
    }

    /** The training stream in the order it is fed (the same as {@link #trainOrder()}). */
    public List<Position> trainStream() {
        return trainOrder();
    }

    /** The training example at a position. */
    public Instance train(Position p) {
        return tasks.get(p.task()).train().get(p.index());
    }

    /** Number of training examples over all tasks. */
    public long trainSize() {
        return tasks.stream().mapToLong(t -> t.train().size()).sum();
    }

    /**
     * One task's data.
     *
     * @param task  task id (the {@code task} field of the input format)
     * @param train training examples in stream order, labelled
     * @param test  held-out examples, labelled, never trained on (may be empty)
     */
    public record TaskData(String task, List<Instance> train, List<Instance> test) {
        public TaskData {
            train = List.copyOf(train);
            test = List.copyOf(test);
        }
    }

    /**
     * One training example's place in the stream.
     *
     * @param task  task index in {@link #tasks()}
     * @param index index in that task's {@code train} list
     */
    public record Position(int task, int index) {}

    private static void checkOrder(List<TaskData> tasks, List<Position> order) {
        if (order.isEmpty()) {
            return;
        }
        int[] next = new int[tasks.size()];
        int lastEnded = -1;
        for (Position p : order) {
            if (p.task() < 0 || p.task() >= tasks.size() || p.index() != next[p.task()]) {
                throw new IllegalArgumentException("stream order: " + p + " is not the next example of its task");
            }
            next[p.task()]++;
            if (next[p.task()] == tasks.get(p.task()).train().size()) {
                if (p.task() != lastEnded + 1) {
                    throw new IllegalArgumentException("stream order: task " + p.task() + " ends before task "
                            + (lastEnded + 1) + "; list the tasks in the order their last example comes");
                }
                lastEnded = p.task();
            }
        }
        if (lastEnded != tasks.size() - 1) {
            throw new IllegalArgumentException("stream order: " + order.size() + " positions do not cover every"
                    + " training example (a task without examples cannot be ordered)");
        }
    }

    /**
     * A true concept change in a drift stream.
     *
     * @param task     the task whose concept changes
     * @param position index in that task's {@code train} list of the first example of the new concept
     * @param width    examples over which the change happens (1 = abrupt; more = gradual)
     */
    public record ChangePoint(String task, long position, long width) {}
}
