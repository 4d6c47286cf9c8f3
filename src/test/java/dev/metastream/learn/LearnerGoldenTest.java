package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metastream.bench.BenchStreams;
import dev.metastream.data.HyperplaneGenerator;
import dev.metastream.data.RecommendationGenerator;
import dev.metastream.data.Scenario;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Pins the learner's outputs bit for bit: every prediction's floats and every byte it writes to its store, over three
 * streams (the benchmark's workload with the default trunk, a linear model on a rotating hyperplane, and a
 * recommendation stream with hashed inputs), with the learner rebuilt from its store every few hundred examples so
 * restoring is covered too.
 *
 * <p>Why: the performance work on the learner's kernels and state must not change what it learns; a change that is
 * meant to (a new default, another step rule) updates these digests in the same commit and re-runs the learning-quality
 * tables. The digests were taken from the learner before the per-example kernels were reworked, and again when the
 * heads became plain SGD by default (issue 11; the previous rule keeps its digests, below). The store digests (not
 * the predictions) changed again when input scalers took their compact encoding ({@code input.scaler}), and when a
 * young task's linear expert and input scaler were written as what made them ({@code linear.steps},
 * {@code input.scaler.inputs}: the bench workload's tasks are reloaded young here, so its predictions check the
 * replays too), and when a new task's shift monitor stopped dropping a log it cannot have. The bench workload's
 * predictions and store changed when a young SGD head came to follow the current initialisation and to be stored as
 * its steps ({@link HeadSteps}; the other two streams' heads have one output, whose steps are not smaller than them),
 * and again when a young head's step on replayed samples came to be logged as its rows instead of making it dense.
 * The store digests (not the predictions) changed again when the shift monitors' random Fourier features came to be
 * taken by {@code FourierMmd.cosines} instead of {@code Math.cos} (the monitors' sums differ in the last digits), and
 * when a monitor's block counts came to be stored in as few bytes as the block needs (format 2; the same monitors).
 *
 * <p>The two bench-workload digests changed again when the trunk's batch products moved from ND4J's gemm to plain
 * loops ({@link RowKernels}; the batch's features are now the single-example forward's floats exactly). Until then the
 * trunk's floats came from OpenBLAS, whose kernels (chosen by CPU model) sum in different orders, so the digests held
 * for one kernel set: the AVX2 ("Haswell") kernels the build's surefire configuration pins with
 * {@code OPENBLAS_CORETYPE}. The loops' floats do not depend on the CPU; the pin stays for the products large enough
 * to go through ND4J ({@code Trunk.GEMM_MIN_WORK}).
 *
 * <p>Every store digest (not the predictions) changed again when task and shared states came to be written behind, at
 * {@link StreamingLearner#flush} (each changed state once per flush, with the buffered micro-batch's
 * {@link PendingRows}) instead of at every micro-batch's end: the same states, written fewer times. The run flushes
 * before each restart, as a commit does, and the restarted learner now resumes its buffer from the flushed rows
 * instead of learning it again; the prediction digests, restarts included, are unchanged. They changed again (the
 * predictions did not) when the shift monitors' logs came to be written at the flush instead of a row per record, and
 * when the buffered micro-batch came to be written whole at the flush (its examples with their rows) instead of each
 * example as it arrived.
 *
 * <p>The bench workload's and the recommendation stream's digests (predictions and store) changed when
 * {@code memory.samples.per.task} went from 16 to 8 by default: a micro-batch replays half as many rows. The tests at
 * 16 keep the digests from before, and the learning-quality tables were re-run (docs/benchmarks.md). The hyperplane
 * stream has one task, so nothing is replayed and its digests hold.
 */
class LearnerGoldenTest {

    @Test
    void benchWorkloadWithTheDefaultTrunk() throws Exception {
        assertPinnedBlasKernels();
        assertThat(run(Map.of(), benchWorkload(), 700)).isEqualTo(
                "predictions 8c823fa53b89750a store e6f6f974fd01691a");
    }

    /**
     * The replay of the defaults before {@code memory.samples.per.task} went from 16 to 8 (issue 11): the digests the
     * defaults had until then, so the engine at 16 samples is still the engine it was, bit for bit, and the new
     * digests above come from the default alone.
     */
    @Test
    void benchWorkloadWithSixteenReplayedSamplesPerTask() throws Exception {
        assertPinnedBlasKernels();
        assertThat(run(Map.of("memory.samples.per.task", "16"), benchWorkload(), 700)).isEqualTo(
                "predictions 815861ff6a0e447d store a5adac13b69e09d1");
    }

    /**
     * The heads' step rule before issue 11 made them plain SGD ({@code optimizer.head.momentum=0.5},
     * {@code optimizer.head.learning.rate=0.2}): the digests the defaults had until then, so that rule is still the
     * engine it was, bit for bit.
     */
    @Test
    void benchWorkloadWithTheHeadsPreviousMomentum() throws Exception {
        assertPinnedBlasKernels();
        assertThat(run(Map.of("optimizer.head.momentum", "0.5", "optimizer.head.learning.rate", "0.2",
                "memory.samples.per.task", "16"), benchWorkload(), 700))
                .isEqualTo("predictions 690a0dfc55f85c89 store a9f2d40cda910e3f");
    }

    /** The trunk workloads' digests are those of OpenBLAS's AVX2 kernels (class comment). */
    private static void assertPinnedBlasKernels() {
        assertThat(System.getenv("OPENBLAS_CORETYPE"))
                .as("the trunk digests hold for OpenBLAS's Haswell kernels: run through Maven, whose surefire "
                        + "configuration sets OPENBLAS_CORETYPE=Haswell, or set it yourself")
                .isEqualTo("Haswell");
    }

    /** The bench's first 3,000 examples (seed 11). */
    private static List<Instance> benchWorkload() {
        BenchStreams stream = new BenchStreams(11);
        List<Instance> data = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            data.add(stream.next());
        }
        return data;
    }

    @Test
    void linearModelOnARotatingHyperplane() throws Exception {
        Scenario s = new HyperplaneGenerator(10, 2, 0.001, 0.1, 0.05, false, 0, 4_000, 0).generate(3);
        Map<String, String> settings = new TreeMap<>(s.learnerConfig());
        settings.put("model.trunk.layers", "");
        assertThat(run(settings, train(s), 900)).isEqualTo(
                "predictions 2779371de048e308 store 56d53bc04645aab7");
    }

    @Test
    void recommendationStreamWithHashedInputs() throws Exception {
        Scenario s = new RecommendationGenerator(40, 30, 200, 8, 12, 1.0, 0.5, 0.2, 0.5, 0.8, false, 256, 0)
                .generate(5);
        assertThat(run(s.learnerConfig(), train(s), 500)).isEqualTo(
                "predictions 334c363c58b86c8a store beaaa6e13fc5f0cf");
        Map<String, String> sixteen = new TreeMap<>(s.learnerConfig());
        sixteen.put("memory.samples.per.task", "16"); // the default before 8: its digests until then
        assertThat(run(sixteen, train(s), 500)).isEqualTo("predictions df9322d9babae658 store 1d6393455e3859f8");
    }

    private static List<Instance> train(Scenario s) {
        List<Instance> out = new ArrayList<>();
        for (Scenario.Position p : s.trainOrder()) {
            out.add(s.tasks().get(p.task()).train().get(p.index()));
        }
        return out;
    }

    /** Feeds {@code data}, rebuilding the learner from its store every {@code restartEvery} examples. */
    private static String run(Map<String, String> settings, List<Instance> data, int restartEvery) throws Exception {
        Properties p = new Properties();
        p.putAll(settings);
        LearnerConfig config = LearnerConfig.from(p);
        DigestingStore store = new DigestingStore(new InMemoryLearnerStore());
        MessageDigest predictions = MessageDigest.getInstance("SHA-256");
        StreamingLearner learner = new StreamingLearner(config, store, "golden", LearnerEvents.NONE);
        for (int i = 0; i < data.size(); i++) {
            if (i > 0 && i % restartEvery == 0) {
                learner.flush(); // as a commit does before a restart
                learner = new StreamingLearner(config, store, "golden", LearnerEvents.NONE);
            }
            Prediction prediction = learner.observe(data.get(i));
            ByteBuffer b = ByteBuffer.allocate(4 * prediction.output().length);
            for (float v : prediction.output()) {
                b.putInt(Float.floatToRawIntBits(v));
            }
            predictions.update(b.array());
        }
        learner.learnPending(0);
        learner.flush();
        return "predictions " + hex(predictions) + " store " + hex(store.digest);
    }

    private static String hex(MessageDigest d) {
        return HexFormat.of().formatHex(d.digest()).substring(0, 16);
    }

    /** A store that digests every write, in order, and otherwise is the in-memory store. */
    private static final class DigestingStore implements LearnerStore {
        private final LearnerStore inner;
        private final MessageDigest digest;

        DigestingStore(LearnerStore inner) throws Exception {
            this.inner = inner;
            this.digest = MessageDigest.getInstance("SHA-256");
        }

        private void write(String what, String key, int index, byte[] bytes) {
            digest.update(what.getBytes(StandardCharsets.UTF_8));
            digest.update(key.getBytes(StandardCharsets.UTF_8));
            digest.update(ByteBuffer.allocate(4).putInt(index).array());
            if (bytes != null) {
                digest.update(bytes);
            }
        }

        @Override
        public TaskState task(String task) {
            return inner.task(task);
        }

        @Override
        public void putTask(TaskState state) {
            write("task", state.task(), 0, state.toBytes());
            inner.putTask(state);
        }

        @Override
        public void forEachTask(Consumer<TaskState> visitor) {
            inner.forEachTask(visitor);
        }

        @Override
        public SharedState shared() {
            return inner.shared();
        }

        @Override
        public void putShared(SharedState state) {
            write("shared", "", 0, state.toBytes());
            inner.putShared(state);
        }

        @Override
        public byte[] pendingRows() {
            return inner.pendingRows();
        }

        @Override
        public void putPendingRows(byte[] rows) {
            write("pendingRows", "", 0, rows);
            inner.putPendingRows(rows);
        }

        @Override
        public String memoryTask(int index) {
            return inner.memoryTask(index);
        }

        @Override
        public int memoryTaskIndex(String task) {
            return inner.memoryTaskIndex(task);
        }

        @Override
        public void putMemoryTask(int index, String task) {
            write("memoryTask", task, index, null);
            inner.putMemoryTask(index, task);
        }

        @Override
        public void deleteMemoryTask(String task) {
            write("deleteMemoryTask", task, 0, null);
            inner.deleteMemoryTask(task);
        }

        @Override
        public List<PendingExample> pending() {
            return inner.pending();
        }

        @Override
        public void putPending(int position, PendingExample example) {
            write("pending", "", position, example.toBytes());
            inner.putPending(position, example);
        }

        @Override
        public void clearPending(int count) {
            write("clearPending", "", count, null);
            inner.clearPending(count);
        }

        @Override
        public void putMemorySample(String task, int slot, MemorySample sample) {
            write("sample", task, slot, sample.toBytes());
            inner.putMemorySample(task, slot, sample);
        }

        @Override
        public List<MemorySample> memory(String task) {
            return inner.memory(task);
        }

        @Override
        public ReferenceGradient referenceGradient(String task) {
            return inner.referenceGradient(task);
        }

        @Override
        public void putReferenceGradient(String task, ReferenceGradient gradient) {
            write("reference", task, 0, gradient.toBytes());
            inner.putReferenceGradient(task, gradient);
        }

        @Override
        public byte[] shiftMonitor(String task) {
            return inner.shiftMonitor(task);
        }

        @Override
        public void putShiftMonitor(String task, byte[] state) {
            write("shift", task, 0, state);
            inner.putShiftMonitor(task, state);
        }

        @Override
        public void putShiftObservation(String task, int index, byte[] observation) {
            write("shiftObservation", task, index, observation);
            inner.putShiftObservation(task, index, observation);
        }

        @Override
        public List<byte[]> shiftObservations(String task) {
            return inner.shiftObservations(task);
        }

        @Override
        public void clearShiftObservations(String task, int count) {
            write("clearShiftObservations", task, count, null);
            inner.clearShiftObservations(task, count);
        }

        @Override
        public void deleteTask(String task) {
            write("deleteTask", task, 0, null);
            inner.deleteTask(task);
        }
    }
}
