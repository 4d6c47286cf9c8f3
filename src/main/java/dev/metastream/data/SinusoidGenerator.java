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
 * <p>With {@code conflict=noise} or {@code conflict=fast} the stream also holds one conflicting task,
 * {@code sin-conflict}, whose examples interleave with the family's (one after every {@code conflict-every} of theirs)
 * from the first example to the last: a task that shares the trunk with every other and whose pull on it conflicts
 * with theirs: {@code noise} has targets {@code 5 N(0, 1)} unrelated to {@code x} (its head can fit nothing, so its
 * errors stay large and its trunk gradient is noise), {@code fast} is {@code 5 sin(8 x)} (it wants features of a
 * frequency no other task needs). It is listed last (its last example comes last). The stream to show negative
 * transfer on ({@code meta.transfer}).
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
    /** The conflicting task's kind: none, noise or fast. */
    private final String conflict;
    /** Family examples between two of the conflicting task's. */
    private final int conflictEvery;
    /** The conflicting task's id. */
    public static final String CONFLICT_TASK = "sin-conflict";

    /**
     * @param tasks        number of tasks
     * @param trainPerTask training points per task
     * @param testPerTask  held-out points per task
     */
    public SinusoidGenerator(int tasks, int trainPerTask, int testPerTask) {
        this(tasks, trainPerTask, testPerTask, "none", 4);
    }

    /**
     * @param conflict      the conflicting task's kind: none (no such task), noise or fast
     * @param conflictEvery family examples between two of the conflicting task's
     */
    public SinusoidGenerator(int tasks, int trainPerTask, int testPerTask, String conflict, int conflictEvery) {
        this.tasks = tasks;
        this.trainPerTask = trainPerTask;
        this.testPerTask = testPerTask;
        this.conflict = conflict;
        this.conflictEvery = conflictEvery;
    }

    /**
     * Reads {@code sinusoid:tasks=10,shift-every=0,conflict=none,conflict-every=4}; {@code --tasks} and
     * {@code --train-per-task} also apply (defaults 10, 10).
     */
    static Scenario fromSpec(String source, SourceParams p, ScenarioSpec spec) {
        int tasks = p.integer("tasks", spec.tasks() > 0 ? spec.tasks() : 10, 1);
        InputShift shift = InputShift.from(p);
        String conflict = p.choice("conflict", "none", "none", "noise", "fast");
        int conflictEvery = p.integer("conflict-every", 4, 1);
        p.rejectUnknown();
        int train = spec.trainPerTask() > 0 ? spec.trainPerTask() : 10;
        return SeaGenerator.rename(new SinusoidGenerator(tasks, train, spec.testPerTask(), conflict, conflictEvery)
                .generate(spec.seed(), shift), source);
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
        Map<String, String> learner = Map.of("input.dim", "1", "task.kind", "regression");
        if (conflict.equals("none")) {
            return new Scenario("sinusoid", learner, data, List.of()).withShiftPoints(shifts);
        }
        // The conflicting task: drawn from its own generator so the family's points are those of the plain stream.
        Random crnd = new Random(seed ^ 0x5DEECE66DL);
        int family = tasks * trainPerTask;
        int conflictTrain = Math.max(1, family / conflictEvery);
        data.add(new Scenario.TaskData(CONFLICT_TASK, conflictPoints(crnd, conflictTrain),
                conflictPoints(crnd, testPerTask)));
        List<Scenario.Position> order = new ArrayList<>(family + conflictTrain);
        int c = 0;
        for (int t = 0; t < tasks; t++) {
            for (int j = 0; j < trainPerTask; j++) {
                order.add(new Scenario.Position(t, j));
                if ((t * trainPerTask + j + 1) % conflictEvery == 0 && c < conflictTrain - 1) {
                    order.add(new Scenario.Position(tasks, c++));
                }
            }
        }
        while (c < conflictTrain) {
            order.add(new Scenario.Position(tasks, c++));
        }
        return new Scenario("sinusoid", learner, data, List.of(), order, Map.of()).withShiftPoints(shifts);
    }

    private List<Instance> conflictPoints(Random rnd, int n) {
        List<Instance> out = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
            double x = -X_RANGE + 2 * X_RANGE * rnd.nextDouble();
            float y = (float) (conflict.equals("noise") ? MAX_AMPLITUDE * rnd.nextGaussian()
                    : MAX_AMPLITUDE * Math.sin(8 * x));
            out.add(new Instance(CONFLICT_TASK, new float[] {(float) x}, new float[] {y}, null, j));
        }
        return out;
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
