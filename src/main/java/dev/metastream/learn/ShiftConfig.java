package dev.metastream.learn;

import dev.metastream.learn.LearnerConfig.Key;
import dev.metastream.shift.ShiftMonitor;
import java.util.List;

/**
 * Settings of label-free domain-shift monitoring, the part of {@link LearnerConfig} that owns the {@code shift.*} keys.
 * Every task (labelled or not) gets a {@link ShiftMonitor} on its inputs, predictions and labels; the monitor itself
 * lives in {@code dev.metastream.shift}. None of these settings changes what the model learns, so none is part of the
 * configuration digest.
 *
 * @param enabled  whether tasks are monitored ({@code shift.monitor})
 * @param allTasks whether a monitor also watches the inputs of all of a partition's tasks together, as task {@code *}
 *                 ({@code shift.all.tasks})
 * @param settings the monitor's settings (the other {@code shift.*} keys)
 */
public record ShiftConfig(boolean enabled, boolean allTasks, ShiftMonitor.Settings settings) {

    /**
     * The task id under which the monitor over all of a partition's tasks ({@code shift.all.tasks}) is stored and
     * published; input records may not use it.
     */
    public static final String ALL_TASKS = "*";

    private static final ShiftMonitor.Settings DEFAULTS = ShiftMonitor.Settings.defaults();

    /** Every key this part owns, with its default, in the order {@code config/application.properties} lists them. */
    public static final List<Key> KEYS = List.of(
            new Key("shift.monitor", "true", "Label-free domain-shift monitoring of every task's inputs, predictions and labels (labelled and unlabelled records alike); a shift is published on the drift-events topic with signal inputs, inputs-mmd, prediction or label."),
            new Key("shift.all.tasks", "true", "Also monitor the inputs of all of a partition's tasks together, published as task * (the only monitor that completes a reference when tasks are many and short, e.g. users of a recommender)."),
            new Key("shift.reference", DEFAULTS.reference().name().toLowerCase(), "What the recent window is compared with: first (the task's first shift.reference.size examples, re-learned after each detected shift) or sliding (the shift.reference.size examples just before the recent window)."),
            new Key("shift.reference.size", Integer.toString(DEFAULTS.referenceSize()), "Examples in the reference window. Up to 1000, per-feature drift is a statistical test (binned Kolmogorov-Smirnov, p below shift.significance); above, a normalised Wasserstein distance above 0.1 (Evidently's rule)."),
            new Key("shift.block.size", Integer.toString(DEFAULTS.blockSize()), "Examples per block of the recent window; a check runs at the end of every block."),
            new Key("shift.recent.blocks", Integer.toString(DEFAULTS.recentBlocks()), "Blocks in the recent window (its size is shift.block.size times this)."),
            new Key("shift.bins", Integer.toString(DEFAULTS.bins()), "Histogram bins per numeric feature, their edges the reference's quantiles."),
            new Key("shift.feature.share", Double.toString(DEFAULTS.featureShare()), "Dataset-level rule: the inputs have shifted when at least this share of the monitored features drifted."),
            new Key("shift.significance", Double.toString(DEFAULTS.significance()), "p-value below which a feature's (or the prediction's or label's) statistical test says drift."),
            new Key("shift.expected.run.time", Long.toString((long) DEFAULTS.expectedRunTime()), "Expected examples between false alarms of the multivariate (MMD) signal; its threshold is calibrated from it."),
            new Key("shift.max.features", Integer.toString(DEFAULTS.maxFeatures()), "Features tested one by one; wider inputs (hashed, sparse) are monitored as one categorical distribution of which features are non-zero."),
            new Key("shift.prediction.alarm", "false", "Whether the predictions' drift alone is a shift. Off by default: a model that keeps learning moves its predictions as it learns, with inputs and labels unchanged; the prediction signal is still tested and reported with every check."),
            new Key("shift.projections", Integer.toString(DEFAULTS.projections()), "Random Fourier features of the multivariate (MMD) signal; 0 turns it off."));

    /** Reads this part's keys; absent ones take their defaults. */
    static ShiftConfig from(LearnerConfig.Reader r) {
        String reference = r.string("shift.reference").trim().toLowerCase();
        ShiftMonitor.Reference ref = switch (reference) {
            case "first" -> ShiftMonitor.Reference.FIRST;
            case "sliding" -> ShiftMonitor.Reference.SLIDING;
            default -> throw new IllegalArgumentException(
                    "shift.reference=" + reference + " is not known: use first or sliding");
        };
        double share = r.doubleValue("shift.feature.share");
        if (!(share > 0 && share <= 1)) {
            throw new IllegalArgumentException("shift.feature.share=" + share + " must be in (0, 1]");
        }
        double significance = r.doubleValue("shift.significance");
        if (!(significance > 0 && significance < 1)) {
            throw new IllegalArgumentException("shift.significance=" + significance + " must be in (0, 1)");
        }
        double ert = r.doubleValue("shift.expected.run.time");
        if (!(ert >= 1)) {
            throw new IllegalArgumentException("shift.expected.run.time=" + ert + " must be at least 1 (examples)");
        }
        int bins = r.positiveInt("shift.bins");
        if (bins < 2) {
            throw new IllegalArgumentException("shift.bins=" + bins + " must be at least 2");
        }
        try {
            return new ShiftConfig(r.bool("shift.monitor"), r.bool("shift.all.tasks"), new ShiftMonitor.Settings(
                    r.positiveInt("shift.reference.size"), r.positiveInt("shift.block.size"),
                    r.positiveInt("shift.recent.blocks"), bins, share, significance, ert,
                    r.positiveInt("shift.max.features"), r.nonNegativeInt("shift.projections"), ref,
                    r.bool("shift.prediction.alarm")));
        } catch (IllegalArgumentException e) {
            // The monitor's own checks (a reference that is not a whole number of blocks, say) name its fields.
            throw new IllegalArgumentException("shift.*: " + e.getMessage()
                    + " (shift.reference.size, shift.block.size, shift.expected.run.time)", e);
        }
    }
}
