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
 The training stream ({@link #trainStream()}) is one pass over every task's {@code train} list: in task order
 * (task after task) unless the scenario has an explicit {@code trainOrder}, as a file whose tasks interleave has
 * (the rows of a CSV with a task column, in file order). With an explicit order the tasks are listed in the order
 * their last training example comes, so "after task i" (row i of the accuracy matrix) is still a point of the stream.
 *
 * @param name          what produced it, e.g. {@code idx:data/mnist + permute:20}
 * @param learnerConfig learner keys the data fixes ({@code input.dim}, {@code task.kind}, {@code task.classes}, ...);
 *                      the evaluation applies them over the strategy's settings
 * @param tasks         the tasks in training order
 * @param changePoints  true concept changes, in training-stream order (empty when the stream has none)
 * @param trainOrder    the training stream as positions, each training example exactly once; empty = task order
 */
public record Scenario(String name, Map<String, String> learnerConfig, List<TaskData> tasks,
        List<ChangePoint> changePoints, List<Position> trainOrder) {

    public Scenario {
        learnerConfig = Map.copyOf(learnerConfig);
        tasks = List.copyOf(tasks);
        changePoints = List.copyOf(changePoints);
        trainOrder = trainOrder == null ? List.of() : List.copyOf(trainOrder);
        if (!trainOrder.isEmpty()) {
            check(tasks, trainOrder);
        }
    }

    /** A scenario trained task after task. */
    public Scenario(String name, Map<String, String> learnerConfig, List<TaskData> tasks,
            List<ChangePoint> changePoints) {
        this(name, learnerConfig, tasks, changePoints, List.of());
    }

    /** Whether the training stream interleaves tasks (an explicit {@code trainOrder}). */
    public boolean interleaved() {
        return !trainOrder.isEmpty();
    }

    /**
     * The training stream: {@code trainOrder} when there is one, else every task's examples, task after task.
     *
     * @return positions of the training examples in the order they are fed
     */
    public List<Position> trainStream() {
        if (!trainOrder.isEmpty()) {
            return trainOrder;
        }
        List<Position> order = new ArrayList<>();
        for (int t = 0; t < tasks.size(); t++) {
            for (int i = 0; i < tasks.get(t).train().size(); i++) {
                order.add(new Position(t, i));
            }
        }
        return order;
    }

    /** The training example at a position. */
    public Instance train(Position p) {
        return tasks.get(p.task()).train().get(p.index());
    }

    private static void check(List<TaskData> tasks, List<Position> order) {
        int[] next = new int[tasks.size()];
        int ended = 0;
        for (Position p : order) {
            if (p.task() < 0 || p.task() >= tasks.size() || p.index() != next[p.task()]) {
                throw new IllegalArgumentException("trainOrder: " + p + " is not the next training example of its"
                        + " task (each task's examples must come once each, in their order)");
            }
            next[p.task()]++;
            while (ended < tasks.size() && next[ended] == tasks.get(ended).train().size()) {
                ended++;
            }
            if (next[p.task()] == tasks.get(p.task()).train().size() && p.task() >= ended) {
                throw new IllegalArgumentException("trainOrder: task " + p.task() + " ends before task " + ended
                        + "; list the tasks in the order their last training example comes");
            }
        }
        for (int t = 0; t < tasks.size(); t++) {
            if (next[t] != tasks.get(t).train().size()) {
                throw new IllegalArgumentException("trainOrder: has " + next[t] + " of the " + tasks.get(t).train()
                        .size() + " training examples of task " + t);
            }
        }
    }

    /**
     * A training example's place.
     *
     * @param task  task index in {@link #tasks()}
     * @param index index in that task's {@code train} list
     */
    public record Position(int task, int index) {}

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
     * A true concept change in a drift stream.
     *
     * @param task     the task whose concept changes
     * @param position index in that task's {@code train} list of the first example of the new concept
     * @param width    examples over which the change happens (1 = abrupt; more = gradual)
     */
    public record ChangePoint(String task, long position, long width) {}
}
