package dev.metastream.bench;

import dev.metastream.learn.AGemProjection;
import dev.metastream.learn.Activation;
import dev.metastream.learn.Head;
import dev.metastream.learn.InMemoryLearnerStore;
import dev.metastream.learn.Instance;
import dev.metastream.learn.LearnerConfig;
import dev.metastream.learn.LearnerEvents;
import dev.metastream.learn.Loss;
import dev.metastream.learn.StreamingLearner;
import dev.metastream.learn.Trunk;
import dev.metastream.learn.TrunkSpec;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmarks of the learner's inner kernels at the benchmark shape (d=100, a 64-unit trunk, 10 classes, batches
 * of 32). Run with {@code bin/metastream bench --jmh}; the figures are in {@code docs/benchmarks-throughput.md}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0"})
public class KernelBenchmarks {
    private static final int BATCH = 32;
    private final TrunkSpec spec = new TrunkSpec(BenchStreams.DIM, new int[] {64}, Activation.RELU);
    private final Trunk trunk = new Trunk(spec);
    private float[] params;
    private float[][] xs;
    private float[][] dH;
    private float[] grad;
    private float[] head;
    private float[] h;
    private float[] z;
    private float[] dz;
    private float[] target;
    private float[] headGrad;
    private float[] dh;
    private float[] g;
    private float[] ref;
    private StreamingLearner learner;
    private BenchStreams stream;

    /** Fixed random inputs. */
    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(1);
        params = spec.initialParameters(1);
        xs = new float[BATCH][BenchStreams.DIM];
        dH = new float[BATCH][64];
        for (int i = 0; i < BATCH; i++) {
            for (int j = 0; j < BenchStreams.DIM; j++) {
                xs[i][j] = (float) r.nextGaussian();
            }
            for (int j = 0; j < 64; j++) {
                dH[i][j] = (float) r.nextGaussian() * 0.01f;
            }
        }
        grad = new float[params.length];
        head = Head.initialParameters(64, BenchStreams.CLASSES, 2);
        h = new float[64];
        z = new float[BenchStreams.CLASSES];
        dz = new float[BenchStreams.CLASSES];
        target = new float[BenchStreams.CLASSES];
        target[3] = 1f;
        headGrad = new float[head.length];
        dh = new float[64];
        g = new float[params.length];
        ref = new float[params.length];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) r.nextGaussian();
            ref[i] = (float) r.nextGaussian();
        }
        Properties p = new Properties();
        p.setProperty("input.dim", String.valueOf(BenchStreams.DIM));
        p.setProperty("task.classes", String.valueOf(BenchStreams.CLASSES));
        p.setProperty("model.trunk.layers", "64");
        learner = new StreamingLearner(LearnerConfig.from(p), new InMemoryLearnerStore(), "jmh", LearnerEvents.NONE);
        stream = new BenchStreams(3);
    }

    /** One example through the trunk with plain loops (the prediction path). */
    @Benchmark
    public float[] trunkForwardSingle() {
        trunk.forward(params, xs[0], h);
        return h;
    }

    /** A batch of 32 through the trunk with ND4J (the learning path). */
    @Benchmark
    public Trunk.Batch trunkForwardBatch32() {
        return trunk.forwardBatch(params, xs);
    }

    /** Forward and backward of a batch of 32 through the trunk. */
    @Benchmark
    public float[] trunkForwardBackwardBatch32() {
        Trunk.Batch b = trunk.forwardBatch(params, xs);
        java.util.Arrays.fill(grad, 0f);
        trunk.backwardBatch(params, b, dH, grad);
        return grad;
    }

    /** One example through a head: forward, softmax cross-entropy gradient, backward. */
    @Benchmark
    public float[] headForwardBackward() {
        Head.forward(head, 64, BenchStreams.CLASSES, xs[0], z);
        Loss.SOFTMAX_CROSS_ENTROPY.gradient(z, target, dz);
        Head.backward(head, 64, BenchStreams.CLASSES, xs[0], dz, headGrad, dh);
        return dh;
    }

    /** The A-GEM projection of a trunk gradient (6,464 parameters). */
    @Benchmark
    public float[] agemProjection() {
        float[] copy = g.clone();
        AGemProjection.project(copy, ref);
        return copy;
    }

    /** One example through the whole learner (predict, buffer, and a 32-example batch every 32 calls). */
    @Benchmark
    public Object learnerObserve() {
        Instance in = stream.next();
        return learner.observe(in);
    }
}
