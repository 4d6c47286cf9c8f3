package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Generic contract every {@link LearnerStore} satisfies; public because the Kafka store's test is in topology. */
public abstract class LearnerStoreContract {

    /** @return a fresh, empty store under test */
    protected abstract LearnerStore newStore();

    /** Releases what {@link #newStore} opened; nothing by default. */
    @AfterEach
    protected void closeStores() {}

    /** Real task and shared states: two tasks learned by a small learner (over an in-memory store). */
    static final class Fixture {
        final Map<String, TaskState> tasks = new TreeMap<>();
        final SharedState shared;
        final List<PendingExample> pending = new ArrayList<>();

        Fixture(int examplesPerTask) {
            Properties p = new Properties();
            p.setProperty("input.dim", "5");
            p.setProperty("task.classes", "3");
            p.setProperty("model.trunk.layers", "4");
            p.setProperty("learner.batch.size", "50");
            InMemoryLearnerStore source = new InMemoryLearnerStore();
            StreamingLearner l = new StreamingLearner(LearnerConfig.from(p), source, "fixture", LearnerEvents.NONE);
            Random r = new Random(examplesPerTask);
            for (int i = 0; i < 2 * examplesPerTask; i++) {
                float[] t = new float[3];
                t[r.nextInt(3)] = 1;
                l.observe(new Instance(i % 2 == 0 ? "a" : "ab", GradCheck.gaussian(r, 5, 1), t, "id" + i, 1000 + i));
            }
            l.flush();
            source.forEachTask(st -> tasks.put(st.task(), st));
            shared = source.shared();
            pending.addAll(l.pendingExamples());
        }
    }

    static List<byte[]> bytes(List<PendingExample> examples) {
        return examples.stream().map(PendingExample::toBytes).toList();
    }

    static List<byte[]> sampleBytes(List<MemorySample> samples) {
        return samples.stream().map(MemorySample::toBytes).toList();
    }

    static MemorySample sample(Random r) {
        return new MemorySample(GradCheck.gaussian(r, 5, 1), GradCheck.gaussian(r, 3, 1));
    }

    @Test
    void freshStoreHoldsNothing() {
        LearnerStore s = newStore();
        assertThat(s.task("a")).isNull();
        assertThat(s.shared()).isNull();
        assertThat(s.pending()).isEmpty();
        assertThat(s.memory("a")).isEmpty();
        assertThat(s.referenceGradient("a")).isNull();
        List<TaskState> seen = new ArrayList<>();
        s.forEachTask(seen::add);
        assertThat(seen).isEmpty();
    }

    /** The memory-task registry: entries by index and indices by task, beside (not instead of) the shared state. */
    @Test
    void memoryTaskEntriesRoundTripBesideTheSharedState() {
        LearnerStore s = newStore();
        assertThat(s.memoryTask(0)).isNull();
        assertThat(s.memoryTaskIndex("a")).isEqualTo(-1);
        Fixture f = new Fixture(30);
        s.putShared(f.shared);
        s.putMemoryTask(0, "a");
        s.putMemoryTask(1, "shared");
        s.putMemoryTask(2, "a\u0000b");
        assertThat(s.memoryTask(0)).isEqualTo("a");
        assertThat(s.memoryTask(1)).isEqualTo("shared");
        assertThat(s.memoryTask(2)).isEqualTo("a\u0000b");
        assertThat(s.memoryTaskIndex("shared")).isEqualTo(1);
        assertThat(s.memoryTaskIndex("a\u0000b")).isEqualTo(2);
        assertThat(s.shared().toBytes()).isEqualTo(f.shared.toBytes());
        s.putMemoryTask(0, "a\u0000b");
        s.deleteMemoryTask("a");
        assertThat(s.memoryTask(0)).isEqualTo("a\u0000b");
        assertThat(s.memoryTaskIndex("a\u0000b")).isZero();
        assertThat(s.memoryTaskIndex("a")).isEqualTo(-1);
        List<TaskState> seen = new ArrayList<>();
        s.forEachTask(seen::add);
        assertThat(seen).isEmpty();
    }

