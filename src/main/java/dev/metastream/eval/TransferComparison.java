package dev.metastream.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Multi-task gain and negative transfer: a shared model against independent per-task models on the same stream.
 *
 * <p>For a metric where higher is better (accuracy, R², negated loss …) with final values {@code m_t} for the shared
 * model and {@code i_t} for task t's independent model, over the tasks C present in both:
 * {@code gain = (1/|C|) Σ_{t∈C} (m_t − i_t)}, and negative transfer is the list of tasks with {@code m_t < i_t} and
 * their {@code δ_t = m_t − i_t}, worst (most negative) first, ties by task id (in the sense of Standley et al.,
 * "Which tasks should be learned together in multi-task learning?", ICML 2020). Tasks in only one map are ignored.
 *
 * <pre>{@code
 * TransferComparison c = TransferComparison.of(sharedAccuracy, independentAccuracy);
 * double g = c.gain();
 * for (TransferComparison.Task t : c.negativeTransfer()) log(t.task() + " loses " + -t.delta());
 * }</pre>
 */
public final class TransferComparison {

    /**
     * One task's comparison.
     *
     * @param task        the task id
     * @param model       the shared model's value
     * @param independent the independent model's value
     * @param delta       {@code model − independent}
     */
    public record Task(String task, double model, double independent, double delta) {
    }

    private final List<Task> tasks;

    private TransferComparison(List<Task> tasks) {
        this.tasks = List.copyOf(tasks);
    }

    /**
     * @param model       final value per task of the shared model
     * @param independent final value per task of the independent models
     * @return the comparison over the tasks in both maps
     * @throws IllegalArgumentException if no task is in both, or a value is not finite
     */
    public static TransferComparison of(Map<String, Double> model, Map<String, Double> independent) {
        List<Task> out = new ArrayList<>();
        for (String t : new TreeSet<>(model.keySet())) {
            Double i = independent.get(t);
            if (i == null) {
                continue;
            }
            double m = model.get(t);
            if (!Double.isFinite(m) || !Double.isFinite(i)) {
                throw new IllegalArgumentException("task " + t + ": values must be finite, got " + m + ", " + i);
            }
            out.add(new Task(t, m, i, m - i));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no task is in both maps: nothing to compare");
        }
        return new TransferComparison(out);
    }

    /** @return every compared task, by task id */
    public List<Task> tasks() {
        return tasks;
    }

    /** @return the mean of {@code model − independent} over the compared tasks */
    public double gain() {
        double s = 0;
        for (Task t : tasks) {
            s += t.delta();
        }
        return s / tasks.size();
    }

    /** @return the tasks where the shared model ends below the independent one, worst first */
    public List<Task> negativeTransfer() {
        return tasks.stream().filter(t -> t.delta() < 0)
                .sorted(Comparator.comparingDouble(Task::delta).thenComparing(Task::task)).toList();
    }
}
