package dev.metastream.evaluation;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;
import java.util.Map;

/**
 * Every figure of one {@code bin/metastream evaluate} run. The command writes it as JSON (snake_case field names, see
 * {@code docs/evaluation.md}); a figure that is not defined for the run (BWT of joint training, the matrix of a
 * stream without test sets) is null.
 *
 * @param strategy          {@code --strategy} name
 * @param scenario          the scenario's name
 * @param mode              {@code in-process} or {@code through-kafka}
 * @param seed              the seed of the scenario and of the learner
 * @param metric            what the matrix holds: {@code accuracy} (higher is better) or {@code mse} (regression,
 *                          lower is better; BWT, FWT and forgetting are then computed on -MSE, so their signs mean
 *                          what they mean for accuracy)
 * @param config            the effective learner settings the run changed from the defaults, and their digest
 * @param tasks             task ids in training order
 * @param acc               mean final test figure over all tasks
 * @param bwt               backward transfer
 * @param fwt               forward transfer
 * @param forgetting        mean forgetting (beyond {@link Protocol#FULL_MATRIX_TASKS} tasks over the rows measured,
 *                          a lower bound: {@link SampledMatrix})
 * @param matrix            {@code R[i][j]}: test figure on task j after training task i; only the rows measured in
 *                          full when {@code matrixRows} is not null
 * @param matrixRows        the task each row of {@code matrix} follows, or null when {@code matrix} is the whole R
 *                          (row i after task i); joint training's one row, and beyond
 *                          {@link Protocol#FULL_MATRIX_TASKS} tasks the {@link Protocol#MATRIX_ROWS} rows
 *                          scored in full
 * @param baseline          {@code b[j]}: test figure of the untrained model
 * @param perTask           per-task figures
 * @param anytime           the anytime-accuracy curve
 * @param adaptation        few-shot adaptation against learning from scratch (null when not measured)
 * @param transfer          multi-task gain and negative transfer against independent models (null when not run)
 * @param prequential       test-then-train figures over the training stream
 * @param drift             drift detections against the true change points (null when the stream has none)
 * @param examples          training examples fed
 * @param testScorings      test examples scored over all checkpoints
 * @param seconds           wall-clock seconds of the run (the reference run excluded)
 * @param examplesPerSecond training examples per second
 * @param baselines         the trivial and linear baselines on the same prequential stream, against the run's figure
 *                          (null when not computed: joint, through Kafka, multi-label or mixed kinds)
 * @param coldStart         new tasks' (users') error over their first examples, the run's and the baselines'
 *                          (regression streams of several tasks; null otherwise)
 */
