package dev.metastream.drift;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * HDDM_W: drift detection with McDiarmid's bound on exponentially weighted moving averages (the
 * "W-test").
 *
 * <p>Reference: I. Frías-Blanco, J. del Campo-Ávila, G. Ramos-Jiménez, R. Morales-Bueno, A.
 * Ortiz-Díaz and Y. Caballero-Mota, "Online and Non-Parametric Drift Detection Methods Based on
 * Hoeffding's Bounds", IEEE Transactions on Knowledge and Data Engineering 27(3):810–823, 2015.
 *
 * <p>Values must lie in [0, 1] (others are clamped). An EWMA with weight λ on the newest value,
 * {@code Ẑ ← λ x + (1 − λ) Ẑ} (the first value starts it), weights the values unequally, so its
 * deviation is bounded by McDiarmid's inequality with {@code ε = sqrt(D · ln(1/δ) / 2)}, where
 * {@code D}, the sum of the squared weights, follows {@code D ← λ² + (1 − λ)² D} from 1. HDDM_W
 * keeps the whole stream's average {@code Ẑ} and a cut point: whenever {@code Ẑ + ε} reaches a new
 * minimum, a copy of {@code Ẑ} becomes the "before" sample and a fresh average of the values after
 * the cut the "after" sample. The mean went up when
 * <pre>
 *   after − before &gt; sqrt( (D_before + D_after) · ln(1/δ) / 2 ),
 * </pre>
 * a drift at δ = {@code driftConfidence}, a warning at δ = {@code warningConfidence}. The two-sided
 * variant mirrors it with the maximum of {@code Ẑ − ε} for decreases. Because the averages forget,
 * HDDM_W reacts faster than HDDM_A to an abrupt change; O(1) memory. After a drift it starts
 * afresh (lazily, on the next update, so {@link #statistics()} still describes the detecting state).
 *
 * <p>{@code "estimation"} in {@link #statistics()} is {@code Ẑ}, the stream's EWMA: with λ = 0.05
 * about the last 20 values.
 *
 * <p>Defaults follow River and MOA: drift confidence 0.001, warning confidence 0.005, λ = 0.05,
 * one-sided (a rising error).
 *
 * <pre>{@code
 * HddmW hddm = new HddmW();                  // or new HddmW(0.001, 0.005, 0.05, false)
 * for (boolean wrong : mistakes) {
 *     hddm.update(wrong ? 1 : 0);
 *     if (hddm.driftDetected()) {
 *         System.out.println("error rose to " + hddm.statistics().get("estimation"));
 *     }
 * }
 * }</pre>
 */
public final class HddmW implements DriftDetector {

    static final String NAME = "hddm-w";
    static final byte TYPE = 5;
    static final byte VERSION = 1;

    /** Default confidence of a drift. */
    public static final double DEFAULT_DRIFT_CONFIDENCE = 0.001;
    /** Default confidence of a warning. */
    public static final double DEFAULT_WARNING_CONFIDENCE = 0.005;
    /** Default weight λ of the newest value. */
    public static final double DEFAULT_LAMBDA = 0.05;

    /** One exponentially weighted average and the sum of its squared weights. */
    private static final class Sample {
        double ewma;
        double weights = 1.0;
        boolean started;

        void add(double x, double lambda) {
            ewma = started ? lambda * x + (1 - lambda) * ewma : x;
            started = true;
            weights = lambda * lambda + (1 - lambda) * (1 - lambda) * weights;
        }

        void copyFrom(Sample o) {
            ewma = o.ewma;
            weights = o.weights;
            started = o.started;
        }

        void clear() {
            ewma = 0;
            weights = 1.0;
            started = false;
        }

        void write(ByteBuffer b) {
            b.putDouble(ewma).putDouble(weights).put(Params.flag(started));
        }

        void read(ByteBuffer b) {
            ewma = b.getDouble();
            weights = b.getDouble();
            started = b.get() != 0;
            if (!(weights > 0 && weights <= 1)) {
                throw new IllegalArgumentException("hddm-w: bad weight sum " + weights + " in state");
            }
        }

        static final int BYTES = 2 * Double.BYTES + 1;
    }

    private final double driftConfidence;
    private final double warningConfidence;
    private final double lambda;
    private final boolean twoSided;

    private final Sample total = new Sample();
    private final Sample beforeUp = new Sample();
    private final Sample afterUp = new Sample();
    private final Sample beforeDown = new Sample();
    private final Sample afterDown = new Sample();
    private double upCut;
    private double downCut;
    private long n;
    private boolean detected;
    private boolean warning;
    private long detections;

    /** Creates HDDM_W with the defaults (0.001, 0.005, λ = 0.05, one-sided). */
    public HddmW() {
        this(DEFAULT_DRIFT_CONFIDENCE, DEFAULT_WARNING_CONFIDENCE, DEFAULT_LAMBDA, false);
    }

    /**
     * Creates HDDM_W.
     *
     * @param driftConfidence δ of a drift, in (0, 1)
     * @param warningConfidence δ of a warning, in [driftConfidence, 1)
     * @param lambda weight of the newest value in the averages, in (0, 1)
     * @param twoSided whether decreases of the mean are detected too
     */
    public HddmW(double driftConfidence, double warningConfidence, double lambda, boolean twoSided) {
        if (!(driftConfidence > 0 && driftConfidence < 1)) {
            throw new IllegalArgumentException("hddm-w: drift_confidence must be in (0, 1), got " + driftConfidence);
        }
        if (!(warningConfidence >= driftConfidence && warningConfidence < 1)) {
            throw new IllegalArgumentException("hddm-w: warning_confidence must be in [drift_confidence, 1), got "
                    + warningConfidence);
        }
        if (!(lambda > 0 && lambda < 1)) {
            throw new IllegalArgumentException("hddm-w: lambda must be in (0, 1), got " + lambda);
        }
        this.driftConfidence = driftConfidence;
        this.warningConfidence = warningConfidence;
        this.lambda = lambda;
        this.twoSided = twoSided;
        clearData();
    }

    private static double bound(double weights, double confidence) {
        return Math.sqrt(weights * Math.log(1.0 / confidence) / 2.0);
    }

    /** Whether {@code later} exceeds {@code earlier} by McDiarmid's bound at this confidence. */
    private static boolean rose(Sample earlier, Sample later, double confidence) {
        if (!earlier.started || !later.started) {
            return false;
        }
        return later.ewma - earlier.ewma > bound(earlier.weights + later.weights, confidence);
    }

    @Override
    public void update(double value) {
        Params.requireFinite(value);
        if (detected) {
            clearData();
        }
        double x = Params.unit(value);
        n++;
        total.add(x, lambda);
        double eps = bound(total.weights, driftConfidence);

        if (total.ewma + eps < upCut) {
            upCut = total.ewma + eps;
            beforeUp.copyFrom(total);
            afterUp.clear();
        } else {
            afterUp.add(x, lambda);
        }
        detected = rose(beforeUp, afterUp, driftConfidence);
        warning = !detected && rose(beforeUp, afterUp, warningConfidence);

        if (total.ewma - eps > downCut) {
            downCut = total.ewma - eps;
            beforeDown.copyFrom(total);
            afterDown.clear();
        } else {
            afterDown.add(x, lambda);
        }
        if (twoSided && !detected) {
            detected = rose(afterDown, beforeDown, driftConfidence);
            warning = !detected && (warning || rose(afterDown, beforeDown, warningConfidence));
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

    /** @return the EWMA of the stream since the last drift (0 before any value) */
    public double estimation() {
        return total.ewma;
    }

    @Override
    public Map<String, Double> statistics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("n", (double) n);
        m.put("estimation", estimation());
        m.put("before", beforeUp.ewma);
        m.put("after", afterUp.ewma);
        m.put("detections", (double) detections);
        return Collections.unmodifiableMap(m);
    }

    private void clearData() {
        total.clear();
        beforeUp.clear();
        afterUp.clear();
        beforeDown.clear();
        afterDown.clear();
        upCut = Double.POSITIVE_INFINITY;
        downCut = Double.NEGATIVE_INFINITY;
        n = 0;
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
        ByteBuffer buf = ByteBuffer.allocate(2 + 3 * Double.BYTES + 1 + 5 * Sample.BYTES + 2 * Double.BYTES
                + Long.BYTES + 2 + Long.BYTES);
        buf.put(TYPE).put(VERSION);
        buf.putDouble(driftConfidence).putDouble(warningConfidence).putDouble(lambda).put(Params.flag(twoSided));
        total.write(buf);
        beforeUp.write(buf);
        afterUp.write(buf);
        beforeDown.write(buf);
        afterDown.write(buf);
        buf.putDouble(upCut).putDouble(downCut).putLong(n);
        buf.put(Params.flag(detected)).put(Params.flag(warning)).putLong(detections);
        return buf.array();
    }

    static HddmW read(byte version, ByteBuffer buf) {
        Params.checkVersion(NAME, version, VERSION);
        HddmW h = new HddmW(buf.getDouble(), buf.getDouble(), buf.getDouble(), buf.get() != 0);
        h.total.read(buf);
        h.beforeUp.read(buf);
        h.afterUp.read(buf);
        h.beforeDown.read(buf);
        h.afterDown.read(buf);
        h.upCut = buf.getDouble();
        h.downCut = buf.getDouble();
        h.n = buf.getLong();
        h.detected = buf.get() != 0;
        h.warning = buf.get() != 0;
        h.detections = buf.getLong();
        if (h.n < 0 || h.detections < 0 || Double.isNaN(h.upCut) || Double.isNaN(h.downCut)) {
            throw new IllegalArgumentException("hddm-w: inconsistent state");
        }
        return h;
    }

    @Override
    public String toString() {
        return "HddmW{n=" + n + ", estimation=" + total.ewma + "}";
    }
}
