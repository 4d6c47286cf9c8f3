package dev.metastream.drift;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * DDM, the Drift Detection Method.
 *
 * <p>Reference: J. Gama, P. Medas, G. Castillo and P. Rodrigues, "Learning with Drift Detection",
 * Proc. Brazilian Symposium on Artificial Intelligence (SBIA), LNCS 3171, 2004, pp. 286–295.
 *
 * <p>DDM models a learner's 0/1 errors as Bernoulli trials: after {@code i} values the error rate
 * is {@code p_i} (the mean since the last drift) with standard deviation
 * {@code s_i = sqrt(p_i (1 − p_i) / i)}. While the learner improves {@code p_i + s_i} falls; DDM
 * remembers {@code p_min} and {@code s_min} where that sum was least, and once more than
 * {@code warmStart} values were seen it
 * <ul>
 *   <li>warns while {@code p_i + s_i > p_min + warningThreshold · s_min} (2: about 95% confidence),
 *   <li>signals a drift when {@code p_i + s_i > p_min + driftThreshold · s_min} (3: about 99%),
 *       and then starts afresh (lazily, on the next update, so {@link #statistics()} still describes
 *       the detecting state).
 * </ul>
 * The comparisons are strict, as in MOA and River (the paper writes ≥): with ≥ a learner that has
 * made no error yet ({@code p_min = s_min = 0}) would be "warning" forever.
 *
 * <p>Input: 0 (right) or 1 (wrong). Other values are clamped into [0, 1], so a squared error above 1
 * counts as a full error; the test's variance assumes Bernoulli values, so prefer ADWIN or HDDM
 * for real-valued losses.
 *
 * <p>{@code "estimation"} in {@link #statistics()} is the mean of the values since {@code p_min}
 * was last lowered: the error since the learner was last at its best, the recent level a drift is
 * about (the overall {@code p_i} lags far behind a change).
 *
 * <p>Defaults follow River: warm start 30, warning threshold 2, drift threshold 3.
 *
 * <pre>{@code
 * Ddm ddm = new Ddm();                       // or new Ddm(30, 2.0, 3.0)
 * for (boolean wrong : mistakes) {
 *     ddm.update(wrong ? 1 : 0);
 *     if (ddm.driftDetected()) {
 *         retrain();
 *     } else if (ddm.warningDetected()) {
 *         startCollecting();
 *     }
 * }
 * }</pre>
 */
public final class Ddm implements DriftDetector {

    static final String NAME = "ddm";
    static final byte TYPE = 3;
    static final byte VERSION = 1;

    /** Default number of values before DDM may warn or fire. */
    public static final int DEFAULT_WARM_START = 30;
    /** Default warning level in standard deviations. */
    public static final double DEFAULT_WARNING_THRESHOLD = 2.0;
    /** Default drift level in standard deviations. */
    public static final double DEFAULT_DRIFT_THRESHOLD = 3.0;

    private final int warmStart;
    private final double warningThreshold;
    private final double driftThreshold;

    private long n;
    private double p;
    private double pMin;
    private double sMin;
    private long sinceMinCount;
    private double sinceMinSum;
    private boolean detected;
    private boolean warning;
    private long detections; // survives the self-reset after a detection; cleared by reset()

    /** Creates DDM with River's defaults (warm start 30, thresholds 2 and 3). */
    public Ddm() {
        this(DEFAULT_WARM_START, DEFAULT_WARNING_THRESHOLD, DEFAULT_DRIFT_THRESHOLD);
    }

    /**
     * Creates DDM.
     *
     * @param warmStart values needed since the last drift before a warning or drift (≥ 0)
     * @param warningThreshold standard deviations above the minimum that warn (&gt; 0)
     * @param driftThreshold standard deviations above the minimum that fire (≥ warningThreshold)
     */
    public Ddm(int warmStart, double warningThreshold, double driftThreshold) {
        if (warmStart < 0) {
            throw new IllegalArgumentException("ddm: warm_start must be >= 0, got " + warmStart);
        }
        if (!(warningThreshold > 0) || !Double.isFinite(warningThreshold)) {
            throw new IllegalArgumentException("ddm: warning_threshold must be > 0, got " + warningThreshold);
        }
        if (!(driftThreshold >= warningThreshold) || !Double.isFinite(driftThreshold)) {
            throw new IllegalArgumentException("ddm: drift_threshold must be >= warning_threshold ("
                    + warningThreshold + "), got " + driftThreshold);
        }
        this.warmStart = warmStart;
        this.warningThreshold = warningThreshold;
        this.driftThreshold = driftThreshold;
        clearData();
    }

    @Override
    public void update(double value) {
        Params.requireFinite(value);
        if (detected) {
            clearData();
        }
        double x = Params.unit(value);
        n++;
        p += (x - p) / n;
        sinceMinCount++;
        sinceMinSum += x;
        double s = Math.sqrt(p * (1 - p) / n);
        if (n > warmStart) {
            if (p + s <= pMin + sMin) {
                pMin = p;
                sMin = s;
                sinceMinCount = 0;
                sinceMinSum = 0;
            }
            detected = p + s > pMin + driftThreshold * sMin;
            warning = !detected && p + s > pMin + warningThreshold * sMin;
            if (detected) {
                detections++;
            }
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

    /** @return the mean of the values since the minimum of {@code p + s} (the error rate when none yet) */
    public double estimation() {
        return sinceMinCount > 0 ? sinceMinSum / sinceMinCount : p;
    }

    @Override
    public Map<String, Double> statistics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("n", (double) n);
        m.put("p", p);
        m.put("s", n == 0 ? 0.0 : Math.sqrt(p * (1 - p) / n));
        // Before the first minimum p_min and s_min are infinite; report 0 so every statistic is finite.
        m.put("p_min", Double.isFinite(pMin) ? pMin : 0.0);
        m.put("s_min", Double.isFinite(sMin) ? sMin : 0.0);
        m.put("estimation", estimation());
        m.put("detections", (double) detections);
        return Collections.unmodifiableMap(m);
    }

    private void clearData() {
        n = 0;
        p = 0;
        pMin = Double.POSITIVE_INFINITY;
        sMin = Double.POSITIVE_INFINITY;
        sinceMinCount = 0;
        sinceMinSum = 0;
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
        ByteBuffer buf = ByteBuffer.allocate(2 + Integer.BYTES + 2 * Double.BYTES
                + Long.BYTES + 3 * Double.BYTES + Long.BYTES + Double.BYTES + 2 + Long.BYTES);
        buf.put(TYPE).put(VERSION);
        buf.putInt(warmStart).putDouble(warningThreshold).putDouble(driftThreshold);
        buf.putLong(n).putDouble(p).putDouble(pMin).putDouble(sMin).putLong(sinceMinCount).putDouble(sinceMinSum);
        buf.put(Params.flag(detected)).put(Params.flag(warning)).putLong(detections);
        return buf.array();
    }

    static Ddm read(byte version, ByteBuffer buf) {
        Params.checkVersion(NAME, version, VERSION);
        Ddm d = new Ddm(buf.getInt(), buf.getDouble(), buf.getDouble());
        d.n = buf.getLong();
        d.p = buf.getDouble();
        d.pMin = buf.getDouble();
        d.sMin = buf.getDouble();
        d.sinceMinCount = buf.getLong();
        d.sinceMinSum = buf.getDouble();
        d.detected = buf.get() != 0;
        d.warning = buf.get() != 0;
        d.detections = buf.getLong();
        if (d.n < 0 || d.sinceMinCount < 0 || d.detections < 0) {
            throw new IllegalArgumentException("ddm: negative count in state");
        }
        return d;
    }

    @Override
    public String toString() {
        return "Ddm{n=" + n + ", p=" + p + ", pMin=" + pMin + ", sMin=" + sMin + "}";
    }
}
