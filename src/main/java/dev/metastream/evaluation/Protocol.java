package dev.metastream.evaluation;

import dev.metastream.data.Scenario;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BiPredicate;

/**
 * The evaluation protocol as one ordered list of steps, followed step by step by the in-process runner
 * ({@link Evaluator}) and by the through-Kafka runner, so both see the same examples and score the same test sets at
 * the same points.
 *
 * <ol>
 *   <li>A {@link Kind#BASELINE} checkpoint scores every test set before any training ({@code b[j]}).
 *   <li>Each task's training examples, in order, test-then-train ({@link Train}).
 *   <li>After the first {@code shots} examples of every task but the first, a {@link Kind#SHOT} checkpoint learns
 *       what is buffered and scores that task's test set (the few-shot adaptation figure; off by default except for
 *       regression).
 *   <li>Every {@code evalEvery} training examples inside a task, an {@link Kind#ANYTIME} checkpoint scores the test
 *       sets of the tasks seen so far, without learning what is buffered (it only reads).
 *   <li>At the end of each task a {@link Kind#TASK_END} checkpoint learns what is buffered (so the row reflects the
 *       whole task) and scores every test set: row i of the accuracy matrix.
 * </ol>
 *
 * <p>Scoring every test set at every task end costs tasks x tasks test sets, in time and in the figures kept. Up to
 * {@link #FULL_MATRIX_TASKS} tested tasks that is what happens (the GEM protocol). Beyond, a task end scores only
 * what ACC, BWT and FWT read, the task just trained ({@code R[i][i]}) and the next one ({@code R[i][i+1]}), except on
 * {@link #MATRIX_ROWS} task ends spread evenly over the stream, the last included ({@link #fullRow}), which score
 * every test set: the cost is then linear in the number of tasks.
 *
 * @param steps the steps in order
 * @param checkpoints the checkpoints, indexed by {@link Checkpoint#id()}
 */
public record Protocol(List<Step> steps, List<Checkpoint> checkpoints) {
    /** Tested tasks up to which every task end scores every test set (the whole accuracy matrix). */
    public static final int FULL_MATRIX_TASKS = 100;
    /** Task ends that score every test set when there are more than {@link #FULL_MATRIX_TASKS} tested tasks. */
    public static final int MATRIX_ROWS = 20;

    /** What a checkpoint is for. */
    public enum Kind {
        /** Before any training: the untrained model's row. */
        BASELINE,
        /** After a task's last example: a row of the accuracy matrix. */
        TASK_END,
        /** Inside a task: a point of the anytime-accuracy curve. */
        ANYTIME,
        /** After a task's first {@code shots} examples: its few-shot test figure. */
        SHOT
    }

    /** One step. */
    public sealed interface Step permits Train, Checkpoint {}

    /**
     * Feed one training example, test-then-train.
     *
     * @param task  task index in the scenario
     * @param index index in that task's training list
     */
    public record Train(int task, int index) implements Step {}

    /**
     * Score test sets.
     *
     * @param id        position in {@link Protocol#checkpoints()}
     * @param kind      what it is for
     * @param task      the task just trained (-1 for the baseline)
     * @param examples  training examples fed before it
     * @param flush     whether buffered examples are learned first
     * @param scored    task indices whose test sets are scored
     */
    public record Checkpoint(int id, Kind kind, int task, long examples, boolean flush, List<Integer> scored)
            implements Step {}

    /**
     * Lays out the protocol for a scenario.
     *
     * @param shots     examples after which each task's few-shot figure is taken (0 = none)
     * @param evalEvery training examples between anytime checkpoints inside a task (0 = task boundaries only)
     */
    public static Protocol of(Scenario scenario, int shots, long evalEvery) {
        List<Step> steps = new ArrayList<>();
        List<Checkpoint> cps = new ArrayList<>();
        List<Scenario.TaskData> tasks = scenario.tasks();
        List<Integer> withTests = new ArrayList<>();
        for (int t = 0; t < tasks.size(); t++) {
            if (!tasks.get(t).test().isEmpty()) {
                withTests.add(t);
            }
        }
        boolean tested = !withTests.isEmpty();
        if (tested) {
            add(steps, cps, Kind.BASELINE, -1, 0, false, withTests);
        }
        if (scenario.interleaved()) {
            interleaved(scenario, shots, evalEvery, withTests, steps, cps);
            return new Protocol(List.copyOf(steps), List.copyOf(cps));
        }
        long seen = 0;
        for (int t = 0; t < tasks.size(); t++) {
            int n = tasks.get(t).train().size();
            boolean hasTest = !tasks.get(t).test().isEmpty();
            for (int i = 0; i < n; i++) {
                steps.add(new Train(t, i));
                seen++;
                // A task of exactly `shots` examples takes its few-shot figure at its end, beside the task-end one.
                if (shots > 0 && t > 0 && hasTest && i + 1 == shots) {
                    add(steps, cps, Kind.SHOT, t, seen, true, List.of(t));
                }
                if (i + 1 == n) {
                    break;
                }
                if (evalEvery > 0 && tested && seen % evalEvery == 0) {
                    final int current = t;
                    add(steps, cps, Kind.ANYTIME, t, seen, false,
                            withTests.stream().filter(j -> j <= current).toList());
                }
            }
            add(steps, cps, Kind.TASK_END, t, seen, true, taskEndScored(t, tasks.size(), withTests));
        }
        return new Protocol(List.copyOf(steps), List.copyOf(cps));
    }

