package dev.metastream.evaluation;

import dev.metastream.data.Scenario;
import dev.metastream.eval.AccuracyMatrix;
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
    static final int[] EFFICIENCY_K = {10, 100};
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
        boolean regression = spec.kind() == TaskKind.REGRESSION;
        List<String> ids = tasks.stream().map(Scenario.TaskData::task).toList();

        // Test figures per checkpoint and task.
        Double[][] figure = new Double[run.protocol().checkpoints().size()][n];
        for (Protocol.Checkpoint c : run.protocol().checkpoints()) {
            for (int t : c.scored()) {
                figure[c.id()][t] = mean(scores(run, tasks.get(t).task(), tasks.get(t).test(), out.tests[c.id()][t]));
            }
        }
        boolean allTested = tasks.stream().noneMatch(t -> t.test().isEmpty());
        double[] baseline = null;
        List<double[]> rows = new ArrayList<>();
        List<EvaluationResult.Point> anytime = new ArrayList<>();
        Double[] fewShot = new Double[n];
        for (Protocol.Checkpoint c : run.protocol().checkpoints()) {
            switch (c.kind()) {
                case BASELINE -> baseline = allTested ? row(figure[c.id()]) : null;
                case TASK_END -> {
                    if (allTested) {
                        rows.add(row(figure[c.id()]));
                    }
                    anytime.add(new EvaluationResult.Point(c.examples(), seenMean(figure[c.id()], c.task())));
                }
                case ANYTIME -> anytime.add(new EvaluationResult.Point(c.examples(), seenMean(figure[c.id()], c.task())));
                case SHOT -> fewShot[c.task()] = figure[c.id()][c.task()];
            }
        }
        anytime.removeIf(p -> Double.isNaN(p.value()));

        Double acc = null;
        Double bwt = null;
        Double fwt = null;
        Double forgetting = null;
        double[][] matrix = null;
        double[] forgettingPerTask = null;
        boolean joint = run.strategy() == Strategy.JOINT;
        if (allTested && baseline != null && !rows.isEmpty()) {
            matrix = rows.toArray(new double[0][]);
            if (joint) {
                acc = Arrays.stream(matrix[matrix.length - 1]).average().orElse(Double.NaN);
            } else {
                // For MSE the transfer figures are read off -MSE, so their signs mean what they mean for accuracy
                // (BWT < 0 and forgetting > 0: earlier tasks got worse).
                double sign = regression ? -1 : 1;
                AccuracyMatrix r = new AccuracyMatrix(scaled(baseline, sign));
                for (int i = 0; i < matrix.length; i++) {
                    r.recordRow(i, scaled(matrix[i], sign));
                }
                acc = sign * r.acc();
                bwt = r.bwt();
                fwt = r.fwt();
                forgetting = r.forgetting();
                forgettingPerTask = r.forgettingPerTask();
            }
        }

        // Prequential figures over the training stream (not defined for offline joint training).
        EvaluationResult.Prequential prequential = null;
        double[][] trainScores = new double[n][];
        if (!joint) {
            List<Double> stream = new ArrayList<>();
            for (int t = 0; t < n; t++) {
                trainScores[t] = scores(run, tasks.get(t).task(), tasks.get(t).train(), out.train[t]);
                for (double s : trainScores[t]) {
                    stream.add(s);
                }
            }
            prequential = prequential(stream, run.window(), regression);
        }

        List<EvaluationResult.TaskFigures> perTask = new ArrayList<>();
        for (int t = 0; t < n; t++) {
            Scenario.TaskData td = tasks.get(t);
            Double fin = matrix == null ? null : matrix[matrix.length - 1][t];
            Double after = matrix == null || joint ? null : matrix[t][t];
            Double forg = forgettingPerTask != null && t < forgettingPerTask.length ? forgettingPerTask[t] : null;
            Double preq = joint ? null : mean(trainScores[t]);
            Long adapt = joint || regression ? null : adaptationTime(trainScores[t]);
            Map<String, Double> eff = new LinkedHashMap<>();
            if (!joint) {
                for (int k : EFFICIENCY_K) {
                    if (trainScores[t].length >= k) {
                        eff.put(String.valueOf(k), mean(Arrays.copyOf(trainScores[t], k)));
                    }
                }
            }
            perTask.add(new EvaluationResult.TaskFigures(td.task(), td.train().size(), td.test().size(), fin, after,
                    forg, preq, adapt, eff, fewShot[t]));
        }

        EvaluationResult.DriftReport drift = null;
        if (!sc.changePoints().isEmpty()) {
            List<Outcomes.Detection> dets = run.strategy() == Strategy.NAIVE ? perTaskPositions(sc, out.detections)
                    : out.detections;
            DriftMatching.Result m = DriftMatching.match(sc.changePoints(), dets, run.driftMaxDelay());
            drift = new EvaluationResult.DriftReport(run.driftMaxDelay(), sc.changePoints().size(), List.copyOf(dets),
                    m.found(), m.missed().size(), m.falseAlarms().size(), m.meanDelay());
        }

        Double anytimeMean = anytime.isEmpty() ? null
                : anytime.stream().mapToDouble(EvaluationResult.Point::value).average().orElse(Double.NaN);
        long examples = sc.trainSize() * (joint ? Evaluator.JOINT_EPOCHS : 1);
        return new EvaluationResult(run.strategy().cliName(), sc.name(), run.mode(), run.seed(),
                regression ? "mse" : "accuracy", run.configInfo(), ids, acc, bwt, fwt, forgetting, matrix, baseline,
                perTask, new EvaluationResult.Anytime(anytimeMean, anytime), null, null, prequential, drift, examples,
                run.protocol().testScorings(sc), out.seconds, out.seconds > 0 ? examples / out.seconds : 0);
    }

    /** Per-example scores of outputs against their examples' targets. */
    static double[] scores(Run run, String task, List<dev.metastream.learn.Instance> examples, float[][] outputs) {
        TaskSpec spec = run.config().taskSpec(run.strategy().learnerTask(task));
        double[] s = new double[examples.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = score(spec.kind(), outputs[i], examples.get(i).target());
        }
        return s;
    }

    /** One example's score: 1/0 for the classification kinds, the squared error for regression. */
    static double score(TaskKind kind, float[] out, float[] target) {
        return switch (kind) {
            case CLASSIFICATION -> argmax(out) == argmax(target) ? 1 : 0;
            case BINARY -> (out[0] >= 0.5f) == (target[0] >= 0.5f) ? 1 : 0;
            case MULTILABEL -> {
                for (int i = 0; i < out.length; i++) {
                    if ((out[i] >= 0.5f) != (target[i] >= 0.5f)) {
                        yield 0;
                    }
                }
                yield 1;
            }
            case REGRESSION -> {
                double e = (double) out[0] - target[0];
                yield e * e;
            }
        };
    }

    private static int argmax(float[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) {
            if (a[i] > a[best]) {
                best = i;
            }
        }
        return best;
    }

    private static double[] scaled(double[] a, double k) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = k * a[i];
        }
        return out;
    }

    private static double mean(double[] s) {
        return s.length == 0 ? Double.NaN : Arrays.stream(s).average().orElse(Double.NaN);
    }

    private static double[] row(Double[] figures) {
        double[] r = new double[figures.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = figures[i] == null ? Double.NaN : figures[i];
        }
        return r;
    }

    /** Mean test figure over the tasks trained so far (0..task) that were scored. */
    private static double seenMean(Double[] figures, int task) {
        double s = 0;
        int k = 0;
        for (int j = 0; j <= task && j < figures.length; j++) {
            if (figures[j] != null) {
                s += figures[j];
                k++;
            }
        }
        return k == 0 ? Double.NaN : s / k;
    }

    private static EvaluationResult.Prequential prequential(List<Double> stream, int window, boolean regression) {
        int n = stream.size();
        int every = Math.max(1, n / CURVE_POINTS);
        List<EvaluationResult.CurvePoint> curve = new ArrayList<>();
        double sum = 0;
        double windowSum = 0;
        for (int i = 0; i < n; i++) {
            sum += stream.get(i);
            windowSum += stream.get(i);
            if (i >= window) {
                windowSum -= stream.get(i - window);
            }
            if ((i + 1) % every == 0 || i == n - 1) {
                curve.add(new EvaluationResult.CurvePoint(i + 1, sum / (i + 1), windowSum / Math.min(i + 1, window)));
            }
        }
        return new EvaluationResult.Prequential(regression ? "mse" : "accuracy", n == 0 ? Double.NaN : sum / n, window,
                curve);
    }

    /**
     * Examples until the trailing {@link #ADAPTATION_WINDOW}-example prequential accuracy first reaches
     * {@link #ADAPTATION_FRACTION} of its value over the task's last window; null when the task is shorter than two
     * windows. (A stand-in for {@code eval.AdaptationCurve} until it is merged.)
     */
    static Long adaptationTime(double[] s) {
        int w = ADAPTATION_WINDOW;
        if (s.length < 2 * w) {
            return null;
        }
        double fin = mean(Arrays.copyOfRange(s, s.length - w, s.length));
        double target = ADAPTATION_FRACTION * fin;
        double win = 0;
        for (int i = 0; i < s.length; i++) {
            win += s[i];
            if (i >= w) {
                win -= s[i - w];
            }
            if (i >= w - 1 && win / w >= target - 1e-12) {
                return (long) i + 1;
            }
        }
        return null;
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
