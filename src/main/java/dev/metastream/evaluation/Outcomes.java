package dev.metastream.evaluation;

import dev.metastream.data.Scenario;
import dev.metastream.learn.Instance;
import dev.metastream.learn.LearnerConfig;
import dev.metastream.learn.TaskKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run of the {@link Protocol} produced: the prediction made for every training example when it arrived, each
 * checkpoint's test figure per scored task, the final checkpoint's test outputs and the drift detections. The
 * in-process runner fills it from the learner, the through-Kafka runner from the output topics; {@link Figures} turns
 * either into the same {@link EvaluationResult}.
 *
 * <p>A checkpoint's test outputs are reduced to their figure (the mean score, {@link #figure}) as soon as the test set
 * is complete, and only the final task end's outputs are kept (for the per-task figures of {@link Figures#testFigures}):
 * keeping every output of every checkpoint grows with checkpoints x tasks x test examples, which runs a long stream
 * out of memory. The figure is computed from the whole set in index order, whatever order its outputs arrived in, so
 * both runners get the very same double.
 */
public final class Outcomes {
    /** {@code train[t][i]}: the output for training example i of task t, made before learning from it. */
    public final float[][][] train;
    /** Drift detections in the order they were reported. */
    public final List<Detection> detections = new ArrayList<>();
    /** Domain shifts the label-free monitor found, one per check, in the order they were reported. */
    public final List<Detection> shiftDetections = new ArrayList<>();
    /** Wall-clock seconds of the run. */
    public double seconds;

    private final List<Scenario.TaskData> tasks;
    private final TaskKind[] kinds;
    /** Per checkpoint, the scored task indices, sorted (a binary search finds a task's slot). */
    private final int[][] scored;
    /** Per checkpoint, the test figure of each scored task (aligned with {@link #scored}). */
    private final double[][] figures;
    /** Per checkpoint, whether each scored task's test set is complete (aligned with {@link #scored}). */
    private final boolean[][] complete;
    private final int finalCheckpoint;
    /** The final checkpoint's outputs per task (null where not scored). */
    private final float[][][] finalOutputs;
    /** Test sets still arriving one output at a time, by {@link #key}. */
    private final Map<Long, Partial> partial = new HashMap<>();

    /**
     * A drift detection.
     *
     * @param task     the learner's task id
     * @param position the task's labelled-example count at detection (1-based: the example at index position-1); for
     *                 a domain shift, the task's example count (labelled or not)
     */
    public record Detection(String task, long position) {}

    /** A test set whose outputs come one at a time (through Kafka, in any order). */
    private static final class Partial {
        final float[][] outputs;
        int received;

        Partial(int size) {
            outputs = new float[size][];
        }
    }

    /**
     * Empty outcomes sized for a scenario and protocol; test outputs are scored as {@code strategy} maps each task to
     * the learner's task under {@code config} (its kind decides the score).
     */
    public Outcomes(Scenario scenario, Protocol protocol, LearnerConfig config, Strategy strategy) {
        tasks = scenario.tasks();
        int n = tasks.size();
        train = new float[n][][];
        kinds = new TaskKind[n];
        for (int t = 0; t < n; t++) {
            train[t] = new float[tasks.get(t).train().size()][];
            kinds[t] = config.taskSpec(strategy.learnerTask(tasks.get(t).task())).kind();
        }
        List<Protocol.Checkpoint> cps = protocol.checkpoints();
        scored = new int[cps.size()][];
        figures = new double[cps.size()][];
        complete = new boolean[cps.size()][];
        for (Protocol.Checkpoint c : cps) {
            int[] s = c.scored().stream().mapToInt(Integer::intValue).sorted().toArray();
            scored[c.id()] = s;
            figures[c.id()] = new double[s.length];
            complete[c.id()] = new boolean[s.length];
        }
        finalCheckpoint = protocol.finalCheckpoint();
        finalOutputs = new float[n][][];
        // Empty test sets are complete as they are (their figure is NaN, as the mean of nothing).
        for (Protocol.Checkpoint c : cps) {
            for (int t : c.scored()) {
                if (tasks.get(t).test().isEmpty()) {
                    testSet(c.id(), t, new float[0][]);
                }
            }
        }
    }

    /** Records the outputs of a whole test set: checkpoint {@code checkpoint}'s for task {@code task}, in order. */
    public void testSet(int checkpoint, int task, float[][] outputs) {
        int slot = slot(checkpoint, task);
        List<Instance> test = tasks.get(task).test();
        if (outputs.length != test.size()) {
            throw new IllegalArgumentException(outputs.length + " outputs for the " + test.size()
                    + " test examples of task " + task);
        }
        figures[checkpoint][slot] = mean(scores(kinds[task], test, outputs));
        complete[checkpoint][slot] = true;
        if (checkpoint == finalCheckpoint) {
            finalOutputs[task] = outputs;
        }
    }

    /** Records one output of a test set; when the set is complete its figure is taken and the outputs let go. */
    public void testOutput(int checkpoint, int task, int index, float[] output) {
        slot(checkpoint, task);
        int size = tasks.get(task).test().size();
        Partial p = partial.computeIfAbsent(key(checkpoint, task), k -> new Partial(size));
        if (p.outputs[index] == null) {
            p.received++;
        }
        p.outputs[index] = output;
        if (p.received == size) {
            partial.remove(key(checkpoint, task));
            testSet(checkpoint, task, p.outputs);
        }
    }

    /**
     * Checkpoint {@code checkpoint}'s test figure on task {@code task} (the mean score over the test set); null when
     * the checkpoint does not score that task or its outputs are not all in.
     */
    public Double figure(int checkpoint, int task) {
        int slot = Arrays.binarySearch(scored[checkpoint], task);
        return slot < 0 || !complete[checkpoint][slot] ? null : figures[checkpoint][slot];
    }

    /** The final task end's outputs on task {@code task}'s test set, or null when there are none. */
    public float[][] finalOutputs(int task) {
        return finalOutputs[task];
    }

    /** Expected outputs not received (the through-Kafka runner checks this before computing figures). */
    public long missing() {
        long m = 0;
        for (float[][] outs : train) {
            for (float[] o : outs) {
                m += o == null ? 1 : 0;
            }
        }
        for (int c = 0; c < scored.length; c++) {
            for (int s = 0; s < scored[c].length; s++) {
                if (!complete[c][s]) {
                    Partial p = partial.get(key(c, scored[c][s]));
                    m += tasks.get(scored[c][s]).test().size() - (p == null ? 0 : p.received);
                }
            }
        }
        return m;
    }

    private int slot(int checkpoint, int task) {
        int slot = Arrays.binarySearch(scored[checkpoint], task);
        if (slot < 0) {
            throw new IllegalArgumentException("checkpoint " + checkpoint + " does not score task " + task);
        }
        return slot;
    }

    private long key(int checkpoint, int task) {
        return (long) checkpoint * tasks.size() + task;
    }

    /** Per-example scores of outputs against their examples' targets ({@link TaskKind#score}). */
    static double[] scores(TaskKind kind, List<Instance> examples, float[][] outputs) {
        double[] s = new double[examples.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = kind.score(examples.get(i).target(), outputs[i]);
        }
        return s;
    }

    /** The mean score, NaN for none. */
    static double mean(double[] s) {
        return s.length == 0 ? Double.NaN : Arrays.stream(s).average().orElse(Double.NaN);
    }
}
