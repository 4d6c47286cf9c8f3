package dev.metastream.topology;

import dev.metastream.learn.LearnerStore;
import dev.metastream.learn.MemorySample;
import dev.metastream.learn.PendingExample;
import dev.metastream.learn.ReferenceGradient;
import dev.metastream.learn.SharedState;
import dev.metastream.learn.TaskState;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A {@link LearnerStore} over the learner's changelogged Kafka Streams stores (RocksDB by default): every write goes
 * to the store, and so to its changelog topic, inside the same commit as the records that caused it.
 */
final class KafkaLearnerStore implements LearnerStore {
    private static final String SHARED_KEY = MetastreamTopology.SHARED_STATE_KEY;
    private final KeyValueStore<String, byte[]> tasks;
    private final KeyValueStore<String, byte[]> shared;
    private final KeyValueStore<String, byte[]> pending;
    private final KeyValueStore<String, byte[]> memory;
    private final KeyValueStore<String, byte[]> references;
    private final KeyValueStore<String, byte[]> shiftMonitors;

    KafkaLearnerStore(KeyValueStore<String, byte[]> tasks, KeyValueStore<String, byte[]> shared,
                      KeyValueStore<String, byte[]> pending, KeyValueStore<String, byte[]> memory,
                      KeyValueStore<String, byte[]> references, KeyValueStore<String, byte[]> shiftMonitors) {
        this.tasks = tasks;
        this.shared = shared;
        this.pending = pending;
        this.memory = memory;
        this.references = references;
        this.shiftMonitors = shiftMonitors;
    }

    @Override
    public TaskState task(String task) {
        byte[] b = tasks.get(task);
        return b == null ? null : TaskState.fromBytes(b);
    }

    @Override
    public void putTask(TaskState state) {
        tasks.put(state.task(), state.toBytes());
    }

    @Override
    public void forEachTask(Consumer<TaskState> visitor) {
        try (KeyValueIterator<String, byte[]> it = tasks.all()) {
            while (it.hasNext()) {
                visitor.accept(TaskState.fromBytes(it.next().value));
            }
        }
    }

    @Override
    public SharedState shared() {
        byte[] b = shared.get(SHARED_KEY);
        return b == null ? null : SharedState.fromBytes(b);
    }

    @Override
    public void putShared(SharedState state) {
        shared.put(SHARED_KEY, state.toBytes());
    }

    /**
     * The memory-task registry shares the shared-state store: {@code memory.task NUL index} (zero-padded) holds a
     * task id, {@code memory.task.index NUL task} its index; neither can be the shared state's own key.
     */
    /**
     * {@code value} in decimal, zero-padded to {@code width} digits: what {@code String.format("%0<width>d")} wrote for
     * the keys of stores written by earlier releases, without its parsing and formatter on every key (it was a tenth
     * of the learner's time with many tasks) or the default locale's digits.
     */
    static String zeroPadded(int value, int width) {
        if (value < 0) {
            throw new IllegalArgumentException("a key index must not be negative: " + value);
        }
        String digits = Integer.toString(value);
        if (digits.length() >= width) {
            return digits;
        }
        StringBuilder b = new StringBuilder(width);
        for (int k = digits.length(); k < width; k++) {
            b.append('0');
        }
        return b.append(digits).toString();
    }

    static String memoryTaskKey(int index) {
        return "memory.task\u0000" + zeroPadded(index, 10);
    }

    static String memoryTaskIndexKey(String task) {
        return "memory.task.index\u0000" + task;
    }

    @Override
    public String memoryTask(int index) {
        byte[] b = shared.get(memoryTaskKey(index));
        return b == null ? null : new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public int memoryTaskIndex(String task) {
        byte[] b = shared.get(memoryTaskIndexKey(task));
        return b == null ? -1 : java.nio.ByteBuffer.wrap(b).getInt();
    }

    @Override
    public void putMemoryTask(int index, String task) {
        shared.put(memoryTaskKey(index), task.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        shared.put(memoryTaskIndexKey(task), java.nio.ByteBuffer.allocate(4).putInt(index).array());
    }

    @Override
    public void deleteMemoryTask(String task) {
        shared.delete(memoryTaskIndexKey(task));
    }

    @Override
    public List<PendingExample> pending() {
        List<PendingExample> out = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = pending.all()) {
            while (it.hasNext()) {
                out.add(PendingExample.fromBytes(it.next().value));
            }
        }
        return out;
    }

    @Override
    public void putPending(int position, PendingExample example) {
        pending.put(position(position), example.toBytes());
    }

    @Override
    public void clearPending(int count) {
        for (int i = 0; i < count; i++) {
            pending.delete(position(i));
        }
    }

    @Override
    public void putMemorySample(String task, int slot, MemorySample sample) {
        memory.put(memoryKey(task, slot), sample.toBytes());
    }

    @Override
    public List<MemorySample> memory(String task) {
        List<MemorySample> out = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = memory.prefixScan(task + '\u0000', new StringSerializer())) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                out.add(MemorySample.fromBytes(kv.value));
            }
        }
        return out;
    }

    @Override
    public ReferenceGradient referenceGradient(String task) {
        byte[] b = references.get(task);
        return b == null ? null : ReferenceGradient.fromBytes(b);
    }

    @Override
    public void putReferenceGradient(String task, ReferenceGradient gradient) {
        references.put(task, gradient.toBytes());
    }

    @Override
    public byte[] shiftMonitor(String task) {
        return shiftMonitors.get(task);
    }

    @Override
    public void putShiftMonitor(String task, byte[] state) {
        shiftMonitors.put(task, state);
    }

    @Override
    public void putShiftObservation(String task, int index, byte[] observation) {
        shiftMonitors.put(observationKey(task, index), observation);
    }

    @Override
    public List<byte[]> shiftObservations(String task) {
        List<byte[]> out = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = shiftMonitors.prefixScan(task + '\u0000',
                new StringSerializer())) {
            while (it.hasNext()) {
                out.add(it.next().value);
            }
        }
        return out;
    }

    @Override
    public void clearShiftObservations(String task, int count) {
        for (int i = 0; i < count; i++) {
            shiftMonitors.delete(observationKey(task, i));
        }
    }

    /** {@code task NUL index}, zero-padded: a task's log is one prefix scan, in order, beside its monitor's key. */
    static String observationKey(String task, int index) {
        return task + '\u0000' + zeroPadded(index, 6);
    }

    @Override
    public void deleteTask(String task) {
        tasks.delete(task);
        shiftMonitors.delete(task);
        List<String> logged = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = shiftMonitors.prefixScan(task + '\u0000',
                new StringSerializer())) {
            while (it.hasNext()) {
                logged.add(it.next().key);
            }
        }
        logged.forEach(shiftMonitors::delete);
        references.delete(task);
        List<String> slots = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = memory.prefixScan(task + '\u0000', new StringSerializer())) {
            while (it.hasNext()) {
                slots.add(it.next().key);
            }
        }
        slots.forEach(memory::delete);
    }

    /** Zero-padded so the store's byte order is the buffer's arrival order. */
    private static String position(int i) {
        return zeroPadded(i, 10);
    }

    /** {@code task NUL slot}: a task's samples are one prefix scan, in slot order. */
    static String memoryKey(String task, int slot) {
        return task + '\u0000' + zeroPadded(slot, 6);
    }
}