    /**
     * Whether the end of task {@code i} of {@code n} scores every test set: always up to {@link #FULL_MATRIX_TASKS}
     * tasks; beyond, at {@link #MATRIX_ROWS} task ends spread evenly, the last task's included (the ends where
     * {@code floor((i + 1) * MATRIX_ROWS / n)} steps up).
     */
    public static boolean fullRow(int i, int n) {
        if (n <= FULL_MATRIX_TASKS) {
            return true;
        }
        return (long) (i + 1) * MATRIX_ROWS / n != (long) i * MATRIX_ROWS / n;
    }

    /** The test sets the end of task {@code t} scores: all on a full row, else tasks t and t+1 (those tested). */
    private static List<Integer> taskEndScored(int t, int n, List<Integer> withTests) {
        if (withTests.size() <= FULL_MATRIX_TASKS || fullRow(t, n)) {
            return withTests;
        }
        List<Integer> some = new ArrayList<>(2);
        for (int j = t; j <= t + 1 && j < n; j++) {
            // withTests is sorted: a binary search keeps this linear in the tasks overall.
            if (Collections.binarySearch(withTests, j) >= 0) {
                some.add(j);
            }
        }
        return some;
    }

    /**
     * The same steps over a stream whose tasks interleave ({@link Scenario#order()}): a task's few-shot and task-end
     * checkpoints come after its own {@code shots}-th and last example, wherever they fall in the stream (the scenario
     * lists tasks in the order they end, so the task-end rows stay in task order), and an anytime checkpoint scores
     * the tasks that have started.
     */
    private static void interleaved(Scenario scenario, int shots, long evalEvery, List<Integer> withTests,
            List<Step> steps, List<Checkpoint> cps) {
        List<Scenario.TaskData> tasks = scenario.tasks();
        int[] fed = new int[tasks.size()];
        long seen = 0;
        for (Scenario.Position p : scenario.order()) {
            int t = p.task();
            steps.add(new Train(t, p.index()));
            seen++;
            fed[t]++;
            if (shots > 0 && t > 0 && !tasks.get(t).test().isEmpty() && fed[t] == shots) {
                add(steps, cps, Kind.SHOT, t, seen, true, List.of(t));
            }
            if (fed[t] == tasks.get(t).train().size()) {
                add(steps, cps, Kind.TASK_END, t, seen, true, taskEndScored(t, tasks.size(), withTests));
                continue;
            }
            if (evalEvery > 0 && !withTests.isEmpty() && seen % evalEvery == 0) {
                add(steps, cps, Kind.ANYTIME, t, seen, false, withTests.stream().filter(j -> fed[j] > 0).toList());
            }
        }
    }

    private static void add(List<Step> steps, List<Checkpoint> cps, Kind kind, int task, long seen, boolean flush,
            List<Integer> scored) {
        Checkpoint c = new Checkpoint(cps.size(), kind, task, seen, flush, List.copyOf(scored));
        cps.add(c);
        steps.add(c);
    }

    /**
     * The same steps, in the same order and with the same flushes (so the learner trains exactly as under this
     * protocol), scoring only the test sets {@code keep} accepts: a reference run that needs a few figures need not
     * pay for every test set.
     */
    public Protocol scoringOnly(BiPredicate<Checkpoint, Integer> keep) {
        List<Step> newSteps = new ArrayList<>(steps.size());
        List<Checkpoint> newCps = new ArrayList<>(checkpoints.size());
        for (Step s : steps) {
            if (s instanceof Checkpoint c) {
                Checkpoint kept = new Checkpoint(c.id(), c.kind(), c.task(), c.examples(), c.flush(),
                        c.scored().stream().filter(t -> keep.test(c, t)).toList());
                newCps.add(kept);
                newSteps.add(kept);
            } else {
                newSteps.add(s);
            }
        }
        return new Protocol(List.copyOf(newSteps), List.copyOf(newCps));
    }

    /** The id of the last task-end checkpoint (whose outputs give the final test figures), or -1 when none. */
    public int finalCheckpoint() {
        for (int i = checkpoints.size() - 1; i >= 0; i--) {
            if (checkpoints.get(i).kind() == Kind.TASK_END) {
                return i;
            }
        }
        return -1;
    }

    /** Test examples scored over the whole protocol. */
    public long testScorings(Scenario scenario) {
        long s = 0;
        for (Checkpoint c : checkpoints) {
            for (int t : c.scored()) {
                s += scenario.tasks().get(t).test().size();
            }
        }
        return s;
    }
}
