package dev.metastream.evaluation;

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
 * @param forgetting        mean forgetting
 * @param matrix            {@code R[i][j]}: test figure on task j after training task i
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
 */
public record EvaluationResult(String strategy, String scenario, String mode, long seed, String metric,
        ConfigInfo config, List<String> tasks, Double acc, Double bwt, Double fwt, Double forgetting,
        double[][] matrix, double[] baseline, List<TaskFigures> perTask, Anytime anytime, Adaptation adaptation,
        Transfer transfer, Prequential prequential, DriftReport drift, long examples, long testScorings,
        double seconds, double examplesPerSecond) {

    /** A copy with the transfer figures set. */
    public EvaluationResult withTransfer(Transfer t) {
        return new EvaluationResult(strategy, scenario, mode, seed, metric, config, tasks, acc, bwt, fwt, forgetting,
                matrix, baseline, perTask, anytime, adaptation, t, prequential, drift, examples, testScorings, seconds,
                examplesPerSecond);
    }

    /** A copy with the adaptation figures set. */
    public EvaluationResult withAdaptation(Adaptation a) {
        return new EvaluationResult(strategy, scenario, mode, seed, metric, config, tasks, acc, bwt, fwt, forgetting,
                matrix, baseline, perTask, anytime, a, transfer, prequential, drift, examples, testScorings, seconds,
                examplesPerSecond);
    }

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
     *                         {@link Figures#ADAPTATION_FRACTION} of its final-window value (null when never or not
     *                         classification)
     * @param efficiency       mean prequential accuracy (or MSE) over its first k examples, by k
     * @param fewShot          test figure after its first {@code shots} examples (null when not measured)
     */
    public record TaskFigures(String task, int trainExamples, int testExamples, Double finalValue, Double justAfter,
            Double forgetting, Double prequential, Long adaptationTime, Map<String, Double> efficiency,
            Double fewShot) {}

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
     * Few-shot adaptation: test figure after the first {@code shots} examples of each new task, with the meta-learned
     * initialisation and from scratch ({@code meta.enabled=false}, same stream), averaged over tasks 1..T-1.
     *
     * @param shots   examples per task before the figure is taken
     * @param meta    the mean figure with meta-learning as configured
     * @param scratch the mean figure with {@code meta.enabled=false}
     * @param ratio   meta / scratch (for MSE, below 1 means the meta-learned start helps)
     */
    public record Adaptation(int shots, Double meta, Double scratch, Double ratio) {}

    /**
     * Multi-task gain against independent per-task models on the same stream, on the final test figures.
     *
     * @param reference        the reference strategy ({@code independent})
     * @param referenceFinal   the reference's final figure per task
     * @param gain             mean over tasks of (this run's final figure - the reference's)
     * @param negativeTransfer tasks whose final figure is worse than the reference's
     */
    public record Transfer(String reference, double[] referenceFinal, double gain, List<String> negativeTransfer) {}

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
     */
    public record DriftReport(long maxDelay, int changePoints, List<Outcomes.Detection> detections,
            List<DriftMatching.Found> found, int missed, int falseAlarms, Double meanDelay) {}
}
