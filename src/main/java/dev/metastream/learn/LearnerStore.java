package dev.metastream.learn;

import java.util.List;
import java.util.function.Consumer;

/**
 * Where a {@link StreamingLearner} keeps everything that must outlive a record. The topology backs it with
 * changelogged Kafka Streams stores (RocksDB); tests, benchmarks and in-process evaluation use
 * {@link InMemoryLearnerStore}.
 */
public interface LearnerStore {
    /** A task's state, or null when the task is new. */
    TaskState task(String task);

    /** Saves a task's state. */
    void putTask(TaskState state);

    /** Visits every task's state. */
    void forEachTask(Consumer<TaskState> visitor);

    /** The partition's shared state, or null before the first batch. */
    SharedState shared();

    /** Saves the shared state. */
    void putShared(SharedState state);

    /** The task at an index of the partition's {@link MemoryTasks} registry, or null when none was written there. */
    String memoryTask(int index);

    /** The index a task was last written at in the registry, or -1. */
    int memoryTaskIndex(String task);

    /** Writes a registry entry: the task at the index, and the index of the task (one task enrolling, or moving). */
    void putMemoryTask(int index, String task);

    /** Drops a task's index from the registry (the entry at its index is left to be overwritten). */
    void deleteMemoryTask(String task);

    /**
     * The buffered micro-batch as builds before {@link #pendingRows} wrote it, an example at a time, in arrival order:
     * the learner reads it when a store has no buffer record, and empties it at its next flush.
     */
    List<PendingExample> pending();

    /** Buffers one example at a position of the micro-batch (the format of builds before {@link #pendingRows}). */
    void putPending(int position, PendingExample example);

    /** Empties the micro-batch buffer (positions 0 .. count-1). */
    void clearPending(int count);

    /**
     * The learner's buffered micro-batch as of its last {@code StreamingLearner#flush} (the binary form of
     * {@link PendingRows}: its examples and what their heads saw), or null when none was written: a new store, or one
     * written before the learner flushed.
     */
    byte[] pendingRows();

    /** Saves the learner's buffered micro-batch, with the states of the same flush. */
    void putPendingRows(byte[] rows);

    /** Writes one slot of a task's episodic memory. */
    void putMemorySample(String task, int slot, MemorySample sample);

    /** A task's episodic memory, in slot order. */
    List<MemorySample> memory(String task);

    /** A task's stored reference gradient, or null. */
    ReferenceGradient referenceGradient(String task);

    /** Stores a task's reference gradient. */
    void putReferenceGradient(String task, ReferenceGradient gradient);

    /** A task's domain-shift monitor ({@link dev.metastream.shift.ShiftMonitor#toBytes()}), or null. */
    byte[] shiftMonitor(String task);

    /** Stores a task's domain-shift monitor (every {@code shift.block.size} of its records). */
    void putShiftMonitor(String task, byte[] state);

    /**
     * Logs one record a task's monitor observed since it was last stored (its features, prediction and label): unlike
     * a task's state, the monitor is not rebuilt from the buffered micro-batch after a restart (an unlabelled record
     * never enters it), so what it saw is logged, a few bytes per record, and replayed onto the stored monitor when it
     * is read again (the learner writes a flush's rows together, before the commit). A log's indices run 0, 1, 2, ...
     * from its last {@link #clearShiftObservations}, so a log without index 0 is empty.
     */
    void putShiftObservation(String task, int index, byte[] observation);

    /** A task's logged monitor observations, in index order (empty when none). */
    List<byte[]> shiftObservations(String task);

    /** Drops a task's logged observations {@code 0 .. count-1} (after the monitor that holds them is stored). */
    void clearShiftObservations(String task, int count);

    /**
     * A task's stored shift monitor and the observations logged since, as {@link #shiftMonitor} and
     * {@link #shiftObservations} give them. Reading a task's monitor back always needs both, and a store may answer
     * with fewer look-ups than the two calls make (a young task's are one in {@code KafkaLearnerStore}).
     */
    default StoredShift storedShift(String task) {
        return new StoredShift(shiftMonitor(task), shiftObservations(task));
    }

    /**
     * A task's stored shift monitor and its log.
     *
     * @param monitor the monitor as {@link #shiftMonitor} returns it, or null when none is stored
     * @param log     the logged observations in index order, empty when none
     */
    record StoredShift(byte[] monitor, List<byte[]> log) {}

    /**
     * Forgets a task: its state, its episodic-memory samples, its reference gradient and its shift monitor. The default refuses, for
     * stores written before tasks could be deleted; both stores of this project implement it.
     */
    default void deleteTask(String task) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot delete tasks");
    }
}