    @Test
    void taskAndSharedStatesRoundTripByteEqualAndMissingTasksAreNull() {
        Fixture early = new Fixture(30);
        Fixture late = new Fixture(120);
        LearnerStore s = newStore();
        early.tasks.values().forEach(s::putTask);
        s.putShared(early.shared);
        for (TaskState st : early.tasks.values()) {
            assertThat(s.task(st.task())).as(st.task()).isNotNull();
            assertThat(s.task(st.task()).toBytes()).isEqualTo(st.toBytes());
        }
        assertThat(s.shared().toBytes()).isEqualTo(early.shared.toBytes());
        assertThat(s.task("b")).isNull();
        assertThat(s.task("A")).isNull();
        // Writing again replaces; every task is visited once, with its latest state.
        s.putTask(late.tasks.get("ab"));
        s.putShared(late.shared);
        Map<String, byte[]> visited = new TreeMap<>();
        s.forEachTask(st -> assertThat(visited.put(st.task(), st.toBytes())).isNull());
        assertThat(visited).containsOnlyKeys("a", "ab");
        assertThat(visited.get("a")).isEqualTo(early.tasks.get("a").toBytes());
        assertThat(visited.get("ab")).isEqualTo(late.tasks.get("ab").toBytes());
        assertThat(s.shared().toBytes()).isEqualTo(late.shared.toBytes());
    }

    @Test
    void storesValuesNotReferences() {
        Fixture fx = new Fixture(30);
        LearnerStore s = newStore();
        TaskState st = fx.tasks.get("a");
        byte[] stored = st.toBytes();
        s.putTask(st);
        st.head()[0] += 1f;
        assertThat(s.task("a").toBytes()).isEqualTo(stored);
        s.task("a").head()[0] += 1f;
        assertThat(s.task("a").toBytes()).isEqualTo(stored);
    }

    @Test
    void pendingExamplesKeepTheirOrderAndAreCleared() {
        Fixture fx = new Fixture(15); // 30 examples, fewer than a batch: all pending
        assertThat(fx.pending).hasSize(30);
        LearnerStore s = newStore();
        for (int i = 0; i < fx.pending.size(); i++) {
            s.putPending(i, fx.pending.get(i));
            assertThat(s.pending()).hasSize(i + 1);
        }
        assertThat(bytes(s.pending())).containsExactlyElementsOf(bytes(fx.pending));
        // Writing a position again replaces it in place.
        s.putPending(3, fx.pending.get(20));
        assertThat(s.pending().get(3).toBytes()).isEqualTo(fx.pending.get(20).toBytes());
        assertThat(s.pending()).hasSize(30);
        s.clearPending(30);
        assertThat(s.pending()).isEmpty();
        // The next batch starts again at position 0.
        s.putPending(0, fx.pending.get(7));
        s.putPending(1, fx.pending.get(8));
        assertThat(bytes(s.pending())).containsExactlyElementsOf(bytes(fx.pending.subList(7, 9)));
        s.clearPending(2);
        assertThat(s.pending()).isEmpty();
    }

    @Test
    void memorySamplesRoundTripPerTaskInSlotOrder() {
        LearnerStore s = newStore();
        Random r = new Random(3);
        // Slots written out of order, across decimal widths, for tasks whose ids prefix each other.
        int[] slots = {12, 0, 100, 7, 1, 63, 10, 2, 99, 1000};
        Map<Integer, MemorySample> a = new TreeMap<>();
        Map<Integer, MemorySample> ab = new TreeMap<>();
        for (int slot : slots) {
            a.put(slot, sample(r));
            s.putMemorySample("a", slot, a.get(slot));
            ab.put(slot * 2, sample(r));
            s.putMemorySample("ab", slot * 2, ab.get(slot * 2));
        }
        s.putMemorySample("b", 0, sample(r));
        assertThat(sampleBytes(s.memory("a"))).containsExactlyElementsOf(sampleBytes(List.copyOf(a.values())));
        assertThat(sampleBytes(s.memory("ab"))).containsExactlyElementsOf(sampleBytes(List.copyOf(ab.values())));
        assertThat(s.memory("b")).hasSize(1);
        assertThat(s.memory("")).isEmpty();
        assertThat(s.memory("c")).isEmpty();
        // A reservoir replacement overwrites its slot.
        MemorySample replacement = sample(r);
        s.putMemorySample("a", 7, replacement);
        a.put(7, replacement);
        assertThat(sampleBytes(s.memory("a"))).containsExactlyElementsOf(sampleBytes(List.copyOf(a.values())));
    }

