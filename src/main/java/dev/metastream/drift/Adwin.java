package dev.metastream.drift;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ADWIN (ADaptive WINdowing), in its memory-efficient form ADWIN2.
 *
 * <p>Reference: A. Bifet and R. Gavaldà, "Learning from Time-Changing Data with Adaptive
 * Windowing", Proc. SIAM International Conference on Data Mining (SDM), 2007.
 *
 * <p>ADWIN keeps a window {@code W} of the most recent values whose length adapts to the data: as
 * long as the stream looks stationary the window grows; when two sub-windows {@code W0} (older)
 * and {@code W1} (newer) with {@code W = W0 · W1} have means that differ by more than
 * <pre>
 *   ε_cut = sqrt( (2/m) · σ²_W · ln(2/δ') ) + (2/(3m)) · ln(2/δ'),
 *   1/m   = 1/n0 + 1/n1,        δ' = δ / ln|W|,
 * </pre>
 * where {@code σ²_W} is the variance of the whole window, the older sub-window is dropped and a
 * drift is signalled. This is the Bernstein-style bound the paper gives for practical use.
 *
 * <p>ADWIN2 stores the window as an exponential histogram: row {@code i} holds up to
 * {@code M = maxBuckets} buckets each summarising {@code 2^i} consecutive values (their sum and
 * their sum of squared deviations from their own mean). When a row overflows to {@code M+1}
 * buckets its two oldest are merged into one bucket of the next row, so memory is
 * {@code O(M log(W/M))}. Only bucket boundaries are tested as split points, and only every
 * {@code clock} updates once the window is longer than {@code gracePeriod}; each sub-window must
 * hold at least {@code minWindowLength} values. On a cut the oldest bucket is removed and the test
 * repeated until no cut remains.
 *
 * <p>Warning: at every cut check that finds no cut, ADWIN also tests whether a cut would exist at
 * the looser confidence {@code min(1, 10·δ)}; if so it is in its warning zone until the next check
 * (the paper defines no warning; this is the same test at a lower bar, as DDM's 2σ against 3σ).
 *
 * <p>Defaults follow River: δ = 0.002, clock = 32, M = 5, grace period = 10, minimum sub-window
 * length = 5. River checks every 32 updates to save time on long windows; metastream's learner
 * sets {@code drift.adwin.clock=1} because on a task's low-rate error stream 32 values of delay
 * matter more than the cost of a check (O(log W)).
 *
 * <pre>{@code
 * Adwin adwin = new Adwin();                 // or new Adwin(0.002, 32, 5, 10, 5)
 * for (double error : errors) {              // e.g. 0/1 misclassifications
 *     adwin.update(error);
 *     if (adwin.driftDetected()) {
 *         double newMean = adwin.estimation(); // mean of the shrunk window
 *     }
 * }
 * }</pre>
 */
public final class Adwin implements DriftDetector {

    static final String NAME = "adwin";
    static final byte TYPE = 1;
    /** Version 2 added the warning flag; version 1 states are read with no warning. */
    static final byte VERSION = 2;
    /** How much looser than δ the warning's confidence is (see the class comment). */
    static final double WARNING_FACTOR = 10.0;

    /** Default confidence parameter δ. */
    public static final double DEFAULT_DELTA = 0.002;
    /** Default number of updates between cut checks. */
    public static final int DEFAULT_CLOCK = 32;
    /** Default maximum number of buckets per histogram row (M). */
    public static final int DEFAULT_MAX_BUCKETS = 5;
    /** Default minimum window length before any cut is checked. */
    public static final int DEFAULT_GRACE_PERIOD = 10;
    /** Default minimum length of each sub-window in a cut. */
    public static final int DEFAULT_MIN_WINDOW_LENGTH = 5;

    private final double delta;
    private final int clock;
    private final int maxBuckets;
    private final int gracePeriod;
    private final int minWindowLength;

    // Exponential histogram. Row i holds rowSize[i] buckets of 2^i values, index 0 = oldest.
    // Higher rows hold older data; the oldest bucket overall is rowTotal[rows - 1][0].
    private double[][] rowTotal;
    private double[][] rowVar;
    private int[] rowSize;
    private int rows;

    private long width;
    private double total;
    private double variance; // sum of squared deviations from the window mean (not divided by width)
    private long tick;
    private boolean detected;
    private boolean warning;
    private long detections;

    /** Creates ADWIN with River's defaults (δ = 0.002, clock 32, M = 5, grace 10, min length 5). */
    public Adwin() {
        this(DEFAULT_DELTA);
    }

    /**
     * Creates ADWIN with the given confidence and default remaining parameters.
     *
     * @param delta confidence δ in (0, 1); smaller means fewer false alarms and slower detection
     */
    public Adwin(double delta) {
        this(delta, DEFAULT_CLOCK, DEFAULT_MAX_BUCKETS, DEFAULT_GRACE_PERIOD, DEFAULT_MIN_WINDOW_LENGTH);
    }

    /**
     * Creates ADWIN.
     *
     * @param delta confidence δ in (0, 1)
     * @param clock check for a cut every {@code clock} updates (≥ 1)
     * @param maxBuckets maximum buckets per histogram row, M (≥ 1)
     * @param gracePeriod cuts are only checked once the window is longer than this (≥ 0)
     * @param minWindowLength minimum length of each sub-window in a cut (≥ 1)
     */
    public Adwin(double delta, int clock, int maxBuckets, int gracePeriod, int minWindowLength) {
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("adwin: delta must be in (0, 1), got " + delta);
        }
        if (clock < 1) {
            throw new IllegalArgumentException("adwin: clock must be >= 1, got " + clock);
        }
        if (maxBuckets < 1) {
            throw new IllegalArgumentException("adwin: max_buckets must be >= 1, got " + maxBuckets);
        }
        if (gracePeriod < 0) {
            throw new IllegalArgumentException("adwin: grace_period must be >= 0, got " + gracePeriod);
        }
        if (minWindowLength < 1) {
            throw new IllegalArgumentException(
                    "adwin: min_window_length must be >= 1, got " + minWindowLength);
        }
        this.delta = delta;
        this.clock = clock;
        this.maxBuckets = maxBuckets;
        this.gracePeriod = gracePeriod;
        this.minWindowLength = minWindowLength;
        reset();
    }

    @Override
    public void update(double value) {
        Params.requireFinite(value);
        detected = false;
        insert(value);
        tick++;
        if (tick % clock == 0 && width > gracePeriod) {
            while (cutExists(delta)) {
                removeOldestBucket();
                detected = true;
            }
            if (detected) {
                detections++;
            }
            // The warning is decided at the checks only and holds until the next one.
            warning = !detected && cutExists(Math.min(1.0, WARNING_FACTOR * delta));
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

    /** @return current window length |W| */
    public long width() {
        return width;
    }

    /** @return mean of the current window (0 when empty) */
    public double estimation() {
        return width == 0 ? 0.0 : total / width;
    }

    /** @return population variance of the current window, σ²_W (0 when empty) */
    public double variance() {
        return width == 0 ? 0.0 : variance / width;
    }

    /** @return sum of the values in the current window */
    public double total() {
        return total;
    }

    /** @return number of histogram buckets in use (memory footprint, O(M log W)) */
    public int bucketCount() {
        int n = 0;
        for (int i = 0; i < rows; i++) {
            n += rowSize[i];
        }
        return n;
    }

    @Override
    public Map<String, Double> statistics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("width", (double) width);
        m.put("estimation", estimation());
        m.put("variance", variance());
        m.put("total", total);
        m.put("buckets", (double) bucketCount());
        m.put("detections", (double) detections);
        m.put("delta", delta);
        return Collections.unmodifiableMap(m);
    }

    @Override
    public void reset() {
        rowTotal = new double[4][];
        rowVar = new double[4][];
        rowSize = new int[4];
        rows = 0;
        width = 0;
        total = 0;
        variance = 0;
        tick = 0;
        detected = false;
        warning = false;
        detections = 0;
    }

    // ---------------------------------------------------------------- histogram

    private void addRow() {
        if (rows == rowSize.length) {
            int cap = rows * 2;
            rowTotal = Arrays.copyOf(rowTotal, cap);
            rowVar = Arrays.copyOf(rowVar, cap);
            rowSize = Arrays.copyOf(rowSize, cap);
        }
        rowTotal[rows] = new double[maxBuckets + 1];
        rowVar[rows] = new double[maxBuckets + 1];
        rowSize[rows] = 0;
        rows++;
    }

    private static double bucketSize(int row) {
        return Math.scalb(1.0, row);
    }

    private void insert(double value) {
        // Window statistics (Welford-style update of the sum of squared deviations).
        width++;
        if (width > 1) {
            double prevMean = total / (width - 1);
            double d = value - prevMean;
            variance += (width - 1) * d * d / width;
        }
        total += value;

        if (rows == 0) {
            addRow();
        }
        appendBucket(0, value, 0.0);
        // Compress: a row with M+1 buckets merges its two oldest into the next row.
        for (int i = 0; i < rows && rowSize[i] > maxBuckets; i++) {
            if (i + 1 == rows) {
                addRow();
            }
            double n = bucketSize(i);
            double t1 = rowTotal[i][0];
            double t2 = rowTotal[i][1];
            double d = t1 / n - t2 / n;
            double v = rowVar[i][0] + rowVar[i][1] + n * n * d * d / (2 * n);
            shiftOut(i, 2);
            appendBucket(i + 1, t1 + t2, v);
        }
    }

    private void appendBucket(int row, double t, double v) {
        int s = rowSize[row];
        rowTotal[row][s] = t;
        rowVar[row][s] = v;
        rowSize[row] = s + 1;
    }

    private void shiftOut(int row, int k) {
        int s = rowSize[row];
        System.arraycopy(rowTotal[row], k, rowTotal[row], 0, s - k);
        System.arraycopy(rowVar[row], k, rowVar[row], 0, s - k);
        Arrays.fill(rowTotal[row], s - k, s, 0.0);
        Arrays.fill(rowVar[row], s - k, s, 0.0);
        rowSize[row] = s - k;
    }

    private void removeOldestBucket() {
        int r = rows - 1;
        double n1 = bucketSize(r);
        double t1 = rowTotal[r][0];
        double v1 = rowVar[r][0];
        shiftOut(r, 1);
        // Drop emptied top rows (with M = 1 a lower row can be momentarily empty too).
        while (rows > 0 && rowSize[rows - 1] == 0) {
            rowTotal[rows - 1] = null;
            rowVar[rows - 1] = null;
            rows--;
        }
        double w = width;
        if (w - n1 <= 0) {
            width = 0;
            total = 0;
            variance = 0;
            return;
        }
        double d = t1 / n1 - total / w;
        variance -= v1 + n1 * w * d * d / (w - n1);
        if (variance < 0) {
            variance = 0; // guard against rounding
        }
        width -= (long) n1;
        total -= t1;
    }

    /** Tests every bucket boundary as a split W0 (older) · W1 (newer). */
    private boolean cutExists(double delta) {
        if (width <= gracePeriod || rows == 0) {
            return false;
        }
        double w = width;
        double sigma2 = variance / w;
        double lnTerm = Math.log(2.0 * Math.log(w) / delta); // ln(2/δ'), δ' = δ / ln|W|
        double n0 = 0;
        double t0 = 0;
        for (int r = rows - 1; r >= 0; r--) {
            double size = bucketSize(r);
            for (int b = 0; b < rowSize[r]; b++) {
                n0 += size;
                t0 += rowTotal[r][b];
                double n1 = w - n0;
                if (n1 < minWindowLength) {
                    return false; // further splits only shrink W1
                }
                if (n0 < minWindowLength) {
                    continue;
                }
                double t1 = total - t0;
                double diff = Math.abs(t0 / n0 - t1 / n1);
                double mRecip = 1.0 / n0 + 1.0 / n1;
                double eps = Math.sqrt(2.0 * mRecip * sigma2 * lnTerm) + (2.0 / 3.0) * mRecip * lnTerm;
                if (diff > eps) {
                    return true;
                }
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- serialisation

    @Override
    public byte[] toBytes() {
        int buckets = bucketCount();
        int size = 2 + Double.BYTES + 4 * Integer.BYTES // config
                + Long.BYTES + 2 * Double.BYTES + Long.BYTES + 2 + Long.BYTES // scalars
                + Integer.BYTES + rows * Integer.BYTES + buckets * 2 * Double.BYTES; // histogram
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.put(TYPE).put(VERSION);
        buf.putDouble(delta).putInt(clock).putInt(maxBuckets).putInt(gracePeriod).putInt(minWindowLength);
        buf.putLong(width).putDouble(total).putDouble(variance).putLong(tick);
        buf.put(Params.flag(detected)).put(Params.flag(warning)).putLong(detections);
        buf.putInt(rows);
        for (int r = 0; r < rows; r++) {
            buf.putInt(rowSize[r]);
            for (int b = 0; b < rowSize[r]; b++) {
                buf.putDouble(rowTotal[r][b]).putDouble(rowVar[r][b]);
            }
        }
        return buf.array();
    }

    static Adwin read(byte version, ByteBuffer buf) {
        Params.checkVersion(NAME, version, (byte) 1, VERSION);
        Adwin a = new Adwin(buf.getDouble(), buf.getInt(), buf.getInt(), buf.getInt(), buf.getInt());
        a.width = buf.getLong();
        a.total = buf.getDouble();
        a.variance = buf.getDouble();
        a.tick = buf.getLong();
        a.detected = buf.get() != 0;
        a.warning = version >= 2 && buf.get() != 0;
        a.detections = buf.getLong();
        int rows = buf.getInt();
        if (rows < 0 || rows > 63) {
            throw new IllegalArgumentException("adwin: bad row count " + rows);
        }
        long counted = 0;
        for (int r = 0; r < rows; r++) {
            a.addRow();
            int s = buf.getInt();
            if (s < 0 || s > a.maxBuckets || (s == 0 && r == rows - 1)) {
                throw new IllegalArgumentException("adwin: bad bucket count " + s + " in row " + r);
            }
            for (int b = 0; b < s; b++) {
                a.appendBucket(r, buf.getDouble(), buf.getDouble());
            }
            counted += (long) s << r;
        }
        if (counted != a.width) {
            throw new IllegalArgumentException(
                    "adwin: buckets hold " + counted + " values but width is " + a.width);
        }
        return a;
    }

    @Override
    public String toString() {
        return "Adwin{delta=" + delta + ", width=" + width + ", estimation=" + estimation() + "}";
    }
}
