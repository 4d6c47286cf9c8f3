package dev.metastream.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The early learning curve of one task, for how fast a (meta-learned) model adapts to it.
 *
 * <p>Fed the task's prequential scores in stream order ({@code s_1, s_2, …}: 1/0 correctness, or any score where
 * higher is better), it keeps the first {@code K} of them (memory O(K)) and counts the rest:
 *
 * <ul>
 *   <li>adaptation time for a target fraction {@code f} of a final value {@code v} and a smoothing window {@code w}:
 *       the first {@code n ≥ w} with {@code (1/w) Σ_{i=n−w+1..n} s_i ≥ f·v}, the number of examples the task needed
 *       to reach that level; -1 if no such {@code n ≤ K} exists (never reached, or not within the kept horizon);
 *   <li>adaptation efficiency over the first {@code k ≤ K} examples: the area under the learning curve normalised by
 *       its width, {@code (1/k) Σ_{i≤k} s_i} — in [0, 1] for 0/1 scores; when fewer than {@code k} scores were seen,
 *       the mean of those seen (NaN with none).
 * </ul>
 *
 * <p>The final value usually comes from elsewhere (the task's final windowed accuracy, or its independent model's),
 * which is why it is an argument. Not thread-safe.
 *
 * <pre>{@code
 * AdaptationCurve c = new AdaptationCurve(500);
 * c.update(correct ? 1 : 0);                           // per prequential example of the task
 * int n = c.adaptationTime(0.9, finalAccuracy, 20);     // examples to 90% of the final accuracy
 * double auc = c.efficiency(100);
 * }</pre>
 */
public final class AdaptationCurve implements StreamingMetric {
    private final double[] first;
    private long count;

    /** @param horizon K, how many leading scores to keep, at least 1 */
    public AdaptationCurve(int horizon) {
        if (horizon < 1 || horizon > PrequentialMetrics.MAX_WINDOW) {
            throw new IllegalArgumentException("horizon must be in [1, " + PrequentialMetrics.MAX_WINDOW + "], got "
                    + horizon);
        }
        first = new double[horizon];
    }

    /** @return K */
    public int horizon() {
        return first.length;
    }

    /** @param score the next prequential score of the task, finite */
    public void update(double score) {
        if (!Double.isFinite(score)) {
            throw new IllegalArgumentException("score must be finite, got " + score);
        }
        if (count < first.length) {
            first[(int) count] = score;
        }
        count++;
    }

    @Override
    public long count() {
        return count;
    }

    /**
     * @param fraction   f, the fraction of the final value to reach
     * @param finalValue v
     * @param window     w, the smoothing window, in [1, K]
     * @return the first n (1-based example count) whose trailing w-mean reaches f·v, or -1
     */
    public int adaptationTime(double fraction, double finalValue, int window) {
        if (window < 1 || window > first.length) {
            throw new IllegalArgumentException("window must be in [1, " + first.length + "], got " + window);
        }
        double target = fraction * finalValue;
        int kept = (int) Math.min(count, first.length);
        double s = 0;
        for (int i = 0; i < kept; i++) {
            s += first[i];
            if (i >= window) {
                s -= first[i - window];
            }
            if (i + 1 >= window && s / window >= target) {
                return i + 1;
            }
        }
        return -1;
    }

    /**
     * @param k how many leading scores, in [1, K]
     * @return the mean of the first min(k, count) scores, NaN with none
     */
    public double efficiency(int k) {
        if (k < 1 || k > first.length) {
            throw new IllegalArgumentException("k must be in [1, " + first.length + "], got " + k);
        }
        int m = (int) Math.min(k, count);
        double s = 0;
        for (int i = 0; i < m; i++) {
            s += first[i];
        }
        return m == 0 ? Double.NaN : s / m;
    }

    /** {@code adaptation_efficiency}: {@link #efficiency(int)} over the whole horizon K. */
    @Override
    public Map<String, Double> values() {
        Map<String, Double> m = new LinkedHashMap<>();
        if (count > 0) {
            m.put("adaptation_efficiency", efficiency(first.length));
        }
        return Collections.unmodifiableMap(m);
    }
}
