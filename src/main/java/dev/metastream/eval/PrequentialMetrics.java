package dev.metastream.eval;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Prequential (test-then-train) evaluation metrics for one task, in constant memory.
 *
 * <p>Prequential evaluation (Dawid 1984; Gama, Sebastião and Rodrigues, "On Evaluating Stream
 * Learning Algorithms", Machine Learning 90(3), 2013): every example is first used to test the
 * current model, its loss recorded, and only then used for training. Call the {@code observe*}
 * method matching the task {@link Kind} with the true target and the prediction made
 * <em>before</em> training on it.
 *
 * <p>Each metric is reported cumulatively (over all {@code n} examples seen) and, with the
 * {@code _window} suffix, over the last {@code w = min(n, window)} examples, held in a ring buffer
 * of per-example values (memory proportional to the window size only). With {@code 1[·]} the
 * indicator function and probabilities clipped to {@code [ε, 1 − ε]}, {@code ε = 1e-15} (for
 * multi-class only the lower end is needed):
 *
 * <ul>
 *   <li>{@code accuracy} = (1/n) Σ 1[ŷ_i = y_i], with ŷ the arg-max class (first on ties) for
 *       {@link Kind#CLASSIFICATION} and {@code ŷ = 1[p ≥ 0.5]} for {@link Kind#BINARY};
 *   <li>{@code log_loss} = (1/n) Σ −ln p_i(y_i) for classification, and
 *       (1/n) Σ −[y_i ln p_i + (1 − y_i) ln(1 − p_i)] for binary;
 *   <li>{@code mse} = (1/n) Σ (y_i − ŷ_i)², {@code mae} = (1/n) Σ |y_i − ŷ_i| for
 *       {@link Kind#REGRESSION};
 *   <li>for {@link Kind#MULTILABEL} with L labels and {@code ŷ_ij = 1[p_ij ≥ 0.5]}:
 *       {@code hamming_loss} = (1/n) Σ_i (1/L) Σ_j 1[ŷ_ij ≠ y_ij],
 *       {@code subset_accuracy} = (1/n) Σ_i 1[ŷ_i = y_i] (all labels right), and
 *       {@code log_loss} = (1/n) Σ_i (1/L) Σ_j −[y_ij ln p_ij + (1 − y_ij) ln(1 − p_ij)].
 * </ul>
 *
 * <p>Each {@code observe*} method returns the example's error for a drift detector: the 0/1
 * misclassification for classification and binary, 1 − subset-correct for multi-label, and the
 * absolute error for regression.
 *
 * <p>{@link #detailed(Kind, int, int)} instances (what the learner uses) add, cumulative and windowed, the
 * confusion-count metrics and AUC, R² and RMSE, and the multi-label set metrics; see there and
 * {@code docs/metrics.md} for every formula and degenerate case.
 *
 * <p>The full state serialises with {@link #toBytes()} / {@link #fromBytes(byte[])} so it can be
 * persisted per task between records; a restored instance continues bit-for-bit identically. Plain
 * instances write format version 1, detailed ones version 2; both are read back (a version-1 state
 * restores as plain metrics).
 * Inputs must be finite; an {@link IllegalArgumentException} is thrown before any state changes
 * otherwise. Not thread-safe.
 *
 * <pre>{@code
 * PrequentialMetrics m = new PrequentialMetrics(PrequentialMetrics.Kind.BINARY);
 * double p = model.predict(x);       // test ...
 * double error = m.observeBinary(y, p);
 * model.learn(x, y);                 // ... then train
 * detector.update(error);
 * Map<String, Double> now = m.snapshot(); // {accuracy=…, accuracy_window=…, log_loss=…, …}
 * }</pre>
 */
public final class PrequentialMetrics implements StreamingMetric {

    /** Probability clipping bound ε for log-loss. */
    public static final double EPS = 1e-15;
    /** Default sliding-window length. */
    public static final int DEFAULT_WINDOW = 500;
    /** Largest accepted window (guards allocation when restoring a corrupt state). */
    public static final int MAX_WINDOW = 1 << 24;

    private static final byte FORMAT_VERSION = 1;
    /** Format of a detailed instance: version 1's layout, the output count, then the detail state. */
    private static final byte DETAILED_FORMAT_VERSION = 2;

    /** The kind of task being evaluated; decides which observe method and metrics apply. */
    public enum Kind {
        /** Multi-class single-label classification with a probability per class. */
        CLASSIFICATION((byte) 1, "accuracy", "log_loss"),
        /** Binary classification with the probability of the positive class. */
        BINARY((byte) 2, "accuracy", "log_loss"),
        /** Real-valued regression. */
        REGRESSION((byte) 3, "mse", "mae"),
        /** Multi-label classification with a probability per label. */
        MULTILABEL((byte) 4, "hamming_loss", "subset_accuracy", "log_loss");

        private final byte code;
        private final String[] metrics;

        Kind(byte code, String... metrics) {
            this.code = code;
            this.metrics = metrics;
        }

        /**
         * Parses a kind name case-insensitively ({@code classification}, {@code binary},
         * {@code regression}, {@code multilabel}; {@code multi-label} / {@code multi_label} also
         * accepted).
         *
         * @param s the name
         * @return the kind
         * @throws IllegalArgumentException on an unknown name
         */
        public static Kind parse(String s) {
            String v = s == null ? "" : s.trim().toUpperCase(Locale.ROOT).replace("-", "").replace("_", "");
            for (Kind k : values()) {
                if (k.name().equals(v)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown task kind '" + s
                    + "'; allowed: classification, binary, regression, multilabel");
        }

        static Kind ofCode(byte code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown task kind code " + code);
        }
    }

    private final Kind kind;
    private final int window;
    private final int channels;

    private long count;
    private final double[] cumSum;    // per channel, over all examples
    private final double[] windowSum; // per channel, over the ring buffer
    private final double[][] ring;    // [channel][window]
    private int head;                 // next slot to write
    private int filled;               // slots in use, ≤ window
    private final int outputs;        // classes / labels / 1 when detailed, 0 for the plain metrics
    private final PrequentialDetail detail; // null for the plain metrics

    /**
     * Creates metrics with the default window of {@value #DEFAULT_WINDOW} examples.
     *
     * @param kind the task kind
     */
    public PrequentialMetrics(Kind kind) {
        this(kind, DEFAULT_WINDOW);
    }

    /**
     * Creates metrics.
     *
     * @param kind the task kind
     * @param window sliding-window length in examples, in [1, {@value #MAX_WINDOW}]
     */
    public PrequentialMetrics(Kind kind, int window) {
        this(kind, window, 0);
    }

    /**
     * Creates detailed metrics: besides the plain ones, cumulative and windowed
     * <ul>
     *   <li>CLASSIFICATION: {@code precision_macro, recall_macro, f1_macro, f1_micro, kappa} (see
     *       {@link ConfusionMatrix});
     *   <li>BINARY: the same, and {@code precision, recall, f1} of class 1 and {@code auc} ({@link RocAuc}: the
     *       cumulative AUC from a histogram of 240 log-odds bins over [−12, 12], within its error bound; the window's
     *       AUC exact over the scores as floats);
     *   <li>REGRESSION: {@code rmse, r2} (see {@link RegressionMetrics});
     *   <li>MULTILABEL: {@code jaccard, f1_micro, f1_macro} (see {@link MultiLabelMetrics}).
     * </ul>
     * The window's raw outcomes are kept in compact rings (class codes, float scores, label bits, targets) so the
     * window metrics subtract evicted examples exactly. The state is written in format version 2.
     *
     * @param kind the task kind
     * @param window sliding-window length in examples, in [1, {@value #MAX_WINDOW}]
     * @param outputs the number of classes (CLASSIFICATION, 2..46340) or labels (MULTILABEL, 1..4096); 1 for BINARY
     *     and REGRESSION — the width of the task's output, as {@code TaskSpec.outputs()}
     * @return the metrics
     */
    public static PrequentialMetrics detailed(Kind kind, int window, int outputs) {
        if (outputs < 1) {
            throw new IllegalArgumentException("outputs must be at least 1, got " + outputs);
        }
        return new PrequentialMetrics(kind, window, outputs);
    }

    private PrequentialMetrics(Kind kind, int window, int outputs) {
        if (kind == null) {
            throw new IllegalArgumentException("kind must not be null");
        }
        if (window < 1 || window > MAX_WINDOW) {
            throw new IllegalArgumentException("window must be in [1, " + MAX_WINDOW + "], got " + window);
        }
        this.kind = kind;
        this.window = window;
        this.channels = kind.metrics.length;
        this.cumSum = new double[channels];
        this.windowSum = new double[channels];
        this.ring = new double[channels][window];
        this.outputs = outputs;
        this.detail = outputs == 0 ? null : PrequentialDetail.create(kind, window, outputs);
    }

    /** @return whether this instance also computes the detailed metrics of {@link #detailed} */
    public boolean isDetailed() {
        return detail != null;
    }

    /** @return the task kind */
    public Kind kind() {
        return kind;
    }

    /** @return the sliding-window length */
    public int window() {
        return window;
    }

    /** @return the number of examples observed */
    @Override
    public long count() {
        return count;
    }

    // ------------------------------------------------------------------ observe

    /**
     * Records a multi-class prediction: accuracy of the arg-max class and log-loss
     * {@code −ln max(p[y], ε)}. Probabilities are used as given (not renormalised).
     *
     * @param trueClass the true class index, in {@code [0, probabilities.length)}
     * @param probabilities predicted probability per class, finite
     * @return 0/1 misclassification of the arg-max prediction
     */
    public double observeClassification(int trueClass, float[] probabilities) {
        requireKind(Kind.CLASSIFICATION);
        if (probabilities == null || probabilities.length == 0) {
            throw new IllegalArgumentException("probabilities must be non-empty");
        }
        if (trueClass < 0 || trueClass >= probabilities.length) {
            throw new IllegalArgumentException(
                    "true class " + trueClass + " outside [0, " + probabilities.length + ")");
        }
        if (detail != null && probabilities.length != outputs) {
            throw new IllegalArgumentException(probabilities.length + " probabilities for " + outputs + " classes");
        }
        int argMax = 0;
        for (int k = 0; k < probabilities.length; k++) {
            requireFinite(probabilities[k], "probability");
            if (probabilities[k] > probabilities[argMax]) {
                argMax = k;
            }
        }
        double correct = argMax == trueClass ? 1.0 : 0.0;
        if (detail != null) {
            ((PrequentialDetail.Classes) detail).observe(head, filled == window, trueClass, argMax, Double.NaN);
        }
        record(correct, classLogLoss(trueClass, probabilities), 0.0);
        return 1.0 - correct;
    }

    /**
     * Records a binary prediction: accuracy with threshold 0.5 ({@code p ≥ 0.5} predicts 1) and
     * log-loss with {@code p} clipped to {@code [ε, 1 − ε]}.
     *
     * @param y the true label, 0 or 1
     * @param p predicted probability of label 1, finite
     * @return 0/1 misclassification
     */
    public double observeBinary(int y, double p) {
        requireKind(Kind.BINARY);
        requireLabel(y);
        requireFinite(p, "probability");
        int yHat = p >= 0.5 ? 1 : 0;
        double correct = yHat == y ? 1.0 : 0.0;
        if (detail != null) {
            ((PrequentialDetail.Classes) detail).observe(head, filled == window, y, yHat, p);
        }
        record(correct, binaryLogLoss(y, p), 0.0);
        return 1.0 - correct;
    }

    /**
     * Records a regression prediction: squared and absolute error.
     *
     * @param y the true value, finite
     * @param yHat the prediction, finite
     * @return the absolute error {@code |y − ŷ|}
     */
    public double observeRegression(double y, double yHat) {
        requireKind(Kind.REGRESSION);
        requireFinite(y, "target");
        requireFinite(yHat, "prediction");
        double err = y - yHat;
        double abs = Math.abs(err);
        if (detail != null) {
            ((PrequentialDetail.Regression) detail).observe(head, y, yHat);
        }
        record(err * err, abs, 0.0);
        return abs;
    }

    /**
     * Records a multi-label prediction: Hamming loss, subset accuracy and label-averaged binary
     * log-loss, with label j predicted present when {@code p[j] ≥ 0.5}.
     *
     * @param y true labels, each 0 or 1
     * @param p predicted probability per label, same length as {@code y}, finite
     * @return 1 if any label is wrong (1 − subset accuracy of this example), else 0
     */
    public double observeMultiLabel(int[] y, float[] p) {
        requireKind(Kind.MULTILABEL);
        if (y == null || p == null || y.length == 0 || y.length != p.length) {
            throw new IllegalArgumentException("labels and probabilities must be non-empty and of equal length");
        }
        if (detail != null && y.length != outputs) {
            throw new IllegalArgumentException(y.length + " labels for a task with " + outputs);
        }
        for (int j = 0; j < y.length; j++) {
            requireLabel(y[j]);
            requireFinite(p[j], "probability");
        }
        int[] predicted = detail == null ? null : new int[y.length];
        int wrong = 0;
        double loss = 0;
        for (int j = 0; j < y.length; j++) {
            int yHat = p[j] >= 0.5f ? 1 : 0;
            if (yHat != y[j]) {
                wrong++;
            }
            if (predicted != null) {
                predicted[j] = yHat;
            }
            loss += binaryLogLoss(y[j], p[j]);
        }
        double hamming = (double) wrong / y.length;
        double subset = wrong == 0 ? 1.0 : 0.0;
        if (detail != null) {
            ((PrequentialDetail.Labels) detail).observe(head, filled == window, y, predicted);
        }
        record(hamming, subset, loss / y.length);
        return 1.0 - subset;
    }

    /**
     * One example's multi-class log-loss {@code −ln max(p[y], ε)} (p used as given, not renormalised); the one
     * definition every figure of this project uses (the evaluation's test-set figures too).
     *
     * @param trueClass the true class
     * @param probabilities predicted probability per class
     * @return the loss
     */
    public static double classLogLoss(int trueClass, float[] probabilities) {
        double p = Math.min(1.0, Math.max(EPS, probabilities[trueClass]));
        return -Math.log(p);
    }

    /**
     * One example's binary log-loss {@code −[y ln q + (1 − y) ln(1 − q)]}, q = p clipped to {@code [ε, 1 − ε]}.
     *
     * @param y the true label, 0 or 1
     * @param p predicted probability of label 1
     * @return the loss
     */
    public static double binaryLogLoss(int y, double p) {
        double q = Math.min(1.0 - EPS, Math.max(EPS, p));
        return y == 1 ? -Math.log(q) : -Math.log(1.0 - q);
    }

    private void record(double v0, double v1, double v2) {
        count++;
        for (int c = 0; c < channels; c++) {
            double v = c == 0 ? v0 : c == 1 ? v1 : v2;
            cumSum[c] += v;
            if (filled == window) {
                windowSum[c] -= ring[c][head];
            }
            ring[c][head] = v;
            windowSum[c] += v;
        }
        if (filled < window) {
            filled++;
        }
        head++;
        if (head == window) {
            head = 0;
            // Re-sum once per lap so add/subtract rounding cannot accumulate (O(1) amortised).
            for (int c = 0; c < channels; c++) {
                double s = 0;
                for (int i = 0; i < window; i++) {
                    s += ring[c][i];
                }
                windowSum[c] = s;
            }
            if (detail != null) {
                detail.lap();
            }
        }
    }

    // ------------------------------------------------------------------ read

    /**
     * The current metrics for this kind: each metric name (see the class documentation) and the
     * same name with a {@code _window} suffix. Empty until the first example.
     *
     * <ul>
     *   <li>CLASSIFICATION, BINARY: {@code accuracy, accuracy_window, log_loss, log_loss_window}
     *   <li>REGRESSION: {@code mse, mse_window, mae, mae_window}
     *   <li>MULTILABEL: {@code hamming_loss, hamming_loss_window, subset_accuracy,
     *       subset_accuracy_window, log_loss, log_loss_window}
     * </ul>
     *
     * <p>A {@link #detailed} instance appends its extra metrics, each followed by its
     * {@code _window} version.
     *
     * @return an unmodifiable, insertion-ordered map
     */
    public Map<String, Double> snapshot() {
        Map<String, Double> m = new LinkedHashMap<>();
        if (count > 0) {
            for (int c = 0; c < channels; c++) {
                m.put(kind.metrics[c], cumSum[c] / count);
                m.put(kind.metrics[c] + "_window", windowSum[c] / filled);
            }
            if (detail != null) {
                detail.put(m, count, filled, cumSum, windowSum);
            }
        }
        return Collections.unmodifiableMap(m);
    }

    /** The same as {@link #snapshot()}. */
    @Override
    public Map<String, Double> values() {
        return snapshot();
    }

    /** Forgets all observations, keeping kind and window. */
    public void reset() {
        count = 0;
        head = 0;
        filled = 0;
        Arrays.fill(cumSum, 0.0);
        Arrays.fill(windowSum, 0.0);
        for (double[] r : ring) {
            Arrays.fill(r, 0.0);
        }
        if (detail != null) {
            detail.reset();
        }
    }

    // ------------------------------------------------------------------ bytes

    /**
     * Serialises the complete state: version byte, kind code, window, count, ring position and
     * fill, cumulative and windowed sums, then the used ring slots of each channel.
     *
     * @return the state, restorable with {@link #fromBytes(byte[])}
     */
    public byte[] toBytes() {
        ByteBuffer buf = ByteBuffer.allocate(maxBytes());
        write(buf);
        return buf.hasRemaining() ? Arrays.copyOf(buf.array(), buf.position()) : buf.array();
    }

    /**
     * The most bytes {@link #write} writes now (exactly {@link #toBytes()}'s length without detail).
     *
     * @return an upper bound of the state's encoded length
     */
    public int maxBytes() {
        int size = 2 + Integer.BYTES + Long.BYTES + 2 * Integer.BYTES
                + 2 * channels * Double.BYTES + channels * filled * Double.BYTES;
        if (detail != null) {
            size += Integer.BYTES + detail.maxBytes(filled);
        }
        return size;
    }

    /**
     * Writes the bytes of {@link #toBytes()} at the buffer's position, for a caller that embeds them in a larger
     * record without an array of their own.
     *
     * @param buf a big-endian buffer with at least {@link #maxBytes()} remaining
     */
    public void write(ByteBuffer buf) {
        buf.put(detail == null ? FORMAT_VERSION : DETAILED_FORMAT_VERSION).put(kind.code).putInt(window)
                .putLong(count).putInt(head).putInt(filled);
        if (detail != null) {
            buf.putInt(outputs);
        }
        for (int c = 0; c < channels; c++) {
            buf.putDouble(cumSum[c]).putDouble(windowSum[c]);
        }
        for (int c = 0; c < channels; c++) {
            // One bulk copy per channel: the window (several KB) is most of a task state's bytes.
            buf.asDoubleBuffer().put(ring[c], 0, filled);
            buf.position(buf.position() + filled * Double.BYTES);
        }
        if (detail != null) {
            detail.write(buf, filled);
        }
    }

    /**
     * Restores metrics serialised with {@link #toBytes()}.
     *
     * @param bytes the state
     * @return metrics that continue exactly as the serialised ones
     * @throws IllegalArgumentException on an unknown version or a malformed state
     */
    public static PrequentialMetrics fromBytes(byte[] bytes) {
        if (bytes == null || bytes.length < 2) {
            throw new IllegalArgumentException("prequential metrics state too short");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        try {
            byte version = buf.get();
            if (version != FORMAT_VERSION && version != DETAILED_FORMAT_VERSION) {
                throw new IllegalArgumentException("unsupported prequential metrics state version " + version
                        + " (expected " + FORMAT_VERSION + " or " + DETAILED_FORMAT_VERSION + ")");
            }
            Kind kind = Kind.ofCode(buf.get());
            int window = buf.getInt();
            if (window < 1 || window > MAX_WINDOW) {
                throw new IllegalArgumentException("bad window " + window);
            }
            long count = buf.getLong();
            int head = buf.getInt();
            int filled = buf.getInt();
            if (count < 0 || filled < 0 || filled > window || head < 0 || head >= window
                    || (filled < window && head != filled) || count < filled) {
                throw new IllegalArgumentException("inconsistent prequential metrics state");
            }
            int outputs = 0;
            if (version == DETAILED_FORMAT_VERSION) {
                outputs = buf.getInt();
                if (outputs < 1) {
                    throw new IllegalArgumentException("bad output count " + outputs);
                }
            }
            PrequentialMetrics m = new PrequentialMetrics(kind, window, outputs);
            m.count = count;
            m.head = head;
            m.filled = filled;
            for (int c = 0; c < m.channels; c++) {
                m.cumSum[c] = buf.getDouble();
                m.windowSum[c] = buf.getDouble();
            }
            for (int c = 0; c < m.channels; c++) {
                for (int i = 0; i < filled; i++) {
                    m.ring[c][i] = buf.getDouble();
                }
            }
            if (m.detail != null) {
                m.detail.read(buf, count, filled);
            }
            if (buf.hasRemaining()) {
                throw new IllegalArgumentException("trailing bytes in prequential metrics state");
            }
            return m;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated prequential metrics state", e);
        }
    }

    // ------------------------------------------------------------------ checks

    private void requireKind(Kind expected) {
        if (kind != expected) {
            throw new IllegalStateException("metrics are for " + kind + ", not " + expected);
        }
    }

    private static void requireLabel(int y) {
        if (y != 0 && y != 1) {
            throw new IllegalArgumentException("label must be 0 or 1, got " + y);
        }
    }

    private static void requireFinite(double v, String what) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException(what + " must be finite, got " + v);
        }
    }

    @Override
    public String toString() {
        return "PrequentialMetrics{" + kind + ", n=" + count + ", " + snapshot() + "}";
    }
}
