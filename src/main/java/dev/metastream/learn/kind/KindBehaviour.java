package dev.metastream.learn.kind;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metastream.eval.HoldoutMetrics;
import dev.metastream.eval.PrequentialMetrics;
import dev.metastream.learn.Loss;
import dev.metastream.learn.TaskSpec;
import java.util.List;

/**
 * Everything that differs between task kinds, in one place per kind ({@link Classification}, {@link Binary},
 * {@link Regression}, {@link MultiLabel}); each {@link dev.metastream.learn.TaskKind} constant delegates to one.
 *
 * <p>The rest of the code asks its kind instead of switching on it, so a new kind is one class implementing this
 * interface, one {@code TaskKind} constant and one subclass of the shared {@code TaskKindContract} test. Targets are
 * float vectors of length {@link #outputs}: one-hot for classification, {@code [0|1]} for binary, {@code [y]} for
 * regression, one 0/1 entry per label for multi-label.
 */
public interface KindBehaviour {

    /** Checks the shape settings of a spec of this kind; throws {@link IllegalArgumentException} with the fix. */
    default void validate(int classes, int labels) {}

    /** Width of the head's output layer for a spec with these settings. */
    int outputs(int classes, int labels);

    /** The loss this kind is trained with; it also maps raw outputs to the kind's output (softmax, sigmoid, identity). */
    Loss loss();

    /** The name of the output function in the model export ({@code softmax}, {@code sigmoid}, {@code identity}). */
    String activation();

    /**
     * Whether targets are real values: the head then works in a centred and scaled target space, the learner keeps
     * running target means, the previous label enters the head scaled, and there is no label prior to export.
     */
    default boolean realValued() {
        return false;
    }

    /**
     * Encodes a JSON label into a target vector, or says why it cannot with the message a user reads.
     *
     * @param spec      the task's spec (class names, counts)
     * @param y         the label as sent
     * @param maxAbs    the largest magnitude a real-valued label may have ({@code input.max.abs.value})
     */
    LabelOutcome parseLabel(TaskSpec spec, JsonNode y, double maxAbs);

    /** One example's error as the drift detectors see it: 0/1 for labels, the squared error for regression. */
    double errorOf(float[] target, float[] out);

    /** One example's test figure: 1/0 for a right/wrong decision (the whole label set), the squared error for regression. */
    double score(float[] target, float[] out);

    /** The most probable class (classification), 0/1 (binary), or -1 for kinds without a single class. */
    default int predictedClass(float[] out) {
        return -1;
    }

    /**
     * The decision an output stands for, as users read it: the class index or name, 0/1, the value, or the 0/1 label
     * set ({@code int[]}).
     */
    Object decision(TaskSpec spec, float[] out);

    /** Writes the prediction's kind-specific fields (see {@code topology/records.md}) into a prediction record. */
    void writePrediction(ObjectNode n, TaskSpec spec, float[] out);

    /** The prequential metrics kind that scores this kind of task. */
    PrequentialMetrics.Kind metricsKind();

    /** Feeds one outcome to prequential metrics of {@link #metricsKind()}; returns what the metrics return. */
    double observe(PrequentialMetrics m, float[] target, float[] out);

    /** Adds one test outcome to hold-out metrics of {@link #metricsKind()}. */
    void addHoldout(HoldoutMetrics h, float[] target, float[] out);

    /** The metric a task of this kind is summarised by (the HTTP task view, the baseline comparison). */
    String headlineMetric();

    /** The metric the evaluation matrix and curves hold for this kind. */
    String matrixMetric();

    /** The prior expert's prediction for output {@code j} of {@code outputs} before any label is seen. */
    double priorFallback(int outputs);

    /** The trivial baselines of this kind: the majority label, the mean target, or none. */
    Trivial trivial();

    /** The figures the baselines are compared on, headline first. */
    default List<String> baselineFigures() {
        return List.of(headlineMetric(), "kappa");
    }

    /**
     * The linear baseline's prediction from its raw outputs, in the baseline's own double arithmetic (not the
     * learner's {@link #loss()}, so the baseline's figures stay what they were).
     *
     * @throws UnsupportedOperationException for a kind without baselines ({@link Trivial#NONE})
     */
    float[] linearBaselineOutput(double[] raw);

    /**
     * Writes the gradient of the linear baseline's loss with respect to its raw outputs into {@code g}.
     *
     * @throws UnsupportedOperationException for a kind without baselines ({@link Trivial#NONE})
     */
    void linearBaselineGradient(double[] raw, float[] y, double[] g);

    /** The logistic function in double, stable for large |v|. */
    static double sigmoid(double v) {
        return v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
    }

    /** Softmax in double, shifted by the maximum. */
    static double[] softmax(double[] raw) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : raw) {
            max = Math.max(max, v);
        }
        double s = 0;
        double[] p = new double[raw.length];
        for (int k = 0; k < raw.length; k++) {
            p[k] = Math.exp(raw[k] - max);
            s += p[k];
        }
        for (int k = 0; k < raw.length; k++) {
            p[k] /= s;
        }
        return p;
    }

    /** Which trivial baselines a kind has. */
    enum Trivial {
        /** Predict the most frequent label (per task, over all tasks) and the last label. */
        MAJORITY,
        /** Predict the mean target (per task, over all tasks), the last target and an item bias. */
        MEAN,
        /** No baselines. */
        NONE
    }

    /**
     * A parsed label: the target, or the problem and its message.
     *
     * @param target  the target vector, null when rejected
     * @param problem what is wrong, null when accepted
     * @param message the user-facing reason, null when accepted
     */
    record LabelOutcome(float[] target, Problem problem, String message) {
        /** An accepted label. */
        public static LabelOutcome of(float[] target) {
            return new LabelOutcome(target, null, null);
        }

        /** A rejected label. */
        public static LabelOutcome reject(Problem problem, String message) {
            return new LabelOutcome(null, problem, message);
        }
    }

    /** Why a label is rejected; the input parser maps each to its rejection reason. */
    enum Problem {
        /** Not a label of this kind. */
        BAD_LABEL,
        /** Not finite. */
        NON_FINITE,
        /** Beyond {@code input.max.abs.value}. */
        VALUE_OUT_OF_RANGE
    }

    /** The label vector 0/1 per output with threshold 0.5, as every labelled kind reads its targets. */
    static int[] labels(float[] target) {
        int[] y = new int[target.length];
        for (int j = 0; j < y.length; j++) {
            y[j] = target[j] >= 0.5f ? 1 : 0;
        }
        return y;
    }

    /** Index of the largest entry, the first on ties. */
    static int argmax(float[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) {
            if (a[i] > a[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Writes {@code a} into a JSON array. */
    static void floats(com.fasterxml.jackson.databind.node.ArrayNode n, float[] a) {
        for (float v : a) {
            n.add(v);
        }
    }
}
