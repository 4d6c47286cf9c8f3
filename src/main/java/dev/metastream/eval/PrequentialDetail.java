package dev.metastream.eval;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;

/**
 * The extra metrics of a detailed {@link PrequentialMetrics}, cumulative and over the same sliding window: the
 * confusion-count metrics (and AUC for binary tasks), R², and the multi-label set metrics. Each kind keeps the raw
 * outcome of every example in the window in its own compact ring (class codes as ints, scores as floats, label sets
 * as bits, targets as doubles) so an evicted example can be subtracted out exactly; integer counts are rebuilt from
 * the ring on restore, and the only floating-point running sums are serialised as they are, so a restored instance
 * continues bit for bit.
 *
 * <p>Ring slots are the ones of the owning {@link PrequentialMetrics}: {@code slot} is the one being written and
 * {@code evict} says whether it still holds the example leaving the window.
 */
abstract class PrequentialDetail {
    /** Largest number of classes: a (y, ŷ) pair is coded as {@code y·K + ŷ} in an int. */
    static final int MAX_CLASSES = 46_340;
    /** Largest number of labels for multi-label (the window's label bits grow with it). */
    static final int MAX_LABELS = 4096;

    final int window;

    PrequentialDetail(int window) {
        this.window = window;
    }

    static PrequentialDetail create(PrequentialMetrics.Kind kind, int window, int outputs) {
        return switch (kind) {
            case CLASSIFICATION -> {
                if (outputs < 2 || outputs > MAX_CLASSES) {
                    throw new IllegalArgumentException("classification needs 2.." + MAX_CLASSES + " classes, got "
                            + outputs);
                }
                yield new Classes(window, outputs, false);
            }
            case BINARY, REGRESSION -> {
                if (outputs != 1) {
                    throw new IllegalArgumentException(kind + " has 1 output, got " + outputs);
                }
                yield kind == PrequentialMetrics.Kind.BINARY ? new Classes(window, 2, true) : new Regression(window);
            }
            case MULTILABEL -> {
                if (outputs < 1 || outputs > MAX_LABELS) {
                    throw new IllegalArgumentException("multi-label needs 1.." + MAX_LABELS + " labels, got " + outputs);
                }
                yield new Labels(window, outputs);
            }
        };
    }

    /** Called after the ring wrapped: recompute any floating-point window sum from the ring. */
    void lap() {
    }

    /** Adds this kind's metrics and their {@code _window} versions. */
    abstract void put(Map<String, Double> m, long count, int filled, double[] cumSum, double[] windowSum);

    abstract void reset();

    /** Upper bound of {@link #write}'s bytes. */
    abstract int maxBytes(int filled);

    abstract void write(ByteBuffer b, int filled);

    /** Restores what {@link #write} wrote; {@code count} and {@code filled} are the owner's, already read. */
    abstract void read(ByteBuffer b, long count, int filled);

    static void pair(Map<String, Double> m, String name, double cumulative, double windowed) {
        m.put(name, cumulative);
        m.put(name + "_window", windowed);
    }

    // ---------------------------------------------------------------------------------------------- var-longs

