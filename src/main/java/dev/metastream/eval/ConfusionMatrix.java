package dev.metastream.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Single-label classification metrics from the confusion counts of K classes, in O(K) memory.
 *
 * <p>Only the diagonal and the two marginals of the K×K confusion matrix are kept — {@code tp_c} (true c, predicted
 * c), {@code pred_c} (predicted c) and {@code true_c} (true c) — because every metric below needs nothing else. With
 * {@code n} examples:
 *
 * <ul>
 *   <li>{@code accuracy = Σ_c tp_c / n};
 *   <li>{@code precision_c = tp_c / pred_c}, {@code recall_c = tp_c / true_c},
 *       {@code F1_c = 2 tp_c / (pred_c + true_c)} (the harmonic mean of the two);
 *   <li>micro averages pool the counts over classes: for single-label data every error is one false positive and
 *       one false negative, so micro precision = micro recall = micro F1 = accuracy;
 *   <li>macro averages are the unweighted mean of the per-class values over the classes <em>present</em> (true or
 *       predicted at least once), as scikit-learn does when it infers the labels from the data; macro F1 is the mean
 *       of the per-class F1, not the F1 of macro precision and recall;
 *   <li>Cohen's kappa (Cohen 1960, "A coefficient of agreement for nominal scales"):
 *       {@code κ = (p_o − p_e) / (1 − p_e)} with {@code p_o = accuracy} and
 *       {@code p_e = Σ_c (true_c / n)(pred_c / n)}, the agreement expected by chance.
 * </ul>
 *
 * <p>Degenerate cases: a ratio with a zero denominator is 0 (scikit-learn's {@code zero_division=0}); with no example
 * every metric is 0; κ is 0 when {@code p_e = 1} (a single class, always predicted: no agreement beyond chance can be
 * measured; River does the same). For two classes, {@link #precision()}, {@link #recall()} and {@link #f1()} are those
 * of the positive class 1.
 *
 * <p>{@link #remove(int, int)} takes an example back out, so a sliding window is a second instance fed from a ring
 * of (y, ŷ) pairs. Not thread-safe.
 *
 * <pre>{@code
 * ConfusionMatrix cm = new ConfusionMatrix(3);
 * cm.update(y, yHat);                      // per example
 * double f1 = cm.macroF1(), k = cm.kappa();
 * }</pre>
 */
public final class ConfusionMatrix implements StreamingMetric {
    private final long[] tp;
    private final long[] predicted;
    private final long[] actual;
    private long n;

    /** @param classes the number of classes K, at least 2 */
    public ConfusionMatrix(int classes) {
        if (classes < 2) {
            throw new IllegalArgumentException("a confusion matrix needs at least 2 classes, got " + classes);
        }
        tp = new long[classes];
        predicted = new long[classes];
        actual = new long[classes];
    }

    /** @return the number of classes K */
    public int classes() {
        return tp.length;
    }

    /**
     * Adds one example.
     *
     * @param y the true class, in [0, K)
     * @param yHat the predicted class, in [0, K)
     */
    public void update(int y, int yHat) {
        add(y, yHat, 1);
    }

    /**
     * Takes back one example added earlier (for sliding windows).
     *
     * @param y the true class of the example
     * @param yHat its predicted class
     * @throws IllegalStateException if no such example was added
     */
    public void remove(int y, int yHat) {
        check(y, yHat);
        if (actual[y] == 0 || predicted[yHat] == 0 || (y == yHat && tp[y] == 0)) {
            throw new IllegalStateException("removing (" + y + ", " + yHat + ") that was never added");
        }
        add(y, yHat, -1);
    }

    private void add(int y, int yHat, int d) {
        check(y, yHat);
        actual[y] += d;
        predicted[yHat] += d;
        if (y == yHat) {
            tp[y] += d;
        }
        n += d;
    }

    private void check(int y, int yHat) {
        if (y < 0 || y >= tp.length || yHat < 0 || yHat >= tp.length) {
            throw new IllegalArgumentException("class (" + y + ", " + yHat + ") outside [0, " + tp.length + ")");
        }
    }

    /** Forgets every example. */
    public void reset() {
        java.util.Arrays.fill(tp, 0);
        java.util.Arrays.fill(predicted, 0);
        java.util.Arrays.fill(actual, 0);
        n = 0;
    }

    @Override
    public long count() {
        return n;
    }

    /** @return {@code tp_c}, examples of class c predicted c */
    public long truePositives(int c) {
        return tp[c];
    }

    /** @return {@code pred_c}, examples predicted c */
    public long predicted(int c) {
        return predicted[c];
    }

    /** @return {@code true_c}, examples of class c */
    public long actual(int c) {
        return actual[c];
    }

    /** @return {@code Σ tp_c / n} */
    public double accuracy() {
        long right = 0;
        for (long t : tp) {
            right += t;
        }
        return ratio(right, n);
    }

    /** @return {@code tp_c / pred_c}, 0 if class c was never predicted */
    public double precision(int c) {
        return ratio(tp[c], predicted[c]);
    }

    /** @return {@code tp_c / true_c}, 0 if class c never occurred */
    public double recall(int c) {
        return ratio(tp[c], actual[c]);
    }

    /** @return {@code 2 tp_c / (pred_c + true_c)}, 0 if class c never occurred nor was predicted */
    public double f1(int c) {
        return ratio(2 * tp[c], predicted[c] + actual[c]);
    }

    /** @return precision of class 1 (the positive class of a binary task) */
    public double precision() {
        return precision(1);
    }

    /** @return recall of class 1 */
    public double recall() {
        return recall(1);
    }

    /** @return F1 of class 1 */
    public double f1() {
        return f1(1);
    }

    /** @return micro precision, equal to the accuracy for single-label data */
    public double microPrecision() {
        return accuracy();
    }

    /** @return micro recall, equal to the accuracy for single-label data */
    public double microRecall() {
        return accuracy();
    }

    /** @return micro F1, equal to the accuracy for single-label data */
    public double microF1() {
        return accuracy();
    }

    /** @return mean precision over the present classes */
    public double macroPrecision() {
        return macro(0);
    }

    /** @return mean recall over the present classes */
    public double macroRecall() {
        return macro(1);
    }

    /** @return mean F1 over the present classes */
    public double macroF1() {
        return macro(2);
    }

    private double macro(int which) {
        double s = 0;
        int present = 0;
        for (int c = 0; c < tp.length; c++) {
            if (actual[c] + predicted[c] > 0) {
                present++;
                s += which == 0 ? precision(c) : which == 1 ? recall(c) : f1(c);
            }
        }
        return present == 0 ? 0 : s / present;
    }

    /** @return Cohen's kappa {@code (p_o − p_e) / (1 − p_e)}, 0 when {@code p_e = 1} or no example */
    public double kappa() {
        if (n == 0) {
            return 0;
        }
        double pe = 0;
        for (int c = 0; c < tp.length; c++) {
            pe += ((double) actual[c] / n) * ((double) predicted[c] / n);
        }
        double po = accuracy();
        return pe >= 1 ? 0 : (po - pe) / (1 - pe);
    }

    /**
     * {@code accuracy, precision_macro, recall_macro, f1_macro, f1_micro, kappa}, and for two classes also
     * {@code precision, recall, f1} of class 1.
     */
    @Override
    public Map<String, Double> values() {
        Map<String, Double> m = new LinkedHashMap<>();
        if (n > 0) {
            m.put("accuracy", accuracy());
            m.put("precision_macro", macroPrecision());
            m.put("recall_macro", macroRecall());
            m.put("f1_macro", macroF1());
            m.put("f1_micro", microF1());
            m.put("kappa", kappa());
            if (tp.length == 2) {
                m.put("precision", precision());
                m.put("recall", recall());
                m.put("f1", f1());
            }
        }
        return Collections.unmodifiableMap(m);
    }

    /** Counts for serialisation: tp, pred, true per class. */
    long[] counts() {
        long[] c = new long[3 * tp.length];
        for (int k = 0; k < tp.length; k++) {
            c[3 * k] = tp[k];
            c[3 * k + 1] = predicted[k];
            c[3 * k + 2] = actual[k];
        }
        return c;
    }

    /** Restores the counts of {@link #counts()}, checking they are consistent. */
    void restore(long[] c) {
        if (c.length != 3 * tp.length) {
            throw new IllegalArgumentException("expected " + 3 * tp.length + " confusion counts, got " + c.length);
        }
        long sumPred = 0;
        long sumTrue = 0;
        for (int k = 0; k < tp.length; k++) {
            tp[k] = c[3 * k];
            predicted[k] = c[3 * k + 1];
            actual[k] = c[3 * k + 2];
            if (tp[k] < 0 || tp[k] > predicted[k] || tp[k] > actual[k]) {
                throw new IllegalArgumentException("inconsistent confusion counts for class " + k);
            }
            sumPred += predicted[k];
            sumTrue += actual[k];
        }
        if (sumPred != sumTrue) {
            throw new IllegalArgumentException("confusion marginals disagree: " + sumPred + " vs " + sumTrue);
        }
        n = sumTrue;
    }

    static double ratio(double num, double den) {
        return den == 0 ? 0 : num / den;
    }

    @Override
    public String toString() {
        return "ConfusionMatrix{K=" + tp.length + ", n=" + n + ", " + values() + "}";
    }
}