public record EvaluationResult(String strategy, String scenario, String mode, long seed, String metric,
        ConfigInfo config, List<String> tasks, Double acc, Double bwt, Double fwt, Double forgetting,
        double[][] matrix, int[] matrixRows, double[] baseline, List<TaskFigures> perTask, Anytime anytime,
        Adaptation adaptation, Transfer transfer, Prequential prequential, DriftReport drift, long examples,
        long testScorings, double seconds, double examplesPerSecond, Baselines baselines, ColdStart coldStart) {

    /** Without baselines, with the whole matrix (or none). */
    public EvaluationResult(String strategy, String scenario, String mode, long seed, String metric,
            ConfigInfo config, List<String> tasks, Double acc, Double bwt, Double fwt, Double forgetting,
            double[][] matrix, double[] baseline, List<TaskFigures> perTask, Anytime anytime, Adaptation adaptation,
            Transfer transfer, Prequential prequential, DriftReport drift, long examples, long testScorings,
            double seconds, double examplesPerSecond) {
        this(strategy, scenario, mode, seed, metric, config, tasks, acc, bwt, fwt, forgetting, matrix, null,
                baseline, perTask, anytime, adaptation, transfer, prequential, drift, examples, testScorings, seconds,
                examplesPerSecond, null, null);
    }

    /** A copy with the transfer figures set. */
    public EvaluationResult withTransfer(Transfer t) {
        return new EvaluationResult(strategy, scenario, mode, seed, metric, config, tasks, acc, bwt, fwt, forgetting,
                matrix, matrixRows, baseline, perTask, anytime, adaptation, t, prequential, drift, examples,
                testScorings, seconds, examplesPerSecond, baselines, coldStart);
    }

    /** A copy with the adaptation figures set. */
    public EvaluationResult withAdaptation(Adaptation a) {
        return new EvaluationResult(strategy, scenario, mode, seed, metric, config, tasks, acc, bwt, fwt, forgetting,
                matrix, matrixRows, baseline, perTask, anytime, a, transfer, prequential, drift, examples,
                testScorings, seconds, examplesPerSecond, baselines, coldStart);
    }

    /** A copy with the baseline and cold-start figures set. */
    public EvaluationResult withBaselines(Baselines b, ColdStart c) {
        return new EvaluationResult(strategy, scenario, mode, seed, metric, config, tasks, acc, bwt, fwt, forgetting,
                matrix, matrixRows, baseline, perTask, anytime, adaptation, transfer, prequential, drift, examples,
                testScorings, seconds, examplesPerSecond, b, c);
    }

    /**
     * The baselines ({@code dev.metastream.baselines}) scored on the same training stream, in the same order, as the
     * run's prequential figures. In the JSON each baseline is a field named after it ({@code "no-change": {...}}),
     * beside the fields below.
     *
     * @param headline           the figure the margins compare: {@code accuracy} (classification, binary; higher is
     *                           better) or {@code rmse} (regression; lower is better)
     * @param figures            per baseline, in report order: {@code accuracy} and {@code kappa}, or {@code rmse} and
     *                           {@code mae}, over the whole training stream
     * @param bestTrivial        the trivial baseline (every one but {@code linear}) with the best headline figure
     * @param product            the run's own figures, computed the same way from its prequential outcomes
     * @param marginVsBestTrivial the run's headline minus the best trivial one's (for RMSE the best trivial one's minus
     *                           the run's): positive = the run is better
     * @param marginVsLinear     the same against {@code linear}
     * @param seconds            wall-clock seconds the baselines took (not counted in the run's {@code seconds})
     */
    public record Baselines(String headline, @JsonIgnore Map<String, Map<String, Double>> figures,
            String bestTrivial, Map<String, Double> product, Double marginVsBestTrivial, Double marginVsLinear,
            double seconds) {
        /** The per-baseline figures as top-level JSON fields. */
        @JsonAnyGetter
        public Map<String, Map<String, Double>> byName() {
            return figures;
        }
    }

    /**
     * Cold start: the error over each task's (each new user's) first {@code events} training examples, pooled over
     * tasks, for the run and every baseline.
     *
     * @param events    examples at the start of each task (10)
     * @param examples  examples pooled (tasks shorter than {@code events} add all theirs)
     * @param product   the run's RMSE over them
     * @param baselines each baseline's RMSE over them
     */
    public record ColdStart(int events, long examples, Double product, Map<String, Double> baselines) {}

    /**
     * The learner configuration.
     *
     * @param digest   {@code LearnerConfig.digest()} of the effective configuration
     * @param settings every key set by the scenario, the strategy and the user, with its effective value
     */
    public record ConfigInfo(String digest, Map<String, String> settings) {}

    /**
     * One task's figures.
     *
     * @param task             task id
     * @param trainExamples    its training examples
     * @param testExamples     its test examples
     * @param finalValue       {@code R[T-1][j]}
     * @param justAfter        {@code R[j][j]}
     * @param forgetting       {@code max_{i<T-1} R[i][j] - R[T-1][j]} (null for the last task)
     * @param prequential      its test-then-train accuracy (or MSE) over its training stream
     * @param adaptationTime   its examples until the trailing-window prequential accuracy first reached
     *                         {@link Figures#ADAPTATION_FRACTION} of its final-window value
     *                         ({@code eval.AdaptationCurve}; null when never, shorter than two windows, or not
     *                         classification)
     * @param efficiency       mean prequential accuracy (or MSE) over its first k examples, by k
     *                         ({@code eval.AdaptationCurve#efficiency})
     * @param fewShot          test figure after its first {@code shots} examples (null when not measured)
     * @param test             every figure of its kind on its test set after the last task (null without a test set)
     * @param prequentialMetrics its test-then-train figures of {@code eval.PrequentialMetrics#detailed} over its
     *                         training stream, each cumulative and with suffix {@code _window} over the last
     *                         {@code --window} examples (null for joint; a value that is not finite is null)
     */
    public record TaskFigures(String task, int trainExamples, int testExamples, Double finalValue, Double justAfter,
            Double forgetting, Double prequential, Long adaptationTime, Map<String, Double> efficiency,
            Double fewShot, TestFigures test, Map<String, Double> prequentialMetrics) {}

    /**
     * A task's figures on its test set, from {@code eval.HoldoutMetrics}.
     *
     * @param checkpoint which scoring they come from ({@code final}: after training the last task)
     * @param examples   test examples
     * @param metrics    the figures of the task's kind (classification: accuracy, log-loss, micro and macro
     *                   precision/recall/F1, kappa, and with two classes precision/recall/F1 of class 1 and AUC;
     *                   regression: MSE, RMSE, MAE, R²; multi-label: Hamming loss, Jaccard, micro and macro F1,
     *                   subset accuracy, log-loss); a value that is not finite is null
     * @param perClass   per-class precision, recall, F1 and support (classification kinds; empty otherwise)
     */
    public record TestFigures(String checkpoint, int examples, Map<String, Double> metrics,
            List<ClassFigures> perClass) {}

    /**
     * One class's test figures.
     *
     * @param label     class index
     * @param name      class name ({@code task.class.names}), null when the classes are not named
     * @param support   test examples of the class
     * @param predicted test examples predicted as the class
     * @param precision {@code tp / predicted} (0 when never predicted)
     * @param recall    {@code tp / support} (0 when absent)
     * @param f1        {@code 2 tp / (predicted + support)}
     */
    public record ClassFigures(int label, String name, long support, long predicted, double precision, double recall,
            double f1) {}

    /**
     * Anytime accuracy: the mean test figure over the tasks seen so far, at every task boundary and every
     * {@code --eval-every} examples.
     *
     * @param mean  mean over the curve's points
     * @param curve the points
     */
    public record Anytime(Double mean, List<Point> curve) {}

    /**
     * A point of a curve.
     *
     * @param examples training examples fed so far
     * @param value    the figure there
     */
    public record Point(long examples, double value) {}

    /**
     * Few-shot adaptation on fresh tasks: the test figure after the first {@code examples} examples of each of the tasks
     * that arrive last (a tenth of the tasks in arrival order, at least one: {@link Evaluator#freshTasks}), once
     * with the run's settings (after the model has learned every earlier task), once from scratch (each alone, from a
     * random initialisation) and once with {@code meta.enabled=false} on the same stream, averaged over those tasks.
     *
     * @param shots   shots per task before the figure is taken: examples, or examples of each class for N-way tasks
     * @param examples training examples per task before the figure is taken ({@code shots} times
     *                {@code Scenario#shotSize()})
     * @param metric  the figure: {@code accuracy} or {@code mse}
     * @param tasks   fresh tasks averaged (those with a few-shot figure: a test set and at least
     *                {@code examples} training examples; the stream's first task never has one)
     * @param meta    the mean figure with meta-learning as configured
     * @param scratch the mean figure of the same tasks each learned alone from a random initialisation (a new learner
     *                that has seen no other task), from the same first examples (null when not run)
     * @param noMeta  the mean figure with {@code meta.enabled=false} on the same stream: the trunk learned from every
     *                earlier task, the heads from no meta-learned start (null when not run)
     * @param ratio   meta / scratch (for MSE, below 1 means what was learned from other tasks helps)
     */
    public record Adaptation(int shots, int examples, String metric, int tasks, Double meta, Double scratch,
                             Double noMeta, Double ratio) {}

    /**
     * Multi-task gain against independent per-task models on the same stream, on the final test figures
     * ({@code eval.TransferComparison}; for MSE on -MSE, so a positive gain and delta always mean better).
     *
     * @param reference        the reference strategy ({@code independent})
     * @param referenceFinal   the reference's final figure per task
     * @param gain             mean over tasks of (this run's final figure - the reference's), sign flipped for MSE
     * @param negativeTransfer tasks whose final figure is worse than the reference's, worst first
     */
    public record Transfer(String reference, double[] referenceFinal, double gain,
            List<TaskTransfer> negativeTransfer) {}

    /**
     * One task's comparison with its independent model.
     *
     * @param task        task id
     * @param model       this run's final test figure (accuracy or MSE)
     * @param independent the independent model's
     * @param delta       {@code model - independent} (for MSE {@code independent - model}): negative = worse
     */
    public record TaskTransfer(String task, double model, double independent, double delta) {}

    /**
     * Test-then-train figures over the training stream.
     *
     * @param metric     accuracy or mse
     * @param cumulative over every training example
     * @param window     examples of the trailing window of the curve
     * @param curve      cumulative and windowed value every few examples
     */
    public record Prequential(String metric, double cumulative, int window, List<CurvePoint> curve) {}

    /**
     * A point of the prequential curve.
     *
     * @param examples   training examples so far
     * @param cumulative figure over all of them
     * @param windowed   figure over the last {@code window}
     */
    public record CurvePoint(long examples, double cumulative, double windowed) {}

    /**
     * Drift detections matched against the true change points (rule in {@link DriftMatching}).
     *
     * @param maxDelay    a detection more than this many of the task's examples after a change is not a find
     * @param changePoints true changes
     * @param detections  every detection (task, position)
     * @param found       change points found, with their delay
     * @param missed      change points not found
     * @param falseAlarms detections matched to no change point
     * @param meanDelay   mean delay of the found ones (null when none)
     * @param input       the label-free domain-shift monitor's detections against the points where the inputs move
     *                    (a generator's {@code shift-every}), matched by the same rule; null in itself and when the
     *                    monitor is off ({@code shift.monitor=false})
     */
    public record DriftReport(long maxDelay, int changePoints, List<Outcomes.Detection> detections,
            List<DriftMatching.Found> found, int missed, int falseAlarms, Double meanDelay, DriftReport input) {}
}
