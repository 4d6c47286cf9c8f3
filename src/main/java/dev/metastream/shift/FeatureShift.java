package dev.metastream.shift;

/**
 * How one variable (an input feature, a folded group of sparse inputs, the prediction or the label)
 * moved between the reference and the recent window.
 *
 * @param feature index of the feature (of the folded category for wide inputs; 0 for the
 *     prediction and the label)
 * @param test the test that decided {@code drift}: {@code "ks"}, {@code "chi2"}, or with a reference
 *     larger than {@value ShiftMonitor#LARGE_REFERENCE} examples {@code "wasserstein"} (numeric) or
 *     {@code "jensenshannon"} (categorical)
 * @param statistic that test's statistic (for the two distances, the distance)
 * @param pValue that test's p-value; NaN for the distances, which have none
 * @param wasserstein normalised Wasserstein-1 distance of the binned distributions (see
 *     {@link Wasserstein}); NaN for class outputs, whose indices are nominal
 * @param psi population stability index
 * @param jensenShannon Jensen-Shannon distance (base 2)
 * @param drift whether the test called this variable drifted
 */
public record FeatureShift(int feature, String test, double statistic, double pValue, double wasserstein, double psi,
        double jensenShannon, boolean drift) {}
