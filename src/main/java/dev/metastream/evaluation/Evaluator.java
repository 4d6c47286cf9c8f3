package dev.metastream.evaluation;

import dev.metastream.data.Scenario;
import dev.metastream.eval.TransferComparison;
import dev.metastream.learn.InMemoryLearnerStore;
import dev.metastream.learn.Instance;
import dev.metastream.learn.LearnerConfig;
import dev.metastream.learn.LearnerEvents;
import dev.metastream.learn.Seeds;
import dev.metastream.learn.ShiftConfig;
import dev.metastream.learn.StreamingLearner;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * Runs a {@link Scenario} with a {@link Strategy} through the same {@link StreamingLearner} the topology runs, in
 * process over an {@link InMemoryLearnerStore}, following the {@link Protocol}, and computes every figure with
 * {@link Figures}.
 *
 * <p>By default it also runs {@link Strategy#INDEPENDENT} on the same scenario as the reference of multi-task gain and
 * negative transfer, and, when the scenario measures few-shot adaptation (regression by default) and the strategy
 * meta-learns, the same strategy with {@code meta.enabled=false} as the from-scratch reference of the fresh tasks'
 * few-shot figures ({@link #freshTasks}).
 *
 * <pre>{@code
 * EvaluationResult r = new Evaluator().run(scenario, Evaluator.Options.of(Strategy.AGEM, 7), Evaluator.Progress.NONE);
 * r.acc(); r.bwt(); r.matrix();
 * }</pre>
 */
public final class Evaluator {
    /** Epochs of {@link Strategy#JOINT} over the shuffled union of every task's training data. */
    public static final int JOINT_EPOCHS = 5;
    /** Few-shot figure of regression scenarios: examples of a new task before its test MSE is taken. */
    public static final int REGRESSION_SHOTS = 10;
    /**
     * The fresh tasks whose few-shot figures make {@code adaptation}: this many in ten of the stream's tasks, the
     * last to arrive (at least one).
     */
    public static final int FRESH_TASKS_PER_TEN = 1;

    /** How test sets are scored. */
    public enum Scoring {
        /** The whole test set through the trunk as one matrix product ({@link StreamingLearner#scoreBatch}). */
        BATCH,
        /** One example at a time ({@link StreamingLearner#score}), bit for bit what the topology computes. */
        SINGLE
    }

    /**
     * What to run.
     *
     * @param strategy      the strategy
     * @param seed          seed of the learner ({@code model.seed}, unless overridden)
     * @param overrides     learner keys set by the user, applied last
     * @param scoring       how test sets are scored
     * @param evalEvery     training examples between anytime checkpoints inside a task (0 = task boundaries only)
     * @param shots         few-shot figure after this many examples of each new task (-1 = 10 for regression, else
     *                      none; 0 = none)
     * @param reference     also run {@link Strategy#INDEPENDENT} for multi-task gain
     * @param window        trailing window of the prequential curve
     * @param driftMaxDelay largest delay that still counts as finding a change point
     */
    public record Options(Strategy strategy, long seed, Map<String, String> overrides, Scoring scoring,
            long evalEvery, int shots, boolean reference, int window, long driftMaxDelay) {
        public Options {
            overrides = Map.copyOf(overrides);
        }

        /** Defaults: batch scoring, boundaries only, automatic shots, with the reference run. */
        public static Options of(Strategy strategy, long seed) {
            return new Options(strategy, seed, Map.of(), Scoring.BATCH, 0, -1, true, 500, 1000);
        }

        /** A copy with another strategy. */
        public Options withStrategy(Strategy s) {
            return new Options(s, seed, overrides, scoring, evalEvery, shots, reference, window, driftMaxDelay);
        }

        /** A copy with or without the reference run. */
        public Options withReference(boolean r) {
            return new Options(strategy, seed, overrides, scoring, evalEvery, shots, r, window, driftMaxDelay);
        }

        /** A copy with more learner overrides. */
        public Options withOverrides(Map<String, String> more) {
            Map<String, String> m = new LinkedHashMap<>(overrides);
            m.putAll(more);
            return new Options(strategy, seed, m, scoring, evalEvery, shots, reference, window, driftMaxDelay);
        }

        /** A copy with another scoring. */
        public Options withScoring(Scoring s) {
            return new Options(strategy, seed, overrides, s, evalEvery, shots, reference, window, driftMaxDelay);
        }

        /** A copy with other shots. */
        public Options withShots(int s) {
            return new Options(strategy, seed, overrides, scoring, evalEvery, s, reference, window, driftMaxDelay);
        }

        /** The shots for a scenario: {@code shots}, or when -1, 10 for regression and 0 otherwise. */
        public int shotsFor(Scenario scenario, LearnerConfig config) {
            if (shots >= 0) {
                return shots;
            }
            return config.taskSpec(strategy.learnerTask(scenario.tasks().get(0).task())).kind().realValued()
                    ? REGRESSION_SHOTS : 0;
        }
    }

    /** Receives progress: units done of the total (training examples fed plus test examples scored). */
    @FunctionalInterface
    public interface Progress {
        /** Ignores progress. */
        Progress NONE = (done, total) -> {};

        /** Called every few hundred units and at the end. */
        void update(long done, long total);
    }

    /**
     * The learner settings of a run, in the order they apply: the scenario's keys, the strategy's, {@code model.seed}
     * from the seed, then the user's overrides.
     */
    public static Map<String, String> settings(Scenario scenario, Strategy strategy, long seed,
            Map<String, String> overrides) {
        Map<String, String> s = new TreeMap<>(scenario.learnerConfig());
        s.putAll(strategy.overrides());
        s.put("model.seed", String.valueOf(seed));
        s.putAll(overrides);
        return s;
    }

    /** The effective learner configuration of a run (fails naming the key when a value is wrong). */
    public static LearnerConfig config(Map<String, String> settings) {
        Properties p = new Properties();
        p.putAll(settings);
        return LearnerConfig.from(p);
    }

    /** Runs the scenario with the options' strategy, plus the reference runs the options ask for. */
    public EvaluationResult run(Scenario scenario, Options options, Progress progress) {
        if (scenario.tasks().isEmpty()) {
            throw new IllegalArgumentException("the scenario has no tasks");
        }
        Map<String, String> settings = settings(scenario, options.strategy(), options.seed(), options.overrides());
        LearnerConfig config = config(settings);
        int shots = options.shotsFor(scenario, config);
        // A shot is one example, or one of each class for N-way tasks (Scenario#shotSize).
        int examples = shots * scenario.shotSize();
        // The cold-start figure pools the few-shot horizon the run asked for (--shots), else each task's first 10.
        BaselineFigures baselines = BaselineFigures.of(scenario, config, options.strategy(), options.window(),
                options.shots() > 0 ? examples : BaselineFigures.COLD_START_EVENTS);
        EvaluationResult result = runOnce(scenario, options, settings, config, examples, progress, baselines);

        result = withReference(scenario, options, result);
        if (shots > 0) {
            result = result.withAdaptation(adaptation(scenario, options, settings, config, shots, examples, result));
        }
        return result;
    }

    /**
     * The fresh tasks: the last {@link #FRESH_TASKS_PER_TEN} in ten of the scenario's tasks (rounded down, at least
     * one) in the order their first example arrives, so the model has seen every earlier task when they start.
     */
    public static List<Integer> freshTasks(Scenario scenario) {
        int n = scenario.tasks().size();
        int k = Math.max(1, n * FRESH_TASKS_PER_TEN / 10);
        List<Integer> arrival = new ArrayList<>(n);
        if (!scenario.interleaved()) {
            for (int t = 0; t < n; t++) {
                arrival.add(t);
            }
        } else {
            // Interleaved tasks are listed by where they end; they arrive where their first example comes.
            boolean[] started = new boolean[n];
            for (Scenario.Position p : scenario.order()) {
                if (!started[p.task()]) {
                    started[p.task()] = true;
                    arrival.add(p.task());
                }
            }
        }
        return List.copyOf(arrival.subList(Math.max(0, arrival.size() - k), arrival.size()));
    }

    /**
     * Few-shot adaptation on the fresh tasks: their mean few-shot figure in this run, the same tasks learned alone from
     * a random initialisation, and, when the strategy meta-learns on one stream, the same stream learned with
     * {@code meta.enabled=false}. That reference run trains
     * exactly as a whole run would (same steps, same flushes) but scores only the fresh tasks' few-shot test sets.
     */
    private EvaluationResult.Adaptation adaptation(Scenario scenario, Options options, Map<String, String> settings,
            LearnerConfig config, int shots, int examples, EvaluationResult result) {
        List<Integer> fresh = freshTasks(scenario);
        List<Double> meta = new ArrayList<>();
        for (int t : fresh) {
            meta.add(result.perTask().get(t).fewShot());
        }
        Double scratch = null;
        if (config.meta().enabled() && options.strategy().singleStream()) {
            Map<String, String> scratchSettings = new TreeMap<>(settings);
            scratchSettings.put("meta.enabled", "false");
            Set<Integer> freshSet = new HashSet<>(fresh);
            Protocol protocol = Protocol.of(scenario, examples, options.evalEvery())
                    .scoringOnly((c, t) -> c.kind() == Protocol.Kind.SHOT && freshSet.contains(t));
            Outcomes out = runStream(scenario, options, config(scratchSettings), protocol, Progress.NONE, null);
            List<Double> figures = new ArrayList<>();
            for (Protocol.Checkpoint c : protocol.checkpoints()) {
                if (!c.scored().isEmpty()) {
                    figures.add(out.figure(c.id(), c.task()));
                }
            }
            scratch = mean(figures);
        }
        Double random = options.strategy().singleStream() ? mean(fromRandomInitialisation(scenario, options, config,
                fresh, examples)) : null;
        Double m = mean(meta);
        int tasks = (int) meta.stream().filter(v -> v != null && !v.isNaN()).count();
        Double ratio = m == null || random == null || random == 0 ? null : m / random;
        return new EvaluationResult.Adaptation(shots, examples, result.metric(), tasks, m, random, scratch, ratio);
    }

    /**
     * Each fresh task learned alone by a new learner (a random trunk, the initial heads: nothing learned from other
     * tasks) from its first {@code examples} examples, then scored on its test set.
     */
    private List<Double> fromRandomInitialisation(Scenario scenario, Options options, LearnerConfig config,
            List<Integer> fresh, int examples) {
        List<Double> figures = new ArrayList<>();
        for (int t : fresh) {
            Scenario.TaskData task = scenario.tasks().get(t);
            if (task.test().isEmpty() || task.train().size() < examples) {
                continue;
            }
            Scenario alone = new Scenario(scenario.name(), scenario.learnerConfig(), List.of(new Scenario.TaskData(
                    task.task(), task.train().subList(0, examples), task.test())), List.of());
            Protocol protocol = Protocol.of(alone, 0, 0);
            Outcomes out = runStream(alone, options, config, protocol, Progress.NONE, null);
            for (Protocol.Checkpoint c : protocol.checkpoints()) {
                if (c.kind() == Protocol.Kind.TASK_END) {
                    figures.add(out.figure(c.id(), 0));
                }
            }
        }
        return figures;
    }

    /** The mean of the figures that exist (not null, not NaN), or null when none does. */
    private static Double mean(List<Double> figures) {
        double sum = 0;
        int k = 0;
        for (Double f : figures) {
            if (f != null && !f.isNaN()) {
                sum += f;
                k++;
            }
        }
        return k == 0 ? null : sum / k;
    }

    /**
     * The protocol a run of these options follows on a scenario, for runners outside this class (through Kafka).
     * {@code shots} are as given (the through-Kafka runner passes 0).
     */
    public static Protocol protocol(Scenario scenario, Options options, int shots) {
        return options.strategy() == Strategy.JOINT ? jointProtocol(scenario)
                : Protocol.of(scenario, shots, options.evalEvery());
    }

    /** The figures of outcomes another runner produced by following {@link #protocol}. */
    public static EvaluationResult figures(Scenario scenario, Options options, Protocol protocol, Outcomes outcomes,
            String mode) {
        Map<String, String> settings = settings(scenario, options.strategy(), options.seed(), options.overrides());
        LearnerConfig config = config(settings);
        EvaluationResult.ConfigInfo info = new EvaluationResult.ConfigInfo(config.digest(), settings);
        return Figures.compute(new Figures.Run(scenario, options.strategy(), mode, options.seed(), config, info,
                protocol, options.window(), options.driftMaxDelay()), outcomes);
    }

    /**
     * Adds the multi-task gain against {@link Strategy#INDEPENDENT}, run in process on the same scenario, when the
     * options ask for it and the scenario has test sets.
     */
    public EvaluationResult withReference(Scenario scenario, Options options, EvaluationResult result) {
        boolean tested = scenario.tasks().stream().noneMatch(t -> t.test().isEmpty());
        if (!options.reference() || !tested || options.strategy() == Strategy.INDEPENDENT
                || options.strategy() == Strategy.JOINT || result.matrix() == null) {
            return result;
        }
        Options ref = options.withStrategy(Strategy.INDEPENDENT).withReference(false);
        Map<String, String> refSettings = settings(scenario, Strategy.INDEPENDENT, options.seed(), options.overrides());
        EvaluationResult r = runOnce(scenario, ref, refSettings, config(refSettings), 0, Progress.NONE, null);
        return result.withTransfer(transfer(result, r));
    }

    /** One run; {@code baselines} (nullable) are fed every training example in the order the learner is. */
    private EvaluationResult runOnce(Scenario scenario, Options options, Map<String, String> settings,
            LearnerConfig config, int shots, Progress progress, BaselineFigures baselines) {
        EvaluationResult.ConfigInfo info = new EvaluationResult.ConfigInfo(config.digest(), settings);
        if (options.strategy() == Strategy.JOINT) {
            Protocol protocol = jointProtocol(scenario);
            Outcomes out = runJoint(scenario, options, config, protocol, progress);
            return Figures.compute(run(scenario, options, config, info, protocol), out);
        }
        Protocol protocol = Protocol.of(scenario, shots, options.evalEvery());
        Outcomes out = runStream(scenario, options, config, protocol, progress, baselines);
        EvaluationResult r = Figures.compute(run(scenario, options, config, info, protocol), out);
        return baselines == null ? r : r.withBaselines(baselines.baselines(out), baselines.coldStart(out));
    }

    private static Figures.Run run(Scenario scenario, Options options, LearnerConfig config,
            EvaluationResult.ConfigInfo info, Protocol protocol) {
        return new Figures.Run(scenario, options.strategy(), "in-process", options.seed(), config, info, protocol,
                options.window(), options.driftMaxDelay());
    }

    /**
     * Follows the protocol through one learner (or one per task for {@link Strategy#INDEPENDENT}), handing each
     * training example, right after the learner, to the baselines (when given) in the same order.
     */
    private Outcomes runStream(Scenario scenario, Options options, LearnerConfig config, Protocol protocol,
            Progress progress, BaselineFigures baselines) {
        Outcomes out = new Outcomes(scenario, protocol, config, options.strategy());
        Learners learners = new Learners(config, options.strategy(), out);
        Strategy strategy = options.strategy();
        List<Scenario.TaskData> tasks = scenario.tasks();
        long total = scenario.trainSize() + protocol.testScorings(scenario);
        long done = 0;
        long reported = 0;
        long ts = 0;
        long start = System.nanoTime();
        for (Protocol.Step step : protocol.steps()) {
            if (step instanceof Protocol.Train tr) {
                Instance in = tasks.get(tr.task()).train().get(tr.index());
                Instance li = new Instance(strategy.learnerTask(in.task()), in.x(), in.target(), in.id(), ts++);
                out.train[tr.task()][tr.index()] = learners.of(tr.task()).observe(li).output();
                if (baselines != null) {
                    baselines.observe(tr.task(), tr.index(), in);
                }
                done++;
            } else if (step instanceof Protocol.Checkpoint c) {
                if (c.flush()) {
                    learners.flush(ts);
                }
                for (int t : c.scored()) {
                    List<Instance> test = relabel(tasks.get(t).test(), strategy);
                    out.testSet(c.id(), t, score(learners.of(t), test, options.scoring()));
                    done += test.size();
                }
            }
            if (done - reported >= 1000) {
                progress.update(done, total);
                reported = done;
            }
        }
        learners.flush(ts);
        // The run's own time: the baselines' is reported apart.
        out.seconds = (System.nanoTime() - start) / 1e9 - (baselines == null ? 0 : baselines.seconds());
        progress.update(total, total);
        return out;
    }

    /** Offline joint training: every task's examples shuffled together, {@link #JOINT_EPOCHS} epochs. */
    private Outcomes runJoint(Scenario scenario, Options options, LearnerConfig config, Protocol protocol,
            Progress progress) {
        Outcomes out = new Outcomes(scenario, protocol, config, Strategy.JOINT);
        Learners learners = new Learners(config, Strategy.JOINT, out);
        List<Scenario.TaskData> tasks = scenario.tasks();
        long total = scenario.trainSize() * JOINT_EPOCHS + protocol.testScorings(scenario);
        long done = 0;
        long start = System.nanoTime();
        Protocol.Checkpoint baseline = protocol.checkpoints().get(0);
        for (int t : baseline.scored()) {
            out.testSet(0, t, score(learners.of(t), tasks.get(t).test(), options.scoring()));
            done += tasks.get(t).test().size();
        }
        List<Instance> all = new ArrayList<>();
        tasks.forEach(t -> all.addAll(t.train()));
        long ts = 0;
        for (int e = 0; e < JOINT_EPOCHS; e++) {
            List<Instance> order = new ArrayList<>(all);
            Collections.shuffle(order, new Random(Seeds.mix(options.seed(), e)));
            for (Instance in : order) {
                learners.of(0).observe(new Instance(in.task(), in.x(), in.target(), in.id(), ts++));
                if (++done % 1000 == 0) {
                    progress.update(done, total);
                }
            }
        }
        learners.flush(ts);
        Protocol.Checkpoint last = protocol.checkpoints().get(1);
        for (int t : last.scored()) {
            out.testSet(1, t, score(learners.of(t), tasks.get(t).test(), options.scoring()));
        }
        out.seconds = (System.nanoTime() - start) / 1e9;
        progress.update(total, total);
        return out;
    }

    /** Joint training's protocol: the untrained row and the final one. */
    static Protocol jointProtocol(Scenario scenario) {
        List<Integer> all = new ArrayList<>();
        for (int t = 0; t < scenario.tasks().size(); t++) {
            if (!scenario.tasks().get(t).test().isEmpty()) {
                all.add(t);
            }
        }
        Protocol.Checkpoint b = new Protocol.Checkpoint(0, Protocol.Kind.BASELINE, -1, 0, false, all);
        Protocol.Checkpoint f = new Protocol.Checkpoint(1, Protocol.Kind.TASK_END, scenario.tasks().size() - 1,
                scenario.trainSize() * JOINT_EPOCHS, true, all);
        return new Protocol(List.of(b, f), List.of(b, f));
    }

    private static List<Instance> relabel(List<Instance> test, Strategy strategy) {
        if (strategy != Strategy.NAIVE) {
            return test;
        }
        List<Instance> out = new ArrayList<>(test.size());
        for (Instance in : test) {
            out.add(new Instance(strategy.learnerTask(in.task()), in.x(), in.target(), in.id(), in.timestamp()));
        }
        return out;
    }

    /** Scores a test set without learning; chunks bound the batch path's matrices. */
    private static float[][] score(StreamingLearner learner, List<Instance> test, Scoring scoring) {
        float[][] out = new float[test.size()][];
        if (scoring == Scoring.SINGLE) {
            for (int i = 0; i < out.length; i++) {
                out[i] = learner.score(test.get(i)).output();
            }
            return out;
        }
        int chunk = 1024;
        for (int from = 0; from < out.length; from += chunk) {
            int to = Math.min(out.length, from + chunk);
            float[][] part = learner.scoreBatch(test.subList(from, to));
            System.arraycopy(part, 0, out, from, part.length);
        }
        return out;
    }

    /**
     * Multi-task gain and negative transfer on the final test figures ({@link TransferComparison}): the figures are
     * compared as they are for accuracy and as -MSE for regression, so a positive gain or delta always means this run
     * is better than the independent models; the per-task values are reported in the run's metric.
     */
    static EvaluationResult.Transfer transfer(EvaluationResult model, EvaluationResult reference) {
        double[] m = model.matrix()[model.matrix().length - 1];
        double[] r = reference.matrix()[reference.matrix().length - 1];
        double sign = "mse".equals(model.metric()) ? -1 : 1;
        Map<String, Double> mine = new LinkedHashMap<>();
        Map<String, Double> theirs = new LinkedHashMap<>();
        for (int j = 0; j < m.length; j++) {
            mine.put(model.tasks().get(j), sign * m[j]);
            theirs.put(model.tasks().get(j), sign * r[j]);
        }
        TransferComparison c = TransferComparison.of(mine, theirs);
        List<EvaluationResult.TaskTransfer> negative = c.negativeTransfer().stream()
                .map(t -> new EvaluationResult.TaskTransfer(t.task(), sign * t.model(), sign * t.independent(),
                        t.delta()))
                .toList();
        return new EvaluationResult.Transfer(Strategy.INDEPENDENT.cliName(), r.clone(), c.gain(), negative);
    }

    /** The learner(s) of a run: one, or one per task for {@link Strategy#INDEPENDENT}. */
    private static final class Learners {
        private final LearnerConfig config;
        private final boolean perTask;
        private final LearnerEvents events;
        private final Map<Integer, StreamingLearner> byTask = new HashMap<>();
        private StreamingLearner single;

        Learners(LearnerConfig config, Strategy strategy, Outcomes out) {
            this.config = config;
            this.perTask = strategy == Strategy.INDEPENDENT;
            this.events = new LearnerEvents() {
                @Override
                public void drift(DriftEvent e) {
                    out.detections.add(new Outcomes.Detection(e.task(), e.position()));
                }

                @Override
                public void domainShift(ShiftEvent e) {
                    // The monitor over all tasks has no shift points of its own to be matched against.
                    if (!e.task().equals(ShiftConfig.ALL_TASKS)) {
                        out.shiftDetections.add(new Outcomes.Detection(e.task(), e.report().position()));
                    }
                }

                @Override
                public void metrics(TaskMetrics m) {}

                @Override
                public void taskSnapshot(TaskSnapshot s) {}
            };
        }

        StreamingLearner of(int task) {
            if (!perTask) {
                if (single == null) {
                    single = new StreamingLearner(config, new InMemoryLearnerStore(), "evaluate", events);
                }
                return single;
            }
            return byTask.computeIfAbsent(task, t -> new StreamingLearner(config, new InMemoryLearnerStore(),
                    "evaluate-" + t, events));
        }

        void flush(long now) {
            if (single != null) {
                single.learnPending(now);
            }
            byTask.values().forEach(l -> l.learnPending(now));
        }
    }
}
