package dev.metastream.learn;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Stateless math of the shared trunk over a {@link TrunkSpec} and flat parameters.
 *
 * <p>Both the single-example {@link #forward} and the batched path multiply in plain loops over the weights copied into
 * rows ({@link RowKernels}): at the trunk's sizes they are faster than ND4J's gemm, whose native buffers cost more than
 * the product, and their floats do not depend on the CPU. A batch product of at least {@link #GEMM_MIN_WORK}
 * multiply-adds goes through ND4J. An instance owns scratch buffers and must be used by one thread at a time.
 *
 * <p>Sparse inputs (hashed and one-hot features) go through the first layer as an <em>embedding bag</em>: the row
 * of {@code W_0} of each non-zero input, scaled by its value, summed onto the bias, in plain loops. Its forward,
 * backward and (through {@link Batch#activeParameters}) the optimiser's step then cost what the batch's non-zero
 * inputs touch, not {@code input.dim x hidden}: the dense product would first copy all of {@code W_0} into rows and
 * pass over every block of inputs. A batch takes this path when at most {@link #EMBEDDING_BAG_MAX_DENSITY} of its
 * inputs are non-zero; dense streams keep the dense product.
 */
public final class Trunk {
    /**
     * The largest share of non-zero first-layer inputs for which a batch uses the embedding bag. The bag is faster
     * below a tenth to a quarter non-zero (2.3x at this bound, 6-13x at hashed-feature densities; JMH,
     * docs/benchmarks-throughput.md, "Sparse inputs"); a bound below that crossover keeps dense streams (MNIST's
     * pixels are 19% non-zero) on the gemm and on the plain, non-lazy optimiser step.
     */
    static final double EMBEDDING_BAG_MAX_DENSITY = 1.0 / 16;

    /**
     * The multiply-adds of a layer's batch product ({@code rows x in x out}) from which ND4J's gemm is used instead of
     * {@link RowKernels}. With JMH on this project's 2-core machine the loops were faster at every size measured, up to
     * 256 rows of 100 inputs into 1,024 units (26 M, 6.3 against 9.3 ms); at 1,024 rows (105 M) the two were within
     * their noise (35 against 40 ms). The gemm is kept for products beyond that (docs/benchmarks-throughput.md,
     * "twentieth stop").
     */
    static final long GEMM_MIN_WORK = 100_000_000;

    private final TrunkSpec spec;
    private final int[] in;
    private final int[] out;
    private final int[] off;
    private final float[] bufA;
    private final float[] bufB;
    private final int[] nonZeroScratch;
    private final double embeddingBagMaxDensity;
    private final long gemmMinWork;
    /** Per layer, {@code W_l} as its rows ({@link RowKernels}), copied from the parameters when they change. */
    private final float[][][] weightRows;
    /** The parameters {@link #weightRows} were copied from, once {@link #rowsCopied}. */
    private final float[] rowsSource;
    private boolean rowsCopied;
    /** Counts the copies into {@link #weightRows}: a kept {@link Pass} of an older count was made from other weights. */
    private long rowsGeneration;
    /** Batch rows that took a kept pass instead of being computed, since this trunk was made. */
    private long rowsReused;
    /** Per layer, {@code W_l^T} as its rows, for the backward pass's input gradient. */
    private final float[][][] transposedRows;
    private final float[] gradScratch;
    /**
     * Per layer, the rows {@link #backwardBatch} computes and uses before it returns: the gradients at the layer's
     * pre-activations (dZ) and, below the top layer, at its outputs (dA). Reused from batch to batch, as many rows as
     * the largest batch yet.
     */
    private final float[][][] dzRows;
    private final float[][][] daRows;

    /** Creates the trunk math for {@code spec}. */
    public Trunk(TrunkSpec spec) {
        this(spec, EMBEDDING_BAG_MAX_DENSITY);
    }

    /**
     * Creates the trunk math for {@code spec} with another density bound for the embedding bag (1: always, 0: never),
     * for benchmarks that measure both paths.
     */
    public Trunk(TrunkSpec spec, double embeddingBagMaxDensity) {
        this(spec, embeddingBagMaxDensity, GEMM_MIN_WORK);
    }

    /**
     * Creates the trunk math for {@code spec} with other bounds for the embedding bag and for ND4J's gemm
     * ({@code gemmMinWork} multiply-adds per layer; 0: always the gemm, {@link Long#MAX_VALUE}: never), for benchmarks
     * that measure both paths.
     */
    public Trunk(TrunkSpec spec, double embeddingBagMaxDensity, long gemmMinWork) {
        this.spec = spec;
        this.embeddingBagMaxDensity = embeddingBagMaxDensity;
        this.gemmMinWork = gemmMinWork;
        int layers = spec.layerCount();
        in = new int[layers];
        out = new int[layers];
        off = new int[layers];
        int maxWidth = spec.inputDim();
        for (int l = 0; l < layers; l++) {
            in[l] = spec.layerIn(l);
            out[l] = spec.layerOut(l);
            off[l] = spec.weightOffset(l);
            maxWidth = Math.max(maxWidth, out[l]);
        }
        weightRows = new float[layers][][];
        transposedRows = new float[layers][][];
        for (int l = 0; l < layers; l++) {
            weightRows[l] = new float[in[l]][out[l]];
            transposedRows[l] = l == 0 ? null : new float[out[l]][in[l]];
        }
        gradScratch = new float[maxWidth];
        dzRows = new float[layers][0][];
        daRows = new float[layers][0][];
        rowsSource = new float[spec.parameterCount()];
        bufA = new float[maxWidth];
        bufB = new float[maxWidth];
        nonZeroScratch = new int[spec.inputDim()];
    }

    /** Batch rows that took a kept pass ({@link #forwardBatch(float[], float[][], Pass[])}) instead of a product. */
    long rowsReused() {
        return rowsReused;
    }

    /** The spec this trunk computes. */
    public TrunkSpec spec() {
        return spec;
    }

    /**
     * One example's forward pass, kept so that the micro-batch that later learns the example need not repeat it
     * ({@link #forwardBatch(float[], float[][], Pass[])}): every layer's output, the {@link #weightRows} copy it was
     * computed from, and whether the batch's own pass would give exactly these floats.
     */
    public static final class Pass {
        private final float[][] layers;
        private final long rowsGeneration;
        private final boolean batchEqual;

        private Pass(float[][] layers, long rowsGeneration, boolean batchEqual) {
            this.layers = layers;
            this.rowsGeneration = rowsGeneration;
            this.batchEqual = batchEqual;
        }

        /** The trunk features (the last layer's output; the input itself for an identity trunk). */
        public float[] output() {
            return layers[layers.length - 1];
        }
    }

    /**
     * {@link #forward} keeping every layer's output, for {@link #forwardBatch(float[], float[][], Pass[])}: with the
     * parameters unchanged in between (they change once a micro-batch), the batch reuses the pass instead of computing
     * its example's row again.
     */
    public Pass forwardKept(float[] params, float[] x) {
        checkParams(params);
        if (x.length != spec.inputDim()) {
            throw new IllegalArgumentException("x length " + x.length + " != inputDim " + spec.inputDim());
        }
        int layers = in.length;
        if (layers == 0) {
            return new Pass(new float[][] {x.clone()}, -1, false);
        }
        Activation act = spec.activation();
        // The batch activates with its own loops (ND4J for tanh and sigmoid): only ReLU and the identity agree with
        // Activation.apply, and ReLU only for a pre-activation that is neither NaN nor -0 (0 here, NaN or -0 there).
        boolean batchEqual = act == Activation.RELU || act == Activation.IDENTITY;
        refreshWeightRows(params);
        float[][] outs = new float[layers][];
        float[] src = x;
        for (int l = 0; l < layers; l++) {
            int m = out[l];
            float[] dst = new float[m];
            RowKernels.affine(weightRows[l], params, off[l] + in[l] * m, in[l], m, new float[][] {src},
                    new float[][] {dst});
            for (int j = 0; j < m; j++) {
                float z = dst[j];
                batchEqual &= !Float.isNaN(z) && Float.floatToRawIntBits(z) != NEGATIVE_ZERO_BITS;
                dst[j] = act.apply(z);
            }
            outs[l] = dst;
            src = dst;
        }
        return new Pass(outs, rowsGeneration, batchEqual);
    }

    private static final int NEGATIVE_ZERO_BITS = Float.floatToRawIntBits(-0f);

    /** Single-example forward: writes the features {@code hOut[outputDim]} for {@code x}. */
    public void forward(float[] params, float[] x, float[] hOut) {
        checkParams(params);
        if (x.length != spec.inputDim()) {
            throw new IllegalArgumentException("x length " + x.length + " != inputDim "
                    + spec.inputDim());
        }
        int layers = in.length;
        if (layers == 0) {
            System.arraycopy(x, 0, hOut, 0, x.length);
            return;
        }
        Activation act = spec.activation();
        float[] src = x;
        refreshWeightRows(params);
        for (int l = 0; l < layers; l++) {
            // Last layer writes straight into hOut; otherwise ping-pong between scratch buffers.
            float[] dst = l == layers - 1 ? hOut : (src == bufA ? bufB : bufA);
            int n = in[l];
            int m = out[l];
            RowKernels.affine(weightRows[l], params, off[l] + n * m, n, m, new float[][] {src}, new float[][] {dst});
            for (int j = 0; j < m; j++) {
                dst[j] = act.apply(dst[j]);
            }
            src = dst;
        }
    }

    /** Activations of a batched forward pass, kept for {@link #backwardBatch}. */
    public static final class Batch {
        /** {@code acts[0]} the inputs {@code X}, {@code acts[l + 1] = act(acts[l] W_l + b_l)}: one array per row. */
        private final float[][][] acts;
        private final float[][] output;
        private final int[][] nonZero; // per row, the indices of its non-zero inputs (embedding bag only)
        private final ParamRanges active;

        Batch(float[][][] acts, float[][] output, int[][] nonZero, ParamRanges active) {
            this.acts = acts;
            this.output = output;
            this.nonZero = nonZero;
            this.active = active;
        }

        /**
         * The parameters a gradient of this batch can be non-zero in, for a lazy clip and optimiser step: with an
         * embedding bag, the rows of {@code W_0} of the inputs the batch saw and every later parameter; null when
         * the batch went through the dense path (every parameter).
         */
        public ParamRanges activeParameters() {
            return active;
        }

        /** Whether the first layer ran as an embedding bag. */
        public boolean embeddingBag() {
            return nonZero != null;
        }

        /** Trunk features, one row per example ({@code B x outputDim}). */
        public float[][] output() {
            return output;
        }

        /** Number of examples in the batch. */
        public int size() {
            return output.length;
        }
    }

    /**
     * Batched forward: rows of {@code xs} are examples. A layer whose product is at least {@link #GEMM_MIN_WORK}
     * multiply-adds goes through ND4J's gemm, a smaller one through {@link RowKernels}; the bias, the activation and
     * the backward pass's element-wise steps run in plain loops either way.
     */
    public Batch forwardBatch(float[] params, float[][] xs) {
        return forwardBatch(params, xs, null);
    }

    /**
     * {@link #forwardBatch(float[], float[][])} reusing the kept single-example passes {@code known[r]} (null, or
     * shorter than the batch, where there is none): a row whose pass was computed from these same parameters, on the
     * dense path and without the gemm, takes that pass's outputs, which are the floats its own row would give.
     */
    public Batch forwardBatch(float[] params, float[][] xs, Pass[] known) {
        checkParams(params);
        for (float[] x : xs) {
            if (x.length != spec.inputDim()) {
                throw new IllegalArgumentException("x length " + x.length + " != inputDim "
                        + spec.inputDim());
            }
        }
        int layers = in.length;
        if (layers == 0 || xs.length == 0) {
            float[][] copy = new float[xs.length][];
            for (int r = 0; r < xs.length; r++) {
                copy[r] = xs[r].clone();
            }
            return new Batch(new float[][][] {xs}, copy, null, null);
        }
        int rows = xs.length;
        float[][][] acts = new float[layers + 1][][];
        acts[0] = xs;
        int[][] nonZero = sparseRows(xs);
        int first = 0;
        if (nonZero != null) {
            acts[1] = embeddingBag(params, xs, nonZero);
            first = 1;
        }
        boolean[] reused = reusable(params, known, rows, nonZero);
        for (int l = first; l < layers; l++) {
            float[][] z;
            if (gemm(rows, l)) {
                z = rows(flat(Nd4j.create(acts[l]).mmul(weight(params, l))), rows, out[l]);
                addBias(z, params, l);
                activate(z);
            } else if (reused == null) {
                z = new float[rows][out[l]];
                refreshWeightRows(params);
                RowKernels.affine(weightRows[l], params, off[l] + in[l] * out[l], in[l], out[l], acts[l], z);
                activate(z);
            } else {
                z = affineExceptReused(params, l, acts[l], known, reused);
            }
            acts[l + 1] = z;
        }
        float[][] last = acts[layers];
        float[][] output = new float[rows][];
        for (int r = 0; r < rows; r++) {
            output[r] = last[r].clone();
        }
        if (nonZero == null) {
            return new Batch(acts, output, null, null);
        }
        return new Batch(acts, output, nonZero, activeRows(nonZero));
    }

    /**
     * Which rows take their kept pass, or null when none does: only on the dense path without the gemm (whose floats
     * differ from the loops'), and only a pass made from the weight rows of {@code params}.
     */
    private boolean[] reusable(float[] params, Pass[] known, int rows, int[][] nonZero) {
        if (known == null || nonZero != null) {
            return null;
        }
        for (int l = 0; l < in.length; l++) {
            if (gemm(rows, l)) {
                return null;
            }
        }
        refreshWeightRows(params);
        boolean[] reused = null;
        for (int r = 0; r < Math.min(rows, known.length); r++) {
            Pass p = known[r];
            if (p != null && p.batchEqual && p.rowsGeneration == rowsGeneration) {
                if (reused == null) {
                    reused = new boolean[rows];
                }
                reused[r] = true;
                rowsReused++;
            }
        }
        return reused;
    }

    /** Layer {@code l}'s activated outputs: the kept pass's for the reused rows, computed for the others. */
    private float[][] affineExceptReused(float[] params, int l, float[][] inputs, Pass[] known, boolean[] reused) {
        int rows = inputs.length;
        int fresh = 0;
        for (boolean r : reused) {
            fresh += r ? 0 : 1;
        }
        float[][] freshIn = new float[fresh][];
        float[][] freshOut = new float[fresh][out[l]];
        float[][] z = new float[rows][];
        for (int r = 0, k = 0; r < rows; r++) {
            if (reused[r]) {
                z[r] = known[r].layers[l];
            } else {
                freshIn[k] = inputs[r];
                z[r] = freshOut[k++];
            }
        }
        RowKernels.affine(weightRows[l], params, off[l] + in[l] * out[l], in[l], out[l], freshIn, freshOut);
        activate(freshOut);
        return z;
    }

    /**
     * Makes {@link #weightRows} those of {@code params}. They are copied only when {@code params} differ from the copy
     * they were made from: a comparison of the two arrays (one vectorised mismatch scan) costs a few times less than
     * the copy, and the parameters change once a batch while the single-example forward runs once an example.
     */
    private void refreshWeightRows(float[] params) {
        if (rowsCopied && Arrays.equals(params, rowsSource)) {
            return;
        }
        for (int l = 0; l < in.length; l++) {
            RowKernels.rows(params, off[l], in[l], out[l], weightRows[l]);
        }
        System.arraycopy(params, 0, rowsSource, 0, params.length);
        rowsCopied = true;
        rowsGeneration++;
    }

    /** Whether layer {@code l}'s product over {@code rows} examples goes through ND4J's gemm. */
    private boolean gemm(int rows, int l) {
        return (long) rows * in[l] * out[l] >= gemmMinWork;
    }

    /**
     * Per row, the indices of its non-zero inputs, or null when more than the density bound of the batch's inputs
     * are non-zero (the dense path).
     */
    private int[][] sparseRows(float[][] xs) {
        long budget = (long) (embeddingBagMaxDensity * xs.length * in[0]);
        long seen = 0;
        int[][] nonZero = new int[xs.length][];
        for (int r = 0; r < xs.length; r++) {
            float[] x = xs[r];
            int c = 0;
            for (int i = 0; i < x.length; i++) {
                if (x[i] != 0f) {
                    nonZeroScratch[c++] = i;
                }
            }
            seen += c;
            if (seen > budget) {
                return null;
            }
            nonZero[r] = Arrays.copyOf(nonZeroScratch, c);
        }
        return nonZero;
    }

    /** {@code act(X W_0 + b_0)} by summing the rows of {@code W_0} of each row's non-zero inputs onto the bias. */
    private float[][] embeddingBag(float[] params, float[][] xs, int[][] nonZero) {
        int m = out[0];
        int w = off[0];
        int b = w + in[0] * m;
        Activation act = spec.activation();
        float[][] z = new float[xs.length][m];
        for (int r = 0; r < xs.length; r++) {
            float[] zr = z[r];
            System.arraycopy(params, b, zr, 0, m);
            float[] x = xs[r];
            for (int i : nonZero[r]) {
                float xi = x[i];
                int row = w + i * m;
                for (int j = 0; j < m; j++) {
                    zr[j] += xi * params[row + j];
                }
            }
            for (int j = 0; j < m; j++) {
                zr[j] = act.apply(zr[j]);
            }
        }
        return z;
    }

    /** The rows of {@code W_0} of every input some row uses, then {@code b_0} and every later layer. */
    private ParamRanges activeRows(int[][] nonZero) {
        int total = 0;
        for (int[] idx : nonZero) {
            total += idx.length;
        }
        int[] all = new int[total];
        int k = 0;
        for (int[] idx : nonZero) {
            System.arraycopy(idx, 0, all, k, idx.length);
            k += idx.length;
        }
        Arrays.sort(all);
        int m = out[0];
        int w = off[0];
        ParamRanges.Builder ranges = ParamRanges.builder();
        for (int i = 0; i < all.length; i++) {
            if (i == 0 || all[i] != all[i - 1]) {
                ranges.add(w + all[i] * m, w + (all[i] + 1) * m);
            }
        }
        return ranges.add(w + in[0] * m, spec.parameterCount()).build();
    }

    /**
     * Adds dLoss/dparams into {@code gradAccumulate}, given dLoss/dH per row of the batch
     * output. {@code params} must be the ones the batch was computed with.
     */
    public void backwardBatch(float[] params, Batch batch, float[][] dH, float[] gradAccumulate) {
        checkParams(params);
        if (gradAccumulate.length != spec.parameterCount()) {
            throw new IllegalArgumentException("gradAccumulate length " + gradAccumulate.length
                    + " != parameterCount " + spec.parameterCount());
        }
        if (dH.length != batch.size()) {
            throw new IllegalArgumentException("dH rows " + dH.length + " != batch size "
                    + batch.size());
        }
        int layers = in.length;
        if (layers == 0 || dH.length == 0) {
            return; // identity trunk has no parameters
        }
        int rows = dH.length;
        float[][] dA = dH;
        for (int l = layers - 1; l >= 0; l--) {
            int m = out[l];
            float[][] dZ = activationGrad(batch.acts[l + 1], dA, reusedRows(dzRows, l, rows, m));
            if (l == 0 && batch.embeddingBag()) {
                embeddingBagBackward(batch, dZ, gradAccumulate);
                break;
            }
            int w = off[l];
            boolean gemm = gemm(rows, l);
            INDArray dZm = null;
            if (gemm) {
                dZm = Nd4j.create(dZ);
                // dW = A_l^T dZ into an explicit c-order buffer so its data can be read flat.
                INDArray dW = Nd4j.create(DataType.FLOAT, new long[] {in[l], m}, 'c');
                Nd4j.gemm(Nd4j.create(batch.acts[l]), dZm, dW, true, false, 1.0, 0.0);
                float[] dw = dW.data().asFloat();
                for (int i = 0; i < dw.length; i++) {
                    gradAccumulate[w + i] += dw[i];
                }
            } else {
                RowKernels.weightGradient(batch.acts[l], dZ, in[l], m, gradAccumulate, w, gradScratch);
            }
            // db = the column sums of dZ, each taken row by row.
            int b = w + in[l] * m;
            for (int j = 0; j < m; j++) {
                float sum = 0f;
                for (int r = 0; r < rows; r++) {
                    sum += dZ[r][j];
                }
                gradAccumulate[b + j] += sum;
            }
            if (l > 0) {
                if (gemm) {
                    dA = rows(flat(dZm.mmul(weight(params, l).transpose())), rows, in[l]);
                } else {
                    RowKernels.transposedRows(params, w, in[l], m, transposedRows[l]);
                    dA = reusedRows(daRows, l, rows, in[l]);
                    RowKernels.inputGradient(transposedRows[l], in[l], m, dZ, dA);
                }
            }
        }
    }

    /** dW_0 for the rows of the inputs each example used, and db_0: the embedding bag's backward pass. */
    private void embeddingBagBackward(Batch batch, float[][] dz, float[] gradAccumulate) {
        int m = out[0];
        int w = off[0];
        int b = w + in[0] * m;
        float[][] inputs = batch.acts[0];
        for (int r = 0; r < inputs.length; r++) {
            float[] dzr = dz[r];
            float[] x = inputs[r];
            for (int i : batch.nonZero[r]) {
                float xi = x[i];
                int row = w + i * m;
                for (int j = 0; j < m; j++) {
                    gradAccumulate[row + j] += xi * dzr[j];
                }
            }
            for (int j = 0; j < m; j++) {
                gradAccumulate[b + j] += dzr[j];
            }
        }
    }

    /** The rows of a row-major {@code rows x cols} matrix as arrays of their own. */
    private static float[][] rows(float[] all, int rows, int cols) {
        float[][] out = new float[rows][];
        for (int i = 0; i < rows; i++) {
            out[i] = Arrays.copyOfRange(all, i * cols, (i + 1) * cols);
        }
        return out;
    }

    /** The elements in row-major order, by one bulk copy (a copy first when the array is a view or not c-order). */
    private static float[] flat(INDArray a) {
        INDArray c = a.isView() || a.ordering() != 'c' || a.data().length() != a.length() ? a.dup('c') : a;
        return c.data().asFloat();
    }

    private INDArray weight(float[] params, int l) {
        float[] w = Arrays.copyOfRange(params, off[l], off[l] + in[l] * out[l]);
        return Nd4j.create(w, new long[] {in[l], out[l]}, 'c');
    }

    /** {@code z[r] += b_l} for every row of a gemm's output. */
    private void addBias(float[][] z, float[] params, int l) {
        int b = off[l] + in[l] * out[l];
        for (float[] zr : z) {
            for (int j = 0; j < zr.length; j++) {
                zr[j] += params[b + j];
            }
        }
    }

    /**
     * The activation in place on a layer's rows: ReLU as ND4J's ({@code z < 0 ? 0 : z}, so -0 and NaN pass through),
     * tanh and the sigmoid by ND4J's own transforms.
     */
    private void activate(float[][] z) {
        switch (spec.activation()) {
            case IDENTITY:
                return;
            case RELU:
                for (float[] zr : z) {
                    for (int j = 0; j < zr.length; j++) {
                        float v = zr[j];
                        zr[j] = v < 0f ? 0f : v;
                    }
                }
                return;
            case TANH:
            case SIGMOID: {
                INDArray a = Nd4j.create(z);
                float[] f = flat(spec.activation() == Activation.TANH ? Transforms.tanh(a, false)
                        : Transforms.sigmoid(a, false));
                int m = z[0].length;
                for (int r = 0; r < z.length; r++) {
                    System.arraycopy(f, r * m, z[r], 0, m);
                }
                return;
            }
            default:
                throw new AssertionError(spec.activation());
        }
    }

    /**
     * dZ = dA * f'(A), with f' written from the activation output {@code a}: the products ND4J's element-wise
     * operations took ({@code dA * (a > 0 ? 1 : 0)}, {@code dA * (1 - a a)}, {@code dA * ((1 - a) a)}).
     */
    private float[][] activationGrad(float[][] a, float[][] dA, float[][] dZ) {
        for (int r = 0; r < a.length; r++) {
            float[] ar = a[r];
            float[] dar = dA[r];
            float[] dz = dZ[r]; // every element written below
            switch (spec.activation()) {
                case IDENTITY:
                    System.arraycopy(dar, 0, dz, 0, dz.length);
                    break;
                case RELU:
                    for (int i = 0; i < dz.length; i++) {
                        dz[i] = dar[i] * (ar[i] > 0f ? 1f : 0f);
                    }
                    break;
                case TANH:
                    for (int i = 0; i < dz.length; i++) {
                        dz[i] = dar[i] * (1f - ar[i] * ar[i]);
                    }
                    break;
                case SIGMOID:
                    for (int i = 0; i < dz.length; i++) {
                        dz[i] = dar[i] * ((1f - ar[i]) * ar[i]);
                    }
                    break;
                default:
                    throw new AssertionError(spec.activation());
            }
        }
        return dZ;
    }

    /**
     * {@code rows} rows of {@code cols} from layer {@code l}'s kept rows in {@code kept} (more made when there are too
     * few), holding whatever they held: for a caller that writes every element before it reads one.
     */
    private static float[][] reusedRows(float[][][] kept, int l, int rows, int cols) {
        float[][] k = kept[l];
        if (k.length < rows || (rows > 0 && k[0].length != cols)) {
            k = new float[rows][cols];
            kept[l] = k;
        }
        return k.length == rows ? k : Arrays.copyOf(k, rows);
    }

    private void checkParams(float[] params) {
        if (params.length != spec.parameterCount()) {
            throw new IllegalArgumentException("params length " + params.length
                    + " != parameterCount " + spec.parameterCount());
        }
    }
}