    @Test
    void memorySamplesAreValuesAndWritesAfterAReadAreRead() {
        LearnerStore s = newStore();
        Random r = new Random(5);
        // Slots filled in order, as the reservoir fills them, then read, written on and read again.
        List<MemorySample> a = new java.util.ArrayList<>();
        for (int slot = 0; slot < 6; slot++) {
            a.add(sample(r));
            s.putMemorySample("a", slot, a.get(slot));
        }
        assertThat(sampleBytes(s.memory("a"))).containsExactlyElementsOf(sampleBytes(a));
        // The next slot, a replacement, and the written sample changed by its owner after the write.
        a.add(sample(r));
        s.putMemorySample("a", 6, a.get(6));
        MemorySample replacement = sample(r);
        s.putMemorySample("a", 2, replacement);
        a.set(2, new MemorySample(replacement.x().clone(), replacement.target().clone()));
        replacement.x()[0] += 1f;
        assertThat(sampleBytes(s.memory("a"))).containsExactlyElementsOf(sampleBytes(a));
        // A sample read back and changed is the reader's copy.
        s.memory("a").get(4).x()[1] += 1f;
        s.memory("a").get(4).target()[0] += 1f;
        assertThat(sampleBytes(s.memory("a"))).containsExactlyElementsOf(sampleBytes(a));
        // A slot beyond the next one, then the task deleted and filled again.
        MemorySample far = sample(r);
        s.putMemorySample("a", 10, far);
        assertThat(sampleBytes(s.memory("a"))).containsExactlyElementsOf(
                sampleBytes(java.util.stream.Stream.concat(a.stream(), java.util.stream.Stream.of(far)).toList()));
        s.deleteTask("a");
        assertThat(s.memory("a")).isEmpty();
        MemorySample again = sample(r);
        s.putMemorySample("a", 0, again);
        assertThat(sampleBytes(s.memory("a"))).containsExactly(again.toBytes());
    }

    @Test
    void referenceGradientsRoundTripPerTask() {
        LearnerStore s = newStore();
        Random r = new Random(4);
        ReferenceGradient a = new ReferenceGradient(GradCheck.gaussian(r, 40, 1), 12, 16);
        ReferenceGradient ab = new ReferenceGradient(GradCheck.gaussian(r, 40, 1), 13, 8);
        s.putReferenceGradient("a", a);
        s.putReferenceGradient("ab", ab);
        assertThat(s.referenceGradient("a").toBytes()).isEqualTo(a.toBytes());
        assertThat(s.referenceGradient("ab").toBytes()).isEqualTo(ab.toBytes());
        assertThat(s.referenceGradient("b")).isNull();
        ReferenceGradient newer = new ReferenceGradient(GradCheck.gaussian(r, 40, 1), 20, 16);
        s.putReferenceGradient("a", newer);
        assertThat(s.referenceGradient("a").toBytes()).isEqualTo(newer.toBytes());
    }

