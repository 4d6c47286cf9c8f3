package dev.metastream.bench;

import dev.metastream.learn.Activation;
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
 * A dense trunk's forward and backward pass on a batch through ND4J's gemm against the plain row loops, over batch
 * rows and layer widths: where the loops stop paying is {@code Trunk.GEMM_MIN_WORK}. The bench workload's batch is 64
 * rows (32 examples and 32 replayed; 96 before {@code memory.samples.per.task} went from 16 to 8) of 100 inputs into
 * 64 units. Run with
 * {@code bin/metastream bench --jmh TrunkGemm}; the figures are in {@code docs/benchmarks-throughput.md} ("twentieth
 * stop").
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0"})
public class TrunkGemmBenchmarks {
    private static final int INPUTS = 100;

    /** Examples in the batch. */
    @Param({"32", "96", "256"})
    public int rows;

    /** The trunk's layers ({@code model.trunk.layers}). */
    @Param({"64", "256", "64,64", "256,256"})
    public String layers;

    /** {@code loops}: the row kernels at every size; {@code gemm}: ND4J's gemm at every size. */
    @Param({"loops", "gemm"})
    public String path;

    private Trunk trunk;
    private float[] params;
    private float[][] xs;
    private float[][] dH;
    private float[] grad;

    /** Fixed random inputs and output gradients. */
    @Setup
    public void setup() {
        int[] hidden = Arrays.stream(layers.split(",")).mapToInt(Integer::parseInt).toArray();
        TrunkSpec spec = new TrunkSpec(INPUTS, hidden, Activation.RELU);
        trunk = new Trunk(spec, 0, path.equals("gemm") ? 0 : Long.MAX_VALUE);
        params = spec.initialParameters(1);
        SplittableRandom r = new SplittableRandom(1);
        xs = new float[rows][INPUTS];
        dH = new float[rows][spec.outputDim()];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < INPUTS; j++) {
                xs[i][j] = (float) r.nextGaussian();
            }
            for (int j = 0; j < dH[i].length; j++) {
                dH[i][j] = (float) r.nextGaussian() * 0.01f;
            }
        }
        grad = new float[params.length];
    }

    /** Forward and backward of the batch. */
    @Benchmark
    public float[] forwardBackward() {
        Trunk.Batch b = trunk.forwardBatch(params, xs);
        trunk.backwardBatch(params, b, dH, grad);
        return grad;
    }
}
