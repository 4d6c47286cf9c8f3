package dev.metastream.eval;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Multi-label classification metrics over L labels, in O(L) memory.
 *
 * <p>Each example has true label set {@code Y_i} and predicted set {@code Ŷ_i} (given as 0/1 per label). With
 * {@code n} examples and per-label counts {@code tp_j, fp_j, fn_j}:
 *
 * <ul>
 *   <li>Hamming loss {@code = (1/(n L)) Σ_i |Y_i Δ Ŷ_i|}, the fraction of label decisions that are wrong;
 *   <li>example-based Jaccard {@code = (1/n) Σ_i |Y_i ∩ Ŷ_i| / |Y_i ∪ Ŷ_i|}, with 0/0 = 1 (both sets empty is a
 *       perfect answer);
 *   <li>micro F1 {@code = 2 Σ_j tp_j / (2 Σ_j tp_j + Σ_j fp_j + Σ_j fn_j)}, all label decisions pooled;
 *   <li>macro F1 {@code = mean over present labels of 2 tp_j / (2 tp_j + fp_j + fn_j)}, a label being present when
 *       it was true or predicted at least once ({@code 2 tp_j + fp_j + fn_j > 0});
 *   <li>subset accuracy {@code = (1/n) Σ_i 1[Ŷ_i = Y_i]} (exact match).
 * </ul>
 *
 * <p>Degenerate cases: every value is 0 with no example; micro F1 is 0 when no label was ever true or predicted
 * (scikit-learn's {@code zero_division=0}), and so is macro F1 when no label is present. Macro F1 skips labels never
 * seen, where scikit-learn (with the label columns fixed) would count them as 0. {@link #remove} takes an example back
 * out for sliding windows. Not thread-safe.
 *
 * <pre>{@code
 * MultiLabelMetrics m = new MultiLabelMetrics(3);
 * m.update(new int[] {1, 0, 1}, new int[] {1, 1, 0});
 * double j = m.jaccard();                  // 1/3
 * }</pre>
 */
public final class MultiLabelMetrics implements StreamingMetric {
    private final long[] tp;
    private final long[] fp;
    private final long[] fn;
    private long n;
    private long exact;
    double jaccardSum; // package-private: a sliding window restores it bit for bit

    /** @param labels the number of labels L, at least 1 */
    public MultiLabelMetrics(int labels) {
        if (labels < 1) {
            throw new IllegalArgumentException("need at least 1 label, got " + labels);
        }
        tp = new long[labels];
        fp = new long[labels];
        fn = new long[labels];
    }

    /** @return the number of labels L */
    public int labels() {
        return tp.length;
    }

    /**
     * Adds one example.
     *
     * @param y    true labels, 0 or 1 each, length L
     * @param yHat predicted labels, 0 or 1 each, length L
     */
    public void update(int[] y, int[] yHat) {
        add(y, yHat, 1);
    }

    /**
     * Takes back one example added earlier (for sliding windows); the caller guarantees it was added.
     *
     * @param y    its true labels
     * @param yHat its predicted labels
     */
    public void remove(int[] y, int[] yHat) {
        if (n == 0) {
            throw new IllegalStateException("removing from empty multi-label metrics");
        }
        add(y, yHat, -1);
    }

    private void add(int[] y, int[] yHat, int d) {
        if (y == null || yHat == null || y.length != tp.length || yHat.length != tp.length) {
            throw new IllegalArgumentException("need " + tp.length + " labels in both y and ŷ");
        }
        for (int j = 0; j < y.length; j++) {
            if ((y[j] & ~1) != 0 || (yHat[j] & ~1) != 0) {
                throw new IllegalArgumentException("labels must be 0 or 1, got " + y[j] + ", " + yHat[j]);
            }
        }
        int inter = 0;
        int union = 0;
        for (int j = 0; j < y.length; j++) {
            int both = y[j] & yHat[j];
            inter += both;
            union += y[j] | yHat[j];
            tp[j] += d * both;
            fp[j] += d * (yHat[j] & (1 - y[j]));
            fn[j] += d * (y[j] & (1 - yHat[j]));
        }
        n += d;
        exact += inter == union ? d : 0;
        jaccardSum += d * jaccard(inter, union);
    }

    /** Jaccard index of one example: 1 when both sets are empty. */
    static double jaccard(int inter, int union) {
        return union == 0 ? 1.0 : (double) inter / union;
    }

    @Override
    public long count() {
        return n;
    }

    /** @return the fraction of wrong label decisions */
    public double hammingLoss() {
        long wrong = 0;
        for (int j = 0; j < tp.length; j++) {
            wrong += fp[j] + fn[j];
        }
        return ConfusionMatrix.ratio(wrong, (double) n * tp.length);
    }

    /** @return the mean example-based Jaccard index */
    public double jaccard() {
        return ConfusionMatrix.ratio(jaccardSum, n);
    }

    /** @return micro-averaged F1 over all label decisions */
    public double microF1() {
        long t = 0;
        long e = 0;
        for (int j = 0; j < tp.length; j++) {
            t += tp[j];
            e += fp[j] + fn[j];
        }
        return ConfusionMatrix.ratio(2.0 * t, 2.0 * t + e);
    }

    /** @return F1 of label j, 0 if it was never true nor predicted */
    public double f1(int j) {
        return ConfusionMatrix.ratio(2.0 * tp[j], 2.0 * tp[j] + fp[j] + fn[j]);
    }

    /** @return mean F1 over the present labels */
    public double macroF1() {
        double s = 0;
        int present = 0;
        for (int j = 0; j < tp.length; j++) {
            if (tp[j] + fp[j] + fn[j] > 0) {
                present++;
                s += f1(j);
            }
        }
        return present == 0 ? 0 : s / present;
    }

    /** @return the fraction of examples with every label right */
    public double subsetAccuracy() {
        return ConfusionMatrix.ratio(exact, n);
    }

    /** Forgets every example. */
    public void reset() {
        Arrays.fill(tp, 0);
        Arrays.fill(fp, 0);
        Arrays.fill(fn, 0);
        n = 0;
        exact = 0;
        jaccardSum = 0;
    }

    /** {@code hamming_loss, jaccard, f1_micro, f1_macro, subset_accuracy}. */
    @Override
    public Map<String, Double> values() {
        Map<String, Double> m = new LinkedHashMap<>();
        if (n > 0) {
            m.put("hamming_loss", hammingLoss());
            m.put("jaccard", jaccard());
            m.put("f1_micro", microF1());
            m.put("f1_macro", macroF1());
            m.put("subset_accuracy", subsetAccuracy());
        }
        return Collections.unmodifiableMap(m);
    }

    /** Counts for serialisation: n, exact, then tp, fp, fn per label. */
    long[] counts() {
        long[] c = new long[2 + 3 * tp.length];
        c[0] = n;
        c[1] = exact;
        for (int j = 0; j < tp.length; j++) {
            c[2 + 3 * j] = tp[j];
            c[3 + 3 * j] = fp[j];
            c[4 + 3 * j] = fn[j];
        }
        return c;
    }

    /** Restores the counts of {@link #counts()} and the Jaccard sum. */
    void restore(long[] c, double jaccardSum) {
        if (c.length != 2 + 3 * tp.length) {
            throw new IllegalArgumentException("expected " + (2 + 3 * tp.length) + " counts, got " + c.length);
        }
        n = c[0];
        exact = c[1];
        for (int j = 0; j < tp.length; j++) {
            tp[j] = c[2 + 3 * j];
            fp[j] = c[3 + 3 * j];
            fn[j] = c[4 + 3 * j];
        }
        this.jaccardSum = jaccardSum;
    }

    @Override
    public String toString() {
        return "MultiLabelMetrics{L=" + tp.length + ", n=" + n + ", " + values() + "}";
    }
}
