package dev.metastream.shift;

import java.util.List;

/**
 * One signal of a {@link ShiftReport}.
 *
 * <ul>
 *   <li>{@value #INPUTS}: per-feature tests combined by the dataset rule; {@code score} is the share
 *       of drifted features, drift when {@code score >= threshold}; {@code features} lists the most
 *       drifted ones (at most {@link ShiftMonitor#REPORTED_FEATURES}).
 *   <li>{@value #INPUTS_MMD}: multivariate test; {@code score} is the standardised MMD statistic of the random
 *       Fourier features, drift when {@code score > threshold}; no features.
 *   <li>{@value #PREDICTION}, {@value #LABEL}: one test on the predicted values or the labels;
 *       {@code score} is its p-value, drift when {@code score < threshold}; {@code features} holds
 *       the one variable's details.
 * </ul>
 *
 * @param name {@value #INPUTS}, {@value #INPUTS_MMD}, {@value #PREDICTION} or {@value #LABEL}
 * @param test {@code "share"}, {@code "mmd"}, {@code "chi2"} or {@code "ks"}
 * @param score the signal's score (see above)
 * @param threshold the score's threshold (see above)
 * @param drift whether this signal found a shift
 * @param features per-variable details, possibly empty, never null
 */
public record Signal(String name, String test, double score, double threshold, boolean drift,
        List<FeatureShift> features) {

    /** Per-feature input drift with the dataset-level rule. */
    public static final String INPUTS = "inputs";
    /** Multivariate input drift (kernel MMD). */
    public static final String INPUTS_MMD = "inputs-mmd";
    /** Drift of the model's predictions. */
    public static final String PREDICTION = "prediction";
    /** Drift of the labels, where present. */
    public static final String LABEL = "label";

    /** Copies {@code features} into an unmodifiable list. */
    public Signal {
        features = List.copyOf(features);
    }
}
