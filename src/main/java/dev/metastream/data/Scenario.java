package dev.metastream.data;

import dev.metastream.learn.Instance;
import java.util.List;
import java.util.Map;

/**
 * A labelled stream laid out for evaluation: tasks in the order they are trained, each with its training stream and a
 * held-out test set, plus the learner settings the data needs (input width, task kind, classes).
 *
 * <p>A continual-learning benchmark (MNIST permutations, say) has many tasks with test sets; a drift stream
 * (rotating hyperplane, SEA) has one or a few tasks, no test set, and the positions of its true concept changes.
 * The training stream is every task's {@code train} list, in task order, one pass.
 *
 * @param name          what produced it, e.g. {@code idx:data/mnist + permute:20}
 * @param learnerConfig learner keys the data fixes ({@code input.dim}, {@code task.kind}, {@code task.classes}, ...);
 *                      the evaluation applies them over the strategy's settings
 * @param tasks         the tasks in training order
 * @param changePoints  true concept changes, in training-stream order (empty when the stream has none)
 */
public record Scenario(String name, Map<String, String> learnerConfig, List<TaskData> tasks,
        List<ChangePoint> changePoints) {

    public Scenario {
        learnerConfig = Map.copyOf(learnerConfig);
        tasks = List.copyOf(tasks);
        changePoints = List.copyOf(changePoints);
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
     * A true concept change in a drift stream.
     *
     * @param task     the task whose concept changes
     * @param position index in that task's {@code train} list of the first example of the new concept
     * @param width    examples over which the change happens (1 = abrupt; more = gradual)
     */
    public record ChangePoint(String task, long position, long width) {}
}