    static void putVarLong(ByteBuffer b, long v) {
        while ((v & ~0x7FL) != 0) {
            b.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        b.put((byte) v);
    }

    static long getVarLong(ByteBuffer b) {
        long v = 0;
        for (int shift = 0; shift < 63; shift += 7) {
            byte x = b.get();
            v |= (long) (x & 0x7F) << shift;
            if (x >= 0) {
                return v;
            }
        }
        throw new IllegalArgumentException("malformed var-long in prequential metrics state");
    }

    static void putVarLongs(ByteBuffer b, long[] v) {
        for (long x : v) {
            putVarLong(b, x);
        }
    }

    static long[] getVarLongs(ByteBuffer b, int n) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = getVarLong(b);
        }
        return v;
    }

    // -------------------------------------------------------------------------------- classification, binary

    /** Confusion counts over K classes; for binary tasks also the AUC (histogram of log-odds, exact in the window). */
    static final class Classes extends PrequentialDetail {
        /** Log-odds range and bins of the cumulative AUC histogram: 0.1 wide, p from 6e-6 to 1 − 6e-6. */
        static final int AUC_BINS = 240;
        static final double AUC_LOGIT = 12;

        private final int k;
        private final boolean binary;
        private final ConfusionMatrix cm;
        private final ConfusionMatrix win;
        private final int[] codes;
        private final RocAuc auc;
        private final float[] scores;

        Classes(int window, int k, boolean binary) {
            super(window);
            this.k = k;
            this.binary = binary;
            this.cm = new ConfusionMatrix(k);
            this.win = new ConfusionMatrix(k);
            this.codes = new int[window];
            this.auc = binary ? new RocAuc(AUC_BINS, -AUC_LOGIT, AUC_LOGIT) : null;
            this.scores = binary ? new float[window] : null;
        }

        void observe(int slot, boolean evict, int y, int yHat, double p) {
            if (evict) {
                win.remove(codes[slot] / k, codes[slot] % k);
            }
            codes[slot] = y * k + yHat;
            cm.update(y, yHat);
            win.update(y, yHat);
            if (binary) {
                double q = Math.min(1.0 - PrequentialMetrics.EPS, Math.max(PrequentialMetrics.EPS, p));
                auc.update(y, Math.log(q / (1 - q)));
                scores[slot] = (float) p;
            }
        }

        @Override
        void put(Map<String, Double> m, long count, int filled, double[] cumSum, double[] windowSum) {
            pair(m, "precision_macro", cm.macroPrecision(), win.macroPrecision());
            pair(m, "recall_macro", cm.macroRecall(), win.macroRecall());
            pair(m, "f1_macro", cm.macroF1(), win.macroF1());
            pair(m, "f1_micro", cm.microF1(), win.microF1());
            pair(m, "kappa", cm.kappa(), win.kappa());
            if (binary) {
                pair(m, "precision", cm.precision(), win.precision());
                pair(m, "recall", cm.recall(), win.recall());
                pair(m, "f1", cm.f1(), win.f1());
                int[] y = new int[filled];
                double[] s = new double[filled];
                for (int i = 0; i < filled; i++) {
                    y[i] = codes[i] / 2;
                    s[i] = scores[i];
                }
                pair(m, "auc", auc.value(), RocAuc.exact(y, s, filled));
            }
        }

        @Override
        void reset() {
            cm.reset();
            win.reset();
            Arrays.fill(codes, 0);
            if (binary) {
                auc.reset();
                Arrays.fill(scores, 0);
            }
        }

        private int codeBytes() {
            long codesNeeded = (long) k * k;
            return codesNeeded <= 256 ? 1 : codesNeeded <= 65536 ? 2 : 4;
        }

        @Override
        int maxBytes(int filled) {
            return 3 * k * 10 + filled * codeBytes() + (binary ? 2 * AUC_BINS * 10 + filled * Float.BYTES : 0);
        }

        @Override
        void write(ByteBuffer b, int filled) {
            putVarLongs(b, cm.counts());
            int w = codeBytes();
            for (int i = 0; i < filled; i++) {
                if (w == 1) {
                    b.put((byte) codes[i]);
                } else if (w == 2) {
                    b.putChar((char) codes[i]);
                } else {
                    b.putInt(codes[i]);
                }
            }
            if (binary) {
                putVarLongs(b, auc.counts());
                for (int i = 0; i < filled; i++) {
                    b.putFloat(scores[i]);
                }
            }
        }

        @Override
        void read(ByteBuffer b, long count, int filled) {
            cm.restore(getVarLongs(b, 3 * k));
            if (cm.count() != count) {
                throw new IllegalArgumentException("confusion counts hold " + cm.count() + " examples, not " + count);
            }
            int w = codeBytes();
            for (int i = 0; i < filled; i++) {
                int c = w == 1 ? b.get() & 0xFF : w == 2 ? b.getChar() : b.getInt();
                if (c < 0 || c >= k * k) {
                    throw new IllegalArgumentException("bad class code " + c);
                }
                codes[i] = c;
                win.update(c / k, c % k);
            }
            if (binary) {
                auc.restore(getVarLongs(b, 2 * AUC_BINS));
                if (auc.count() != count) {
                    throw new IllegalArgumentException("AUC histogram holds " + auc.count() + " examples, not " + count);
                }
                for (int i = 0; i < filled; i++) {
                    scores[i] = b.getFloat();
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------- regression

    /** R² (and RMSE) cumulative through Welford, windowed from a ring of the window's targets. */
    static final class Regression extends PrequentialDetail {
        private final RegressionMetrics reg = new RegressionMetrics();
        private final double[] ys;

        Regression(int window) {
            super(window);
            ys = new double[window];
        }

        void observe(int slot, double y, double yHat) {
            reg.update(y, yHat);
            ys[slot] = y;
        }

        @Override
        void put(Map<String, Double> m, long count, int filled, double[] cumSum, double[] windowSum) {
            pair(m, "rmse", Math.sqrt(cumSum[0] / count), Math.sqrt(windowSum[0] / filled));
            double mean = 0;
            for (int i = 0; i < filled; i++) {
                mean += ys[i];
            }
            mean /= filled;
            double sst = 0;
            for (int i = 0; i < filled; i++) {
                sst += (ys[i] - mean) * (ys[i] - mean);
            }
            // A window of equal targets has SST = 0 exactly: the mean of equal doubles may round, so test the spread.
            boolean constant = true;
            for (int i = 1; i < filled && constant; i++) {
                constant = ys[i] == ys[0];
            }
            pair(m, "r2", reg.r2(), RegressionMetrics.r2(windowSum[0], constant ? 0 : sst));
        }

        @Override
        void reset() {
            reg.reset();
            Arrays.fill(ys, 0);
        }

        @Override
        int maxBytes(int filled) {
            return 4 * Double.BYTES + filled * Double.BYTES;
        }

        @Override
        void write(ByteBuffer b, int filled) {
            b.putDouble(reg.sse()).putDouble(reg.sae()).putDouble(reg.meanTarget()).putDouble(reg.sst());
            b.asDoubleBuffer().put(ys, 0, filled); // in bulk, as the metrics' window
            b.position(b.position() + filled * Double.BYTES);
        }

        @Override
        void read(ByteBuffer b, long count, int filled) {
            reg.restore(count, b.getDouble(), b.getDouble(), b.getDouble(), b.getDouble());
            for (int i = 0; i < filled; i++) {
                ys[i] = b.getDouble();
            }
        }
    }

    // ------------------------------------------------------------------------------------------- multi-label

    /** Jaccard and micro/macro F1 over L labels; the window's label sets are kept as bits. */
    static final class Labels extends PrequentialDetail {
        private final int labels;
        private final MultiLabelMetrics ml;
        private MultiLabelMetrics win;
        private final long[] yBits;
        private final long[] hBits;
        private final int[] oy;
        private final int[] oh;

        Labels(int window, int labels) {
            super(window);
            this.labels = labels;
            this.ml = new MultiLabelMetrics(labels);
            this.win = new MultiLabelMetrics(labels);
            int words = (int) (((long) window * labels + 63) / 64);
            this.yBits = new long[words];
            this.hBits = new long[words];
            this.oy = new int[labels];
            this.oh = new int[labels];
        }

        void observe(int slot, boolean evict, int[] y, int[] yHat) {
            if (evict) {
                load(slot);
                win.remove(oy, oh);
            }
            long base = (long) slot * labels;
            for (int j = 0; j < labels; j++) {
                set(yBits, base + j, y[j]);
                set(hBits, base + j, yHat[j]);
            }
            ml.update(y, yHat);
            win.update(y, yHat);
        }

        private static void set(long[] bits, long i, int v) {
            int w = (int) (i >>> 6);
            long mask = 1L << (i & 63);
            bits[w] = v == 1 ? bits[w] | mask : bits[w] & ~mask;
        }

        private static int get(long[] bits, long i) {
            return (int) (bits[(int) (i >>> 6)] >>> (i & 63)) & 1;
        }

        private void load(int slot) {
            long base = (long) slot * labels;
            for (int j = 0; j < labels; j++) {
                oy[j] = get(yBits, base + j);
                oh[j] = get(hBits, base + j);
            }
        }

        private void replay(int filled) {
            win = new MultiLabelMetrics(labels);
            for (int i = 0; i < filled; i++) {
                load(i);
                win.update(oy, oh);
            }
        }

        @Override
        void lap() {
            replay(window); // fresh Jaccard sum: add/subtract rounding cannot accumulate
        }

        @Override
        void put(Map<String, Double> m, long count, int filled, double[] cumSum, double[] windowSum) {
            pair(m, "jaccard", ml.jaccard(), win.jaccard());
            pair(m, "f1_micro", ml.microF1(), win.microF1());
            pair(m, "f1_macro", ml.macroF1(), win.macroF1());
        }

        @Override
        void reset() {
            ml.reset();
            win = new MultiLabelMetrics(labels);
            Arrays.fill(yBits, 0);
            Arrays.fill(hBits, 0);
        }

        private static int words(int filled, int labels) {
            return (int) (((long) filled * labels + 63) / 64);
        }

        @Override
        int maxBytes(int filled) {
            return (2 + 3 * labels) * 10 + 2 * Double.BYTES + 2 * words(filled, labels) * Long.BYTES;
        }

        @Override
        void write(ByteBuffer b, int filled) {
            putVarLongs(b, ml.counts());
            b.putDouble(ml.jaccardSum).putDouble(win.jaccardSum);
            for (int i = 0; i < words(filled, labels); i++) {
                b.putLong(yBits[i]).putLong(hBits[i]);
            }
        }

        @Override
        void read(ByteBuffer b, long count, int filled) {
            long[] c = getVarLongs(b, 2 + 3 * labels);
            if (c[0] != count || c[1] > count) {
                throw new IllegalArgumentException("multi-label counts hold " + c[0] + " examples, not " + count);
            }
            ml.restore(c, b.getDouble());
            double winJaccard = b.getDouble();
            for (int i = 0; i < words(filled, labels); i++) {
                yBits[i] = b.getLong();
                hBits[i] = b.getLong();
            }
            replay(filled);
            win.jaccardSum = winJaccard;
        }
    }
}
