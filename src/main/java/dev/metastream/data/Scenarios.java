package dev.metastream.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds {@link Scenario}s from {@link ScenarioSpec}s: reads or generates the source, applies the continual-learning
 * transform, draws each task's training and test examples, and orders the tasks (see {@code docs/sources.md}).
 *
 * <p>Without a transform a file source keeps its own order: each task's held-out split is its last {@code testPerTask}
 * examples (when the source has no separate test files) and its training stream is the first {@code trainPerTask} of
 * the rest (all when 0 or fewer exist). When the file's tasks interleave (a CSV, JSON or JSONL file with several
 * tasks) the training stream is those examples in file order, across tasks, and the tasks are listed in the order
 * their last training example comes (so row i of the accuracy matrix is taken right after task i's last training
 * example); an explicit or random {@code taskOrder} trains task after task instead. With a transform the source's
 * tasks are pooled and every task draws a seeded sample, as in GEM (see {@link TaskSampling}).
 *
 * <pre>{@code
 * Scenario s = Scenarios.build(new ScenarioSpec("idx:data/mnist", "permute:20", 1000, 1000, "natural", 42, 0, 0,
 *         null, null, null, null));
 * }</pre>
 */
public final class Scenarios {
    private Scenarios() {}

    private static final Logger LOG = LoggerFactory.getLogger(Scenarios.class);

    /** Training examples per task a permute or rotate task draws when {@code trainPerTask} is 0 (GEM's 1,000). */
    public static final int DEFAULT_TRANSFORM_TRAIN = 1000;

    /**
     * Builds the scenario a spec describes; notes (skipped bad lines) are logged.
     *
     * @throws IllegalArgumentException naming the flag to change when the spec cannot be built
     */
    public static Scenario build(ScenarioSpec spec) {
        return build(spec, null, LOG::warn);
    }

    /**
     * Builds the scenario a spec describes.
     *
     * @param spec     what to build
     * @param kindHint {@code task.kind} for file sources whose labels could be read either way (e.g. whole-number
     *                 regression targets), or null to decide from the labels
     * @param notes    receives what the caller should tell the user but that does not stop the build (bad lines
     *                 skipped, a missing test file)
     * @throws IllegalArgumentException naming the flag to change when the spec cannot be built
     */
    public static Scenario build(ScenarioSpec spec, String kindHint, Consumer<String> notes) {
        if (spec.source() == null || spec.source().isBlank()) {
            throw new IllegalArgumentException("--source is required: idx:DIR, csv:FILE, json:FILE, jsonl:FILE or"
                    + " one of " + Generators.NAMES);
        }
        if (spec.trainPerTask() < 0 || spec.testPerTask() < 0) {
            throw new IllegalArgumentException((spec.trainPerTask() < 0 ? "--train-per-task " + spec.trainPerTask()
                    : "--test-per-task " + spec.testPerTask()) + " is negative; give 0 or more");
        }
        String source = spec.source().trim();
        Scenario scenario;
        if (source.startsWith("idx:") || source.startsWith("csv:") || source.startsWith("json:")
                || source.startsWith("jsonl:")) {
            LabelledPool pool = readFile(source, spec, kindHint, notes);
            scenario = spec.transform() == null ? natural(pool, spec) : transform(pool, spec);
        } else {
            Scenario generated = Generators.build(source, spec);
            if (generated == null) {
                throw new IllegalArgumentException("--source " + source + " is not a source; use idx:DIR, csv:FILE,"
                        + " json:FILE, jsonl:FILE or one of " + Generators.NAMES
                        + " (generators take name:key=value,...)");
            }
            scenario = spec.transform() == null ? generated : transform(LabelledPool.of(generated), spec);
        }
        return order(scenario, spec);
    }

