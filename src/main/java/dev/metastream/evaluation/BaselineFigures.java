package dev.metastream.evaluation;

import dev.metastream.baselines.Baseline;
import dev.metastream.baselines.Baselines;
import dev.metastream.data.Scenario;
import dev.metastream.eval.PrequentialMetrics;
import dev.metastream.learn.Instance;
import dev.metastream.learn.LearnerConfig;
import dev.metastream.learn.TaskKind;
import dev.metastream.learn.TaskSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores the {@link Baselines} on a run's training stream: the {@link Evaluator} hands every training example, in the
 * order it feeds the learner, to {@link #observe}, which asks each baseline for its prediction and then lets it learn
 * (test-then-train, as the learner). At the end {@link #baselines} computes each baseline's figures and the run's own
 * from its prequential outcomes with the same metrics ({@link PrequentialMetrics}, fed as {@link Figures} feeds them),
 * so the margins compare like with like.
 *
 * <p>Headline figures: classification and binary, accuracy (and Cohen's kappa); regression, RMSE (and MAE), over the
 * whole training stream. Cold start (the first {@code --shots} examples of each task, {@link #COLD_START_EVENTS} when
 * none is given; regression with several tasks): the RMSE pooled over those examples.
 */
final class BaselineFigures {
    /** Examples at the start of each task that the cold-start figure pools when the run asks for no other number. */
    static final int COLD_START_EVENTS = 10;
    private final int coldEvents;

    private final Scenario scenario;
    private final TaskKind kind;
    private final int outputs;
    private final int window;
    private final List<Baseline> baselines;
    private final PrequentialMetrics[] metrics;
    private final double[] coldSquares;
    private long coldCount;
    private long nanos;

    private BaselineFigures(Scenario scenario, TaskKind kind, int outputs, int window, int coldEvents) {
        this.scenario = scenario;
        this.coldEvents = coldEvents;
        this.kind = kind;
        this.outputs = outputs;
        this.window = window;
        this.baselines = Baselines.forKind(kind, outputs, scenario.hasItems());
        this.metrics = new PrequentialMetrics[baselines.size()];
        for (int b = 0; b < metrics.length; b++) {
            metrics[b] = newMetrics();
        }
        this.coldSquares = new double[baselines.size()];
    }

    /**
     * Baselines for a run, or null when there are none: joint training (no prequential stream), multi-label tasks, or
     * tasks of mixed kinds (their figures do not pool).
     */
    static BaselineFigures of(Scenario scenario, LearnerConfig config, Strategy strategy, int window, int coldEvents) {
        if (strategy == Strategy.JOINT || scenario.tasks().isEmpty()) {
            return null;
        }
        TaskSpec spec = config.taskSpec(strategy.learnerTask(scenario.tasks().get(0).task()));
        boolean oneKind = scenario.tasks().stream()
                .allMatch(t -> config.taskSpec(strategy.learnerTask(t.task())).kind() == spec.kind());
        if (!oneKind || !Baselines.supports(spec.kind())) {
            return null;
        }
        return new BaselineFigures(scenario, spec.kind(), spec.outputs(), window, coldEvents);
    }

    /** Every baseline predicts training example {@code index} of task {@code task}, then learns it. */
    void observe(int task, int index, Instance in) {
        long start = System.nanoTime();
        String item = scenario.item(task, index);
        boolean cold = index < coldEvents;
        for (int b = 0; b < baselines.size(); b++) {
            Baseline baseline = baselines.get(b);
            float[] p = baseline.predictOne(in, item);
            kind.observe(metrics[b], in.target(), p);
            if (cold) {
                double e = (double) p[0] - in.target()[0];
                coldSquares[b] += e * e;
            }
            baseline.learnOne(in, item);
        }
        coldCount += cold ? 1 : 0;
        nanos += System.nanoTime() - start;
    }

    /** Wall-clock seconds spent in the baselines so far. */
    double seconds() {
        return nanos / 1e9;
    }

    /** The baselines' figures against the run's, from the run's prequential outcomes. */
    EvaluationResult.Baselines baselines(Outcomes out) {
        String headline = kind.headlineMetric();
        double sign = kind.realValued() ? -1 : 1; // higher sign * figure = better: a real-valued kind's is an error
        Map<String, Map<String, Double>> figures = new LinkedHashMap<>();
        String best = null;
        double bestValue = Double.NaN;
        for (int b = 0; b < baselines.size(); b++) {
            Map<String, Double> f = figures(metrics[b]);
            String name = baselines.get(b).name();
            figures.put(name, f);
            Double v = f.get(headline);
            if (!name.equals(Baselines.LINEAR) && v != null && (best == null || sign * v > sign * bestValue)) {
                best = name;
                bestValue = v;
            }
        }
        PrequentialMetrics product = newMetrics();
        for (Scenario.Position p : scenario.trainOrder()) {
            float[] o = out.train[p.task()][p.index()];
            if (o != null) {
                kind.observe(product, scenario.tasks().get(p.task()).train().get(p.index()).target(), o);
            }
        }
        Map<String, Double> mine = figures(product);
        Double own = mine.get(headline);
        Double linear = figures.containsKey(Baselines.LINEAR) ? figures.get(Baselines.LINEAR).get(headline) : null;
        return new EvaluationResult.Baselines(headline, figures, best, mine,
                margin(own, best == null ? null : bestValue, sign), margin(own, linear, sign), seconds());
    }

    /** The cold-start figures (regression with several tasks), or null. */
    EvaluationResult.ColdStart coldStart(Outcomes out) {
        if (!kind.realValued() || scenario.tasks().size() < 2 || coldCount == 0) {
            return null;
        }
        double product = 0;
        long n = 0;
        for (int t = 0; t < scenario.tasks().size(); t++) {
            List<Instance> train = scenario.tasks().get(t).train();
            for (int i = 0; i < Math.min(coldEvents, train.size()); i++) {
                double e = (double) out.train[t][i][0] - train.get(i).target()[0];
                product += e * e;
                n++;
            }
        }
        Map<String, Double> theirs = new LinkedHashMap<>();
        for (int b = 0; b < baselines.size(); b++) {
            theirs.put(baselines.get(b).name(), Math.sqrt(coldSquares[b] / coldCount));
        }
        return new EvaluationResult.ColdStart(coldEvents, n, Math.sqrt(product / n), theirs);
    }

    private PrequentialMetrics newMetrics() {
        return PrequentialMetrics.detailed(kind.metricsKind(), window, outputs);
    }

    private Map<String, Double> figures(PrequentialMetrics m) {
        Map<String, Double> s = m.snapshot();
        Map<String, Double> f = new LinkedHashMap<>();
        List<String> keys = kind.baselineFigures();
        for (String k : keys) {
            Double v = s.get(k);
            f.put(k, v == null || !Double.isFinite(v) ? null : v);
        }
        return f;
    }

    private static Double margin(Double product, Double baseline, double sign) {
        return product == null || baseline == null ? null : sign * (product - baseline);
    }
}
