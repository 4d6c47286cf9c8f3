package dev.metastream.eval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Anytime accuracy: the mean accuracy over every task seen so far, sampled along the stream (after Caccia et al.,
 * "Online Fast Adaptation and Knowledge Accumulation", NeurIPS 2020, and the "average anytime accuracy" of
 * Koh et al., ICLR 2022).
 *
 * <p>Sample s, taken after {@code e_s} examples with the accuracies {@code a_{s,1..T_s}} of the {@code T_s} tasks
 * seen so far, is the point {@code (e_s, A_s)} with {@code A_s = (1/T_s) Σ_t a_{s,t}}; {@link #mean()} is
 * {@code (1/S) Σ_s A_s}, the area under that curve per sample. Memory grows with the number of samples (one point
 * each), which the caller controls by its sampling interval. {@link #mean()} is 0 with no sample. Not thread-safe.
 *
 * <pre>{@code
 * AnytimeAccuracy any = new AnytimeAccuracy();
 * every 1000 examples: any.record(seen, accuracyOfEachTaskSoFar());
 * double aaa = any.mean();  List<AnytimeAccuracy.Point> curve = any.curve();
 * }</pre>
 */
public final class AnytimeAccuracy implements StreamingMetric {

    /**
     * One sample of the curve.
     *
     * @param examplesSeen examples of the stream seen when it was taken
     * @param mean         mean accuracy over the tasks seen so far
     */
    public record Point(long examplesSeen, double mean) {
    }

    private final List<Point> points = new ArrayList<>();
    private double sum;

    /**
     * Records a sample.
     *
     * @param examplesSeen examples seen so far, not below the previous sample's
     * @param accuracyOfEachTaskSeenSoFar one finite accuracy per task seen so far, at least one
     */
    public void record(long examplesSeen, double[] accuracyOfEachTaskSeenSoFar) {
        if (accuracyOfEachTaskSeenSoFar == null || accuracyOfEachTaskSeenSoFar.length == 0) {
            throw new IllegalArgumentException("a sample needs the accuracy of at least one task");
        }
        if (!points.isEmpty() && examplesSeen < points.get(points.size() - 1).examplesSeen()) {
            throw new IllegalArgumentException("samples come in stream order: " + examplesSeen + " after "
                    + points.get(points.size() - 1).examplesSeen());
        }
        double s = 0;
        for (double a : accuracyOfEachTaskSeenSoFar) {
            if (!Double.isFinite(a)) {
                throw new IllegalArgumentException("accuracy must be finite, got " + a);
            }
            s += a;
        }
        Point p = new Point(examplesSeen, s / accuracyOfEachTaskSeenSoFar.length);
        points.add(p);
        sum += p.mean();
    }

    /** @return the samples so far, in order (unmodifiable) */
    public List<Point> curve() {
        return Collections.unmodifiableList(points);
    }

    /** @return the mean of the sampled means, 0 with no sample */
    public double mean() {
        return ConfusionMatrix.ratio(sum, points.size());
    }

    /** @return the number of samples */
    @Override
    public long count() {
        return points.size();
    }

    /** {@code anytime_accuracy} (the mean over samples) and {@code anytime_accuracy_last} (the latest sample). */
    @Override
    public Map<String, Double> values() {
        Map<String, Double> m = new LinkedHashMap<>();
        if (!points.isEmpty()) {
            m.put("anytime_accuracy", mean());
            m.put("anytime_accuracy_last", points.get(points.size() - 1).mean());
        }
        return Collections.unmodifiableMap(m);
    }
}
