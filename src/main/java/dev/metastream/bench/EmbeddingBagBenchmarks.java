package dev.metastream.bench;

import dev.metastream.learn.Activation;
import dev.metastream.learn.Optimizer;
import dev.metastream.learn.ParamRanges;
import dev.metastream.learn.Trunk;
import dev.metastream.learn.TrunkSpec;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The trunk's learning step on a batch of 32 (forward, backward, optimiser step) through the first layer as an
 * embedding bag against the dense ND4J gemm, over input density and width: where the bag stops paying is
 * {@code Trunk.EMBEDDING_BAG_MAX_DENSITY}. Run with {@code bin/metastream bench --jmh EmbeddingBag}; the figures are in
 * {@code docs/benchmarks-throughput.md} ("Sparse inputs").
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0"})
public class EmbeddingBagBenchmarks {
    private static final int BATCH = 32;
    private static final int HIDDEN = 64;

    /** Input width ({@code input.dim}). */
    @Param({"1024", "8192"})
    public int dim;

    /** Share of non-zero inputs per row. */
    @Param({"0.004", "0.03", "0.0625", "0.125", "0.25"})
    public double density;

    /** {@code bag}: the embedding bag with a lazy step; {@code gemm}: the dense path with a full step. */
    @Param({"bag", "gemm"})
    public String path;

    private Trunk trunk;
    private float[] params;
    private float[] state;
    private float[] grad;
    private float[][] xs;
    private float[][] dH;
    private final Optimizer sgd = Optimizer.create("sgd", 0.5, 0.9, 0.999, 1e-8);
    private long step;

    /** Fixed random sparse rows (signed indicators, as hashed features are) and output gradients. */
    @Setup
    public void setup() {
        TrunkSpec spec = new TrunkSpec(dim, new int[] {HIDDEN}, Activation.RELU);
        trunk = new Trunk(spec, path.equals("bag") ? 1.0 : 0.0);
        params = spec.initialParameters(1);
        state = new float[params.length];
        grad = new float[params.length];
        SplittableRandom r = new SplittableRandom(1);
        int nonZero = Math.max(1, (int) Math.round(density * dim));
        xs = new float[BATCH][dim];
        dH = new float[BATCH][HIDDEN];
        for (int i = 0; i < BATCH; i++) {
            for (int k = 0; k < nonZero; k++) {
                xs[i][r.nextInt(dim)] = r.nextBoolean() ? 1f : -1f;
            }
            for (int j = 0; j < HIDDEN; j++) {
                dH[i][j] = (float) r.nextGaussian() * 0.01f;
            }
        }
    }

    /** Forward, backward and the momentum-SGD step of one batch, as the learner takes it. */
    @Benchmark
    public float[] learnBatch32() {
        Trunk.Batch b = trunk.forwardBatch(params, xs);
        trunk.backwardBatch(params, b, dH, grad);
        ParamRanges active = b.activeParameters();
        sgd.step(params, grad, state, 1e-3f, ++step, active);
        if (active == null) {
            Arrays.fill(grad, 0f);
        } else {
            for (int k = 0; k < active.count(); k++) {
                Arrays.fill(grad, active.from(k), active.to(k), 0f);
            }
        }
        return params;
    }
}
