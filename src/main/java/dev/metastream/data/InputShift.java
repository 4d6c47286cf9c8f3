package dev.metastream.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Covariate shift for the generators ({@code shift-every=N}): every {@code N} examples the distribution of the inputs
 * moves while the concept (the label given the input) stays the same, so a label-free monitor has something to find
 * and an error-based detector, ideally, nothing.
 *
 * <p>Each generator draws its inputs from uniform numbers {@code u} in [0, 1) (a feature's value, a category, a
 * centroid, an item); under a shift it draws {@code u^g} instead, which stays in the same range, so the generator's
 * labelling rule applies unchanged. Segment 0 (the first {@code N} examples) is the generator's own distribution
 * ({@code g = 1}); in later segments each feature's exponent alternates between 2 (mass towards 0, mean 1/3) and 1/2
 * (mass towards 1, mean 2/3), odd and even features in opposite directions, so every shift moves every feature: the
 * Kolmogorov-Smirnov distance between consecutive segments is 0.25 at the first shift and about 0.47 after.
 *
 * <p>With {@code shift-every} absent (0) a generator draws exactly the numbers it drew before this option existed.
 *
 * <pre>{@code
 * InputShift shift = InputShift.from(params);             // reads shift-every
 * double x = shift.uniform(rnd, feature, t);              // instead of rnd.nextDouble()
 * List<Scenario.ChangePoint> points = shift.points(task, length);
 * }</pre>
 */
final class InputShift {
    /** No shift: {@code shift-every} absent or 0. */
    static final InputShift NONE = new InputShift(0);

    private final int every;

    /** @param every examples per input distribution; 0 = never shift */
    InputShift(int every) {
        this.every = every;
    }

    /** Reads {@code shift-every} (0, the default, is no shift). */
    static InputShift from(SourceParams p) {
        return new InputShift(p.integer("shift-every", 0, 0));
    }

    /** Whether the inputs shift at all. */
    boolean active() {
        return every > 0;
    }

    /**
     * A uniform number in [0, 1) as example {@code t} of the stream draws it for {@code feature}: the generator's
     * {@code rnd.nextDouble()} itself before the first shift, tilted by the segment's exponent after.
     */
    double uniform(Random rnd, int feature, long t) {
        double u = rnd.nextDouble();
        return active() ? tilt(u, feature, t) : u;
    }

    /**
     * A uniform integer in [0, n) for {@code feature} at example {@code t}: {@code rnd.nextInt(n)} when there is no
     * shift (the draws a generator made before this option existed), a tilted draw otherwise.
     */
    int uniformInt(Random rnd, int n, int feature, long t) {
        if (!active()) {
            return rnd.nextInt(n);
        }
        return Math.min(n - 1, (int) (n * tilt(rnd.nextDouble(), feature, t)));
    }

    /** {@code u} raised to the exponent of {@code feature} in example {@code t}'s segment. */
    double tilt(double u, int feature, long t) {
        long segment = active() ? t / every : 0;
        if (segment == 0) {
            return u;
        }
        boolean towardsZero = (segment + feature) % 2 == 1;
        return towardsZero ? u * u : Math.sqrt(u);
    }

    /** The shift points of a stream of {@code length} examples of {@code task}: each a change of width 1. */
    List<Scenario.ChangePoint> points(String task, long length) {
        List<Scenario.ChangePoint> out = new ArrayList<>();
        if (active()) {
            for (long t = every; t < length; t += every) {
                out.add(new Scenario.ChangePoint(task, t, 1));
            }
        }
        return out;
    }
}
