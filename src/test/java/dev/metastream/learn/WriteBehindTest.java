package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The learner writes its task and shared states behind, at {@link StreamingLearner#flush} (before a commit): each
 * changed state once per flush, the buffered micro-batch's rows with them, and a learner rebuilt from the store after
 * any flush goes on exactly as the one that wrote it would have.
 */
class WriteBehindTest {
    private static Properties props() {
        return StreamingLearnerTest.props();
    }

    private static List<Instance> stream(int n, int tasks, long seed) {
        return StreamingLearnerTest.stream(n, tasks, seed);
    }

    /**
     * Rebuilt after a flush in the middle of a micro-batch, a learner takes the buffered examples' rows as flushed (the
     * stored states already hold those examples' per-example steps): its predictions are the uninterrupted learner's,
     * bit for bit. Learning the buffered examples again would step their heads twice and change them.
     */
    @Test
    void aLearnerRebuiltAfterAFlushMidBatchPredictsAsTheUninterruptedOne() {
        List<Instance> data = stream(240, 4, 11);
        Properties p = props();
        p.setProperty("metrics.every.examples", "3");
        p.setProperty("snapshot.every.examples", "2");
        LearnerConfig cfg = LearnerConfig.from(p);
        List<String> expectedEvents = new ArrayList<>();
        StreamingLearner straight = new StreamingLearner(cfg, new InMemoryLearnerStore(), "t",
                new RecordingEvents(expectedEvents));
        List<float[]> expected = new ArrayList<>();
        data.forEach(in -> expected.add(straight.observe(in).output()));

        InMemoryLearnerStore store = new InMemoryLearnerStore();
        List<String> events = new ArrayList<>();
        StreamingLearner learner = new StreamingLearner(cfg, store, "t", new RecordingEvents(events));
        int midBatch = 0;
        for (int i = 0; i < data.size(); i++) {
            if (i > 0 && i % 17 == 0) {
                midBatch += learner.pendingCount() > 0 ? 1 : 0;
                learner.flush();
                learner = new StreamingLearner(cfg, store, "t", new RecordingEvents(events));
            }
            assertThat(learner.observe(data.get(i)).output()).as("example %d", i).containsExactly(expected.get(i));
        }
        assertThat(midBatch).as("restarts with examples buffered").isGreaterThan(5);
        assertThat(events).as("metrics and snapshots, in order").isEqualTo(expectedEvents).hasSizeGreaterThan(100);
        for (String t : List.of("t0", "t1", "t2", "t3")) {
            assertThat(learner.task(t).head()).containsExactly(straight.task(t).head());
        }
    }

    /** Between flushes no state is written, however many micro-batches change it; a flush writes each once. */
    @Test
    void eachChangedStateIsWrittenOncePerFlush() {
        CountingStore store = new CountingStore();
        StreamingLearner learner = new StreamingLearner(LearnerConfig.from(props()), store, "t", LearnerEvents.NONE);
        List<Instance> data = stream(100, 3, 5);
        data.forEach(learner::observe);
        assertThat(learner.pendingCount()).isZero(); // 20 micro-batches learned
        assertThat(store.taskWrites).isZero();
        assertThat(store.sharedWrites).isZero();
        learner.flush();
        assertThat(store.taskWrites).isEqualTo(3);
        assertThat(store.sharedWrites).isEqualTo(1);
        learner.flush();
        assertThat(store.taskWrites).as("nothing changed since").isEqualTo(3);
        assertThat(store.sharedWrites).isEqualTo(1);
    }

    /**
     * States waiting for a flush are bounded by the task cache's size: past it the learner flushes by itself, so many
     * tasks between two commits do not fill the heap.
     */
    @Test
    void statesWaitingForAFlushAreBoundedByTheTaskCache() {
        Properties p = props();
        p.setProperty("learner.task.cache.size", "20");
        CountingStore store = new CountingStore();
        StreamingLearner learner = new StreamingLearner(LearnerConfig.from(p), store, "t", LearnerEvents.NONE);
        int most = 0;
        for (Instance in : stream(400, 200, 3)) {
            learner.observe(in);
            most = Math.max(most, learner.statesWaiting());
        }
        assertThat(most).isEqualTo(20);
        assertThat(store.taskWrites).as("flushed by itself").isGreaterThanOrEqualTo(100);
        learner.flush();
        assertThat(store.tasksKnown()).isEqualTo(learner.taskIds().size());
    }

    /**
     * The flushes a learner makes by itself (more states waiting than its cache holds) come between records, and lose
     * nothing: with a cache of 5 states over 150 tasks (states are evicted and read back from the store all the time),
     * and rebuilt from its store after every 97th record, a learner predicts as one that keeps every state cached.
     */
    @Test
    void flushesOfItsOwnLoseNothing() {
        List<Instance> data = stream(1500, 150, 13);
        LearnerConfig cfg = LearnerConfig.from(props());
        StreamingLearner cached = new StreamingLearner(cfg, new InMemoryLearnerStore(), "t", LearnerEvents.NONE);
        Properties small = props();
        small.setProperty("learner.task.cache.size", "5");
        LearnerConfig smallCfg = LearnerConfig.from(small);
        CountingStore store = new CountingStore();
        StreamingLearner evicting = new StreamingLearner(smallCfg, store, "t", LearnerEvents.NONE);
        for (int i = 0; i < data.size(); i++) {
            if (i > 0 && i % 97 == 0) {
                evicting.flush();
                evicting = new StreamingLearner(smallCfg, store, "t", LearnerEvents.NONE);
            }
            assertThat(evicting.observe(data.get(i)).output()).as("example %d", i)
                    .containsExactly(cached.observe(data.get(i)).output());
        }
        assertThat(store.taskWrites).as("flushed by itself (the explicit flushes write at most 15 x 6)").isGreaterThan(500);
    }

    /**
     * A store written before the buffer was flushed whole (states written at a micro-batch's end, the examples since in
     * the pending store, no rows) is resumed by learning the buffered examples again: the rebuilt learner goes on as
     * the uninterrupted one, and its first flush writes the buffer in place of the pending store's examples.
     */
    @Test
    void aStoreWrittenBeforeTheBufferWasFlushedIsResumedByLearningItAgain() {
        List<Instance> data = stream(60, 3, 7);
        LearnerConfig cfg = LearnerConfig.from(props());
        StreamingLearner straight = new StreamingLearner(cfg, new InMemoryLearnerStore(), "t", LearnerEvents.NONE);
        List<float[]> expected = new ArrayList<>();
        data.forEach(in -> expected.add(straight.observe(in).output()));

        InMemoryLearnerStore store = new InMemoryLearnerStore();
        StreamingLearner first = new StreamingLearner(cfg, store, "t", LearnerEvents.NONE);
        data.subList(0, 40).forEach(first::observe);
        first.flush(); // at a batch's end: nothing buffered
        store.putPendingRows(null); // as an earlier build left it: no buffer record...
        for (int i = 40; i < 43; i++) { // ...and the examples since in the pending store
            store.putPending(i - 40, new PendingExample(data.get(i), expected.get(i)));
        }
        StreamingLearner rebuilt = new StreamingLearner(cfg, store, "t", LearnerEvents.NONE);
        assertThat(rebuilt.pendingCount()).isEqualTo(3);
        rebuilt.flush();
        assertThat(store.pending()).as("dropped: the buffer is flushed whole").isEmpty();
        assertThat(PendingRows.fromBytes(store.pendingRows()).examples()).hasSize(3);
        for (int i = 43; i < data.size(); i++) {
            assertThat(rebuilt.observe(data.get(i)).output()).as("example %d", i).containsExactly(expected.get(i));
        }
    }

    /** An example learned in a micro-batch between two flushes is never written: only the buffer at a flush is. */
    @Test
    void onlyTheBufferAtAFlushIsWritten() {
        InMemoryLearnerStore store = new InMemoryLearnerStore();
        StreamingLearner learner = new StreamingLearner(LearnerConfig.from(props()), store, "t", LearnerEvents.NONE);
        List<Instance> data = stream(23, 2, 9);
        data.forEach(learner::observe); // four batches of 5 learned, 3 buffered
        assertThat(store.pending()).isEmpty();
        assertThat(store.pendingRows()).isNull();
        learner.flush();
        assertThat(PendingRows.fromBytes(store.pendingRows()).examples()).extracting(pe -> pe.instance().id())
                .containsExactly("e20", "e21", "e22");
    }

    /** Records each task's metrics and snapshot events as (kind, task, examples learned). */
    private record RecordingEvents(List<String> out) implements LearnerEvents {
        @Override
        public void drift(DriftEvent event) {
            out.add("drift " + event.task());
        }

        @Override
        public void metrics(TaskMetrics metrics) {
            out.add("metrics " + metrics.task() + " " + metrics.observed() + " " + metrics.learned());
        }

        @Override
        public void taskSnapshot(TaskSnapshot snapshot) {
            out.add("snapshot " + snapshot.task() + " " + snapshot.version() + " " + snapshot.examplesSeen());
        }
    }

    /** The in-memory store, counting state writes. */
    private static final class CountingStore implements LearnerStore {
        private final InMemoryLearnerStore inner = new InMemoryLearnerStore();
        int taskWrites;
        int sharedWrites;

        int tasksKnown() {
            int[] n = {0};
            inner.forEachTask(st -> n[0]++);
            return n[0];
        }

        @Override public TaskState task(String task) { return inner.task(task); }
        @Override public void putTask(TaskState state) { taskWrites++; inner.putTask(state); }
        @Override public void forEachTask(Consumer<TaskState> visitor) { inner.forEachTask(visitor); }
        @Override public SharedState shared() { return inner.shared(); }
        @Override public void putShared(SharedState state) { sharedWrites++; inner.putShared(state); }
        @Override public byte[] pendingRows() { return inner.pendingRows(); }
        @Override public void putPendingRows(byte[] rows) { inner.putPendingRows(rows); }
        @Override public String memoryTask(int index) { return inner.memoryTask(index); }
        @Override public int memoryTaskIndex(String task) { return inner.memoryTaskIndex(task); }
        @Override public void putMemoryTask(int index, String task) { inner.putMemoryTask(index, task); }
        @Override public void deleteMemoryTask(String task) { inner.deleteMemoryTask(task); }
        @Override public List<PendingExample> pending() { return inner.pending(); }
        @Override public void putPending(int position, PendingExample example) { inner.putPending(position, example); }
        @Override public void clearPending(int count) { inner.clearPending(count); }
        @Override public void putMemorySample(String task, int slot, MemorySample sample) {
            inner.putMemorySample(task, slot, sample);
        }
        @Override public List<MemorySample> memory(String task) { return inner.memory(task); }
        @Override public ReferenceGradient referenceGradient(String task) { return inner.referenceGradient(task); }
        @Override public void putReferenceGradient(String task, ReferenceGradient gradient) {
            inner.putReferenceGradient(task, gradient);
        }
        @Override public byte[] shiftMonitor(String task) { return inner.shiftMonitor(task); }
        @Override public void putShiftMonitor(String task, byte[] state) { inner.putShiftMonitor(task, state); }
        @Override public void putShiftObservation(String task, int index, byte[] row) {
            inner.putShiftObservation(task, index, row);
        }
        @Override public List<byte[]> shiftObservations(String task) { return inner.shiftObservations(task); }
        @Override public void clearShiftObservations(String task, int count) {
            inner.clearShiftObservations(task, count);
        }
        @Override public StoredShift storedShift(String task) { return inner.storedShift(task); }
        @Override public void deleteTask(String task) { inner.deleteTask(task); }
    }
}
