package dev.metastream.learn;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Stateless math of the shared trunk over a {@link TrunkSpec} and flat parameters.
 *
 * <p>The single-example {@link #forward} uses plain loops (ND4J's fixed per-op cost dominates
 * at one row); the batched path uses ND4J gemm, where it wins. An instance owns scratch
 * buffers and must be used by one thread at a time.
 *
 * <p>Sparse inputs (hashed and one-hot features) go through the first layer as an <em>embedding bag</em>: the row
 * of {@code W_0} of each non-zero input, scaled by its value, summed onto the bias, in plain loops. Its forward,
 * backward and (through {@link Batch#activeParameters}) the optimiser's step then cost what the batch's non-zero
 * inputs touch, not {@code input.dim x hidden}: a dense gemm would first copy all of {@code W_0} into ND4J and
 * multiply every zero. A batch takes this path when at most {@link #EMBEDDING_BAG_MAX_DENSITY} of its inputs are
 * non-zero; dense streams keep the gemm.
 */
public final class Trunk {
    /**
     * The largest share of non-zero first-layer inputs for which a batch uses the embedding bag. The bag is faster
     * below a tenth to a quarter non-zero (2.3x at this bound, 6-13x at hashed-feature densities; JMH,
     * docs/benchmarks-throughput.md, "Sparse inputs"); a bound below that crossover keeps dense streams (MNIST's
     * pixels are 19% non-zero) on the gemm and on the plain, non-lazy optimiser step.
     */
    static final double EMBEDDING_BAG_MAX_DENSITY = 1.0 / 16;

    private final TrunkSpec spec;
    private final int[] in;
    private final int[] out;
    private final int[] off;
    private final float[] bufA;
    private final float[] bufB;
    private final int[] nonZeroScratch;
    private final double embeddingBagMaxDensity;

    /** Creates the trunk math for {@code spec}. */
    public Trunk(TrunkSpec spec) {
        this(spec, EMBEDDING_BAG_MAX_DENSITY);
    }

    /**
     * Creates the trunk math for {@code spec} with another density bound for the embedding bag (1: always, 0: never),
     * for benchmarks that measure both paths.
     */
    public Trunk(TrunkSpec spec, double embeddingBagMaxDensity) {
        this.spec = spec;
        this.embeddingBagMaxDensity = embeddingBagMaxDensity;
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
        bufA = new float[maxWidth];
        bufB = new float[maxWidth];
        nonZeroScratch = new int[spec.inputDim()];
    }

    /** The spec this trunk computes. */
    public TrunkSpec spec() {
        return spec;
    }

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
        for (int l = 0; l < layers; l++) {
            // Last layer writes straight into hOut; otherwise ping-pong between scratch buffers.
            float[] dst = l == layers - 1 ? hOut : (src == bufA ? bufB : bufA);
            int n = in[l];
            int m = out[l];
            int w = off[l];
            int b = w + n * m;
            System.arraycopy(params, b, dst, 0, m);
            VecMath.addRows(params, w, n, m, src, dst);
            for (int j = 0; j < m; j++) {
                dst[j] = act.apply(dst[j]);
            }
            src = dst;
        }
    }

    /** Activations of a batched forward pass, kept for {@link #backwardBatch}. */
    public static final class Batch {
        /** Each layer's input {@code A_l} as the operand of its gemms ({@code A_0 = X}; null for an embedding bag's). */
        private final INDArray[] layerInputs;
        /** Each layer's output {@code A_{l+1} = act(A_l W_l + b_l)}, rows one after another (index 0 unused). */
        private final float[][] activations;
        private final int rows;
        private final float[][] output;
        private final float[][] inputs; // the rows of X, for an embedding bag
        private final int[][] nonZero; // per row, the indices of its non-zero inputs (embedding bag only)
        private final ParamRanges active;

        Batch(INDArray[] layerInputs, float[][] activations, int rows, float[][] output, float[][] inputs,
              int[][] nonZero, ParamRanges active) {
            this.layerInputs = layerInputs;
            this.activations = activations;
            this.rows = rows;
            this.output = output;
            this.inputs = inputs;
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

    /** Batched forward with ND4J: rows of {@code xs} are examples. */
    public Batch forwardBatch(float[] params, float[][] xs) {
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
            return new Batch(new INDArray[0], new float[0][], xs.length, copy, null, null, null);
        }
        // The gemms run in ND4J, where they win; the bias, the activation and the backward pass's element-wise steps
        // run on the gemms' outputs copied out once, in plain loops: each of them was a native call of its own (with
        // an allocation), ten per batch at 10-15 us each, for a few thousand additions.
        int rows = xs.length;
        INDArray[] layerInputs = new INDArray[layers];
        float[][] acts = new float[layers + 1][];
        int[][] nonZero = sparseRows(xs);
        int first = 0;
        if (nonZero != null) {
            acts[1] = embeddingBag(params, xs, nonZero);
            first = 1;
        } else {
            layerInputs[0] = Nd4j.create(xs);
        }
        for (int l = first; l < layers; l++) {
            if (layerInputs[l] == null) {
                layerInputs[l] = Nd4j.create(acts[l], new long[] {rows, in[l]}, 'c');
            }
            acts[l + 1] = activate(flat(layerInputs[l].mmul(weight(params, l))), params, l, rows);
        }
        float[][] output = rows(acts[layers], rows, out[layers - 1]);
        if (nonZero == null) {
            return new Batch(layerInputs, acts, rows, output, null, null, null);
        }
        return new Batch(layerInputs, acts, rows, output, xs, nonZero, activeRows(nonZero));
    }

    /**
     * Per row, the indices of its non-zero inputs, or null when more than the density bound of the batch's inputs
     * are non-zero (the dense gemm path).
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
    private float[] embeddingBag(float[] params, float[][] xs, int[][] nonZero) {
        int m = out[0];
        int w = off[0];
        int b = w + in[0] * m;
        Activation act = spec.activation();
        float[] z = new float[xs.length * m];
        for (int r = 0; r < xs.length; r++) {
            int o = r * m;
            System.arraycopy(params, b, z, o, m);
            float[] x = xs[r];
            for (int i : nonZero[r]) {
                float xi = x[i];
                int row = w + i * m;
                for (int j = 0; j < m; j++) {
                    z[o + j] += xi * params[row + j];
                }
            }
            for (int j = 0; j < m; j++) {
                z[o + j] = act.apply(z[o + j]);
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
        int rows = batch.rows;
        int last = out[layers - 1];
        float[] dA = new float[rows * last];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(dH[r], 0, dA, r * last, last);
        }
        for (int l = layers - 1; l >= 0; l--) {
            int m = out[l];
            float[] dZ = activationGrad(batch.activations[l + 1], dA);
            if (l == 0 && batch.embeddingBag()) {
                embeddingBagBackward(batch, dZ, gradAccumulate);
                break;
            }
            INDArray dZm = Nd4j.create(dZ, new long[] {rows, m}, 'c');
            // dW = A_l^T dZ into an explicit c-order buffer so its data can be read flat.
            INDArray dW = Nd4j.create(DataType.FLOAT, new long[] {in[l], m}, 'c');
            Nd4j.gemm(batch.layerInputs[l], dZm, dW, true, false, 1.0, 0.0);
            float[] dw = dW.data().asFloat();
            int w = off[l];
            for (int i = 0; i < dw.length; i++) {
                gradAccumulate[w + i] += dw[i];
            }
            // db = the column sums of dZ, each taken row by row (as ND4J's sum over rows gives them, bit for bit).
            int b = w + in[l] * m;
            for (int j = 0; j < m; j++) {
                float sum = 0f;
                for (int r = 0; r < rows; r++) {
                    sum += dZ[r * m + j];
                }
                gradAccumulate[b + j] += sum;
            }
            if (l > 0) {
                dA = flat(dZm.mmul(weight(params, l).transpose()));
            }
        }
    }

    /** dW_0 for the rows of the inputs each example used, and db_0: the embedding bag's backward pass. */
    private void embeddingBagBackward(Batch batch, float[] dz, float[] gradAccumulate) {
        int m = out[0];
        int w = off[0];
        int b = w + in[0] * m;
        for (int r = 0; r < batch.inputs.length; r++) {
            int o = r * m;
            float[] x = batch.inputs[r];
            for (int i : batch.nonZero[r]) {
                float xi = x[i];
                int row = w + i * m;
                for (int j = 0; j < m; j++) {
                    gradAccumulate[row + j] += xi * dz[o + j];
                }
            }
            for (int j = 0; j < m; j++) {
                gradAccumulate[b + j] += dz[o + j];
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

    /**
     * {@code act(z + b_l)} in place on a gemm's output {@code z} ({@code rows x out[l]}, row-major): the bias added as
     * ND4J's row-vector addition adds it, ReLU as ND4J's ({@code z < 0 ? 0 : z}, so -0 and NaN pass through), tanh
     * and the sigmoid by ND4J's own transforms.
     */
    private float[] activate(float[] z, float[] params, int l, int rows) {
        int m = out[l];
        int b = off[l] + in[l] * m;
        for (int r = 0; r < rows; r++) {
            int o = r * m;
            for (int j = 0; j < m; j++) {
                z[o + j] += params[b + j];
            }
        }
        switch (spec.activation()) {
            case IDENTITY:
                return z;
            case RELU:
                for (int i = 0; i < z.length; i++) {
                    float v = z[i];
                    z[i] = v < 0f ? 0f : v;
                }
                return z;
            case TANH:
                return flat(Transforms.tanh(Nd4j.create(z, new long[] {rows, m}, 'c'), false));
            case SIGMOID:
                return flat(Transforms.sigmoid(Nd4j.create(z, new long[] {rows, m}, 'c'), false));
            default:
                throw new AssertionError(spec.activation());
        }
    }

    /**
     * dZ = dA * f'(A), with f' written from the activation output {@code a}: the products ND4J's element-wise
     * operations took ({@code dA * (a > 0 ? 1 : 0)}, {@code dA * (1 - a a)}, {@code dA * ((1 - a) a)}).
     */
    private float[] activationGrad(float[] a, float[] dA) {
        float[] dZ = new float[a.length];
        switch (spec.activation()) {
            case IDENTITY:
                System.arraycopy(dA, 0, dZ, 0, dZ.length);
                return dZ;
            case RELU:
                for (int i = 0; i < dZ.length; i++) {
                    dZ[i] = dA[i] * (a[i] > 0f ? 1f : 0f);
                }
                return dZ;
            case TANH:
                for (int i = 0; i < dZ.length; i++) {
                    dZ[i] = dA[i] * (1f - a[i] * a[i]);
                }
                return dZ;
            case SIGMOID:
                for (int i = 0; i < dZ.length; i++) {
                    dZ[i] = dA[i] * ((1f - a[i]) * a[i]);
                }
                return dZ;
            default:
                throw new AssertionError(spec.activation());
        }
    }

    private void checkParams(float[] params) {
        if (params.length != spec.parameterCount()) {
            throw new IllegalArgumentException("params length " + params.length
                    + " != parameterCount " + spec.parameterCount());
        }
    }
}
