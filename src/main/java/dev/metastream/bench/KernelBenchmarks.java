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
import dev.metastream.learn.TaskState;
import dev.metastream.learn.Trunk;
import dev.metastream.learn.TrunkSpec;
import dev.metastream.shift.FourierMmd;
import dev.metastream.shift.ShiftMonitor;
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
    /** The bench workload's head (64 trunk features, 100 scaled inputs, a 10-wide previous label) and its inputs. */
    private float[] wideHead;
    private float[][] wideInputs;
    private float[] wideZ;
    private BenchStreams stream;
    private float[] mmdScale;
    private double[] mmdOffset;
    private double[][] mmdTable;
    private double[] mmdOut;
    private ShiftMonitor monitor;
    private float[][] monitorRows;
    private int monitorRow;

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
        // As a head sees them: ReLU features (about half zero), dense scaled inputs, a one-hot previous label.
        int wide = 64 + BenchStreams.DIM + BenchStreams.CLASSES;
        wideHead = Head.initialParameters(wide, BenchStreams.CLASSES, 3);
        wideInputs = new float[BATCH * 3][wide];
        for (float[] row : wideInputs) {
            for (int j = 0; j < 64 + BenchStreams.DIM; j++) {
                row[j] = j < 64 && r.nextBoolean() ? 0f : (float) Math.abs(r.nextGaussian());
            }
            row[64 + BenchStreams.DIM + r.nextInt(BenchStreams.CLASSES)] = 1f;
        }
        wideZ = new float[BenchStreams.CLASSES];
        Properties p = new Properties();
        p.setProperty("input.dim", String.valueOf(BenchStreams.DIM));
        p.setProperty("task.classes", String.valueOf(BenchStreams.CLASSES));
        p.setProperty("model.trunk.layers", "64");
        learner = new StreamingLearner(LearnerConfig.from(p), new InMemoryLearnerStore(), "jmh", LearnerEvents.NONE);
        stream = new BenchStreams(3);
        // The domain-shift monitor at the benchmark shape: 32 projections of 100 inputs, frozen after calibration.
        mmdScale = new float[BenchStreams.DIM];
        double[] mean = new double[BenchStreams.DIM];
        double[] std = new double[BenchStreams.DIM];
        java.util.Arrays.fill(std, 1);
        mmdOffset = new double[32];
        FourierMmd.frame(mean, std, Math.sqrt(2.0 * BenchStreams.DIM), 42, mmdScale, mmdOffset);
        mmdTable = FourierMmd.weights(42, 32, BenchStreams.DIM);
        mmdOut = new double[32];
        monitor = new ShiftMonitor(ShiftMonitor.Settings.defaults(), BenchStreams.DIM, BenchStreams.CLASSES, 42);
        monitorRows = new float[4096][BenchStreams.DIM];
        for (float[] row : monitorRows) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) r.nextGaussian();
            }
        }
        // Past calibration and the reference (whose covariance sums cost more): the monitor's steady state.
        for (int i = 0; i < 700; i++) {
            monitor.observe(monitorRows[i], i % BenchStreams.CLASSES, (i * 7) % BenchStreams.CLASSES);
        }
    }

    /** A learner that has seen 20,000 examples of the workload (about 200 per task), for {@link #taskStateToBytes}. */
    @State(Scope.Thread)
    public static class TrainedLearner {
        StreamingLearner learner;
        /** One task's state as stored, for {@link #taskStateFromBytes}. */
        byte[] bytes;

        /** Learns the examples. */
        @Setup
        public void setup() {
            Properties p = new Properties();
            p.setProperty("input.dim", String.valueOf(BenchStreams.DIM));
            p.setProperty("task.classes", String.valueOf(BenchStreams.CLASSES));
            p.setProperty("model.trunk.layers", "64");
            learner = new StreamingLearner(LearnerConfig.from(p), new InMemoryLearnerStore(), "jmh", LearnerEvents.NONE);
            BenchStreams stream = new BenchStreams(5);
            for (int i = 0; i < 20_000; i++) {
                learner.observe(stream.next());
            }
            learner.learnPending(0);
            bytes = learner.task("task-7").toBytes();
        }
    }

    /** One example through the trunk with plain loops (the prediction path). */
    @Benchmark
    public float[] trunkForwardSingle() {
        trunk.forward(params, xs[0], h);
        return h;
    }

    /** A batch of 32 through the trunk (the learning path: plain row loops at this size). */
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

    /**
     * A head's forward over 96 rows (a micro-batch of 32 examples and 64 replayed, the bench workload's until
     * {@code memory.samples.per.task} went from 16 to 8; 64 rows now): 174 inputs into 10 outputs each, the inputs as a
     * head sees them. The shape is kept so that figures stay comparable across stops.
     */
    @Benchmark
    public float[] headForwardBatchRows() {
        for (float[] row : wideInputs) {
            Head.forward(wideHead, row.length, BenchStreams.CLASSES, row, wideZ);
        }
        return wideZ;
    }

    /** The A-GEM projection of a trunk gradient (6,464 parameters). */
    @Benchmark
    public float[] agemProjection() {
        float[] copy = g.clone();
        AGemProjection.project(copy, ref);
        return copy;
    }

    /** The MMD's random Fourier features of one example (d=100, 32 projections), weights hashed as they are read. */
    @Benchmark
    @Warmup(iterations = 2, time = 1)
    @Measurement(iterations = 3, time = 1)
    public double[] fourierProjectHashed() {
        FourierMmd.project(xs[monitorRow++ & 31], mmdScale, mmdOffset, 42L, mmdOut);
        return mmdOut;
    }

    /** The same features with the weights read from the shared table (the same floats, bit for bit). */
    @Benchmark
    @Warmup(iterations = 2, time = 1)
    @Measurement(iterations = 3, time = 1)
    public double[] fourierProjectTable() {
        FourierMmd.project(xs[monitorRow++ & 31], mmdScale, mmdOffset, mmdTable, mmdOut);
        return mmdOut;
    }

    /**
     * One labelled example into a task's domain-shift monitor in its steady state (histograms of 100 features, the
     * MMD's features, a check every 100 examples), as the learner feeds it twice per example (the task's and all
     * tasks' monitors).
     */
    @Benchmark
    @Warmup(iterations = 2, time = 1)
    @Measurement(iterations = 3, time = 1)
    public Object shiftMonitorObserve() {
        int i = monitorRow++;
        return monitor.observe(monitorRows[i & 4095], i % BenchStreams.CLASSES, (i * 7) % BenchStreams.CLASSES);
    }

    /** A task's state as the learner writes it at the end of a micro-batch (about 26 KB at this shape). */
    @Benchmark
    @Warmup(iterations = 2, time = 1)
    @Measurement(iterations = 3, time = 1)
    public byte[] taskStateToBytes(TrainedLearner trained) {
        return trained.learner.task("task-7").toBytes();
    }

    /**
     * A task's state read back from its bytes, as the learner reads a task that is not cached (the many-task
     * workload's every returning task).
     */
    @Benchmark
    @Warmup(iterations = 2, time = 1)
    @Measurement(iterations = 3, time = 1)
    public TaskState taskStateFromBytes(TrainedLearner trained) {
        return TaskState.fromBytes(trained.bytes);
    }

    /** A new task's domain-shift monitor (d=100, 10 classes, default settings), made for every new task. */
    @Benchmark
    @Warmup(iterations = 2, time = 1)
    @Measurement(iterations = 3, time = 1)
    public ShiftMonitor shiftMonitorNew() {
        return new ShiftMonitor(ShiftMonitor.Settings.defaults(), BenchStreams.DIM, BenchStreams.CLASSES, 42L);
    }

    /**
     * A new task's monitor and its first two examples: all a task of the task-scaling run (about two examples per
     * task) ever has, made again whenever the task is re-read from the store.
     */
    @Benchmark
    @Warmup(iterations = 2, time = 1)
    @Measurement(iterations = 3, time = 1)
    public ShiftMonitor shiftMonitorNewTwoExamples() {
        ShiftMonitor m = new ShiftMonitor(ShiftMonitor.Settings.defaults(), BenchStreams.DIM, BenchStreams.CLASSES,
                42L);
        m.observe(monitorRows[0], 1, 1);
        m.observe(monitorRows[1], 3, Double.NaN);
        return m;
    }

    /** One example through the whole learner (predict, buffer, and a 32-example batch every 32 calls). */
    @Benchmark
    public Object learnerObserve() {
        Instance in = stream.next();
        return learner.observe(in);
    }
}