    @Test
    void shiftMonitorsRoundTripPerTaskAndGoWithTheirTask() {
        LearnerStore s = newStore();
        byte[] a = {1, 2, 3};
        byte[] ab = {4, 5};
        s.putShiftMonitor("a", a);
        s.putShiftMonitor("ab", ab);
        assertThat(s.shiftMonitor("a")).isEqualTo(a);
        assertThat(s.shiftMonitor("ab")).isEqualTo(ab);
        assertThat(s.shiftMonitor("b")).isNull();
        s.putShiftMonitor("a", new byte[] {9});
        assertThat(s.shiftMonitor("a")).containsExactly(9);
        s.putShiftObservation("a", 0, new byte[] {10});
        s.putShiftObservation("a", 1, new byte[] {11});
        s.putShiftObservation("ab", 0, new byte[] {20});
        assertThat(s.shiftObservations("a")).containsExactly(new byte[] {10}, new byte[] {11});
        assertThat(s.shiftObservations("ab")).containsExactly(new byte[] {20});
        assertThat(s.shiftObservations("b")).isEmpty();
        s.clearShiftObservations("ab", 1);
        assertThat(s.shiftObservations("ab")).isEmpty();
        s.deleteTask("a");
        assertThat(s.shiftMonitor("a")).isNull();
        assertThat(s.shiftObservations("a")).isEmpty();
        assertThat(s.shiftMonitor("ab")).isEqualTo(ab);
    }

    /**
     * {@link LearnerStore#storedShift} is the monitor and the log as they were written, and as
     * {@link LearnerStore#shiftMonitor} and {@link LearnerStore#shiftObservations} read them, through random appends,
     * blocks' ends, dropped logs and deleted tasks, read in an order that interleaves the tasks.
     */
    @Test
    void aStoredShiftIsTheMonitorAndTheLogAsWritten() {
        LearnerStore s = newStore();
        Random r = new Random(11);
        String[] tasks = {"a", "ab", "b"};
        Map<String, byte[]> monitors = new TreeMap<>();
        Map<String, List<byte[]>> logs = new TreeMap<>();
        for (String t : tasks) {
            logs.put(t, new ArrayList<>());
        }
        for (int step = 0; step < 3_000; step++) {
            String t = tasks[r.nextInt(tasks.length)];
            List<byte[]> log = logs.get(t);
            int op = r.nextInt(20);
            if (op < 14) {
                byte[] entry = randomBytes(r);
                s.putShiftObservation(t, log.size(), entry);
                log.add(entry);
            } else if (op < 17) { // a block's end: the monitor is stored, its log dropped
                byte[] monitor = randomBytes(r);
                s.putShiftMonitor(t, monitor);
                monitors.put(t, monitor);
                s.clearShiftObservations(t, log.size());
                log.clear();
            } else if (op < 19) { // a reconfigured task: its log is dropped, its stored monitor stays
                s.clearShiftObservations(t, log.size());
                log.clear();
            } else {
                s.deleteTask(t);
                monitors.remove(t);
                log.clear();
            }
            String u = tasks[r.nextInt(tasks.length)];
            LearnerStore.StoredShift stored = s.storedShift(u);
            assertThat(stored.monitor()).as("step %d, %s", step, u).isEqualTo(monitors.get(u));
            assertThat(stored.log()).as("step %d, %s", step, u).containsExactlyElementsOf(logs.get(u));
            String v = tasks[r.nextInt(tasks.length)];
            assertThat(s.shiftObservations(v)).as("step %d, %s", step, v).containsExactlyElementsOf(logs.get(v));
            assertThat(s.shiftMonitor(v)).as("step %d, %s", step, v).isEqualTo(monitors.get(v));
        }
    }

    private static byte[] randomBytes(Random r) {
        byte[] b = new byte[r.nextInt(12)]; // an empty entry too
        r.nextBytes(b);
        return b;
    }

    @Test
    void readsShortAndLongShiftLogsWholeAndInOrder() {
        LearnerStore s = newStore();
        // Short logs and a block's worth, each beside a neighbour's log.
        for (int length : new int[] {1, 7, 8, 9, 500}) {
            String task = "t" + length;
            for (int i = 0; i < length; i++) {
                s.putShiftObservation(task, i, new byte[] {(byte) i, (byte) (i >> 8)});
            }
            s.putShiftObservation(task + "x", 0, new byte[] {-1});
            List<byte[]> log = s.shiftObservations(task);
            assertThat(log).as("log of %d", length).hasSize(length);
            for (int i = 0; i < length; i++) {
                assertThat(log.get(i)).containsExactly((byte) i, (byte) (i >> 8));
            }
            s.clearShiftObservations(task, length);
            assertThat(s.shiftObservations(task)).isEmpty();
            assertThat(s.shiftObservations(task + "x")).hasSize(1);
        }
    }