    private static LabelledPool readFile(String source, ScenarioSpec spec, String kindHint, Consumer<String> notes) {
        int colon = source.indexOf(':');
        String kind = source.substring(0, colon);
        String rest = source.substring(colon + 1);
        if (rest.isBlank()) {
            throw new IllegalArgumentException("--source " + source + " names no " + (kind.equals("idx") ? "directory"
                    : "file") + "; write " + kind + ":" + (kind.equals("idx") ? "DIR" : "FILE"));
        }
        Path path = Path.of(rest);
        return switch (kind) {
            case "idx" -> IdxSource.read(source, path, notes);
            case "csv" -> CsvSource.read(source, path, spec, kindHint, notes);
            case "json" -> JsonSource.read(source, path, spec, kindHint, notes);
            default -> JsonlSource.read(source, path, spec, kindHint, notes);
        };
    }

    /**
     * No transform: tasks in source order, held-out tail, training prefix; when the source's tasks interleave, the
     * training stream in source order with the tasks listed by where their training ends.
     */
    private static Scenario natural(LabelledPool pool, ScenarioSpec spec) {
        List<Scenario.TaskData> tasks = new ArrayList<>();
        List<long[]> positions = new ArrayList<>();
        boolean interleaved = pool.tasks().size() > 1;
        for (LabelledPool.Task t : pool.tasks()) {
            Split split = split(t, spec.testPerTask());
            LabelledPool.Examples train = split.train;
            int n = spec.trainPerTask() > 0 ? Math.min(spec.trainPerTask(), train.size()) : train.size();
            int m = Math.min(spec.testPerTask(), split.test.size());
            tasks.add(new Scenario.TaskData(t.id(), TaskSampling.instances(t.id(), train, range(n),
                    UnaryOperator.identity()), TaskSampling.instances(t.id(), split.test, range(m),
                    UnaryOperator.identity())));
            interleaved &= t.positions() != null && t.test() == null;
            positions.add(t.positions() == null ? null : Arrays.copyOf(t.positions(), n));
        }
        if (!interleaved) {
            return new Scenario(pool.name(), pool.learnerConfig(), tasks, List.of());
        }
        // Tasks by the position of their last training example; the stream by position.
        Integer[] byEnd = new Integer[tasks.size()];
        for (int t = 0; t < byEnd.length; t++) {
            byEnd[t] = t;
        }
        Arrays.sort(byEnd, Comparator.comparingLong(t -> positions.get(t)[positions.get(t).length - 1]));
        List<Scenario.TaskData> sorted = new ArrayList<>();
        int[] newIndex = new int[byEnd.length];
        for (int k = 0; k < byEnd.length; k++) {
            sorted.add(tasks.get(byEnd[k]));
            newIndex[byEnd[k]] = k;
        }
        List<long[]> entries = new ArrayList<>(); // {position, task, index}
        for (int t = 0; t < tasks.size(); t++) {
            long[] pos = positions.get(t);
            for (int i = 0; i < pos.length; i++) {
                entries.add(new long[] {pos[i], newIndex[t], i});
            }
        }
        entries.sort(Comparator.comparingLong(e -> e[0]));
        List<Scenario.Position> order = new ArrayList<>(entries.size());
        for (long[] e : entries) {
            order.add(new Scenario.Position((int) e[1], (int) e[2]));
        }
        return new Scenario(pool.name(), pool.learnerConfig(), sorted, List.of(), order);
    }

    private record Split(LabelledPool.Examples train, LabelledPool.Examples test) {}

    /** A task's training and held-out pools: its own test pool, else the last {@code testN} training examples. */
    private static Split split(LabelledPool.Task t, int testN) {
        if (t.test() != null) {
            return new Split(t.train(), t.test());
        }
        int size = t.train().size();
        if (testN >= size) {
            throw new IllegalArgumentException("--test-per-task " + testN + " would hold out all " + size
                    + " examples of task " + t.id() + " (the held-out split is each task's last examples); lower"
                    + " --test-per-task");
        }
        return new Split(t.train().range(0, size - testN), t.train().range(size - testN, size));
    }

