package dev.metastream.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every figure of one task's kind over a held-out test set: the model's outputs on the set, compared with the labels,
 * no learning in between. It composes the streaming metrics of this package, so each formula has one definition:
 *
 * <ul>
 *   <li>classification and binary ({@link ConfusionMatrix}): {@code accuracy}, {@code log_loss}
 *       ({@link PrequentialMetrics#classLogLoss} / {@link PrequentialMetrics#binaryLogLoss}), micro and macro
 *       precision, recall and F1, Cohen's {@code kappa}; per class precision, recall, F1 and support
 *       ({@link #perClass()}); with two classes also {@code precision, recall, f1} of class 1 and the exact ROC
 *       {@code auc} ({@link RocAuc#exact}) of the probability of class 1 (a binary task's output, or output 1 of a
 *       two-class classification), NaN when the set holds one class only;
 *   <li>regression ({@link RegressionMetrics}): {@code mse, rmse, mae, r2};
 *   <li>multi-label ({@link MultiLabelMetrics}, label j predicted when {@code p_j ≥ 0.5}): {@code hamming_loss,
 *       jaccard, f1_micro, f1_macro, subset_accuracy} and the label-averaged binary {@code log_loss}.
 * </ul>
 *
 * <p>Predicted classes follow {@link PrequentialMetrics}: arg-max (first on ties), binary {@code p ≥ 0.5}. The AUC keeps
 * every score (memory O(n), fine for a test set; the streaming AUC is {@link RocAuc}'s histogram). Not thread-safe.
 *
 * <pre>{@code
 * HoldoutMetrics h = new HoldoutMetrics(PrequentialMetrics.Kind.CLASSIFICATION, 3);
 * for (int i = 0; i < test.size(); i++) h.addClassification(label[i], probabilities[i]);
 * h.values();    // {accuracy=…, log_loss=…, precision_micro=…, …, kappa=…}
 * h.perClass();  // precision, recall, F1, support of each class
 * }</pre>
 */
public final class HoldoutMetrics implements StreamingMetric {

    /**
     * One class's figures.
     *
     * @param label     the class index
     * @param support   test examples of the class ({@code true_c})
     * @param predicted test examples predicted as the class ({@code pred_c})
     * @param precision {@code tp_c / pred_c} (0 when never predicted)
     * @param recall    {@code tp_c / true_c} (0 when absent)
     * @param f1        {@code 2 tp_c / (pred_c + true_c)}
     */
    public record ClassFigures(int label, long support, long predicted, double precision, double recall, double f1) {
    }

    private final PrequentialMetrics.Kind kind;
    private final int outputs;
    private final ConfusionMatrix confusion;
    private final RegressionMetrics regression;
    private final MultiLabelMetrics labels;
    private long n;
    private double logLossSum;
    private int[] aucLabels = new int[16];
    private double[] aucScores = new double[16];

    /**
     * @param kind    the task kind
     * @param outputs classes (classification, at least 2) or labels (multi-label); ignored for binary and regression
     */
    public HoldoutMetrics(PrequentialMetrics.Kind kind, int outputs) {
        this.kind = kind;
        this.outputs = kind == PrequentialMetrics.Kind.BINARY ? 2 : outputs;
        this.confusion = switch (kind) {
            case CLASSIFICATION, BINARY -> new ConfusionMatrix(this.outputs);
            default -> null;
        };
        this.regression = kind == PrequentialMetrics.Kind.REGRESSION ? new RegressionMetrics() : null;
        this.labels = kind == PrequentialMetrics.Kind.MULTILABEL ? new MultiLabelMetrics(outputs) : null;
    }

    /** @return the task kind */
    public PrequentialMetrics.Kind kind() {
        return kind;
    }

    /**
     * Adds a classification example.
     *
     * @param y             the true class
     * @param probabilities the output, one probability per class
     */
    public void addClassification(int y, float[] probabilities) {
        require(PrequentialMetrics.Kind.CLASSIFICATION);
        if (probabilities.length != outputs) {
            throw new IllegalArgumentException(probabilities.length + " probabilities for " + outputs + " classes");
        }
        int yHat = 0;
        for (int k = 1; k < probabilities.length; k++) {
            if (probabilities[k] > probabilities[yHat]) {
                yHat = k;
            }
        }
        confusion.update(y, yHat);
        logLossSum += PrequentialMetrics.classLogLoss(y, probabilities);
        if (outputs == 2) {
            keepScore(y, probabilities[1]);
        }
        n++;
    }

    /**
     * Adds a binary example.
     *
     * @param y the true label, 0 or 1
     * @param p the predicted probability of 1
     */
    public void addBinary(int y, double p) {
        require(PrequentialMetrics.Kind.BINARY);
        confusion.update(y, p >= 0.5 ? 1 : 0);
        logLossSum += PrequentialMetrics.binaryLogLoss(y, p);
        keepScore(y, p);
        n++;
    }

    /**
     * Adds a regression example.
     *
     * @param y    the target
     * @param yHat the prediction
     */
    public void addRegression(double y, double yHat) {
        require(PrequentialMetrics.Kind.REGRESSION);
        regression.update(y, yHat);
        n++;
    }

    /**
     * Adds a multi-label example.
     *
     * @param y true labels, 0 or 1 each
     * @param p predicted probability per label
     */
    public void addMultiLabel(int[] y, float[] p) {
        require(PrequentialMetrics.Kind.MULTILABEL);
        int[] yHat = new int[p.length];
        double loss = 0;
        for (int j = 0; j < p.length; j++) {
            yHat[j] = p[j] >= 0.5f ? 1 : 0;
            loss += PrequentialMetrics.binaryLogLoss(y[j], p[j]);
        }
        labels.update(y, yHat);
        logLossSum += loss / p.length;
        n++;
    }

    private void require(PrequentialMetrics.Kind k) {
        if (kind != k) {
            throw new IllegalStateException("a " + k + " example added to " + kind + " metrics");
        }
    }

    private void keepScore(int y, double score) {
        int i = (int) n;
        if (i == aucLabels.length) {
            aucLabels = Arrays.copyOf(aucLabels, 2 * i);
            aucScores = Arrays.copyOf(aucScores, 2 * i);
        }
        aucLabels[i] = y;
        aucScores[i] = score;
    }

    @Override
    public long count() {
        return n;
    }

    /**
     * The figures of the kind (see the class documentation), insertion-ordered; empty before the first example. The
     * AUC is NaN when the set holds a single class.
     */
    @Override
    public Map<String, Double> values() {
        Map<String, Double> m = new LinkedHashMap<>();
        if (n == 0) {
            return Collections.unmodifiableMap(m);
        }
        switch (kind) {
            case CLASSIFICATION, BINARY -> {
                m.put("accuracy", confusion.accuracy());
                m.put("log_loss", logLossSum / n);
                m.put("precision_micro", confusion.microPrecision());
                m.put("recall_micro", confusion.microRecall());
                m.put("f1_micro", confusion.microF1());
                m.put("precision_macro", confusion.macroPrecision());
                m.put("recall_macro", confusion.macroRecall());
                m.put("f1_macro", confusion.macroF1());
                m.put("kappa", confusion.kappa());
                if (outputs == 2) {
                    m.put("precision", confusion.precision());
                    m.put("recall", confusion.recall());
                    m.put("f1", confusion.f1());
                    m.put("auc", RocAuc.exact(aucLabels, aucScores, (int) n));
                }
            }
            case REGRESSION -> m.putAll(regression.values());
            case MULTILABEL -> {
                m.putAll(labels.values());
                m.put("log_loss", logLossSum / n);
            }
        }
        return Collections.unmodifiableMap(m);
    }

    /** Per-class precision, recall, F1 and support (classification and binary; empty for the other kinds). */
    public List<ClassFigures> perClass() {
        if (confusion == null) {
            return List.of();
        }
        List<ClassFigures> out = new ArrayList<>(outputs);
        for (int c = 0; c < outputs; c++) {
            out.add(new ClassFigures(c, confusion.actual(c), confusion.predicted(c), confusion.precision(c),
                    confusion.recall(c), confusion.f1(c)));
        }
        return List.copyOf(out);
    }
}
