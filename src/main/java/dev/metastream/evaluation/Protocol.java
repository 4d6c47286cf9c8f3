package dev.metastream.evaluation;

import dev.metastream.data.Scenario;
import java.util.ArrayList;
import java.util.List;

/**
 * The evaluation protocol as one ordered list of steps, followed step by step by the in-process runner
 * ({@link Evaluator}) and by the through-Kafka runner, so both see the same examples and score the same test sets at
 * the same points.
 *
 * <ol>
 *   <li>A {@link Kind#BASELINE} checkpoint scores every test set before any training ({@code b[j]}).
 *   <li>The training stream ({@link Scenario#trainStream()}), test-then-train ({@link Train}): each task's examples in
 *       order, task after task, or interleaved across tasks in file order when the scenario says so.
 *   <li>After the first {@code shots} examples of every task but the first one in the stream, a {@link Kind#SHOT}
 *       checkpoint learns what is buffered and scores that task's test set (the few-shot adaptation figure; off by
 *       default except for regression).
 *   <li>Every {@code evalEvery} training examples (except at a task's end), an {@link Kind#ANYTIME} checkpoint scores
 *       the test sets of the tasks started so far, without learning what is buffered (it only reads).
 *   <li>After each task's last training example a {@link Kind#TASK_END} checkpoint learns what is buffered (so the
 *       row reflects the whole task) and scores every test set: row i of the accuracy matrix (an interleaved
 *       scenario lists its tasks in the order they end, so these rows come in task order too).
 * </ol>
 *
 * @param steps the steps in order
 * @param checkpoints the checkpoints, indexed by {@link Checkpoint#id()}
 */
public record Protocol(List<Step> steps, List<Checkpoint> checkpoints) {

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
        // The training stream: task after task, or the scenario's interleaved order (a file's rows across tasks, with
        // the tasks listed by where their training ends, so the task ends below come in task order either way).
        int n = tasks.size();
        int[] fed = new int[n];
        boolean[] started = new boolean[n];
        int maxStarted = -1;
        List<Scenario.Position> stream = scenario.trainStream();
        int first = stream.isEmpty() ? -1 : stream.get(0).task();
        int ended = endEmpty(steps, cps, tasks, 0, 0, withTests);
        long seen = 0;
        for (Scenario.Position p : stream) {
            int t = p.task();
            steps.add(new Train(t, p.index()));
            seen++;
            fed[t]++;
            started[t] = true;
            maxStarted = Math.max(maxStarted, t);
            if (fed[t] == tasks.get(t).train().size()) {
                add(steps, cps, Kind.TASK_END, t, seen, true, withTests);
                ended = endEmpty(steps, cps, tasks, Math.max(ended, t + 1), seen, withTests);
                continue;
            }
            if (shots > 0 && t != first && !tasks.get(t).test().isEmpty() && fed[t] == shots) {
                add(steps, cps, Kind.SHOT, t, seen, true, List.of(t));
            }
            if (evalEvery > 0 && tested && seen % evalEvery == 0) {
                add(steps, cps, Kind.ANYTIME, maxStarted, seen, false,
                        withTests.stream().filter(j -> started[j]).toList());
            }
        }
        return new Protocol(List.copyOf(steps), List.copyOf(cps));
    }

    /** Task ends of the tasks without training examples from {@code from} on; returns the first task with some. */
    private static int endEmpty(List<Step> steps, List<Checkpoint> cps, List<Scenario.TaskData> tasks, int from,
            long seen, List<Integer> withTests) {
        int t = from;
        while (t < tasks.size() && tasks.get(t).train().isEmpty()) {
            add(steps, cps, Kind.TASK_END, t, seen, true, withTests);
            t++;
        }
        return t;
    }

    private static void add(List<Step> steps, List<Checkpoint> cps, Kind kind, int task, long seen, boolean flush,
            List<Integer> scored) {
        Checkpoint c = new Checkpoint(cps.size(), kind, task, seen, flush, List.copyOf(scored));
        cps.add(c);
        steps.add(c);
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