    private static Scenario transform(LabelledPool pool, ScenarioSpec spec) {
        String transform = spec.transform().trim().toLowerCase(Locale.ROOT);
        String flag = "--transform " + spec.transform();
        int colon = transform.indexOf(':');
        String name = colon < 0 ? transform : transform.substring(0, colon);
        int k;
        try {
            k = colon < 0 ? -1 : Integer.parseInt(transform.substring(colon + 1).trim());
        } catch (NumberFormatException e) {
            k = -1;
        }
        if (!List.of("permute", "rotate", "split", "ways").contains(name) || k < 1) {
            throw new IllegalArgumentException(flag + " is not a transform; use permute:K, rotate:K (K tasks),"
                    + " split:G (G classes per task) or ways:N (N-way tasks), with a whole number >= 1");
        }
        if (name.equals("ways")) {
            return ways(pool, k, spec, flag, transform);
        }
        // Pool every task of the source (a CSV task column, several generator tasks) into one training pool and one
        // held-out pool.
        List<LabelledPool.Examples> trains = new ArrayList<>();
        List<LabelledPool.Examples> tests = new ArrayList<>();
        for (LabelledPool.Task t : pool.tasks()) {
            Split s = split(t, spec.testPerTask());
            trains.add(s.train);
            tests.add(s.test);
        }
        LabelledPool.Examples train = LabelledPool.concat(trains);
        LabelledPool.Examples test = LabelledPool.concat(tests);
        int dim = pool.inputDim();
        int trainN = spec.trainPerTask();
        int testN = spec.testPerTask();
        List<Scenario.TaskData> tasks;
        switch (name) {
            case "permute" -> tasks = PermuteTransform.tasks(k, train, test, dim,
                    trainN > 0 ? trainN : Math.min(DEFAULT_TRANSFORM_TRAIN, train.size()), testN, spec.seed());
            case "rotate" -> {
                if (pool.imageRows() == 0) {
                    throw new IllegalArgumentException(flag + " needs images; " + pool.name() + " is not an image"
                            + " source (use idx:DIR)");
                }
                if (pool.imageRows() != pool.imageCols()) {
                    throw new IllegalArgumentException(flag + " needs square images; " + pool.name() + " has "
                            + pool.imageRows() + "x" + pool.imageCols());
                }
                tasks = RotateTransform.tasks(k, train, test, pool.imageRows(), pool.imageCols(),
                        trainN > 0 ? trainN : Math.min(DEFAULT_TRANSFORM_TRAIN, train.size()), testN, spec.seed());
            }
            default -> {
                if (!pool.kind().equals("classification")) {
                    throw new IllegalArgumentException(flag + " needs a classification source; " + pool.name()
                            + " has task.kind=" + pool.kind());
                }
                int classes = Integer.parseInt(pool.learnerConfig().get("task.classes"));
                if (k >= classes) {
                    throw new IllegalArgumentException(flag + " makes one task of all " + classes + " classes; use"
                            + " a G below " + classes);
                }
                tasks = SplitTransform.tasks(classes, k, train, test, trainN, testN, spec.seed(), flag);
            }
        }
        return new Scenario(pool.name() + " + " + transform, pool.learnerConfig(), tasks, List.of());
    }

