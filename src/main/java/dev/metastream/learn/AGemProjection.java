package dev.metastream.learn;

/**
 * A-GEM gradient projection (Chaudhry et al., "Efficient Lifelong Learning with A-GEM",
 * ICLR 2019): when the proposed gradient g conflicts with the reference gradient computed
 * on episodic memory (g·ref &lt; 0), remove the conflicting component so that the update does
 * not increase the average memory loss to first order.
 */
public final class AGemProjection {
    private AGemProjection() {
    }

    /**
     * Projects {@code g} in place: if g·ref &lt; 0 then g ← g − (g·ref / ref·ref) ref.
     * A null, empty or all-zero reference is a no-op.
     *
     * <p>After projection g·ref (in double over the stored floats) is guaranteed ≥ 0: the
     * rounding to float can leave a tiny negative residue, which is removed by nudging the
     * coordinate where ref is largest by at most a few ulps.
     *
     * @return true when g was changed
     */
    public static boolean project(float[] g, float[] reference) {
        if (reference == null || reference.length == 0) {
            return false;
        }
        double gr = VecMath.dot(g, reference);
        if (!(gr < 0)) {
            return false; // also leaves g alone on NaN rather than spreading it
        }
        double rr = VecMath.dot(reference, reference);
        if (rr == 0) {
            return false;
        }
        double c = gr / rr;
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) (g[i] - c * reference[i]);
        }
        repair(g, reference, rr);
        return true;
    }

    /** Removes a float-rounding residue g·ref &lt; 0 by moving one coordinate. */
    private static void repair(float[] g, float[] ref, double rr) {
        int k = 0;
        for (int i = 1; i < ref.length; i++) {
            if (Math.abs(ref[i]) > Math.abs(ref[k])) {
                k = i;
            }
        }
        float dir = ref[k] > 0 ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
        for (int attempt = 0; attempt < 8; attempt++) {
            double d = VecMath.dot(g, ref);
            if (d >= 0) {
                return;
            }
            float before = g[k];
            g[k] = (float) (g[k] - d / ref[k]);
            if (g[k] == before) {
                g[k] = Math.nextAfter(before, dir); // correction below one ulp
            }
        }
    }
}
