package dev.metastream.shift;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Label-free domain-shift monitoring of one task's inputs, predictions and labels: two-sample tests
 * between a reference window and a recent window, on bounded histograms.
 *
 * <p>Methods: per-feature tests and the dataset-level drift rule follow Evidently's data-drift
 * preset (Kolmogorov-Smirnov for numeric and chi-square for categorical columns with at most 1,000
 * reference rows, otherwise normalised Wasserstein and Jensen-Shannon distances above 0.1; the
 * dataset drifts when at least half the columns do); the multivariate test is a kernel MMD (Gretton
 * et al. 2012) with random Fourier features, thresholded by expected run time like alibi-detect's
 * online detectors (see {@link FourierMmd}).
 *
 * <pre>{@code
 * ShiftMonitor monitor = new ShiftMonitor(ShiftMonitor.Settings.defaults(), 10, 2, 42L);
 * for (Example e : stream) {
 *     ShiftReport shift = monitor.observe(e.features(), e.predictedClass(), e.labelOrNaN());
 *     if (shift != null) {
 *         publish(shift);   // which signals and features moved, between which positions
 *     }
 * }
 * byte[] state = monitor.toBytes();                    // persist with the task
 * ShiftMonitor resumed = ShiftMonitor.fromBytes(state);
 * }</pre>
 *
 * <h2>Windows</h2>
 * An <i>epoch</i> starts at creation and again right after every check that found a shift. Its
 * first {@code referenceSize} examples are the reference; after it, a ring of {@code recentBlocks}
 * blocks of {@code blockSize} examples is the recent window. A check runs at the end of every block
 * once the ring is full. With {@link Reference#FIRST} the reference stays the epoch's first
 * examples; with {@link Reference#SLIDING} the recent window's oldest block moves into the
 * reference as a new block comes in (the reference is a ring of blocks too), so the reference is
 * always the {@code referenceSize} examples just before the recent window — it follows slow drift
 * and only sees changes faster than the two windows. After a shift both restart, so one shift gives
 * one report and the next is judged against the new distribution; the first check of the new epoch
 * comes {@code referenceSize + recentBlocks·blockSize} examples later.
 *
 * <h2>Bounded state</h2>
 * No raw window is kept. The first {@value #CALIBRATION} examples of an epoch (at most
 * {@code blockSize}) are held raw to <i>calibrate</i>: numeric variables get bin edges at the
 * quantiles of those values ({@link Binning}: duplicates merged, so discrete and constant features
 * work; at most 5 distinct values makes a variable categorical); the inputs' mean and standard
 * deviation standardise the multivariate test. Everything after is counted into histograms per
 * block. State is {@code O((features × bins + projections) × blocks + inputDim)}, plus the
 * projections' sums of products ({@code projections²/2}) while the reference fills, and does not
 * grow with the stream: with the defaults about 4.6 kB for 10 features, 17 kB for 100 and 7.2 kB for 784 inputs
 * (7.7 and 10.3 kB for 10 and 784 while the reference fills). A block's counts are written in as few bytes as its
 * example count needs, one each at the default block size. The blocks and the calibration sample are made as they are first
 * used, so a monitor that has seen a few examples (most of them, with many tasks) holds one block and those rows.
 *
 * <h2>Signals</h2>
 * <ul>
 *   <li>{@value Signal#INPUTS}: one test per feature on its histogram (binned Kolmogorov-Smirnov,
 *       a lower bound of the raw statistic, for numeric features, chi-square for categorical ones,
 *       p below the per-feature significance; with a reference larger than 1,000 examples the
 *       normalised Wasserstein / Jensen-Shannon distance above 0.1 instead). Wasserstein, PSI and
 *       Jensen-Shannon are reported for every feature. The signal drifts when the share of drifted
 *       features is at least {@code featureShare}. When {@code inputDim > maxFeatures} (wide, hashed
 *       or sparse inputs) the "features" are instead {@code maxFeatures} groups of inputs (input
 *       {@code j} in group {@code j mod maxFeatures}), each tested on the share of examples in which
 *       any of its inputs is non-zero (2-cell chi-square). The example, not the non-zero, is the
 *       unit: inputs of one example are not independent draws, and a chi-square over non-zero
 *       counts would see a 100-fold larger sample than it has and raise false alarms.
 *   <li>{@value Signal#INPUTS_MMD}: a Gaussian-kernel MMD statistic on {@code projections} random
 *       Fourier features of the inputs standardised with the calibration mean and deviation
 *       ({@link FourierMmd}); the raw inputs, not the learner's embedding, which moves as the
 *       learner trains even when the inputs do not. Bandwidth: {@code σ² = 2 d'}, {@code d'} the inputs that vary during
 *       calibration — the mean squared distance between two standardised examples, which needs no
 *       stored pairs and is close to the median heuristic once a few features vary independently.
 *       It sees changes of the joint distribution that no marginal shows (e.g. correlations). The
 *       reference's feature covariance is estimated once per epoch from the reference examples
 *       after calibration (calibration examples cannot be projected before the standardisation is
 *       known, so they are not part of this test).
 *   <li>{@value Signal#PREDICTION} and {@value Signal#LABEL}: chi-square over classes
 *       ({@code outputCategories >= 2}) or a binned test like a numeric feature's, on the
 *       predictions and on the labels of the labelled examples; the label signal is left out of a
 *       check while either window holds fewer than {@code max(30, min(reference, recent)/10)} labels.
 * </ul>
 *
 * <h2>False alarms</h2>
 * A check runs every {@code blockSize} examples, so an expected run time of {@code ERT} examples
 * between false alarms allows {@code α = blockSize / ERT} per check, split equally over the four
 * signals ({@code α/4} each; the checks overlap, which only lengthens the run time). The MMD
 * threshold is the moment-matched chi-square quantile at {@code α/4}, prediction and label drift at
 * {@code p < α/4}. The per-feature significance stays {@code significance} (Evidently's 0.05) unless the dataset rule
 * with it would fire more often than {@code α/4} for independent features (few features: with one
 * feature the rule is that feature's test); then it is lowered until
 * {@code P(Binomial(F, s) >= ⌈featureShare·F⌉) = α/4}. Under Wasserstein mode (large reference) the
 * rule is Evidently's fixed effect size and not calibrated.
 *
 * <p>Measured with the defaults (20,000-example stationary streams, 100 seeds each, classification
 * outputs; the budget is two false alarms per 2,000,000 examples): with {@link Reference#FIRST} no
 * false alarm on ten independent uniform features, none on one Gaussian feature, two on six integer
 * features, nine (in eight streams) on ten Gaussian features sharing a common factor (correlation
 * 0.5) — correlated features drift together, which the binomial calibration of the share rule does
 * not model (six of the nine came from the {@value Signal#INPUTS} rule); none on 784 sparse integer
 * inputs (10 seeds). With {@link Reference#SLIDING} two on the uniform features and nine on the
 * correlated ones (eight from the share rule). A location, spread and return shift of ten uniform
 * features every 5,000 examples was found 100–200 examples after each change (20 seeds); a
 * correlation-only change of three uniform features (one becomes a copy of another) after 300–500
 * examples in 18 of 20 seeds, 1,300 and 2,800 in the other two.
 *
 * <p>Caveats: predictions also move when the model learns, so early in a task, with
 * {@link Reference#FIRST}, a prediction drift may mean the model improved rather than the inputs
 * moved. With {@link Reference#SLIDING} a change slower than the two windows is never seen.
 *
 * <p>Costs: per example {@code O(features · log bins + projections · non-zeros)} without allocation;
 * per check {@code O(features · bins · recentBlocks + projections³)}. Not thread-safe.
 */
public final class ShiftMonitor {

    /** Most raw examples held to calibrate bins and standardisation. */
    public static final int CALIBRATION = 64;
    /** Most features listed in a signal of a report (those with the strongest evidence). */
    public static final int REPORTED_FEATURES = 10;
    /** Reference sizes above this use distances instead of tests per feature (Evidently's rule). */
    public static final int LARGE_REFERENCE = 1000;
    /** Threshold of the normalised Wasserstein and the Jensen-Shannon distance in that mode. */
    public static final double DISTANCE_THRESHOLD = 0.1;
    /** The false-alarm budget per check is split over this many signals. */
    static final int SIGNALS = 4;

    static final byte TYPE = 0x53; // 'S'
    /**
     * 2: a block's counts in as few bytes each as its example count needs (one for a block of at most 255 examples), a
     * quarter of version 1's four at the default block size; version 1 is still read.
     */
    static final byte VERSION = 2;

    private static final float[] NO_FLOATS = new float[0];

    /**
     * Settings of a monitor.
     *
     * @param referenceSize examples in the reference window, a multiple of {@code blockSize}
     * @param blockSize examples per block; a check runs after each block
     * @param recentBlocks blocks in the recent window
     * @param bins most histogram bins per numeric variable, {@code >= 2}
     * @param featureShare share of drifted features at which {@value Signal#INPUTS} drifts, in (0, 1]
     * @param significance per-feature p-value threshold (may be lowered, see the class doc)
     * @param expectedRunTime examples expected between false alarms, {@code > blockSize}
     * @param maxFeatures wider inputs are monitored as this many groups of non-zero indicators
     * @param projections random Fourier features of the MMD test; 0 turns it off
     * @param reference how the reference window moves
     * @param predictionAlarm whether the predictions' drift alone makes a check a shift. A model that keeps
     *     learning moves its predictions as it learns (and as a shared model is merged in), with inputs and
     *     labels unchanged: measured on the demo's stream, every alarm of the prediction signal was that. Off, the
     *     prediction signal is still tested and reported with every check.
     */
    public record Settings(int referenceSize, int blockSize, int recentBlocks, int bins, double featureShare,
            double significance, double expectedRunTime, int maxFeatures, int projections, Reference reference,
            boolean predictionAlarm) {

        /** Settings whose prediction signal does not raise a shift on its own. */
        public Settings(int referenceSize, int blockSize, int recentBlocks, int bins, double featureShare,
                double significance, double expectedRunTime, int maxFeatures, int projections, Reference reference) {
            this(referenceSize, blockSize, recentBlocks, bins, featureShare, significance, expectedRunTime,
                    maxFeatures, projections, reference, false);
        }

        /** Validates the settings. */
        public Settings {
            Objects.requireNonNull(reference, "reference");
            if (blockSize < 1 || referenceSize < blockSize || referenceSize % blockSize != 0) {
                throw new IllegalArgumentException("shift monitor: reference size " + referenceSize
                        + " must be a positive multiple of the block size " + blockSize);
            }
            if (recentBlocks < 1) {
                throw new IllegalArgumentException("shift monitor: recent blocks must be >= 1, got " + recentBlocks);
            }
            if (bins < 2 || bins > 1000) {
                throw new IllegalArgumentException("shift monitor: bins must be in [2, 1000], got " + bins);
            }
            if (!(featureShare > 0 && featureShare <= 1)) {
                throw new IllegalArgumentException("shift monitor: feature share must be in (0, 1], got " + featureShare);
            }
            if (!(significance > 0 && significance < 1)) {
                throw new IllegalArgumentException("shift monitor: significance must be in (0, 1), got " + significance);
            }
            if (!(expectedRunTime > blockSize) || Double.isInfinite(expectedRunTime)) {
                throw new IllegalArgumentException("shift monitor: expected run time must be finite and > block size, got "
                        + expectedRunTime);
            }
            if (maxFeatures < 1 || maxFeatures > 100_000) {
                throw new IllegalArgumentException("shift monitor: max features must be in [1, 100000], got " + maxFeatures);
            }
            if (projections < 0 || projections > 256) {
                throw new IllegalArgumentException("shift monitor: projections must be in [0, 256], got " + projections);
            }
            if ((long) referenceSize + (long) recentBlocks * blockSize > Integer.MAX_VALUE / 2) {
                throw new IllegalArgumentException("shift monitor: windows too large");
            }
        }

        /**
         * Defaults: reference 500, blocks of 100, 5 recent blocks (500 examples), 10 bins, Evidently's
         * share 0.5 and significance 0.05, one false alarm per 1,000,000 examples, at most 100
         * features, 32 projections, {@link Reference#FIRST}. The run time is 10× the 100,000 first
         * tried: there, 8 of 100 stationary 20,000-example streams had a false alarm, while the
         * shifts in the tests are found as fast (100–200 examples) with either.
         *
         * @return the defaults
         */
        public static Settings defaults() {
            return new Settings(500, 100, 5, 10, 0.5, 0.05, 1_000_000, 100, 32, Reference.FIRST);
        }

        /** @param alarm whether prediction drift alone is a shift @return a copy with it */
        public Settings withPredictionAlarm(boolean alarm) {
            return new Settings(referenceSize, blockSize, recentBlocks, bins, featureShare, significance,
                    expectedRunTime, maxFeatures, projections, reference, alarm);
        }

        /** @param r the reference policy @return a copy with it */
        public Settings withReference(Reference r) {
            return new Settings(referenceSize, blockSize, recentBlocks, bins, featureShare, significance,
                    expectedRunTime, maxFeatures, projections, r, predictionAlarm);
        }

        /** @param share the dataset rule's share @return a copy with it */
        public Settings withFeatureShare(double share) {
            return new Settings(referenceSize, blockSize, recentBlocks, bins, share, significance,
                    expectedRunTime, maxFeatures, projections, reference, predictionAlarm);
        }

        /** @param ert expected run time @return a copy with it */
        public Settings withExpectedRunTime(double ert) {
            return new Settings(referenceSize, blockSize, recentBlocks, bins, featureShare, significance, ert,
                    maxFeatures, projections, reference, predictionAlarm);
        }

        /** @param d number of projections @return a copy with it */
        public Settings withProjections(int d) {
            return new Settings(referenceSize, blockSize, recentBlocks, bins, featureShare, significance,
                    expectedRunTime, maxFeatures, d, reference, predictionAlarm);
        }

        /** @return examples in the recent window */
        public int recentSize() {
            return recentBlocks * blockSize;
        }
    }

    /** How the reference window moves between shifts. */
    public enum Reference {
        /** The first {@code referenceSize} examples of the epoch (re-learned after each shift). */
        FIRST,
        /** The {@code referenceSize} examples just before the recent window. */
        SLIDING
    }

    // ------------------------------------------------------------------ configuration and layout

    private final Settings settings;
    private final int inputDim;
    private final int outputCategories;
    private final long seed;

    private final boolean wide;
    private final int features; // monitored features: inputDim, or maxFeatures groups when wide
    private final int cellsPerFeature;
    private final int predOff;
    private final int labelOff;
    private final int outputCells;
    private final int cells;
    private final int dim; // projections
    private final int calibrationSize;
    private final int referenceBlocks;
    private final double alphaSignal;
    private final boolean largeReference;
    private final int minLabelled;

    // ------------------------------------------------------------------ state

    private long position;
    private long epochStart;
    private long epochCount;

    // Calibration (null once calibrated). rawX grows with the rows it holds: most tasks are seen a few times only.
    private float[] rawX;
    private float[] rawPred;
    private float[] rawLabel;
    private int rawPredCount;
    private int rawLabelCount;
    private int[] calCount;
    private double[] calMean;
    private double[] calM2;

    // Frozen per epoch (null while calibrating).
    private Binning[] binnings;
    /**
     * The inputs' bin edges in one array, {@link #edgeStride} per input, padded with NaN (which no value is at or
     * above): what {@link #count} reads per record. Through {@link #binnings} that was two dependent loads per input
     * into objects scattered over the heap, and with tens of tasks' monitors per partition most missed the cache (a
     * task's monitor counted at a quarter of the speed of the partition-wide one). Null while calibrating, for wide
     * inputs, or when an input has more edges than {@link Binning#bin} counts without a search.
     */
    private float[] flatEdges;
    private int edgeStride;
    private Binning predBinning;
    private Binning labelBinning;
    private float[] mmdScale;
    private double[] mmdOffset;

    // Packed sums of products while the reference fills; once it is complete only the threshold and
    // the first `dim` entries, the variances, are needed (the rest is dropped from the state). Null (all zero)
    // while the epoch calibrates: nothing is projected before the calibration is frozen.
    private double[] cov;
    private boolean covFrozen;
    private int covN;
    private double mmdThreshold; // NaN when the MMD test is off for this epoch

    // Made on first use (a task seen a few times never completes a block): refSum when the first block completes,
    // a ring slot when a block is first rotated into it. A null slot stands for an empty block, all zero.
    private Block current;
    private Block refSum;
    private Block[] refRing; // SLIDING only
    private int refHead;
    private Block[] recent;
    private int recentHead;
    private int recentFilled;
    private ShiftReport latest;

    // Encoding cache (transient): stateVersion moves whenever anything but the positions and the current block
    // changes; toBytes re-encodes those parts only then.
    private long stateVersion;
    private long encodedVersion = -1;
    private byte[] beforeCurrent;
    private byte[] afterCurrent;
    private byte[] latestBytes;
    private ShiftReport latestEncoded;

    // Transient, derived or scratch.
    private double featureSignificance = Double.NaN;
    /** The projections' weights as a shared table ({@link FourierMmd#weights}), or null: they are hashed then. */
    private final double[][] mmdWeights;
    private final double[] z;
    private final float[] column;
    private final boolean[] seen;
    private final int[] touched;

    /**
     * Creates a monitor.
     *
     * @param settings the settings
     * @param inputDim features per example, {@code >= 1}
     * @param outputCategories 0 = real-valued prediction/label (binned like a numeric feature),
     *     {@code k >= 2} = class indices {@code 0..k-1}
     * @param seed for the random projections
     */
    public ShiftMonitor(Settings settings, int inputDim, int outputCategories, long seed) {
        this.settings = Objects.requireNonNull(settings, "settings");
        if (inputDim < 1) {
            throw new IllegalArgumentException("shift monitor: input dimension must be >= 1, got " + inputDim);
        }
        if (outputCategories < 0 || outputCategories == 1 || outputCategories > 100_000) {
            throw new IllegalArgumentException(
                    "shift monitor: output categories must be 0 or in [2, 100000], got " + outputCategories);
        }
        this.inputDim = inputDim;
        this.outputCategories = outputCategories;
        this.seed = seed;
        this.wide = inputDim > settings.maxFeatures();
        this.features = wide ? settings.maxFeatures() : inputDim;
        this.cellsPerFeature = wide ? 1 : settings.bins();
        this.outputCells = outputCategories >= 2 ? outputCategories : settings.bins();
        this.predOff = features * cellsPerFeature;
        this.labelOff = predOff + outputCells;
        this.cells = labelOff + outputCells;
        this.dim = settings.projections();
        this.calibrationSize = Math.min(CALIBRATION, settings.blockSize());
        this.referenceBlocks = settings.referenceSize() / settings.blockSize();
        this.alphaSignal = settings.blockSize() / settings.expectedRunTime() / SIGNALS;
        this.largeReference = settings.referenceSize() > LARGE_REFERENCE;
        this.minLabelled = Math.max(30, Math.min(settings.referenceSize(), settings.recentSize()) / 10);
        this.z = new double[dim];
        this.mmdWeights = dim > 0 ? FourierMmd.weights(seed, dim, inputDim) : null;
        this.column = new float[calibrationSize];
        this.seen = wide ? new boolean[features] : null;
        this.touched = wide ? new int[features] : null;
        this.current = new Block(cells, dim);
        this.recent = new Block[settings.recentBlocks()];
        if (settings.reference() == Reference.SLIDING) {
            refRing = new Block[referenceBlocks];
        }
        startEpoch(false);
    }

    /** @return the settings */
    public Settings settings() {
        return settings;
    }

    /** @return features per example */
    public int inputDim() {
        return inputDim;
    }

    /** @return 0 for real-valued outputs, else the number of classes */
    public int outputCategories() {
        return outputCategories;
    }

    /** @return examples observed since creation */
    public long position() {
        return position;
    }

    /** @return the latest completed check's report, drifted or not; null before the first check */
    public ShiftReport latest() {
        return latest;
    }

    /**
     * The per-feature significance in use (the settings' one, or lower to keep the dataset rule's
     * false-alarm rate within budget; see the class doc).
     *
     * @return the p-value threshold of a feature's test
     */
    public double featureSignificance() {
        if (Double.isNaN(featureSignificance)) {
            featureSignificance = calibratedSignificance(features, settings.featureShare(), settings.significance(),
                    alphaSignal);
        }
        return featureSignificance;
    }

    /**
     * The largest {@code s <= significance} with {@code P(Binomial(n, s) >= ⌈share·n⌉) <= alpha}.
     *
     * @param n number of features
     * @param share the dataset rule's share
     * @param significance the nominal per-feature significance
     * @param alpha the budget per check
     * @return the per-feature significance to use
     */
    static double calibratedSignificance(int n, double share, double significance, double alpha) {
        int k = Math.max(1, (int) Math.ceil(share * n - 1e-9));
        if (binomialTail(n, k, significance) <= alpha) {
            return significance;
        }
        double lo = 0;
        double hi = significance;
        for (int i = 0; i < 100; i++) {
            double mid = 0.5 * (lo + hi);
            if (binomialTail(n, k, mid) <= alpha) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** {@code P(Binomial(n, p) >= k)} for {@code 1 <= k <= n}, as {@code I_p(k, n - k + 1)}. */
    static double binomialTail(int n, int k, double p) {
        return p <= 0 ? 0 : Distributions.regularizedBeta(p, k, n - k + 1);
    }

    // ------------------------------------------------------------------ observing

    /**
     * Observes one example.
     *
     * @param x raw (unscaled) features, length {@link #inputDim()}; NaN = missing
     * @param prediction the model's prediction: class index as a double for classification, the
     *     value for regression; NaN = none (e.g. multi-label)
     * @param label the label, same encoding; NaN when the example carries no label
     * @return a report when a check at this example finds a shift, else null
     * @throws IllegalArgumentException on a wrong input length or an invalid class index (the state
     *     is then unchanged)
     */
    public ShiftReport observe(float[] x, double prediction, double label) {
        if (x == null || x.length != inputDim) {
            throw new IllegalArgumentException("shift monitor: expected " + inputDim + " features, got "
                    + (x == null ? "null" : x.length));
        }
        int predClass = classIndex(prediction, "prediction");
        int labelClass = classIndex(label, "label");
        boolean steady = epochCount >= calibrationSize && (dim == 0 || covFrozen);
        if (epochCount < calibrationSize) {
            calibrate(x, prediction, label, predClass, labelClass);
        } else {
            count(x, prediction, label, predClass, labelClass);
        }
        current.n++;
        epochCount++;
        position++;
        if (epochCount == calibrationSize) {
            freezeCalibration();
        }
        boolean boundary = epochCount % settings.blockSize() == 0;
        if (!steady || boundary) {
            stateVersion++;
        }
        return boundary ? completeBlock() : null;
    }

    /** The class cell of a categorical output, -1 when absent (NaN) or the output is numeric. */
    private int classIndex(double v, String what) {
        if (outputCategories == 0 || Double.isNaN(v)) {
            return -1;
        }
        if (!(v >= 0 && v < outputCategories) || v != Math.rint(v)) {
            throw new IllegalArgumentException("shift monitor: " + what + " " + v + " is not a class index in [0, "
                    + outputCategories + ")");
        }
        return (int) v;
    }

    private void calibrate(float[] x, double prediction, double label, int predClass, int labelClass) {
        int row = (int) epochCount;
        if (!wide && rawX.length < (row + 1) * inputDim) {
            // Doubling: a few copies of at most the rows held, instead of the whole sample up front.
            rawX = Arrays.copyOf(rawX, Math.min(calibrationSize, Math.max(2, 2 * row)) * inputDim);
        }
        for (int j = 0; j < inputDim; j++) {
            float v = x[j];
            if (!wide) {
                rawX[row * inputDim + j] = v;
            }
            if (Float.isFinite(v)) { // Welford: stable for features with a large mean
                int c = ++calCount[j];
                double d = v - calMean[j];
                calMean[j] += d / c;
                calM2[j] += d * (v - calMean[j]);
            }
        }
        if (wide) {
            countPresence(x);
        }
        if (outputCategories >= 2) {
            countClasses(predClass, labelClass);
        } else {
            if (Double.isFinite(prediction)) {
                rawPred[rawPredCount++] = (float) prediction;
            }
            if (Double.isFinite(label)) {
                rawLabel[rawLabelCount++] = (float) label;
            }
        }
    }

    private void count(float[] x, double prediction, double label, int predClass, int labelClass) {
        int[] counts = current.counts;
        if (wide) {
            countPresence(x);
        } else {
            int bins = settings.bins();
            float[] edges = flatEdges;
            if (edges != null) {
                int stride = edgeStride;
                for (int j = 0, o = 0; j < inputDim; j++, o += stride) {
                    float v = x[j];
                    if (!Float.isNaN(v)) {
                        counts[j * bins + Binning.bin(edges, o, stride, v)]++;
                    }
                }
            } else {
                for (int j = 0; j < inputDim; j++) {
                    float v = x[j];
                    if (!Float.isNaN(v)) {
                        counts[j * bins + binnings[j].bin(v)]++;
                    }
                }
            }
        }
        if (outputCategories >= 2) {
            countClasses(predClass, labelClass);
        } else {
            if (Double.isFinite(prediction)) {
                counts[predOff + predBinning.bin((float) prediction)]++;
            }
            if (Double.isFinite(label)) {
                counts[labelOff + labelBinning.bin((float) label)]++;
            }
        }
        if (dim > 0) {
            if (mmdWeights != null) {
                FourierMmd.project(x, mmdScale, mmdOffset, mmdWeights, z);
            } else {
                FourierMmd.project(x, mmdScale, mmdOffset, seed, z);
            }
            double[] zs = current.zsum;
            for (int k = 0; k < dim; k++) {
                zs[k] += z[k];
            }
            current.nMmd++;
            if (!covFrozen) {
                int p = 0;
                for (int i = 0; i < dim; i++) {
                    double zi = z[i];
                    for (int k = 0; k <= i; k++) {
                        cov[p++] += zi * z[k];
                    }
                }
            }
        }
    }

    private void countClasses(int predClass, int labelClass) {
        if (predClass >= 0) {
            current.counts[predOff + predClass]++;
        }
        if (labelClass >= 0) {
            current.counts[labelOff + labelClass]++;
        }
    }

    /** Wide inputs: one count per group with at least one non-zero input in this example. */
    private void countPresence(float[] x) {
        int t = 0;
        int groups = features;
        for (int j = 0; j < inputDim; j++) {
            float v = x[j];
            if (v != 0f && !Float.isNaN(v)) {
                int c = j % groups;
                if (!seen[c]) {
                    seen[c] = true;
                    touched[t++] = c;
                    current.counts[c]++;
                }
            }
        }
        for (int i = 0; i < t; i++) {
            seen[touched[i]] = false;
        }
    }

    private void freezeCalibration() {
        int n = calibrationSize;
        int bins = settings.bins();
        if (!wide) {
            binnings = new Binning[inputDim];
            for (int j = 0; j < inputDim; j++) {
                int c = 0;
                for (int r = 0; r < n; r++) {
                    float v = rawX[r * inputDim + j];
                    if (Float.isFinite(v)) {
                        column[c++] = v;
                    }
                }
                binnings[j] = Binning.fromSample(column, c, bins);
                for (int r = 0; r < n; r++) {
                    float v = rawX[r * inputDim + j];
                    if (!Float.isNaN(v)) {
                        current.counts[j * bins + binnings[j].bin(v)]++;
                    }
                }
            }
            flattenEdges();
        }
        if (outputCategories == 0) {
            predBinning = Binning.fromSample(rawPred, rawPredCount, bins);
            labelBinning = Binning.fromSample(rawLabel, rawLabelCount, bins);
            for (int i = 0; i < rawPredCount; i++) {
                current.counts[predOff + predBinning.bin(rawPred[i])]++;
            }
            for (int i = 0; i < rawLabelCount; i++) {
                current.counts[labelOff + labelBinning.bin(rawLabel[i])]++;
            }
        }
        if (dim > 0) {
            double[] std = new double[inputDim];
            int varying = 0;
            for (int j = 0; j < inputDim; j++) {
                std[j] = calCount[j] > 0 ? Math.sqrt(calM2[j] / calCount[j]) : 0;
                if (!(std[j] > 0) || !Double.isFinite(std[j])) {
                    std[j] = 0;
                } else {
                    varying++;
                }
            }
            mmdScale = new float[inputDim];
            mmdOffset = new double[dim];
            FourierMmd.frame(calMean, std, Math.sqrt(2.0 * Math.max(1, varying)), seed, mmdScale, mmdOffset);
            if (cov == null) { // else restored mid-calibration, with the (zero) sums it was written with
                cov = new double[packedCovLength()];
            }
        }
        rawX = null;
        rawPred = null;
        rawLabel = null;
        rawPredCount = 0;
        rawLabelCount = 0;
        calCount = null;
        calMean = null;
        calM2 = null;
    }

    private ShiftReport completeBlock() {
        long block = epochCount / settings.blockSize() - 1;
        if (block < referenceBlocks) {
            if (refSum == null) {
                refSum = new Block(cells, dim);
            }
            refSum.add(current);
            if (refRing != null) {
                Block spare = refRing[(int) block];
                refRing[(int) block] = current;
                current = spare != null ? spare : new Block(cells, dim);
            }
            current.clear();
            if (block == referenceBlocks - 1) {
                freezeCovariance();
            }
            return null;
        }
        Block spare = slot(recent, recentHead);
        if (recentFilled == recent.length && refRing != null) {
            // The oldest recent block moves into the reference, whose oldest block leaves.
            Block evicted = slot(refRing, refHead);
            refSum.subtract(evicted);
            refSum.add(spare);
            refRing[refHead] = spare;
            refHead = (refHead + 1) % refRing.length;
            spare = evicted;
        }
        recent[recentHead] = current;
        current = spare;
        current.clear();
        recentHead = (recentHead + 1) % recent.length;
        recentFilled = Math.min(recentFilled + 1, recent.length);
        if (recentFilled < recent.length) {
            return null;
        }
        ShiftReport report = check();
        latest = report;
        if (report.drift()) {
            startEpoch(true);
            return report;
        }
        return null;
    }

    /** Sets {@link #flatEdges} from {@link #binnings}. */
    private void flattenEdges() {
        edgeStride = Binning.widest(binnings);
        flatEdges = edgeStride <= Binning.LINEAR_EDGES ? Binning.flatEdges(binnings, edgeStride) : null;
    }

    private void freezeCovariance() {
        if (dim == 0) {
            return;
        }
        int n = refSum.nMmd;
        covFrozen = true;
        covN = n;
        mmdThreshold = Double.NaN;
        if (n < 2) {
            cov = new double[dim];
            return;
        }
        double[] mean = new double[dim];
        for (int k = 0; k < dim; k++) {
            mean[k] = refSum.zsum[k] / n;
        }
        int p = 0;
        for (int i = 0; i < dim; i++) {
            for (int k = 0; k <= i; k++) {
                cov[p] = (cov[p] - n * mean[i] * mean[k]) / (n - 1);
                p++;
            }
        }
        mmdThreshold = FourierMmd.threshold(cov, dim, alphaSignal);
        double[] variance = new double[dim];
        for (int k = 0; k < dim; k++) {
            variance[k] = cov[k * (k + 1) / 2 + k];
        }
        cov = variance;
    }

    /**
     * Starts a calibration epoch; {@code clearBlocks} false when the blocks were just allocated (all zero), so a new
     * monitor, made for every new or reread task, does not fill them with zeros a second time.
     */
    private void startEpoch(boolean clearBlocks) {
        epochStart = position;
        epochCount = 0;
        if (!wide) {
            rawX = NO_FLOATS;
        }
        if (outputCategories == 0) {
            rawPred = new float[calibrationSize];
            rawLabel = new float[calibrationSize];
        }
        rawPredCount = 0;
        rawLabelCount = 0;
        calCount = new int[inputDim];
        calMean = new double[inputDim];
        calM2 = new double[inputDim];
        binnings = null;
        flatEdges = null;
        predBinning = null;
        labelBinning = null;
        mmdScale = null;
        mmdOffset = null;
        cov = null;
        covFrozen = false;
        covN = 0;
        mmdThreshold = Double.NaN;
        if (clearBlocks) { // the blocks made so far are kept for the new epoch, cleared
            current.clear();
            if (refSum != null) {
                refSum.clear();
            }
            if (refRing != null) {
                for (Block b : refRing) {
                    if (b != null) {
                        b.clear();
                    }
                }
            }
            for (Block b : recent) {
                if (b != null) {
                    b.clear();
                }
            }
        }
        refHead = 0;
        recentHead = 0;
        recentFilled = 0;
    }

    /** Slot {@code i} of a ring, made (all zero, as a slot never used is) when it is still null. */
    private Block slot(Block[] ring, int i) {
        Block b = ring[i];
        if (b == null) {
            b = new Block(cells, dim);
            ring[i] = b;
        }
        return b;
    }

    private int packedCovLength() {
        return dim * (dim + 1) / 2;
    }

    // ------------------------------------------------------------------ checking

    private ShiftReport check() {
        Block rec = new Block(cells, dim);
        for (int i = 0; i < recent.length; i++) {
            rec.add(slot(recent, i));
        }
        List<Signal> signals = new ArrayList<>(SIGNALS);
        signals.add(inputsSignal(rec));
        Signal mmd = mmdSignal(rec);
        if (mmd != null) {
            signals.add(mmd);
        }
        Signal pred = outputSignal(Signal.PREDICTION, predOff, predBinning, rec, 1);
        if (pred != null) {
            signals.add(pred);
        }
        Signal lab = outputSignal(Signal.LABEL, labelOff, labelBinning, rec, minLabelled);
        if (lab != null) {
            signals.add(lab);
        }
        boolean drift = false;
        for (Signal s : signals) {
            drift |= s.drift() && (settings.predictionAlarm() || !s.name().equals(Signal.PREDICTION));
        }
        int recentSize = settings.recentSize();
        Window ref = settings.reference() == Reference.FIRST
                ? new Window(epochStart, epochStart + settings.referenceSize())
                : new Window(position - recentSize - settings.referenceSize(), position - recentSize);
        return new ShiftReport(position, ref, new Window(position - recentSize, position), drift, signals);
    }

    private Signal inputsSignal(Block rec) {
        double sig = featureSignificance();
        List<FeatureShift> all = new ArrayList<>(features);
        int drifted = 0;
        for (int j = 0; j < features; j++) {
            FeatureShift f;
            if (wide) {
                double a = refSum.counts[j];
                double b = rec.counts[j];
                double p = refSum.n > 0 ? a / refSum.n : 0;
                Binning presence = new Binning(0f, new float[] {1f}, Math.sqrt(p * (1 - p)), true);
                f = compare(j, presence, new double[] {refSum.n - a, a}, new double[] {rec.n - b, b}, sig, largeReference);
            } else {
                Binning bj = binnings[j];
                f = compare(j, bj, slice(refSum.counts, j * cellsPerFeature, bj.bins()),
                        slice(rec.counts, j * cellsPerFeature, bj.bins()), sig, largeReference);
            }
            if (f.drift()) {
                drifted++;
            }
            all.add(f);
        }
        all.sort(STRONGEST_FIRST);
        double share = (double) drifted / features;
        return new Signal(Signal.INPUTS, "share", share, settings.featureShare(), share >= settings.featureShare(),
                all.subList(0, Math.min(REPORTED_FEATURES, all.size())));
    }

    /** Drifted first, then smallest p-value, then largest statistic. */
    private static final Comparator<FeatureShift> STRONGEST_FIRST = Comparator
            .comparing((FeatureShift f) -> !f.drift())
            .thenComparingDouble(f -> Double.isNaN(f.pValue()) ? 1.0 : f.pValue())
            .thenComparingDouble(f -> -f.statistic())
            .thenComparingInt(FeatureShift::feature);

    private Signal mmdSignal(Block rec) {
        if (dim == 0 || !covFrozen || Double.isNaN(mmdThreshold)) {
            return null;
        }
        double n = refSum.nMmd;
        double m = rec.nMmd;
        if (n < 1 || m < 1) {
            return null;
        }
        double[] refMean = new double[dim];
        double[] curMean = new double[dim];
        double[] variance = new double[dim];
        for (int k = 0; k < dim; k++) {
            refMean[k] = refSum.zsum[k] / n;
            curMean[k] = rec.zsum[k] / m;
            variance[k] = cov[k];
        }
        double t = FourierMmd.statistic(refMean, curMean, variance, n, m);
        return new Signal(Signal.INPUTS_MMD, "mmd", t, mmdThreshold, t > mmdThreshold, List.of());
    }

    private Signal outputSignal(String name, int off, Binning binning, Block rec, int minCount) {
        int k = outputCategories >= 2 ? outputCategories : binning.bins();
        double[] r = slice(refSum.counts, off, k);
        double[] c = slice(rec.counts, off, k);
        if (Histograms.total(r) < minCount || Histograms.total(c) < minCount) {
            return null;
        }
        // Calibrated by the false-alarm budget, so always a test with a p-value (never a distance).
        FeatureShift f = binning != null ? compare(0, binning, r, c, alphaSignal, false) : compareClasses(r, c);
        return new Signal(name, f.test(), f.pValue(), alphaSignal, f.drift(), List.of(f));
    }

    /** Class counts: chi-square; no Wasserstein distance, class indices being nominal. */
    private FeatureShift compareClasses(double[] ref, double[] cur) {
        ChiSquareTest.Result r = ChiSquareTest.homogeneity(ref, cur);
        return new FeatureShift(0, "chi2", r.statistic(), r.pValue(), Double.NaN, PopulationStability.index(ref, cur),
                JensenShannon.distance(ref, cur), r.pValue() < alphaSignal);
    }

    /** One variable's tests; {@code distances} selects Evidently's large-reference rule. */
    private static FeatureShift compare(int feature, Binning b, double[] ref, double[] cur, double significance,
            boolean distances) {
        double w = Wasserstein.normalised(ref, cur, b.points(), b.std);
        double psi = PopulationStability.index(ref, cur);
        double js = JensenShannon.distance(ref, cur);
        if (distances) {
            return b.categorical
                    ? new FeatureShift(feature, "jensenshannon", js, Double.NaN, w, psi, js, js > DISTANCE_THRESHOLD)
                    : new FeatureShift(feature, "wasserstein", w, Double.NaN, w, psi, js, w > DISTANCE_THRESHOLD);
        }
        if (b.categorical) {
            ChiSquareTest.Result r = ChiSquareTest.homogeneity(ref, cur);
            return new FeatureShift(feature, "chi2", r.statistic(), r.pValue(), w, psi, js, r.pValue() < significance);
        }
        double d = KolmogorovSmirnov.statistic(ref, cur);
        double p = KolmogorovSmirnov.pValue(d, Histograms.total(ref), Histograms.total(cur));
        return new FeatureShift(feature, "ks", d, p, w, psi, js, p < significance);
    }

    private static double[] slice(int[] counts, int off, int len) {
        double[] out = new double[len];
        for (int i = 0; i < len; i++) {
            out[i] = counts[off + i];
        }
        return out;
    }

    // ------------------------------------------------------------------ blocks

    /** Counts of one block of examples (or a sum of blocks). */
    static final class Block {
        final int[] counts;
        final double[] zsum;
        int n;
        int nMmd;

        Block(int cells, int dim) {
            counts = new int[cells];
            zsum = new double[dim];
        }

        void clear() {
            Arrays.fill(counts, 0);
            Arrays.fill(zsum, 0);
            n = 0;
            nMmd = 0;
        }

        void add(Block b) {
            for (int i = 0; i < counts.length; i++) {
                counts[i] += b.counts[i];
            }
            for (int i = 0; i < zsum.length; i++) {
                zsum[i] += b.zsum[i];
            }
            n += b.n;
            nMmd += b.nMmd;
        }

        void subtract(Block b) {
            for (int i = 0; i < counts.length; i++) {
                counts[i] -= b.counts[i];
            }
            for (int i = 0; i < zsum.length; i++) {
                zsum[i] -= b.zsum[i];
            }
            n -= b.n;
            nMmd -= b.nMmd;
        }

        int byteSize() {
            return byteSize(counts.length, zsum.length, n);
        }

        /** Bytes of a block of {@code n} examples: no count exceeds {@code n}, so its counts take {@link #width}. */
        static int byteSize(int cells, int dim, int n) {
            return 2 * Integer.BYTES + cells * width(n) + dim * Double.BYTES;
        }

        /** Bytes per count in a block of {@code n} examples. */
        static int width(int n) {
            return n <= 0xFF ? 1 : n <= 0xFFFF ? Short.BYTES : Integer.BYTES;
        }

        /** Whether this block reads as a block never used: no examples, every count 0 and every sum +0.0. */
        boolean isUnused() {
            if (n != 0 || nMmd != 0) {
                return false;
            }
            for (int c : counts) {
                if (c != 0) {
                    return false;
                }
            }
            for (double v : zsum) {
                if (Double.doubleToRawLongBits(v) != 0) {
                    return false;
                }
            }
            return true;
        }

        void write(ByteBuffer buf) {
            buf.putInt(n).putInt(nMmd);
            // A count is at most n (the examples the block counted), so the width read from n holds it.
            switch (width(n)) {
                case 1 -> {
                    for (int c : counts) {
                        buf.put((byte) c);
                    }
                }
                case Short.BYTES -> {
                    for (int c : counts) {
                        buf.putShort((short) c);
                    }
                }
                default -> {
                    for (int c : counts) {
                        buf.putInt(c);
                    }
                }
            }
            for (double v : zsum) {
                buf.putDouble(v);
            }
        }

        void read(ByteBuffer buf, int maxN, byte version) {
            n = buf.getInt();
            nMmd = buf.getInt();
            if (n < 0 || n > maxN || nMmd < 0 || nMmd > n) {
                throw new IllegalArgumentException("shift monitor: bad block size " + n + " / " + nMmd);
            }
            // In bulk where the counts are ints, then checked: a task's monitor is read back whenever the task
            // returns to the cache.
            switch (version == 1 ? Integer.BYTES : width(n)) {
                case 1 -> {
                    for (int i = 0; i < counts.length; i++) {
                        counts[i] = buf.get() & 0xFF;
                    }
                }
                case Short.BYTES -> {
                    for (int i = 0; i < counts.length; i++) {
                        counts[i] = buf.getShort() & 0xFFFF;
                    }
                }
                default -> {
                    buf.asIntBuffer().get(counts);
                    buf.position(buf.position() + counts.length * Integer.BYTES);
                }
            }
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] < 0 || counts[i] > n) {
                    throw new IllegalArgumentException("shift monitor: bad count " + counts[i] + " in a block of " + n);
                }
            }
            buf.asDoubleBuffer().get(zsum);
            buf.position(buf.position() + zsum.length * Double.BYTES);
            for (int i = 0; i < zsum.length; i++) {
                if (!(Math.abs(zsum[i]) <= nMmd)) { // |cos| <= 1; also rejects NaN
                    throw new IllegalArgumentException("shift monitor: bad projection sum " + zsum[i]);
                }
            }
        }
    }

    // ------------------------------------------------------------------ serialisation

    /**
     * Serialises the complete state: settings, calibration or frozen bins, blocks and the latest
     * report. The size depends on the settings and dimensions, not on how many examples were seen.
     *
     * @return type byte, version byte, payload
     */
    public byte[] toBytes() {
        // The monitor is written after every record it sees, so only what a record changes is encoded each time: the
        // positions and the current block. The rest (calibration or bins, projections, reference and recent blocks,
        // the latest report) changes at block boundaries, or on every record only while the epoch calibrates and its
        // reference fills; its encoding is kept and copied until then.
        if (encodedVersion != stateVersion) {
            boolean calibrating = epochCount < calibrationSize;
            beforeCurrent = encode(sizeBeforeCurrent(calibrating), buf -> writeBeforeCurrent(buf, calibrating));
            afterCurrent = encode(sizeAfterCurrent(), this::writeAfterCurrent);
            encodedVersion = stateVersion;
        }
        int head = 2 + 4 * Integer.BYTES + 3 * Double.BYTES + 2 * Integer.BYTES + 2 // settings
                + 2 * Integer.BYTES + Long.BYTES // dimensions, seed
                + 3 * Long.BYTES;
        ByteBuffer buf = ByteBuffer.allocate(head + beforeCurrent.length + current.byteSize() + afterCurrent.length);
        buf.put(TYPE).put(VERSION);
        Settings s = settings;
        buf.putInt(s.referenceSize()).putInt(s.blockSize()).putInt(s.recentBlocks()).putInt(s.bins());
        buf.putDouble(s.featureShare()).putDouble(s.significance()).putDouble(s.expectedRunTime());
        buf.putInt(s.maxFeatures()).putInt(s.projections()).put((byte) s.reference().ordinal());
        buf.put((byte) (s.predictionAlarm() ? 1 : 0));
        buf.putInt(inputDim).putInt(outputCategories).putLong(seed);
        buf.putLong(position).putLong(epochStart).putLong(epochCount);
        buf.put(beforeCurrent);
        current.write(buf);
        buf.put(afterCurrent);
        if (buf.hasRemaining()) {
            throw new IllegalStateException("shift monitor: size mismatch, " + buf.remaining() + " bytes left");
        }
        return buf.array();
    }

    private static byte[] encode(int size, java.util.function.Consumer<ByteBuffer> writer) {
        ByteBuffer buf = ByteBuffer.allocate(size);
        writer.accept(buf);
        if (buf.hasRemaining()) {
            throw new IllegalStateException("shift monitor: size mismatch, " + buf.remaining() + " bytes left");
        }
        return buf.array();
    }

    private int sizeBeforeCurrent(boolean calibrating) {
        int size = 1;
        if (calibrating) {
            size += (wide ? 0 : calibrationSize * inputDim * Float.BYTES)
                    + inputDim * (Integer.BYTES + 2 * Double.BYTES)
                    + (outputCategories == 0 ? 2 * Integer.BYTES + (rawPredCount + rawLabelCount) * Float.BYTES : 0);
        } else {
            if (!wide) {
                for (Binning b : binnings) {
                    size += b.byteSize();
                }
            }
            if (outputCategories == 0) {
                size += predBinning.byteSize() + labelBinning.byteSize();
            }
            if (dim > 0) {
                size += inputDim * Float.BYTES + dim * Double.BYTES;
            }
        }
        if (dim > 0) {
            size += 1 + Integer.BYTES + Double.BYTES + (cov != null ? cov.length : packedCovLength()) * Double.BYTES;
        }
        return size;
    }

    private void writeBeforeCurrent(ByteBuffer buf, boolean calibrating) {
        buf.put((byte) (calibrating ? 0 : 1));
        if (calibrating) {
            if (!wide) {
                // The whole sample as before: the rows not held yet are zero, as is the new buffer.
                for (float v : rawX) {
                    buf.putFloat(v);
                }
                buf.position(buf.position() + (calibrationSize * inputDim - rawX.length) * Float.BYTES);
            }
            for (int j = 0; j < inputDim; j++) {
                buf.putInt(calCount[j]).putDouble(calMean[j]).putDouble(calM2[j]);
            }
            if (outputCategories == 0) {
                buf.putInt(rawPredCount);
                for (int i = 0; i < rawPredCount; i++) {
                    buf.putFloat(rawPred[i]);
                }
                buf.putInt(rawLabelCount);
                for (int i = 0; i < rawLabelCount; i++) {
                    buf.putFloat(rawLabel[i]);
                }
            }
        } else {
            if (!wide) {
                for (Binning b : binnings) {
                    b.write(buf);
                }
            }
            if (outputCategories == 0) {
                predBinning.write(buf);
                labelBinning.write(buf);
            }
            if (dim > 0) {
                for (float v : mmdScale) {
                    buf.putFloat(v);
                }
                for (double v : mmdOffset) {
                    buf.putDouble(v);
                }
            }
        }
        if (dim > 0) {
            buf.put((byte) (covFrozen ? 1 : 0)).putInt(covN).putDouble(mmdThreshold);
            if (cov != null) {
                for (double v : cov) {
                    buf.putDouble(v);
                }
            } else { // calibrating: zero sums, as is the new buffer
                buf.position(buf.position() + packedCovLength() * Double.BYTES);
            }
        }
    }

    private int sizeAfterCurrent() {
        int size = blockSize(refSum) + 3 * Integer.BYTES;
        if (refRing != null) {
            for (Block b : refRing) {
                size += blockSize(b);
            }
        }
        for (Block b : recent) {
            size += blockSize(b);
        }
        latestBytes = latest == null ? null : latestBytes != null && latestEncoded == latest ? latestBytes
                : ReportCodec.encode(latest);
        latestEncoded = latest;
        return size + 1 + (latestBytes == null ? 0 : Integer.BYTES + latestBytes.length);
    }

    private void writeAfterCurrent(ByteBuffer buf) {
        writeBlock(buf, refSum);
        if (refRing != null) {
            for (Block b : refRing) {
                writeBlock(buf, b);
            }
        }
        for (Block b : recent) {
            writeBlock(buf, b);
        }
        buf.putInt(refHead).putInt(recentHead).putInt(recentFilled);
        buf.put((byte) (latestBytes == null ? 0 : 1));
        if (latestBytes != null) {
            buf.putInt(latestBytes.length).put(latestBytes);
        }
    }

    /** A block, or an empty one where none is made yet: zeros, which the new buffer already holds. */
    private void writeBlock(ByteBuffer buf, Block b) {
        if (b != null) {
            b.write(buf);
        } else {
            buf.position(buf.position() + Block.byteSize(cells, dim, 0));
        }
    }

    /** What {@link #writeBlock} writes for {@code b}. */
    private int blockSize(Block b) {
        return b != null ? b.byteSize() : Block.byteSize(cells, dim, 0);
    }

    /**
     * Restores a monitor serialised with {@link #toBytes()}; it continues exactly as the original.
     *
     * @param bytes serialised state
     * @return the monitor
     * @throws IllegalArgumentException on an unknown type or version, or a malformed payload
     */
    public static ShiftMonitor fromBytes(byte[] bytes) {
        if (bytes == null || bytes.length < 2) {
            throw new IllegalArgumentException("shift monitor state too short");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        byte type = buf.get();
        if (type != TYPE) {
            throw new IllegalArgumentException("not a shift monitor state (type byte " + type + ")");
        }
        try {
            ShiftMonitor m = read(buf.get(), buf);
            if (buf.hasRemaining()) {
                throw new IllegalArgumentException("trailing " + buf.remaining() + " bytes in shift monitor state");
            }
            return m;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated shift monitor state", e);
        }
    }

    static ShiftMonitor read(byte version, ByteBuffer buf) {
        if (version != 1 && version != VERSION) {
            throw new IllegalArgumentException("shift monitor: unsupported version " + version);
        }
        int referenceSize = buf.getInt();
        int blockSize = buf.getInt();
        int recentBlocks = buf.getInt();
        int bins = buf.getInt();
        double share = buf.getDouble();
        double significance = buf.getDouble();
        double ert = buf.getDouble();
        int maxFeatures = buf.getInt();
        int projections = buf.getInt();
        byte ref = buf.get();
        if (ref < 0 || ref >= Reference.values().length) {
            throw new IllegalArgumentException("shift monitor: bad reference policy " + ref);
        }
        byte predictionAlarm = buf.get();
        if (predictionAlarm < 0 || predictionAlarm > 1) {
            throw new IllegalArgumentException("shift monitor: bad prediction-alarm flag " + predictionAlarm);
        }
        Settings s = new Settings(referenceSize, blockSize, recentBlocks, bins, share, significance, ert, maxFeatures,
                projections, Reference.values()[ref], predictionAlarm == 1);
        int inputDim = buf.getInt();
        int outputCategories = buf.getInt();
        long seed = buf.getLong();
        if (inputDim < 1 || (long) inputDim * Float.BYTES > buf.remaining()) {
            throw new IllegalArgumentException("shift monitor: bad input dimension " + inputDim);
        }
        ShiftMonitor m = new ShiftMonitor(s, inputDim, outputCategories, seed);
        m.position = buf.getLong();
        m.epochStart = buf.getLong();
        m.epochCount = buf.getLong();
        if (m.epochCount < 0 || m.epochStart < 0 || m.position != m.epochStart + m.epochCount) {
            throw new IllegalArgumentException("shift monitor: inconsistent positions");
        }
        byte calibrated = buf.get();
        if (calibrated != (m.epochCount < m.calibrationSize ? 0 : 1)) {
            throw new IllegalArgumentException("shift monitor: calibration flag does not match the position");
        }
        if (calibrated == 0) {
            if (!m.wide) {
                // In bulk: the calibration sample is most of a young monitor's bytes. All of it, as written (the rows
                // not held yet are zero in a monitor's own bytes, and are written back as read).
                m.rawX = new float[m.calibrationSize * inputDim];
                buf.asFloatBuffer().get(m.rawX, 0, m.calibrationSize * inputDim);
                buf.position(buf.position() + m.calibrationSize * inputDim * Float.BYTES);
            }
            for (int j = 0; j < inputDim; j++) {
                m.calCount[j] = buf.getInt();
                m.calMean[j] = buf.getDouble();
                m.calM2[j] = buf.getDouble();
                if (m.calCount[j] < 0 || m.calCount[j] > m.epochCount || !Double.isFinite(m.calMean[j])
                        || !(m.calM2[j] >= 0) || Double.isInfinite(m.calM2[j])) {
                    throw new IllegalArgumentException("shift monitor: bad calibration moments of feature " + j);
                }
            }
            if (outputCategories == 0) {
                m.rawPredCount = readRaw(buf, m.rawPred, m.epochCount);
                m.rawLabelCount = readRaw(buf, m.rawLabel, m.epochCount);
            }
        } else {
            m.rawX = null;
            m.rawPred = null;
            m.rawLabel = null;
            m.calCount = null;
            m.calMean = null;
            m.calM2 = null;
            if (!m.wide) {
                m.binnings = new Binning[inputDim];
                for (int j = 0; j < inputDim; j++) {
                    m.binnings[j] = Binning.read(buf, bins);
                }
                m.flattenEdges();
            }
            if (outputCategories == 0) {
                m.predBinning = Binning.read(buf, bins);
                m.labelBinning = Binning.read(buf, bins);
            }
            if (m.dim > 0) {
                m.mmdScale = new float[inputDim];
                for (int j = 0; j < inputDim; j++) {
                    m.mmdScale[j] = buf.getFloat();
                    if (!(m.mmdScale[j] >= 0) || Float.isInfinite(m.mmdScale[j])) {
                        throw new IllegalArgumentException("shift monitor: bad projection scale");
                    }
                }
                m.mmdOffset = new double[m.dim];
                for (int k = 0; k < m.dim; k++) {
                    m.mmdOffset[k] = buf.getDouble();
                    if (!Double.isFinite(m.mmdOffset[k])) {
                        throw new IllegalArgumentException("shift monitor: bad projection offset");
                    }
                }
            }
        }
        if (m.dim > 0) {
            byte frozen = buf.get();
            if (frozen < 0 || frozen > 1) {
                throw new IllegalArgumentException("shift monitor: bad covariance flag");
            }
            m.covFrozen = frozen == 1;
            m.cov = new double[m.covFrozen ? m.dim : m.packedCovLength()];
            m.covN = buf.getInt();
            m.mmdThreshold = buf.getDouble();
            if (m.covN < 0 || m.covN > referenceSize || (!m.covFrozen && m.covN != 0)
                    || !(Double.isNaN(m.mmdThreshold) || m.mmdThreshold > 0)) {
                throw new IllegalArgumentException("shift monitor: bad covariance header");
            }
            for (int i = 0; i < m.cov.length; i++) {
                m.cov[i] = buf.getDouble();
                if (!Double.isFinite(m.cov[i]) || (m.covFrozen && m.cov[i] < 0)) {
                    throw new IllegalArgumentException("shift monitor: bad covariance");
                }
            }
        }
        m.current.read(buf, blockSize, version);
        m.refSum = new Block(m.cells, m.dim);
        m.refSum.read(buf, referenceSize, version);
        if (m.refRing != null) {
            m.readRing(buf, m.refRing, blockSize, version);
        }
        m.readRing(buf, m.recent, blockSize, version);
        m.refHead = buf.getInt();
        m.recentHead = buf.getInt();
        m.recentFilled = buf.getInt();
        if (m.refHead < 0 || (m.refRing != null ? m.refHead >= m.refRing.length : m.refHead != 0)
                || m.recentHead < 0 || m.recentHead >= recentBlocks || m.recentFilled < 0
                || m.recentFilled > recentBlocks) {
            throw new IllegalArgumentException("shift monitor: bad ring positions");
        }
        if (m.current.n != m.epochCount % blockSize) {
            throw new IllegalArgumentException("shift monitor: current block does not match the position");
        }
        byte hasReport = buf.get();
        if (hasReport < 0 || hasReport > 1) {
            throw new IllegalArgumentException("shift monitor: bad report flag");
        }
        if (hasReport == 1) {
            int len = buf.getInt();
            if (len < 0 || len > buf.remaining()) {
                throw new IllegalArgumentException("shift monitor: bad report length " + len);
            }
            byte[] r = new byte[len];
            buf.get(r);
            m.latest = ReportCodec.decode(r);
        }
        return m;
    }

    /** Reads a ring's blocks; a slot whose block was never used (all zero) stays null, as in a new monitor. */
    private void readRing(ByteBuffer buf, Block[] ring, int maxN, byte version) {
        Block b = null;
        for (int i = 0; i < ring.length; i++) {
            if (b == null) {
                b = new Block(cells, dim);
            }
            b.read(buf, maxN, version);
            if (!b.isUnused()) {
                ring[i] = b;
                b = null;
            }
        }
    }

    private static int readRaw(ByteBuffer buf, float[] into, long max) {
        int n = buf.getInt();
        if (n < 0 || n > max || n > into.length) {
            throw new IllegalArgumentException("shift monitor: bad raw value count " + n);
        }
        buf.asFloatBuffer().get(into, 0, n);
        buf.position(buf.position() + n * Float.BYTES);
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(into[i])) {
                throw new IllegalArgumentException("shift monitor: non-finite raw value");
            }
        }
        return n;
    }

    /** Compact binary form of a report (UTF-8 strings with a short length). */
    static final class ReportCodec {
        private static final int MAX_STRING = 64;

        private ReportCodec() {}

        static byte[] encode(ShiftReport r) {
            ByteBuffer buf = ByteBuffer.allocate(size(r));
            buf.putLong(r.position());
            buf.putLong(r.reference().from()).putLong(r.reference().to());
            buf.putLong(r.recent().from()).putLong(r.recent().to());
            buf.put((byte) (r.drift() ? 1 : 0)).putInt(r.signals().size());
            for (Signal s : r.signals()) {
                putString(buf, s.name());
                putString(buf, s.test());
                buf.putDouble(s.score()).putDouble(s.threshold()).put((byte) (s.drift() ? 1 : 0));
                buf.putInt(s.features().size());
                for (FeatureShift f : s.features()) {
                    buf.putInt(f.feature());
                    putString(buf, f.test());
                    buf.putDouble(f.statistic()).putDouble(f.pValue()).putDouble(f.wasserstein())
                            .putDouble(f.psi()).putDouble(f.jensenShannon());
                    buf.put((byte) (f.drift() ? 1 : 0));
                }
            }
            return buf.array();
        }

        private static int size(ShiftReport r) {
            int size = 5 * Long.BYTES + 1 + Integer.BYTES;
            for (Signal s : r.signals()) {
                size += stringSize(s.name()) + stringSize(s.test()) + 2 * Double.BYTES + 1 + Integer.BYTES;
                for (FeatureShift f : s.features()) {
                    size += Integer.BYTES + stringSize(f.test()) + 5 * Double.BYTES + 1;
                }
            }
            return size;
        }

        private static int stringSize(String s) {
            return 1 + s.getBytes(StandardCharsets.UTF_8).length;
        }

        private static void putString(ByteBuffer buf, String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            buf.put((byte) b.length).put(b);
        }

        private static String getString(ByteBuffer buf) {
            int len = buf.get();
            if (len < 0 || len > MAX_STRING) {
                throw new IllegalArgumentException("shift monitor: bad string length " + len);
            }
            byte[] b = new byte[len];
            buf.get(b);
            return new String(b, StandardCharsets.UTF_8);
        }

        private static boolean getBoolean(ByteBuffer buf) {
            byte b = buf.get();
            if (b < 0 || b > 1) {
                throw new IllegalArgumentException("shift monitor: bad boolean " + b);
            }
            return b == 1;
        }

        static ShiftReport decode(byte[] bytes) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            long position = buf.getLong();
            Window ref = new Window(buf.getLong(), buf.getLong());
            Window rec = new Window(buf.getLong(), buf.getLong());
            boolean drift = getBoolean(buf);
            int n = buf.getInt();
            if (n < 0 || n > SIGNALS) {
                throw new IllegalArgumentException("shift monitor: bad signal count " + n);
            }
            List<Signal> signals = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String name = getString(buf);
                String test = getString(buf);
                double score = buf.getDouble();
                double threshold = buf.getDouble();
                boolean d = getBoolean(buf);
                int nf = buf.getInt();
                if (nf < 0 || nf > REPORTED_FEATURES) {
                    throw new IllegalArgumentException("shift monitor: bad feature count " + nf);
                }
                List<FeatureShift> fs = new ArrayList<>(nf);
                for (int k = 0; k < nf; k++) {
                    fs.add(new FeatureShift(buf.getInt(), getString(buf), buf.getDouble(), buf.getDouble(),
                            buf.getDouble(), buf.getDouble(), buf.getDouble(), getBoolean(buf)));
                }
                signals.add(new Signal(name, test, score, threshold, d, fs));
            }
            if (buf.hasRemaining()) {
                throw new IllegalArgumentException("shift monitor: trailing bytes in report");
            }
            return new ShiftReport(position, ref, rec, drift, signals);
        }
    }
}