    /**
     * {@code ways:N} ({@link WaysTransform}): {@code --tasks} N-way tasks ({@link WaysTransform#DEFAULT_TASKS} when
     * 0), each with N outputs, so the learner's {@code task.classes} is N and the source's class names no longer apply.
     */
    private static Scenario ways(LabelledPool pool, int ways, ScenarioSpec spec, String flag, String transform) {
        if (!pool.kind().equals("classification")) {
            throw new IllegalArgumentException(flag + " needs a classification source; " + pool.name()
                    + " has task.kind=" + pool.kind());
        }
        int classes = Integer.parseInt(pool.learnerConfig().get("task.classes"));
        if (ways < 2 || ways > classes) {
            throw new IllegalArgumentException(flag + ": N must be between 2 and the source's " + classes
                    + " classes");
        }
        if (spec.tasks() < 0) {
            throw new IllegalArgumentException("--tasks " + spec.tasks() + " is negative; give the number of "
                    + transform + " tasks (0 = " + WaysTransform.DEFAULT_TASKS + ")");
        }
        int tasks = spec.tasks() > 0 ? spec.tasks() : WaysTransform.DEFAULT_TASKS;
        // A source's own held-out pool (MNIST's t10k files) when every source task has one; else WaysTransform holds
        // out the tail of each class, so every class keeps test examples (a tail of the whole pool may hold few).
        boolean ownTests = pool.tasks().stream().allMatch(t -> t.test() != null);
        LabelledPool.Examples train = LabelledPool.concat(pool.tasks().stream().map(LabelledPool.Task::train).toList());
        LabelledPool.Examples test = ownTests
                ? LabelledPool.concat(pool.tasks().stream().map(LabelledPool.Task::test).toList()) : null;
        Map<String, String> config = new LinkedHashMap<>(pool.learnerConfig());
        config.put("task.classes", String.valueOf(ways));
        config.remove("task.class.names");
        config.remove("task.labels");
        return new Scenario(pool.name() + " + " + transform, config, WaysTransform.tasks(ways, tasks, classes, train,
                test, spec.trainPerTask(), spec.testPerTask(), spec.seed(), flag), List.of()).withShotSize(ways);
    }

    /** One transformed task: its seeded training and test draws with the features mapped by {@code f}. */
    static Scenario.TaskData drawTask(String id, int i, LabelledPool.Examples train, LabelledPool.Examples test,
            int trainN, int testN, long seed, UnaryOperator<float[]> f) {
        int[] tr = TaskSampling.draw(train.size(), trainN, TaskSampling.random(seed, "train", i), "--train-per-task",
                "the training pool of task " + id);
        int[] te = TaskSampling.draw(test.size(), testN, TaskSampling.random(seed, "test", i), "--test-per-task",
                "the held-out pool of task " + id);
        return new Scenario.TaskData(id, TaskSampling.instances(id, train, tr, f), TaskSampling.instances(id, test, te,
                f));
    }

    /** Applies {@code taskOrder}: natural, random (seeded shuffle) or an explicit comma list of task ids. */
    static Scenario order(Scenario s, ScenarioSpec spec) {
        String order = spec.taskOrder().trim();
        List<Scenario.TaskData> tasks = new ArrayList<>(s.tasks());
        if (order.isEmpty() || order.equalsIgnoreCase("natural")) {
            return s;
        }
        // An explicit or random task order trains task after task (an interleaved file's row order is dropped).
        if (order.equalsIgnoreCase("random")) {
            Collections.shuffle(tasks, new Random(TaskSampling.random(spec.seed(), "order", 0).nextLong()));
        } else {
            Map<String, Scenario.TaskData> byId = new LinkedHashMap<>();
            for (Scenario.TaskData t : tasks) {
                byId.put(t.task(), t);
            }
            Set<String> seen = new LinkedHashSet<>();
            tasks.clear();
            for (String id : order.split(",")) {
                id = id.trim();
                Scenario.TaskData t = byId.get(id);
                if (t == null) {
                    List<String> ids = new ArrayList<>(byId.keySet());
                    String known = ids.size() <= 12 ? ids.toString() : ids.subList(0, 12) + " ...";
                    throw new IllegalArgumentException("--task-order: no task '" + id + "'; the tasks are " + known
                            + " (or use natural / random)");
                }
                if (!seen.add(id)) {
                    throw new IllegalArgumentException("--task-order names task '" + id + "' twice; name each once");
                }
                tasks.add(t);
            }
        }
        Set<String> kept = new LinkedHashSet<>();
        tasks.forEach(t -> kept.add(t.task()));
        List<Scenario.ChangePoint> cps = s.changePoints().stream().filter(c -> kept.contains(c.task())).toList();
        List<Scenario.ChangePoint> shifts = s.shiftPoints().stream().filter(c -> kept.contains(c.task())).toList();
        return new Scenario(s.name(), s.learnerConfig(), tasks, cps).withShiftPoints(shifts);
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }
}
