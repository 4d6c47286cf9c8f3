package dev.metastream.evaluation;

import dev.metastream.data.Scenario;
import java.util.ArrayList;
import java.util.List;

/**
 * What a run of the {@link Protocol} produced, before any figure is computed: the prediction made for every training
 * example when it arrived, the outputs of every checkpoint's test scoring and the drift detections. The in-process
 * runner fills it from the learner, the through-Kafka runner from the output topics; {@link Figures} turns either
 * into the same {@link EvaluationResult}.
 */
public final class Outcomes {
    /** {@code train[t][i]}: the output for training example i of task t, made before learning from it. */
    public final float[][][] train;
    /** {@code tests[c][t][i]}: checkpoint c's output for test example i of task t (null where not scored). */
    public final float[][][][] tests;
    /** Drift detections in the order they were reported. */
    public final List<Detection> detections = new ArrayList<>();
    /** Domain shifts the label-free monitor found, one per check, in the order they were reported. */
    public final List<Detection> shiftDetections = new ArrayList<>();
    /** Wall-clock seconds of the run. */
    public double seconds;

    /**
     * A drift detection.
     *
     * @param task     the learner's task id
     * @param position the task's labelled-example count at detection (1-based: the example at index position-1); for
     *                 a domain shift, the task's example count (labelled or not)
     */
    public record Detection(String task, long position) {}

    /** Empty outcomes sized for a scenario and protocol. */
    public Outcomes(Scenario scenario, Protocol protocol) {
        int tasks = scenario.tasks().size();
        train = new float[tasks][][];
        for (int t = 0; t < tasks; t++) {
            train[t] = new float[scenario.tasks().get(t).train().size()][];
        }
        tests = new float[protocol.checkpoints().size()][tasks][][];
        for (Protocol.Checkpoint c : protocol.checkpoints()) {
            for (int t : c.scored()) {
                tests[c.id()][t] = new float[scenario.tasks().get(t).test().size()][];
            }
        }
    }

    /** Whether every expected output is present (the through-Kafka runner checks this before computing figures). */
    public long missing() {
        long m = 0;
        for (float[][] outs : train) {
            for (float[] o : outs) {
                m += o == null ? 1 : 0;
            }
        }
        for (float[][][] cp : tests) {
            for (float[][] outs : cp) {
                if (outs != null) {
                    for (float[] o : outs) {
                        m += o == null ? 1 : 0;
                    }
                }
            }
        }
        return m;
    }
}
