package dev.metastream.drift;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * HDDM_A: drift detection with Hoeffding's bound on averages (the "A-test").
 *
 * <p>Reference: I. Frías-Blanco, J. del Campo-Ávila, G. Ramos-Jiménez, R. Morales-Bueno, A.
 * Ortiz-Díaz and Y. Caballero-Mota, "Online and Non-Parametric Drift Detection Methods Based on
 * Hoeffding's Bounds", IEEE Transactions on Knowledge and Data Engineering 27(3):810–823, 2015.
 *
 * <p>Values must lie in [0, 1] (Hoeffding's bound assumes bounded values; others are clamped).
 * With {@code Z} the mean of all {@code n} values since the last drift, HDDM_A keeps a cut point:
 * the prefix {@code X} (its count and sum) at which {@code X̄ + ε(|X|)} was least, with
 * {@code ε(k) = sqrt(ln(1/δ_drift) / (2k))}. The mean went up when
 * <pre>
 *   Z̄ − X̄ ≥ sqrt( m/2 · ln(2/δ) ),   m = (n − |X|) / (|X| · n),
 * </pre>
 * a drift at δ = {@code driftConfidence}, a warning at δ = {@code warningConfidence}. The
 * two-sided variant also keeps the prefix where {@code X̄ − ε} was greatest and tests for a
 * decrease the same way. After a drift the detector starts afresh (lazily, on the next update, so
 * {@link #statistics()} still describes the detecting state). Only the cut points' counts and
 * sums are kept: O(1) memory.
 *
 * <p>{@code "estimation"} in {@link #statistics()} is the mean of the values after the cut point,
 * the level the test found higher than before it.
 *
 * <p>Defaults follow River and MOA: drift confidence 0.001, warning confidence 0.005, one-sided
 * (a rising error).
 *
 * <pre>{@code
 * HddmA hddm = new HddmA();                  // or new HddmA(0.001, 0.005, false)
 * for (boolean wrong : mistakes) {
 *     hddm.update(wrong ? 1 : 0);
 *     if (hddm.driftDetected()) {
 *         System.out.println("error rose to " + hddm.statistics().get("estimation"));
 *     }
 * }
 * }</pre>
 */
public final class HddmA implements DriftDetector {

    static final String NAME = "hddm-a";
    static final byte TYPE = 4;
    static final byte VERSION = 1;

    /** Default confidence of a drift. */
    public static final double DEFAULT_DRIFT_CONFIDENCE = 0.001;
    /** Default confidence of a warning. */
    public static final double DEFAULT_WARNING_CONFIDENCE = 0.005;

    private final double driftConfidence;
    private final double warningConfidence;
    private final boolean twoSided;

    private long n;
    private double sum;
    private long minN;
    private double minSum;
    private long maxN;
    private double maxSum;
    private boolean detected;
    private boolean warning;
    private long detections;

    /** Creates HDDM_A with the defaults (0.001, 0.005, one-sided). */
    public HddmA() {
        this(DEFAULT_DRIFT_CONFIDENCE, DEFAULT_WARNING_CONFIDENCE, false);
    }

    /**
     * Creates HDDM_A.
     *
     * @param driftConfidence δ of a drift, in (0, 1)
     * @param warningConfidence δ of a warning, in [driftConfidence, 1)
     * @param twoSided whether decreases of the mean are detected too
     */
    public HddmA(double driftConfidence, double warningConfidence, boolean twoSided) {
        if (!(driftConfidence > 0 && driftConfidence < 1)) {
            throw new IllegalArgumentException("hddm-a: drift_confidence must be in (0, 1), got " + driftConfidence);
        }
        if (!(warningConfidence >= driftConfidence && warningConfidence < 1)) {
            throw new IllegalArgumentException("hddm-a: warning_confidence must be in [drift_confidence, 1), got "
                    + warningConfidence);
        }
        this.driftConfidence = driftConfidence;
        this.warningConfidence = warningConfidence;
        this.twoSided = twoSided;
    }

    private double bound(long count) {
        return Math.sqrt(Math.log(1.0 / driftConfidence) / (2.0 * count));
    }

    /** Whether the mean after a prefix of {@code k} values summing to {@code s} differs by the A-test's bound. */
    private boolean changed(long k, double s, double confidence, boolean up) {
        if (k == n) {
            return false;
        }
        double m = (double) (n - k) / k / n;
        double eps = Math.sqrt(m / 2.0 * Math.log(2.0 / confidence));
        double diff = sum / n - s / k;
        return (up ? diff : -diff) >= eps;
    }

    @Override
    public void update(double value) {
        Params.requireFinite(value);
        if (detected) {
            clearData();
        }
        double x = Params.unit(value);
        n++;
        sum += x;
        if (minN == 0) {
            minN = n;
            minSum = sum;
            maxN = n;
            maxSum = sum;
        }
        double mean = sum / n;
        double epsZ = bound(n);
        if (minSum / minN + bound(minN) >= mean + epsZ) {
            minN = n;
            minSum = sum;
        }
        if (maxSum / maxN - bound(maxN) <= mean - epsZ) {
            maxN = n;
            maxSum = sum;
        }
        detected = changed(minN, minSum, driftConfidence, true);
        warning = !detected && changed(minN, minSum, warningConfidence, true);
        if (twoSided && !detected) {
            detected = changed(maxN, maxSum, driftConfidence, false);
            warning = !detected && (warning || changed(maxN, maxSum, warningConfidence, false));
        }
        if (detected) {
            detections++;
        }
    }

    @Override
    public boolean driftDetected() {
        return detected;
    }

    @Override
    public boolean warningDetected() {
        return warning;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** @return the mean of the values after the cut point (the overall mean when there are none) */
    public double estimation() {
        if (n == 0) {
            return 0.0;
        }
        return n > minN ? (sum - minSum) / (n - minN) : sum / n;
    }

    @Override
    public Map<String, Double> statistics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("n", (double) n);
        m.put("mean", n == 0 ? 0.0 : sum / n);
        m.put("cut", (double) minN);
        m.put("cut_mean", minN == 0 ? 0.0 : minSum / minN);
        m.put("estimation", estimation());
        m.put("detections", (double) detections);
        return Collections.unmodifiableMap(m);
    }

    private void clearData() {
        n = 0;
        sum = 0;
        minN = 0;
        minSum = 0;
        maxN = 0;
        maxSum = 0;
        detected = false;
        warning = false;
    }

    @Override
    public void reset() {
        clearData();
        detections = 0;
    }

    @Override
    public byte[] toBytes() {
        ByteBuffer buf = ByteBuffer.allocate(2 + 2 * Double.BYTES + 1 + 3 * (Long.BYTES + Double.BYTES) + 2
                + Long.BYTES);
        buf.put(TYPE).put(VERSION);
        buf.putDouble(driftConfidence).putDouble(warningConfidence).put(Params.flag(twoSided));
        buf.putLong(n).putDouble(sum).putLong(minN).putDouble(minSum).putLong(maxN).putDouble(maxSum);
        buf.put(Params.flag(detected)).put(Params.flag(warning)).putLong(detections);
        return buf.array();
    }

    static HddmA read(byte version, ByteBuffer buf) {
        Params.checkVersion(NAME, version, VERSION);
        HddmA h = new HddmA(buf.getDouble(), buf.getDouble(), buf.get() != 0);
        h.n = buf.getLong();
        h.sum = buf.getDouble();
        h.minN = buf.getLong();
        h.minSum = buf.getDouble();
        h.maxN = buf.getLong();
        h.maxSum = buf.getDouble();
        h.detected = buf.get() != 0;
        h.warning = buf.get() != 0;
        h.detections = buf.getLong();
        if (h.n < 0 || h.minN < 0 || h.minN > h.n || h.maxN < 0 || h.maxN > h.n || (h.n > 0 && h.minN == 0)) {
            throw new IllegalArgumentException("hddm-a: inconsistent counts in state");
        }
        return h;
    }

    @Override
    public String toString() {
        return "HddmA{n=" + n + ", mean=" + (n == 0 ? 0.0 : sum / n) + ", cut=" + minN + "}";
    }
}
