package dev.metastream.drift;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * KSWIN: the Kolmogorov–Smirnov test on a sliding window.
 *
 * <p>Reference: C. Raab, M. Heusinger and F.-M. Schleif, "Reactive Soft Prototype Computing for
 * Concept Drift Streams", Neurocomputing 416:340–351, 2020.
 *
 * <p>KSWIN keeps the last {@code windowSize} values. Once the window is full, every update
 * compares its newest {@code statSize} values {@code R} with {@code statSize} values {@code W}
 * drawn without replacement from the older rest, by the two-sample Kolmogorov–Smirnov statistic
 * {@code D = sup_x |F_R(x) − F_W(x)|}, and signals a drift when
 * <pre>
 *   D &gt; sqrt( −ln(α/2) / r ),   r = statSize,
 * </pre>
 * the large-sample critical value of the two-sample test for two samples of size {@code r} (the
 * paper's criterion). The window then keeps only {@code R}. It warns when {@code D} exceeds the
 * same bound at {@code warningAlpha} (the paper defines no warning). It makes no assumption on the
 * distribution, so it sees changes in spread or shape as well as in the mean; on a 0/1 stream
 * {@code D} is just the difference of the two samples' error rates, and the small samples make it
 * a noisy detector there. α bounds the false-alarm rate of each test, and KSWIN tests at every
 * value, so false alarms are frequent: measured with the defaults, about 1 per 10,000 values of
 * Bernoulli(0.3) and 18 per 10,000 of unit Gaussian noise.
 *
 * <p>The sampling is seeded and uses a SplitMix64 generator whose whole state is one {@code long},
 * so a serialised detector resumes with the same draws.
 *
 * <p>{@code "estimation"} in {@link #statistics()} is the mean of the newest {@code statSize}
 * values.
 *
 * <p>Defaults follow River: α = 0.005, window 100, statistic size 30; warning α = 0.05 (ours).
 *
 * <pre>{@code
 * Kswin kswin = new Kswin();                  // or new Kswin(0.005, 0.05, 100, 30, 42)
 * for (double loss : losses) {
 *     kswin.update(loss);
 *     if (kswin.driftDetected()) {
 *         System.out.println("distribution changed: " + kswin.statistics());
 *     }
 * }
 * }</pre>
 */
public final class Kswin implements DriftDetector {

    static final String NAME = "kswin";
    static final byte TYPE = 6;
    static final byte VERSION = 1;

    /** Default significance of a drift. */
    public static final double DEFAULT_ALPHA = 0.005;
    /** Default significance of a warning. */
    public static final double DEFAULT_WARNING_ALPHA = 0.05;
    /** Default number of values kept. */
    public static final int DEFAULT_WINDOW_SIZE = 100;
    /** Default size of each compared sample. */
    public static final int DEFAULT_STAT_SIZE = 30;
    /** Default seed of the sampling. */
    public static final long DEFAULT_SEED = 42;

    private final double alpha;
    private final double warningAlpha;
    private final int windowSize;
    private final int statSize;
    private final long seed;
    private final double driftBound;
    private final double warningBound;

    private final double[] ring; // ring[(start + i) % windowSize] is the i-th oldest value
    private int start;
    private int size;
    private long rng;
    private long n;
    private double statistic;
    private boolean detected;
    private boolean warning;
    private long detections;

    /** Creates KSWIN with the defaults (α = 0.005, warning α = 0.05, window 100, statistic size 30, seed 42). */
    public Kswin() {
        this(DEFAULT_ALPHA, DEFAULT_WARNING_ALPHA, DEFAULT_WINDOW_SIZE, DEFAULT_STAT_SIZE, DEFAULT_SEED);
    }

    /**
     * Creates KSWIN.
     *
     * @param alpha significance of a drift, in (0, 1)
     * @param warningAlpha significance of a warning, in [alpha, 1)
     * @param windowSize values kept (&gt; 2 · statSize, so the older rest can supply the sample)
     * @param statSize size of each compared sample (≥ 1)
     * @param seed seed of the sampling
     */
    public Kswin(double alpha, double warningAlpha, int windowSize, int statSize, long seed) {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("kswin: alpha must be in (0, 1), got " + alpha);
        }
        if (!(warningAlpha >= alpha && warningAlpha < 1)) {
            throw new IllegalArgumentException("kswin: warning_alpha must be in [alpha, 1), got " + warningAlpha);
        }
        if (statSize < 1) {
            throw new IllegalArgumentException("kswin: stat_size must be >= 1, got " + statSize);
        }
        if (windowSize < 2 * statSize || windowSize > 1_000_000) {
            throw new IllegalArgumentException("kswin: window_size must be in [2 * stat_size, 1000000], got "
                    + windowSize + " with stat_size " + statSize);
        }
        this.alpha = alpha;
        this.warningAlpha = warningAlpha;
        this.windowSize = windowSize;
        this.statSize = statSize;
        this.seed = seed;
        this.driftBound = Math.sqrt(-Math.log(alpha / 2) / statSize);
        this.warningBound = Math.sqrt(-Math.log(warningAlpha / 2) / statSize);
        this.ring = new double[windowSize];
        reset();
    }

    /** SplitMix64 (Steele, Lea and Flood, OOPSLA 2014): a full-period generator whose state is one long. */
    private long nextLong() {
        rng += 0x9E3779B97F4A7C15L;
        long z = rng;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A uniform int in [0, bound) (the modulo bias is below 2^-40 for these bounds). */
    private int nextInt(int bound) {
        return (int) Math.floorMod(nextLong(), (long) bound);
    }

    private double at(int i) {
        return ring[(start + i) % windowSize];
    }

    @Override
    public void update(double value) {
        Params.requireFinite(value);
        detected = false;
        warning = false;
        n++;
        if (size == windowSize) {
            ring[start] = value;
            start = (start + 1) % windowSize;
        } else {
            ring[(start + size) % windowSize] = value;
            size++;
        }
        if (size < windowSize) {
            return;
        }
        int older = windowSize - statSize;
        // Draw statSize distinct positions of the older part (a partial Fisher-Yates shuffle).
        int[] idx = new int[older];
        for (int i = 0; i < older; i++) {
            idx[i] = i;
        }
        double[] sample = new double[statSize];
        for (int i = 0; i < statSize; i++) {
            int j = i + nextInt(older - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
            sample[i] = at(idx[i]);
        }
        double[] recent = new double[statSize];
        for (int i = 0; i < statSize; i++) {
            recent[i] = at(older + i);
        }
        statistic = ksStatistic(sample, recent);
        if (statistic > driftBound) {
            detected = true;
            detections++;
            // Keep only the newest statSize values: the new concept.
            System.arraycopy(recent, 0, ring, 0, statSize);
            start = 0;
            size = statSize;
        } else {
            warning = statistic > warningBound;
        }
    }

    /** The two-sample Kolmogorov–Smirnov statistic, ties handled by comparing the CDFs after each distinct value. */
    static double ksStatistic(double[] a, double[] b) {
        double[] x = a.clone();
        double[] y = b.clone();
        Arrays.sort(x);
        Arrays.sort(y);
        int i = 0;
        int j = 0;
        double d = 0;
        while (i < x.length && j < y.length) {
            double v = Math.min(x[i], y[j]);
            while (i < x.length && x[i] <= v) {
                i++;
            }
            while (j < y.length && y[j] <= v) {
                j++;
            }
            d = Math.max(d, Math.abs((double) i / x.length - (double) j / y.length));
        }
        return d;
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

    /** @return the mean of the newest {@code statSize} values (of all, while fewer are kept) */
    public double estimation() {
        int k = Math.min(size, statSize);
        if (k == 0) {
            return 0.0;
        }
        double s = 0;
        for (int i = size - k; i < size; i++) {
            s += at(i);
        }
        return s / k;
    }

    @Override
    public Map<String, Double> statistics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("n", (double) n);
        m.put("window", (double) size);
        m.put("statistic", statistic);
        m.put("bound", driftBound);
        m.put("estimation", estimation());
        m.put("detections", (double) detections);
        return Collections.unmodifiableMap(m);
    }

    @Override
    public void reset() {
        Arrays.fill(ring, 0.0);
        start = 0;
        size = 0;
        rng = seed;
        n = 0;
        statistic = 0;
        detected = false;
        warning = false;
        detections = 0;
    }

    @Override
    public byte[] toBytes() {
        ByteBuffer buf = ByteBuffer.allocate(2 + 2 * Double.BYTES + 2 * Integer.BYTES + Long.BYTES
                + Long.BYTES + Long.BYTES + Double.BYTES + 2 + Long.BYTES + Integer.BYTES + size * Double.BYTES);
        buf.put(TYPE).put(VERSION);
        buf.putDouble(alpha).putDouble(warningAlpha).putInt(windowSize).putInt(statSize).putLong(seed);
        buf.putLong(rng).putLong(n).putDouble(statistic);
        buf.put(Params.flag(detected)).put(Params.flag(warning)).putLong(detections);
        buf.putInt(size);
        for (int i = 0; i < size; i++) {
            buf.putDouble(at(i));
        }
        return buf.array();
    }

    static Kswin read(byte version, ByteBuffer buf) {
        Params.checkVersion(NAME, version, VERSION);
        Kswin k = new Kswin(buf.getDouble(), buf.getDouble(), buf.getInt(), buf.getInt(), buf.getLong());
        k.rng = buf.getLong();
        k.n = buf.getLong();
        k.statistic = buf.getDouble();
        k.detected = buf.get() != 0;
        k.warning = buf.get() != 0;
        k.detections = buf.getLong();
        int size = buf.getInt();
        if (size < 0 || size > k.windowSize || k.n < size) {
            throw new IllegalArgumentException("kswin: bad window size " + size + " in state");
        }
        for (int i = 0; i < size; i++) {
            k.ring[i] = buf.getDouble();
        }
        k.size = size;
        return k;
    }

    @Override
    public String toString() {
        return "Kswin{n=" + n + ", window=" + size + ", statistic=" + statistic + "}";
    }
}
