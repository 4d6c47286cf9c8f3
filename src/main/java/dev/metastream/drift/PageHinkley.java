package dev.metastream.drift;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The Page-Hinkley test: a cumulative-sum (CUSUM) detector of a change in the mean.
 *
 * <p>References: E. S. Page, "Continuous Inspection Schemes", Biometrika 41(1/2):100–115, 1954;
 * the fading-factor variant as used for stream learning in J. Gama, R. Sebastião and P. P.
 * Rodrigues, "On Evaluating Stream Learning Algorithms", Machine Learning 90(3), 2013. Here α
 * fades the cumulative sums (as in River); the running mean {@code x̄_T} is a plain mean.
 *
 * <p>With {@code x̄_T} the running mean of all values since the last reset, the detector keeps
 * Page's recursive cumulative sums, faded by α:
 * <pre>
 *   U_T = max(0, α·U_{T-1} + (x_T − x̄_T − δ))      (mode "up":   mean went up)
 *   L_T = max(0, α·L_{T-1} + (x̄_T − x_T − δ))      (mode "down": mean went down)
 * </pre>
 * and signals a drift when, after at least {@code minInstances} values, the monitored statistic
 * exceeds the threshold λ. With α = 1 {@code U_T} equals {@code m_T − min_t m_t} for the classic
 * Page-Hinkley sum {@code m_T = Σ (x_t − x̄_t − δ)}. δ is the magnitude of change tolerated; λ
 * trades detection delay against false alarms. The default mode "up" suits an error or loss
 * stream, where drift shows as the value going up. After a detection the detector resets itself
 * (lazily, at the start of the next update, so that {@link #statistics()} still describes the
 * detecting state).
 *
 * <p>Note on noise: U_T behaves like a reflected random walk with drift {@code −δ}, so its
 * false-alarm rate depends strongly on the variance σ² of the input. Measured with the defaults
 * (δ = 0.005, λ = 50) over 20 × 100,000 stationary values: Gaussian σ = 0.2 or 0.3 gave no
 * alarm; a 0/1 stream with p = 0.2 about 0.6 and with p = 0.3 about 1.5 alarms per 100,000;
 * unit-variance Gaussian noise about 30 per 100,000. For a raw 0/1 error stream raise λ (λ = 100
 * gave none at p = 0.3, at roughly 2.5× the detection delay) or prefer {@link Adwin}.
 *
 * <p>Warning: the test is in its warning zone while (after {@code minInstances} values) the
 * monitored statistic exceeds {@code warning · λ} without reaching λ; the test itself defines no
 * warning, and half the threshold (the default) warns roughly halfway to a detection.
 *
 * <p>Defaults follow River: min instances 30, δ = 0.005, λ = 50, α = 0.9999, mode "up"; warning
 * fraction 0.5 (ours).
 *
 * <pre>{@code
 * PageHinkley ph = new PageHinkley();             // or new PageHinkley(30, 0.005, 50, 0.9999, Mode.UP)
 * for (double loss : losses) {
 *     ph.update(loss);
 *     if (ph.driftDetected()) {
 *         System.out.println("loss went up: " + ph.statistics());
 *     }
 * }
 * }</pre>
 */
public final class PageHinkley implements DriftDetector {

    static final String NAME = "page-hinkley";
    static final byte TYPE = 2;
    /** Version 2 added the warning fraction and flag; version 1 states are read with the default fraction. */
    static final byte VERSION = 2;

    /** Default minimum number of values before a drift can be signalled. */
    public static final int DEFAULT_MIN_INSTANCES = 30;
    /** Default tolerated change magnitude δ. */
    public static final double DEFAULT_DELTA = 0.005;
    /** Default detection threshold λ. */
    public static final double DEFAULT_THRESHOLD = 50.0;
    /** Default fading factor α applied to the cumulative sums. */
    public static final double DEFAULT_ALPHA = 0.9999;
    /** Default fraction of λ above which the test is in its warning zone. */
    public static final double DEFAULT_WARNING = 0.5;

    /** Which direction of change in the mean is monitored. */
    public enum Mode {
        /** Detect increases (the default; e.g. an error rate going up). */
        UP((byte) 0, "up"),
        /** Detect decreases. */
        DOWN((byte) 1, "down"),
        /** Detect changes in either direction. */
        BOTH((byte) 2, "both");

        private final byte code;
        private final String label;

        Mode(byte code, String label) {
            this.code = code;
            this.label = label;
        }

        /** @return the lower-case name accepted by {@link #parse(String)} */
        public String label() {
            return label;
        }

        /**
         * Parses {@code up}, {@code down} or {@code both} (case-insensitive).
         *
         * @param s the mode name
         * @return the mode
         * @throws IllegalArgumentException on any other value
         */
        public static Mode parse(String s) {
            String v = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
            for (Mode m : values()) {
                if (m.label.equals(v)) {
                    return m;
                }
            }
            throw new IllegalArgumentException(
                    "page-hinkley: unknown mode '" + s + "'; allowed: up, down, both");
        }

        static Mode ofCode(byte code) {
            for (Mode m : values()) {
                if (m.code == code) {
                    return m;
                }
            }
            throw new IllegalArgumentException("page-hinkley: bad mode code " + code);
        }
    }

    private final int minInstances;
    private final double delta;
    private final double threshold;
    private final double alpha;
    private final Mode mode;
    private final double warningFraction;

    private long n;
    private double mean;
    private double sumUp;
    private double sumDown;
    private boolean detected;
    private boolean warning;
    private long detections; // survives the self-reset after a detection; cleared by reset()

    /** Creates the test with River's defaults (30, δ = 0.005, λ = 50, α = 0.9999, "up"). */
    public PageHinkley() {
        this(DEFAULT_MIN_INSTANCES, DEFAULT_DELTA, DEFAULT_THRESHOLD, DEFAULT_ALPHA, Mode.UP);
    }

    /**
     * Creates the test.
     *
     * @param minInstances values needed since the last reset before a drift can be signalled (≥ 1)
     * @param delta tolerated magnitude of change δ (≥ 0)
     * @param threshold detection threshold λ (&gt; 0)
     * @param alpha fading factor α in (0, 1] applied to the cumulative sums
     * @param mode direction(s) of change to detect
     */
    public PageHinkley(int minInstances, double delta, double threshold, double alpha, Mode mode) {
        this(minInstances, delta, threshold, alpha, mode, DEFAULT_WARNING);
    }

    /**
     * Creates the test with a warning fraction.
     *
     * @param minInstances values needed since the last reset before a drift can be signalled (≥ 1)
     * @param delta tolerated magnitude of change δ (≥ 0)
     * @param threshold detection threshold λ (&gt; 0)
     * @param alpha fading factor α in (0, 1] applied to the cumulative sums
     * @param mode direction(s) of change to detect
     * @param warning fraction of λ in (0, 1] above which the test warns
     */
    public PageHinkley(int minInstances, double delta, double threshold, double alpha, Mode mode, double warning) {
        if (!(warning > 0 && warning <= 1)) {
            throw new IllegalArgumentException("page-hinkley: warning must be in (0, 1], got " + warning);
        }
        if (minInstances < 1) {
            throw new IllegalArgumentException("page-hinkley: min_instances must be >= 1, got " + minInstances);
        }
        if (!(delta >= 0) || !Double.isFinite(delta)) {
            throw new IllegalArgumentException("page-hinkley: delta must be >= 0, got " + delta);
        }
        if (!(threshold > 0) || !Double.isFinite(threshold)) {
            throw new IllegalArgumentException("page-hinkley: threshold must be > 0, got " + threshold);
        }
        if (!(alpha > 0 && alpha <= 1)) {
            throw new IllegalArgumentException("page-hinkley: alpha must be in (0, 1], got " + alpha);
        }
        if (mode == null) {
            throw new IllegalArgumentException("page-hinkley: mode must not be null");
        }
        this.minInstances = minInstances;
        this.delta = delta;
        this.threshold = threshold;
        this.alpha = alpha;
        this.mode = mode;
        this.warningFraction = warning;
    }

    @Override
    public void update(double value) {
        Params.requireFinite(value);
        if (detected) {
            clearData();
        }
        n++;
        mean += (value - mean) / n;
        double dev = value - mean;
        sumUp = Math.max(0.0, alpha * sumUp + dev - delta);
        sumDown = Math.max(0.0, alpha * sumDown - dev - delta);
        if (n >= minInstances) {
            boolean up = mode != Mode.DOWN && sumUp > threshold;
            boolean down = mode != Mode.UP && sumDown > threshold;
            detected = up || down;
            if (detected) {
                detections++;
            }
            double bar = warningFraction * threshold;
            warning = !detected && ((mode != Mode.DOWN && sumUp > bar) || (mode != Mode.UP && sumDown > bar));
        }
    }

    @Override
    public boolean warningDetected() {
        return warning;
    }

    @Override
    public boolean driftDetected() {
        return detected;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** @return the configured mode */
    public Mode mode() {
        return mode;
    }

    @Override
    public Map<String, Double> statistics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("n", (double) n);
        m.put("mean", mean);
        if (mode != Mode.DOWN) {
            m.put("ph_up", sumUp);
        }
        if (mode != Mode.UP) {
            m.put("ph_down", sumDown);
        }
        m.put("threshold", threshold);
        m.put("detections", (double) detections);
        return Collections.unmodifiableMap(m);
    }

    private void clearData() {
        n = 0;
        mean = 0;
        sumUp = 0;
        sumDown = 0;
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
        ByteBuffer buf = ByteBuffer.allocate(2 + Integer.BYTES + 4 * Double.BYTES + 1
                + Long.BYTES + 3 * Double.BYTES + 2 + Long.BYTES);
        buf.put(TYPE).put(VERSION);
        buf.putInt(minInstances).putDouble(delta).putDouble(threshold).putDouble(alpha).put(mode.code)
                .putDouble(warningFraction);
        buf.putLong(n).putDouble(mean).putDouble(sumUp).putDouble(sumDown);
        buf.put(Params.flag(detected)).put(Params.flag(warning)).putLong(detections);
        return buf.array();
    }

    static PageHinkley read(byte version, ByteBuffer buf) {
        Params.checkVersion(NAME, version, (byte) 1, VERSION);
        PageHinkley p = new PageHinkley(buf.getInt(), buf.getDouble(), buf.getDouble(), buf.getDouble(),
                Mode.ofCode(buf.get()), version >= 2 ? buf.getDouble() : DEFAULT_WARNING);
        p.n = buf.getLong();
        p.mean = buf.getDouble();
        p.sumUp = buf.getDouble();
        p.sumDown = buf.getDouble();
        p.detected = buf.get() != 0;
        p.warning = version >= 2 && buf.get() != 0;
        p.detections = buf.getLong();
        return p;
    }

    @Override
    public String toString() {
        return "PageHinkley{mode=" + mode.label + ", n=" + n + ", mean=" + mean + "}";
    }
}
