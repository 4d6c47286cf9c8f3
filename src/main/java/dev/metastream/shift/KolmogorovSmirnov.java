package dev.metastream.shift;

/**
 * Two-sample Kolmogorov-Smirnov test on binned data.
 *
 * <p>Reference: N. Smirnov (1948), "Table for estimating the goodness of fit of empirical
 * distributions"; M. A. Stephens (1970), "Use of the Kolmogorov-Smirnov, Cramér-von Mises and
 * related statistics without extensive tables" for the small-sample correction.
 *
 * <p>The statistic is {@code D = max |F_ref - F_cur|} over the bin edges, where {@code F} are the
 * two empirical distribution functions. The monitor keeps histograms, not raw values, so the
 * maximum is taken at the edges only: this is a <b>lower bound</b> of the raw-sample statistic
 * (equal to it when the largest gap falls on an edge), which makes the test conservative, never
 * anti-conservative. The p-value is the asymptotic one with the effective sample size
 * {@code n_e = n·m/(n+m)} and Stephens' correction, {@code Q_KS((√n_e + 0.12 + 0.11/√n_e)·D)}, as
 * scipy's {@code ks_2samp} computed it in its asymptotic mode before version 1.5.
 *
 * <pre>{@code
 * double d = KolmogorovSmirnov.statistic(referenceCounts, currentCounts);
 * double p = KolmogorovSmirnov.pValue(d, 500, 500);   // drift when p < 0.05
 * }</pre>
 */
public final class KolmogorovSmirnov {

    private KolmogorovSmirnov() {}

    /**
     * The largest distance between the two binned distribution functions.
     *
     * @param reference counts per bin (bins in increasing order of value)
     * @param current counts per bin, same bins
     * @return {@code D} in [0, 1]; 0 when either histogram is empty
     */
    public static double statistic(double[] reference, double[] current) {
        Histograms.checkSameLength(reference, current);
        double n = Histograms.total(reference);
        double m = Histograms.total(current);
        if (n <= 0 || m <= 0) {
            return 0;
        }
        double cumRef = 0;
        double cumCur = 0;
        double d = 0;
        for (int i = 0; i < reference.length; i++) {
            cumRef += reference[i];
            cumCur += current[i];
            d = Math.max(d, Math.abs(cumRef / n - cumCur / m));
        }
        return Math.min(d, 1);
    }

    /**
     * Asymptotic two-sided p-value of a two-sample statistic.
     *
     * @param d the statistic
     * @param n size of the first sample
     * @param m size of the second sample
     * @return {@code P(D' >= d)} under equal distributions; 1 when a sample is empty
     */
    public static double pValue(double d, double n, double m) {
        if (n <= 0 || m <= 0) {
            return 1;
        }
        double en = Math.sqrt(n * m / (n + m));
        return Distributions.kolmogorovSurvival((en + 0.12 + 0.11 / en) * d);
    }
}
