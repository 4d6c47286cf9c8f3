package dev.metastream.shift;

/**
 * Pearson's chi-square test of homogeneity of two count vectors over the same categories (a
 * 2 × k contingency table without continuity correction, as scipy's
 * {@code chi2_contingency(table, correction=False)}).
 *
 * <p>Reference: K. Pearson (1900). Expected counts are {@code E_si = row_s · col_i / N}; the
 * statistic {@code Σ (O - E)² / E} has {@code k' - 1} degrees of freedom, {@code k'} the number of
 * categories seen in either sample (categories empty in both carry no information and are
 * dropped). The p-value is {@code Q((k'-1)/2, stat/2)}, the regularized upper incomplete gamma.
 *
 * <pre>{@code
 * ChiSquareTest.Result r = ChiSquareTest.homogeneity(referenceClassCounts, currentClassCounts);
 * boolean drift = r.pValue() < 0.05;
 * }</pre>
 */
public final class ChiSquareTest {

    /**
     * Outcome of a test.
     *
     * @param statistic Pearson's statistic
     * @param dof degrees of freedom (0 when fewer than two categories were seen)
     * @param pValue probability of a statistic at least as large under homogeneity
     */
    public record Result(double statistic, int dof, double pValue) {}

    private ChiSquareTest() {}

    /**
     * Tests whether two samples come from the same categorical distribution.
     *
     * @param reference counts per category
     * @param current counts per category, same categories
     * @return statistic, degrees of freedom and p-value; {@code (0, 0, 1)} when a sample is empty
     *     or only one category was seen
     */
    public static Result homogeneity(double[] reference, double[] current) {
        Histograms.checkSameLength(reference, current);
        double n = Histograms.total(reference);
        double m = Histograms.total(current);
        double total = n + m;
        if (n <= 0 || m <= 0) {
            return new Result(0, 0, 1);
        }
        double stat = 0;
        int seen = 0;
        for (int i = 0; i < reference.length; i++) {
            double col = reference[i] + current[i];
            if (col <= 0) {
                continue;
            }
            seen++;
            double er = n * col / total;
            double ec = m * col / total;
            stat += (reference[i] - er) * (reference[i] - er) / er + (current[i] - ec) * (current[i] - ec) / ec;
        }
        if (seen < 2) {
            return new Result(0, 0, 1);
        }
        int dof = seen - 1;
        return new Result(stat, dof, Distributions.chiSquareSurvival(stat, dof));
    }
}