    @Test
    void aLearnerResumesFromTheStoreAsIfUninterrupted() {
        // The store is all a learner keeps: one dropped and rebuilt on the same store mid-batch learns the same.
        Properties p = new Properties();
        p.setProperty("input.dim", "5");
        p.setProperty("task.classes", "3");
        p.setProperty("model.trunk.layers", "4");
        p.setProperty("learner.batch.size", "8");
        LearnerConfig config = LearnerConfig.from(p);
        List<Instance> stream = new ArrayList<>();
        Random r = new Random(9);
        for (int i = 0; i < 60; i++) {
            float[] t = new float[3];
            t[r.nextInt(3)] = 1;
            stream.add(new Instance(i % 3 == 0 ? "a" : "ab", GradCheck.gaussian(r, 5, 1), t, null, i));
        }
        LearnerStore straight = newStore();
        StreamingLearner one = new StreamingLearner(config, straight, "p", LearnerEvents.NONE);
        stream.forEach(one::observe);
        LearnerStore restarted = newStore();
        StreamingLearner l = new StreamingLearner(config, restarted, "p", LearnerEvents.NONE);
        for (int i = 0; i < stream.size(); i++) {
            if (i % 13 == 5) {
                l.flush(); // as a commit does
                l = new StreamingLearner(config, restarted, "p", LearnerEvents.NONE);
            }
            l.observe(stream.get(i));
        }
        one.flush();
        l.flush();
        assertThat(restarted.shared().toBytes()).isEqualTo(straight.shared().toBytes());
        assertThat(bytes(restarted.pending())).containsExactlyElementsOf(bytes(straight.pending()));
        for (String t : List.of("a", "ab")) {
            assertThat(restarted.task(t).toBytes()).isEqualTo(straight.task(t).toBytes());
            assertThat(sampleBytes(restarted.memory(t))).containsExactlyElementsOf(sampleBytes(straight.memory(t)));
        }
    }

    @Test
    void aLearnerLearnsOverThisStoreAsOverTheReferenceStore() {
        // Replay reads the memories every batch and the reservoir overwrites their slots once full (4 per task here):
        // whatever this store keeps in between, every prediction and every state is the in-memory store's.
        Properties p = new Properties();
        p.setProperty("input.dim", "5");
        p.setProperty("task.classes", "3");
        p.setProperty("model.trunk.layers", "4");
        p.setProperty("learner.batch.size", "8");
        p.setProperty("memory.per.task", "4");
        p.setProperty("memory.samples.per.task", "3");
        p.setProperty("memory.tasks.per.step", "2");
        LearnerConfig config = LearnerConfig.from(p);
        LearnerStore reference = new InMemoryLearnerStore();
        LearnerStore tested = newStore();
        StreamingLearner expected = new StreamingLearner(config, reference, "p", LearnerEvents.NONE);
        StreamingLearner actual = new StreamingLearner(config, tested, "p", LearnerEvents.NONE);
        Random r = new Random(11);
        List<String> tasks = List.of("a", "ab", "b", "c");
        for (int i = 0; i < 400; i++) {
            float[] t = new float[3];
            t[r.nextInt(3)] = 1;
            Instance in = new Instance(tasks.get(r.nextInt(tasks.size())), GradCheck.gaussian(r, 5, 1), t, null, i);
            assertThat(actual.observe(in).output()).containsExactly(expected.observe(in).output());
            if (i == 250) {
                assertThat(actual.resetTask("b", i)).isEqualTo(expected.resetTask("b", i));
            }
        }
        expected.flush();
        actual.flush();
        assertThat(tested.shared().toBytes()).isEqualTo(reference.shared().toBytes());
        for (String t : tasks) {
            assertThat(tested.task(t).toBytes()).isEqualTo(reference.task(t).toBytes());
            assertThat(sampleBytes(tested.memory(t))).containsExactlyElementsOf(sampleBytes(reference.memory(t)));
        }
    }
}
