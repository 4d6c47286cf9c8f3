package dev.metastream.shift;

/**
 * Wasserstein-1 (earth mover's) distance between two binned distributions, normalised by the
 * reference's standard deviation as Evidently does ({@code wasserstein} stat test, drift when the
 * normalised distance exceeds 0.1).
 *
 * <p>Reference: L. N. Vaserstein (1969); for one dimension {@code W1 = ∫ |F_ref(x) - F_cur(x)| dx}.
 *
 * <p>Binned approximation: each bin's mass is placed at one point of the bin (the monitor uses the
 * bin's lower edge, and the calibration minimum for the lowest bin), so {@code W1 = Σ_i |F_ref,i -
 * F_cur,i|·(x_{i+1} - x_i)} with {@code F_i} the cumulative share up to bin {@code i}. This is exact
 * for discrete features whose values are all bin edges; for continuous features it differs from the
 * raw-sample distance by less than the width of the bins mass moved across, and mass moving beyond
 * the highest edge is counted only up to that edge (an underestimate for large shifts).
 *
 * <pre>{@code
 * double w = Wasserstein.normalised(refCounts, curCounts, binPoints, referenceStd);  // drift if > 0.1
 * }</pre>
 */
public final class Wasserstein {

    /** Evidently's floor on the normalising standard deviation. */
    public static final double MIN_SCALE = 0.001;

    private Wasserstein() {}

    /**
     * W1 between two histograms over the same bins.
     *
     * @param reference counts per bin
     * @param current counts per bin
     * @param points the location of each bin's mass, non-decreasing
     * @return the distance, in the units of {@code points}; 0 when either histogram is empty
     */
    public static double distance(double[] reference, double[] current, double[] points) {
        Histograms.checkSameLength(reference, current);
        Histograms.checkSameLength(reference, points);
        double n = Histograms.total(reference);
        double m = Histograms.total(current);
        if (n <= 0 || m <= 0) {
            return 0;
        }
        double cumRef = 0;
        double cumCur = 0;
        double w = 0;
        for (int i = 0; i + 1 < reference.length; i++) {
            cumRef += reference[i];
            cumCur += current[i];
            w += Math.abs(cumRef / n - cumCur / m) * (points[i + 1] - points[i]);
        }
        return w;
    }

    /**
     * W1 divided by {@code max(referenceStd, 0.001)}.
     *
     * @param reference counts per bin
     * @param current counts per bin
     * @param points the location of each bin's mass, non-decreasing
     * @param referenceStd standard deviation of the reference values
     * @return the normalised distance
     */
    public static double normalised(double[] reference, double[] current, double[] points, double referenceStd) {
        return distance(reference, current, points) / Math.max(referenceStd, MIN_SCALE);
    }
}
