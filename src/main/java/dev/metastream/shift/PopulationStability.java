package dev.metastream.shift;

/**
 * Population stability index (PSI) between two histograms over the same bins:
 * {@code PSI = Σ_i (c_i - r_i)·ln(c_i / r_i)} with {@code r_i}, {@code c_i} the reference and
 * current shares of bin {@code i}; an empty bin's share is replaced by {@value #EPSILON} so the
 * logarithm stays finite (Evidently does the same).
 *
 * <p>Reference: B. Yurdakul (2018), "Statistical properties of population stability index",
 * Western Michigan University. Usual reading: below 0.1 no change, 0.1–0.25 moderate, above 0.25
 * significant. The monitor reports it as a score only.
 *
 * <pre>{@code
 * double psi = PopulationStability.index(referenceCounts, currentCounts);
 * }</pre>
 */
public final class PopulationStability {

    /** Share that stands in for an empty bin. */
    public static final double EPSILON = 1e-4;

    private PopulationStability() {}

    /**
     * PSI of the current histogram against the reference.
     *
     * @param reference counts per bin
     * @param current counts per bin
     * @return the index, {@code >= 0}; 0 when either histogram is empty
     */
    public static double index(double[] reference, double[] current) {
        Histograms.checkSameLength(reference, current);
        double n = Histograms.total(reference);
        double m = Histograms.total(current);
        if (n <= 0 || m <= 0) {
            return 0;
        }
        double psi = 0;
        for (int i = 0; i < reference.length; i++) {
            double r = reference[i] > 0 ? reference[i] / n : EPSILON;
            double c = current[i] > 0 ? current[i] / m : EPSILON;
            psi += (c - r) * Math.log(c / r);
        }
        return psi;
    }
}
