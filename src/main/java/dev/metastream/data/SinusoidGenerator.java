package dev.metastream.data;

import dev.metastream.learn.Instance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The sinusoid regression task family of MAML (Finn, Abbeel and Levine, "Model-agnostic meta-learning for fast
 * adaptation of deep networks", ICML 2017, section 5.1).
 *
 * <p>Task {@code i} is {@code y = A_i sin(x - phi_i)} with amplitude {@code A_i ~ U[0.1, 5]} and phase
 * {@code phi_i ~ U[0, pi]}; its points have {@code x ~ U[-5, 5]}. One input, regression. Tasks are named
 * {@code sin-00, sin-01, ...}; there are no change points (each task is its own function). The paper trains on
 * K = 10 points per task, the default here.
 *
 * <pre>{@code
 * Scenario s = new SinusoidGenerator(10, 10, 100).generate(42); // 10 tasks, 10 training + 100 test points each
 * }</pre>
 */
public final class SinusoidGenerator {
    /** Amplitude range. */
    public static final double MIN_AMPLITUDE = 0.1;
    /** Amplitude range. */
    public static final double MAX_AMPLITUDE = 5.0;
    /** Input range: x in [-X_RANGE, X_RANGE]. */
    public static final double X_RANGE = 5.0;

    private final int tasks;
    private final int trainPerTask;
    private final int testPerTask;

    /**
     * @param tasks        number of tasks
     * @param trainPerTask training points per task
     * @param testPerTask  held-out points per task
     */
    public SinusoidGenerator(int tasks, int trainPerTask, int testPerTask) {
        this.tasks = tasks;
        this.trainPerTask = trainPerTask;
        this.testPerTask = testPerTask;
    }

    /** Reads {@code sinusoid:tasks=10,shift-every=0}; {@code --tasks} and {@code --train-per-task} also apply (defaults 10, 10). */
    static Scenario fromSpec(String source, SourceParams p, ScenarioSpec spec) {
        int tasks = p.integer("tasks", spec.tasks() > 0 ? spec.tasks() : 10, 1);
        InputShift shift = InputShift.from(p);
        p.rejectUnknown();
        int train = spec.trainPerTask() > 0 ? spec.trainPerTask() : 10;
        return SeaGenerator.rename(new SinusoidGenerator(tasks, train, spec.testPerTask()).generate(spec.seed(),
                shift), source);
    }

    /** Generates the tasks. */
    public Scenario generate(long seed) {
        return generate(seed, InputShift.NONE);
    }

    /** Generates the tasks, each task's points drawn under {@code shift} (a task's own examples move). */
    Scenario generate(long seed, InputShift shift) {
        Random rnd = new Random(seed);
        String fmt = "sin-%0" + Math.max(2, Integer.toString(tasks - 1).length()) + "d";
        List<Scenario.TaskData> data = new ArrayList<>();
        List<Scenario.ChangePoint> shifts = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            String task = String.format(fmt, i);
            double amplitude = MIN_AMPLITUDE + (MAX_AMPLITUDE - MIN_AMPLITUDE) * rnd.nextDouble();
            double phase = Math.PI * rnd.nextDouble();
            data.add(new Scenario.TaskData(task, points(rnd, shift, task, amplitude, phase, 0, trainPerTask),
                    points(rnd, shift, task, amplitude, phase, trainPerTask, testPerTask)));
            shifts.addAll(shift.points(task, trainPerTask));
        }
        return new Scenario("sinusoid", Map.of("input.dim", "1", "task.kind", "regression"), data, List.of())
                .withShiftPoints(shifts);
    }

    private static List<Instance> points(Random rnd, InputShift shift, String task, double amplitude, double phase,
            int first, int n) {
        List<Instance> out = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
            double x = -X_RANGE + 2 * X_RANGE * shift.uniform(rnd, 0, first + j);
            float y = (float) (amplitude * Math.sin(x - phase));
            out.add(new Instance(task, new float[] {(float) x}, new float[] {y}, null, j));
        }
        return out;
    }
}
