package dev.metastream.meta;

/**
 * Online detection of negative transfer for one task: does sharing the trunk help the task, or would the task do as
 * well on its own? The task's prediction already mixes three experts on every example (its head over the shared
 * trunk's features, a linear model on its own inputs, its running label mean); their losses on each example, before
 * learning from it, are the evidence. A slow average of each (a running mean over the first {@value #HORIZON}
 * examples, then an EWMA of that span) gives the <i>loss ratio</i>
 * {@code r = shared-head loss / min(linear loss, mean loss)}: the shared head's loss against the better of the task's
 * shadow per-task models. {@code r < 1}: sharing helps; {@code r >= 1} after {@value #WARMUP} examples: it does not
 * (negative transfer), and the task's pull on the shared trunk is wasted at best, and at worst drags the other tasks'
 * features toward a representation only it wants (a task of pure noise keeps its errors, and so its trunk gradient,
 * large forever), and its head pulls the meta-learned initialisation and prior every new task starts from.
 *
 * <p>The reaction's <i>trunk weight</i> scales the task's pull on the trunk: 1 while sharing clearly helps
 * ({@code r <= 1 - }{@value #RAMP}), falling linearly to {@value #FLOOR} at {@code r = 1}, so a task near the
 * boundary is not switched on and off. Never 0: a task whose trunk features could still improve keeps some pull.
 *
 * <p>Pure arithmetic on a {@code double[3]} of averages and a count, deterministic, so a learner rebuilt from its
 * stored state and its pending examples computes the same figures.
 *
 * <pre>{@code
 * double[] avg = new double[3];
 * long n = NegativeTransfer.observe(avg, 0, new double[] {deepLoss, linearLoss, meanLoss});
 * boolean negative = NegativeTransfer.negative(avg, n);
 * double w = NegativeTransfer.trunkWeight(avg, n);
 * }</pre>
 */
public final class NegativeTransfer {
    /** Examples the averages span. */
    public static final int HORIZON = 200;
    /** Examples before a task can be flagged (and down-weighted). */
    public static final int WARMUP = 50;
    /** Width of the ratio band over which the trunk weight falls from 1 to {@link #FLOOR}. */
    public static final double RAMP = 0.05;
    /** The smallest trunk weight. */
    public static final double FLOOR = 0.1;

    private NegativeTransfer() {
    }

    /**
     * Folds one example's expert losses (shared head, linear expert, mean expert) into the averages.
     *
     * @param averages the task's averages, changed in place
     * @param count    examples folded so far
     * @return the new count
     */
    public static long observe(double[] averages, long count, double[] losses) {
        long n = count + 1;
        double rate = 1.0 / Math.min(n, HORIZON);
        for (int k = 0; k < averages.length; k++) {
            double l = losses[k];
            if (Double.isFinite(l)) {
                averages[k] += (l - averages[k]) * rate;
            }
        }
        return n;
    }

    /** The shared head's loss over the better shadow model's, or NaN before any example (or with shadows at 0). */
    public static double ratio(double[] averages, long count) {
        if (averages == null || count == 0) {
            return Double.NaN;
        }
        double shadow = Math.min(averages[1], averages[2]);
        if (!(shadow > 0)) {
            return averages[0] > 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        }
        return averages[0] / shadow;
    }

    /** Whether the task shows negative transfer: past the warm-up, its shared head does no better than its shadows. */
    public static boolean negative(double[] averages, long count) {
        return count >= WARMUP && ratio(averages, count) >= 1;
    }

    /** The weight of the task's pull on the trunk: 1, down to {@link #FLOOR} as the ratio nears 1 (see above). */
    public static double trunkWeight(double[] averages, long count) {
        if (count < WARMUP) {
            return 1;
        }
        double r = ratio(averages, count);
        if (Double.isNaN(r)) {
            return 1;
        }
        double w = (1 - r) / RAMP;
        return Math.max(FLOOR, Math.min(1, w));
    }
}
