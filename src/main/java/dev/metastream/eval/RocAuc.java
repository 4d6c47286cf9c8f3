package dev.metastream.eval;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Area under the ROC curve of a binary scorer, streamed in fixed memory through a score histogram per class.
 *
 * <p>The AUC is the probability that a random positive scores above a random negative, ties counting 1/2 (Fawcett,
 * "An introduction to ROC analysis", Pattern Recognition Letters 27, 2006; Hand and Till, Machine Learning 45, 2001):
 * {@code AUC = (1 / (P N)) Σ_{i pos} Σ_{j neg} (1[s_i > s_j] + ½ 1[s_i = s_j])}.
 *
 * <p>Scores are counted into {@code B} equal bins over {@code [lo, hi]} (scores outside go to the end bins), one
 * histogram for positives ({@code P_b}) and one for negatives ({@code N_b}). Binning keeps the order of scores in
 * different bins, so only pairs that share a bin are approximated, each as a tie:
 * {@code AUC ≈ (1 / (P N)) Σ_b P_b (Σ_{b' < b} N_b' + ½ N_b)}, and the error is at most
 * {@code (1 / (2 P N)) Σ_b P_b N_b} ({@link #errorBound()}, computed from the counts): it vanishes as bins get finer
 * than the gaps between positive and negative scores. The AUC does not change under a strictly increasing transform
 * of the scores, so probabilities can be binned as log-odds to resolve confident predictions near 0 and 1.
 * {@link #exact} computes the exact value (O(n log n)) for a window of scores.
 *
 * <p>Undefined (NaN) until both classes have been seen. Not thread-safe.
 *
 * <pre>{@code
 * RocAuc auc = new RocAuc();              // 1000 bins over [0, 1]
 * auc.update(y, probabilityOfClass1);     // per example
 * double a = auc.value(), within = auc.errorBound();
 * }</pre>
 */
public final class RocAuc implements StreamingMetric {
    /** Default number of bins. */
    public static final int DEFAULT_BINS = 1000;

    private final double lo;
    private final double hi;
    private final long[] pos;
    private final long[] neg;
    private long positives;
    private long negatives;

    /** An AUC over probabilities: {@value #DEFAULT_BINS} bins over [0, 1]. */
    public RocAuc() {
        this(DEFAULT_BINS, 0, 1);
    }

    /**
     * @param bins number of equal bins B, at least 1
     * @param lo   lower end of the binned score range
     * @param hi   upper end, above {@code lo}
     */
    public RocAuc(int bins, double lo, double hi) {
        if (bins < 1 || !(hi > lo) || !Double.isFinite(lo) || !Double.isFinite(hi)) {
            throw new IllegalArgumentException("need bins ≥ 1 and finite lo < hi, got " + bins + " over [" + lo + ", "
                    + hi + "]");
        }
        this.lo = lo;
        this.hi = hi;
        this.pos = new long[bins];
        this.neg = new long[bins];
    }

    /** @return the number of bins */
    public int bins() {
        return pos.length;
    }

    /**
     * Adds one scored example.
     *
     * @param y     the true label, 0 or 1
     * @param score the score, higher meaning more likely 1; finite
     */
    public void update(int y, double score) {
        if (y != 0 && y != 1) {
            throw new IllegalArgumentException("label must be 0 or 1, got " + y);
        }
        if (!Double.isFinite(score)) {
            throw new IllegalArgumentException("score must be finite, got " + score);
        }
        int b = bin(score);
        if (y == 1) {
            pos[b]++;
            positives++;
        } else {
            neg[b]++;
            negatives++;
        }
    }

    int bin(double score) {
        double f = Math.floor((score - lo) / (hi - lo) * pos.length);
        return (int) Math.max(0, Math.min(pos.length - 1, f));
    }

    @Override
    public long count() {
        return positives + negatives;
    }

    /** @return the histogram AUC, NaN until both classes have been seen */
    public double value() {
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        double s = 0;
        long below = 0;
        for (int b = 0; b < pos.length; b++) {
            s += pos[b] * (below + 0.5 * neg[b]);
            below += neg[b];
        }
        return s / ((double) positives * negatives);
    }

    /** @return the largest possible distance of {@link #value()} from the exact AUC, NaN with one class */
    public double errorBound() {
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        double s = 0;
        for (int b = 0; b < pos.length; b++) {
            s += (double) pos[b] * neg[b];
        }
        return s / (2.0 * positives * negatives);
    }

    /** Forgets every example. */
    public void reset() {
        Arrays.fill(pos, 0);
        Arrays.fill(neg, 0);
        positives = 0;
        negatives = 0;
    }

    /** {@code auc} and {@code auc_error_bound}. */
    @Override
    public Map<String, Double> values() {
        Map<String, Double> m = new LinkedHashMap<>();
        if (count() > 0) {
            m.put("auc", value());
            m.put("auc_error_bound", errorBound());
        }
        return Collections.unmodifiableMap(m);
    }

    /** Histogram counts for serialisation: positives then negatives per bin. */
    long[] counts() {
        long[] c = new long[2 * pos.length];
        System.arraycopy(pos, 0, c, 0, pos.length);
        System.arraycopy(neg, 0, c, pos.length, neg.length);
        return c;
    }

    /** Restores the counts written by {@link #counts()}. */
    void restore(long[] c) {
        if (c.length != 2 * pos.length) {
            throw new IllegalArgumentException("expected " + 2 * pos.length + " histogram counts, got " + c.length);
        }
        positives = 0;
        negatives = 0;
        for (int b = 0; b < pos.length; b++) {
            if (c[b] < 0 || c[pos.length + b] < 0) {
                throw new IllegalArgumentException("negative histogram count");
            }
            pos[b] = c[b];
            neg[b] = c[pos.length + b];
            positives += pos[b];
            negatives += neg[b];
        }
    }

    /**
     * The exact AUC of the first {@code n} examples, ties counting 1/2: for each positive, the negatives scored below
     * it plus half those scored equal, found by binary search in the sorted negative scores (O(n log n)).
     *
     * @param labels 0/1 labels
     * @param scores finite scores
     * @param n      how many leading entries to use
     * @return the AUC, NaN if one class is missing
     */
    public static double exact(int[] labels, double[] scores, int n) {
        int negatives = 0;
        for (int i = 0; i < n; i++) {
            negatives += labels[i] == 0 ? 1 : 0;
        }
        int positives = n - negatives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        double[] neg = new double[negatives];
        for (int i = 0, k = 0; i < n; i++) {
            if (labels[i] == 0) {
                neg[k++] = scores[i];
            }
        }
        Arrays.sort(neg);
        double s = 0;
        for (int i = 0; i < n; i++) {
            if (labels[i] == 1) {
                int below = firstAtLeast(neg, scores[i]);
                int notAbove = firstAbove(neg, scores[i]);
                s += below + 0.5 * (notAbove - below);
            }
        }
        return s / ((double) positives * negatives);
    }

    private static int firstAtLeast(double[] a, double v) {
        int l = 0;
        int h = a.length;
        while (l < h) {
            int m = (l + h) >>> 1;
            if (a[m] < v) {
                l = m + 1;
            } else {
                h = m;
            }
        }
        return l;
    }

    private static int firstAbove(double[] a, double v) {
        int l = 0;
        int h = a.length;
        while (l < h) {
            int m = (l + h) >>> 1;
            if (a[m] <= v) {
                l = m + 1;
            } else {
                h = m;
            }
        }
        return l;
    }

    @Override
    public String toString() {
        return "RocAuc{B=" + pos.length + ", P=" + positives + ", N=" + negatives + ", auc=" + value() + "}";
    }
}
