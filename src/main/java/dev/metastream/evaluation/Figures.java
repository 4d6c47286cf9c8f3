package dev.metastream.evaluation;

import dev.metastream.data.Scenario;
import dev.metastream.eval.AccuracyMatrix;
import dev.metastream.eval.AdaptationCurve;
import dev.metastream.eval.AnytimeAccuracy;
import dev.metastream.eval.HoldoutMetrics;
import dev.metastream.eval.PrequentialMetrics;
import dev.metastream.learn.Instance;
import dev.metastream.learn.LearnerConfig;
import dev.metastream.learn.TaskKind;
import dev.metastream.learn.TaskSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the {@link Outcomes} of a run into its {@link EvaluationResult}. Both runners (in process and through Kafka)
 * go through here, so the same outputs always give the same figures.
 *
 * <p>Scores per example: classification and binary, 1 when the predicted class (argmax, or probability at least 0.5)
 * is the label; multi-label, 1 when every label is right (subset accuracy); regression, the squared error. A test
 * figure is the mean score over the test set: accuracy, or MSE for regression.
 */
public final class Figures {
    /** Adaptation time: examples until the trailing-window prequential accuracy reaches this share of its final. */
    public static final double ADAPTATION_FRACTION = 0.9;
    /** Trailing window of the adaptation time (examples of the task). */
    public static final int ADAPTATION_WINDOW = 50;
    /** Efficiency: mean prequential accuracy over a task's first k examples, for these k. */
    static final int[] EFFICIENCY_K = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};
    /** Points of the prequential curve (about). */
    static final int CURVE_POINTS = 200;

    private Figures() {}

    /** What a run was, besides its outcomes. */
    record Run(Scenario scenario, Strategy strategy, String mode, long seed, LearnerConfig config,
            EvaluationResult.ConfigInfo configInfo, Protocol protocol, int window, long driftMaxDelay) {}

    /** Computes every figure of a run. */
    static EvaluationResult compute(Run run, Outcomes out) {
        Scenario sc = run.scenario();
        List<Scenario.TaskData> tasks = sc.tasks();
        int n = tasks.size();
        TaskSpec spec = run.config().taskSpec(run.strategy().learnerTask(tasks.get(0).task()));
        boolean regression = spec.kind().realValued();
        List<String> ids = tasks.stream().map(Scenario.TaskData::task).toList();

        // The test figures the task ends measured: every one on a full row (every row up to
        // Protocol.FULL_MATRIX_TASKS tasks), else R[i][i] and R[i][i+1] (Protocol#fullRow).
        boolean allTested = tasks.stream().noneMatch(t -> t.test().isEmpty());
        long tested = tasks.stream().filter(t -> !t.test().isEmpty()).count();
        double[] baseline = null;
        List<double[]> rows = new ArrayList<>();
        List<Integer> rowTasks = new ArrayList<>();
        double[] diagonal = new double[n];
        double[] before = new double[n];
        Arrays.fill(diagonal, Double.NaN);
        Arrays.fill(before, Double.NaN);
        AnytimeAccuracy anytime = new AnytimeAccuracy();
        Double[] fewShot = new Double[n];
        int finalCheckpoint = -1;
        for (Protocol.Checkpoint c : run.protocol().checkpoints()) {
            switch (c.kind()) {
                case BASELINE -> baseline = allTested ? row(out, c.id(), n) : null;
                case TASK_END -> {
                    boolean full = c.scored().size() == tested;
                    if (allTested) {
                        diagonal[c.task()] = value(out.figure(c.id(), c.task()));
                        if (c.task() + 1 < n) {
                            before[c.task() + 1] = value(out.figure(c.id(), c.task() + 1));
                        }
                        if (full) {
                            rows.add(row(out, c.id(), n));
                            rowTasks.add(c.task());
                        }
                    }
                    // A partial row's mean would be one task's figure, not the mean over the tasks seen so far.
                    if (full) {
                        recordAnytime(anytime, c, out);
                    }
                    finalCheckpoint = c.id();
                }
                case ANYTIME -> recordAnytime(anytime, c, out);
                case SHOT -> fewShot[c.task()] = out.figure(c.id(), c.task());
            }
        }

        boolean joint = run.strategy() == Strategy.JOINT;
        MatrixFigures mf = allTested && baseline != null && !rows.isEmpty()
                ? matrixFigures(regression, joint, baseline, rows, rowTasks, diagonal, before) : MatrixFigures.NONE;
        double[][] matrix = mf.matrix();

        // Prequential figures over the training stream (not defined for offline joint training): the whole stream's
        // curve, and per task the detailed metrics and the early learning curve.
        PrequentialMetrics.Kind kind = spec.kind().metricsKind();
        EvaluationResult.Prequential prequential = null;
        PrequentialMetrics[] taskMetrics = new PrequentialMetrics[n];
        AdaptationCurve[] curves = new AdaptationCurve[n];
        // Tasks of different kinds (per-task task.kind overrides) have no common stream figure: the curve is then null.
        boolean oneKind = ids.stream().allMatch(id -> taskSpec(run, id).kind() == spec.kind());
        if (!joint) {
            PrequentialMetrics stream = new PrequentialMetrics(kind, run.window());
            long total = sc.trainSize();
            long every = Math.max(1, total / CURVE_POINTS);
            String main = spec.kind().matrixMetric();
            List<EvaluationResult.CurvePoint> curve = new ArrayList<>();
            TaskSpec[] specs = new TaskSpec[n];
            for (int t = 0; t < n; t++) {
                specs[t] = taskSpec(run, ids.get(t));
                taskMetrics[t] = PrequentialMetrics.detailed(specs[t].kind().metricsKind(), run.window(),
                        specs[t].outputs());
                curves[t] = new AdaptationCurve(Math.max(1, tasks.get(t).train().size()));
            }
            // In the order the examples were fed (task after task, or the scenario's interleaved order).
            for (Scenario.Position p : sc.trainOrder()) {
                int t = p.task();
                float[] o = out.train[t][p.index()];
                float[] y = tasks.get(t).train().get(p.index()).target();
                specs[t].kind().observe(taskMetrics[t], y, o);
                curves[t].update(specs[t].kind().score(y, o));
                if (oneKind) {
                    spec.kind().observe(stream, y, o); // one kind: every task's is spec's
                    long seen = stream.count();
                    if (seen % every == 0 || seen == total) {
                        Map<String, Double> v = stream.snapshot();
                        curve.add(new EvaluationResult.CurvePoint(seen, v.get(main), v.get(main + "_window")));
                    }
                }
            }
            if (oneKind) {
                prequential = new EvaluationResult.Prequential(regression ? "mse" : "accuracy",
                        total == 0 ? Double.NaN : stream.snapshot().get(main), run.window(), curve);
            }
        }

        List<EvaluationResult.TaskFigures> perTask = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            Scenario.TaskData td = tasks.get(t);
            Double fin = matrix == null ? null : matrix[matrix.length - 1][t];
            Double after = mf.justAfter() == null ? null : mf.justAfter()[t];
            double[] forgettingPerTask = mf.forgettingPerTask();
            Double forg = forgettingPerTask != null && t < forgettingPerTask.length ? forgettingPerTask[t] : null;
            Double preq = null;
            Map<String, Double> preqMetrics = null;
            Long adapt = null;
            Map<String, Double> eff = new LinkedHashMap<>();
            if (!joint) {
                preqMetrics = finite(taskMetrics[t].snapshot());
                TaskKind tk = taskSpec(run, td.task()).kind();
                preq = td.train().isEmpty() ? Double.NaN : taskMetrics[t].snapshot().get(tk.matrixMetric());
                adapt = tk.realValued() ? null : adaptationTime(curves[t]);
                for (int k : EFFICIENCY_K) {
                    if (curves[t].count() >= k) {
                        eff.put(String.valueOf(k), curves[t].efficiency(k));
                    }
                }
            }
            EvaluationResult.TestFigures test = td.test().isEmpty() || finalCheckpoint < 0
                    || out.finalOutputs(t) == null ? null
                    : testFigures(taskSpec(run, td.task()), td.test(), out.finalOutputs(t));
            perTask.add(new EvaluationResult.TaskFigures(td.task(), td.train().size(), td.test().size(), fin, after,
                    forg, preq, adapt, eff, fewShot[t], test, preqMetrics));
        }

        EvaluationResult.DriftReport drift = null;
        boolean monitored = run.config().shift().enabled();
        // With the monitor on there is always a report: a stream with no change points still shows its false alarms.
        if (monitored || !sc.changePoints().isEmpty() || !out.detections.isEmpty()) {
            List<Outcomes.Detection> dets = run.strategy() == Strategy.NAIVE ? perTaskPositions(sc, out.detections)
                    : out.detections;
            // The label-free monitor against the points where the inputs move (a generator's shift-every); with no
            // such points every detection is a false alarm, which is what a stream without shifts should show: none.
            EvaluationResult.DriftReport input = null;
            if (monitored) {
                List<Outcomes.Detection> shifts = run.strategy() == Strategy.NAIVE
                        ? perTaskPositions(sc, out.shiftDetections) : out.shiftDetections;
                input = report(sc.shiftPoints(), shifts, run.driftMaxDelay(), null);
            }
            drift = report(sc.changePoints(), dets, run.driftMaxDelay(), input);
        }

        Double anytimeMean = anytime.count() == 0 ? null : anytime.mean();
        List<EvaluationResult.Point> anytimeCurve = anytime.curve().stream()
                .map(p -> new EvaluationResult.Point(p.examplesSeen(), p.mean())).toList();
        long examples = sc.trainSize() * (joint ? Evaluator.JOINT_EPOCHS : 1);
        return new EvaluationResult(run.strategy().cliName(), sc.name(), run.mode(), run.seed(),
                regression ? "mse" : "accuracy", run.configInfo(), ids, mf.acc(), mf.bwt(), mf.fwt(), mf.forgetting(),
                matrix, mf.rows(), baseline, perTask, new EvaluationResult.Anytime(anytimeMean, anytimeCurve), null, null, prequential, drift,
                examples, run.protocol().testScorings(sc), out.seconds, out.seconds > 0 ? examples / out.seconds : 0,
                null, null);
    }

    /**
     * The accuracy-matrix figures.
     *
     * @param rows              the rows of {@code matrix}'s tasks, null when it is the whole R
     * @param justAfter         {@code R[j][j]} (null for joint training)
     * @param forgettingPerTask per task but the last
     */
    private record MatrixFigures(Double acc, Double bwt, Double fwt, Double forgetting, double[][] matrix, int[] rows,
            double[] justAfter, double[] forgettingPerTask) {
        static final MatrixFigures NONE = new MatrixFigures(null, null, null, null, null, null, null, null);
    }

    /**
     * ACC, BWT, FWT and forgetting: from the whole matrix ({@link AccuracyMatrix}) when every task end scored every
     * task, else from the entries measured ({@link SampledMatrix}); joint training has only ACC. For MSE the transfer
     * figures are read off -MSE, so their signs mean what they mean for accuracy (BWT < 0 and forgetting > 0: earlier
     * tasks got worse).
     */
    private static MatrixFigures matrixFigures(boolean regression, boolean joint, double[] baseline,
            List<double[]> rows, List<Integer> rowTasks, double[] diagonal, double[] before) {
        double[][] matrix = rows.toArray(new double[0][]);
        int n = baseline.length;
        if (joint) {
            return new MatrixFigures(Arrays.stream(matrix[matrix.length - 1]).average().orElse(Double.NaN), null,
                    null, null, matrix, new int[] {n - 1}, null, null);
        }
        double sign = regression ? -1 : 1;
        if (matrix.length == n) {
            AccuracyMatrix r = new AccuracyMatrix(scaled(baseline, sign));
            for (int i = 0; i < matrix.length; i++) {
                r.recordRow(i, scaled(matrix[i], sign));
            }
            return new MatrixFigures(sign * r.acc(), r.bwt(), r.fwt(), r.forgetting(), matrix, null, diagonal,
                    r.forgettingPerTask());
        }
        double[][] signed = new double[matrix.length][];
        for (int i = 0; i < matrix.length; i++) {
            signed[i] = scaled(matrix[i], sign);
        }
        int[] measured = rowTasks.stream().mapToInt(Integer::intValue).toArray();
        SampledMatrix r = new SampledMatrix(scaled(baseline, sign), scaled(diagonal, sign), scaled(before, sign),
                signed, measured);
        return new MatrixFigures(sign * r.acc(), r.bwt(), r.fwt(), r.forgetting(), matrix, measured, diagonal,
                r.forgettingPerTask());
    }

    private static EvaluationResult.DriftReport report(List<Scenario.ChangePoint> points,
            List<Outcomes.Detection> dets, long maxDelay, EvaluationResult.DriftReport input) {
        DriftMatching.Result m = DriftMatching.match(points, dets, maxDelay);
        return new EvaluationResult.DriftReport(maxDelay, points.size(), List.copyOf(dets), m.found(),
                m.missed().size(), m.falseAlarms().size(), m.meanDelay(), input);
    }

    private static TaskSpec taskSpec(Run run, String task) {
        return run.config().taskSpec(run.strategy().learnerTask(task));
    }

    private static double[] scaled(double[] a, double k) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = k * a[i];
        }
        return out;
    }

    private static double value(Double figure) {
        return figure == null ? Double.NaN : figure;
    }

    /** A checkpoint's test figure on every task (NaN where not scored). */
    private static double[] row(Outcomes out, int checkpoint, int n) {
        double[] r = new double[n];
        for (int j = 0; j < n; j++) {
            r[j] = value(out.figure(checkpoint, j));
        }
        return r;
    }

    /** An anytime-accuracy sample: the test figures of the tasks trained so far (0..task) that were scored. */
    private static void recordAnytime(AnytimeAccuracy anytime, Protocol.Checkpoint c, Outcomes out) {
        List<Double> seen = new ArrayList<>();
        // An anytime checkpoint scores exactly the tasks seen so far; a task end scores all, of which 0..task count.
        for (int j : c.scored()) {
            Double f = out.figure(c.id(), j);
            if ((c.kind() == Protocol.Kind.ANYTIME || j <= c.task()) && f != null && !f.isNaN()) {
                seen.add(f);
            }
        }
        if (!seen.isEmpty()) {
            anytime.record(c.examples(), seen.stream().mapToDouble(Double::doubleValue).toArray());
        }
    }

    /**
     * Examples until the trailing {@link #ADAPTATION_WINDOW}-example prequential accuracy first reaches
     * {@link #ADAPTATION_FRACTION} of its value over the task's last window ({@link AdaptationCurve#adaptationTime});
     * null when the task is shorter than two windows or never gets there.
     */
    static Long adaptationTime(AdaptationCurve c) {
        int w = ADAPTATION_WINDOW;
        if (c.count() < 2L * w) {
            return null;
        }
        // The curve keeps the whole task (horizon = its length), so the last window is its last w scores.
        double fin = c.windowMean((int) c.count(), w);
        int n = c.adaptationTime(ADAPTATION_FRACTION, fin, w);
        return n < 0 ? null : (long) n;
    }

    /** The test-set figures of one task: every figure of its kind ({@link HoldoutMetrics}). */
    static EvaluationResult.TestFigures testFigures(TaskSpec spec, List<Instance> test, float[][] outputs) {
        HoldoutMetrics h = new HoldoutMetrics(spec.kind().metricsKind(), spec.outputs());
        for (int i = 0; i < outputs.length; i++) {
            spec.kind().addHoldout(h, test.get(i).target(), outputs[i]);
        }
        List<EvaluationResult.ClassFigures> perClass = new ArrayList<>();
        for (HoldoutMetrics.ClassFigures c : h.perClass()) {
            String name = c.label() < spec.classNames().size() ? spec.classNames().get(c.label()) : null;
            perClass.add(new EvaluationResult.ClassFigures(c.label(), name, c.support(), c.predicted(), c.precision(),
                    c.recall(), c.f1()));
        }
        return new EvaluationResult.TestFigures("final", outputs.length, finite(h.values()), perClass);
    }

    /** A copy with every value that is not finite as null (JSON has no NaN). */
    private static Map<String, Double> finite(Map<String, Double> m) {
        Map<String, Double> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v == null || !Double.isFinite(v) ? null : v));
        return out;
    }

    /**
     * Under {@link Strategy#NAIVE} every task is one learner task, so detections count positions over the whole
     * stream; this maps them back to (task, position within that task).
     */
    private static List<Outcomes.Detection> perTaskPositions(Scenario sc, List<Outcomes.Detection> dets) {
        List<Outcomes.Detection> mapped = new ArrayList<>();
        for (Outcomes.Detection d : dets) {
            long index = d.position() - 1;
            for (Scenario.TaskData t : sc.tasks()) {
                if (index < t.train().size()) {
                    mapped.add(new Outcomes.Detection(t.task(), index + 1));
                    break;
                }
                index -= t.train().size();
            }
        }
        return mapped;
    }
}
