package dev.metastream.shift;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Bins of one numeric variable, frozen from a small calibration sample: interior edges at the
 * sample's quantiles {@code i/bins}, duplicates merged, so that a constant or discrete variable gets
 * fewer, still meaningful bins. When the sample has fewer distinct values than {@code bins}, every
 * distinct value becomes an edge, so each value seen has a bin of its own (exact categorical
 * counts); a variable with at most {@value #CATEGORICAL_DISTINCT} distinct values is marked
 * categorical (Evidently tests such columns with chi-square instead of Kolmogorov-Smirnov).
 *
 * <p>Bin {@code i} holds {@code [e_i, e_{i+1})}: bin 0 everything below the first edge, the last
 * bin everything from the last edge up. Each bin's mass is located at its lower edge (the sample
 * minimum for bin 0) for {@link Wasserstein}.
 */
final class Binning {

    /** Variables with at most this many distinct calibration values are categorical. */
    static final int CATEGORICAL_DISTINCT = 5;

    final float lo;
    final float[] edges;
    final double std;
    final boolean categorical;

    Binning(float lo, float[] edges, double std, boolean categorical) {
        this.lo = lo;
        this.edges = edges;
        this.std = std;
        this.categorical = categorical;
    }

    /**
     * Freezes bins from the first {@code count} (finite) values.
     *
     * @param values the sample; only the first {@code count} are read
     * @param count sample size, may be 0 (one bin)
     * @param bins maximum number of bins, {@code >= 2}
     */
    static Binning fromSample(float[] values, int count, int bins) {
        if (count == 0) {
            return new Binning(0f, new float[0], 0, true);
        }
        float[] s = Arrays.copyOf(values, count);
        Arrays.sort(s);
        int distinct = 1;
        for (int i = 1; i < count; i++) {
            if (s[i] != s[i - 1]) {
                distinct++;
            }
        }
        double mean = 0;
        for (int i = 0; i < count; i++) {
            mean += s[i];
        }
        mean /= count;
        double ss = 0;
        for (int i = 0; i < count; i++) {
            ss += (s[i] - mean) * (s[i] - mean);
        }
        float[] e = new float[Math.min(distinct, bins - 1)];
        int k = 0;
        if (distinct <= bins - 1) {
            e[k++] = s[0];
            for (int i = 1; i < count; i++) {
                if (s[i] != s[i - 1]) {
                    e[k++] = s[i];
                }
            }
        } else {
            for (int i = 1; i < bins; i++) {
                float q = s[(int) ((long) i * count / bins)];
                if (k == 0 || q > e[k - 1]) {
                    e[k++] = q;
                }
            }
        }
        return new Binning(s[0], Arrays.copyOf(e, k), Math.sqrt(ss / count), distinct <= CATEGORICAL_DISTINCT);
    }

    /** Up to this many edges {@link #bin} counts them all rather than searching. */
    static final int LINEAR_EDGES = 16;

    int bins() {
        return edges.length + 1;
    }

    /** The bin of {@code x}: the number of edges {@code <= x} (NaN must be filtered by the caller). */
    int bin(float x) {
        if (edges.length <= LINEAR_EDGES) {
            // The edges increase, so the bin is the count of edges at or below x. Counted without branches: a
            // binary search's branches mispredict on about every other value, and this runs per feature per example.
            int c = 0;
            for (float e : edges) {
                c += e <= x ? 1 : 0;
            }
            return c;
        }
        int a = 0;
        int b = edges.length;
        while (a < b) {
            int mid = (a + b) >>> 1;
            if (edges[mid] <= x) {
                a = mid + 1;
            } else {
                b = mid;
            }
        }
        return a;
    }

    /** The most edges any of {@code binnings} has. */
    static int widest(Binning[] binnings) {
        int widest = 0;
        for (Binning b : binnings) {
            widest = Math.max(widest, b.edges.length);
        }
        return widest;
    }

    /**
     * The edges of {@code binnings} in one array, {@code stride} per binning (at least its widest), padded with NaN:
     * read by {@link #bin(float[], int, int, float)}, one contiguous run per record instead of an object per input.
     */
    static float[] flatEdges(Binning[] binnings, int stride) {
        float[] flat = new float[binnings.length * stride];
        Arrays.fill(flat, Float.NaN);
        for (int j = 0; j < binnings.length; j++) {
            System.arraycopy(binnings[j].edges, 0, flat, j * stride, binnings[j].edges.length);
        }
        return flat;
    }

    /**
     * {@link #bin(float)} of the binning whose edges start at {@code offset} of {@link #flatEdges}: the edges at or
     * below {@code x}, counted without branches; the NaN padding is never at or below anything.
     */
    static int bin(float[] flat, int offset, int stride, float x) {
        int c = 0;
        for (int k = 0; k < stride; k++) {
            c += flat[offset + k] <= x ? 1 : 0;
        }
        return c;
    }

    /** Location of each bin's mass for {@link Wasserstein}: the lower edge, {@link #lo} for bin 0. */
    double[] points() {
        double[] p = new double[bins()];
        p[0] = Math.min(lo, edges.length > 0 ? edges[0] : lo);
        for (int i = 0; i < edges.length; i++) {
            p[i + 1] = edges[i];
        }
        return p;
    }

    int byteSize() {
        return Float.BYTES + Double.BYTES + 1 + Integer.BYTES + edges.length * Float.BYTES;
    }

    void write(ByteBuffer buf) {
        buf.putFloat(lo).putDouble(std).put((byte) (categorical ? 1 : 0)).putInt(edges.length);
        for (float e : edges) {
            buf.putFloat(e);
        }
    }

    static Binning read(ByteBuffer buf, int bins) {
        float lo = buf.getFloat();
        double std = buf.getDouble();
        byte cat = buf.get();
        int n = buf.getInt();
        if (cat < 0 || cat > 1 || n < 0 || n > bins - 1 || !(std >= 0) || Double.isInfinite(std) || Float.isNaN(lo)) {
            throw new IllegalArgumentException("shift monitor: bad binning (edges " + n + ", std " + std + ")");
        }
        float[] e = new float[n];
        for (int i = 0; i < n; i++) {
            e[i] = buf.getFloat();
            if (Float.isNaN(e[i]) || (i > 0 && !(e[i] > e[i - 1]))) {
                throw new IllegalArgumentException("shift monitor: bin edges not increasing");
            }
        }
        return new Binning(lo, e, std, cat == 1);
    }
}
