package dev.metastream.learn;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A {@link LearnerStore} on heap maps, for in-process evaluation, tests and benchmarks. Values are kept in their
 * binary form, as the Kafka stores keep them, so a round trip through the codec is always exercised.
 */
public final class InMemoryLearnerStore implements LearnerStore {
    /** Task states in id order (for {@link #forEachTask}), and the same slots by id for the per-batch writes. */
    private final Map<String, Slot> tasks = new TreeMap<>();
    private final Map<String, Slot> taskSlots = new HashMap<>();
    private byte[] shared;
    private final List<byte[]> pending = new ArrayList<>();
    private byte[] pendingRows;
    private final List<String> memoryTasks = new ArrayList<>();
    private final Map<String, Integer> memoryTaskIndex = new HashMap<>();
    private final Map<String, Map<Integer, byte[]>> memory = new HashMap<>();
    private final Map<String, byte[]> references = new HashMap<>();
    private final Map<String, byte[]> shiftMonitors = new HashMap<>();
    private final Map<String, Log> shiftObservations = new HashMap<>();

    /** A task's stored state, replaced in place: a sorted map's search per write cost more than the write. */
    private static final class Slot {
        byte[] bytes;
    }

    /**
     * A task's logged shift observations by index: an array, since they are logged at 0, 1, 2, ... and dropped from
     * the front (a sorted map's entry per record, scattered over the heap, cost more than logging the record).
     */
    private static final class Log {
        byte[][] rows = new byte[16][];
        int size; // non-null rows

        void put(int index, byte[] row) {
            if (index >= rows.length) {
                rows = java.util.Arrays.copyOf(rows, Math.max(index + 1, 2 * rows.length));
            }
            if (rows[index] == null) {
                size++;
            }
            rows[index] = row;
        }

        List<byte[]> values() {
            List<byte[]> out = new ArrayList<>(size);
            for (byte[] row : rows) {
                if (row != null) {
                    out.add(row);
                }
            }
            return List.copyOf(out);
        }

        void clear(int count) {
            for (int i = 0; i < Math.min(count, rows.length); i++) {
                if (rows[i] != null) {
                    rows[i] = null;
                    size--;
                }
            }
        }
    }

    @Override
    public TaskState task(String task) {
        Slot slot = taskSlots.get(task);
        return slot == null ? null : TaskState.fromBytes(slot.bytes);
    }

    @Override
    public void putTask(TaskState state) {
        byte[] bytes = state.toBytes();
        Slot slot = taskSlots.get(state.task());
        if (slot == null) {
            slot = new Slot();
            taskSlots.put(state.task(), slot);
            tasks.put(state.task(), slot);
        }
        slot.bytes = bytes;
    }

    @Override
    public void forEachTask(Consumer<TaskState> visitor) {
        tasks.values().forEach(slot -> visitor.accept(TaskState.fromBytes(slot.bytes)));
    }

    @Override
    public SharedState shared() {
        return shared == null ? null : SharedState.fromBytes(shared);
    }

    @Override
    public void putShared(SharedState state) {
        shared = state.toBytes();
    }

    @Override
    public String memoryTask(int index) {
        return index < memoryTasks.size() ? memoryTasks.get(index) : null;
    }

    @Override
    public int memoryTaskIndex(String task) {
        return memoryTaskIndex.getOrDefault(task, -1);
    }

    @Override
    public void putMemoryTask(int index, String task) {
        while (memoryTasks.size() <= index) {
            memoryTasks.add(null);
        }
        memoryTasks.set(index, task);
        memoryTaskIndex.put(task, index);
    }

    @Override
    public void deleteMemoryTask(String task) {
        memoryTaskIndex.remove(task);
    }

    @Override
    public List<PendingExample> pending() {
        return pending.stream().map(PendingExample::fromBytes).toList();
    }

    @Override
    public void putPending(int position, PendingExample example) {
        if (position == pending.size()) {
            pending.add(example.toBytes());
        } else {
            pending.set(position, example.toBytes());
        }
    }

    @Override
    public void clearPending(int count) {
        pending.clear();
    }

    @Override
    public byte[] pendingRows() {
        return pendingRows;
    }

    @Override
    public void putPendingRows(byte[] rows) {
        pendingRows = rows;
    }

    @Override
    public void putMemorySample(String task, int slot, MemorySample sample) {
        memory.computeIfAbsent(task, t -> new TreeMap<>()).put(slot, sample.toBytes());
    }

    @Override
    public List<MemorySample> memory(String task) {
        Map<Integer, byte[]> m = memory.get(task);
        if (m == null) {
            return List.of();
        }
        // Decoded when read, as the Kafka store's cached samples are copied when read: a replay reads 16 of a task's
        // 64 samples, and decoding all of them was about a twelfth of the learner bench's time.
        List<byte[]> slots = List.copyOf(m.values());
        return new java.util.AbstractList<>() {
            @Override
            public MemorySample get(int index) {
                return MemorySample.fromBytes(slots.get(index));
            }

            @Override
            public int size() {
                return slots.size();
            }
        };
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
        if (index < 0) {
            throw new IllegalArgumentException("negative observation index " + index);
        }
        shiftObservations.computeIfAbsent(task, t -> new Log()).put(index, observation);
    }

    @Override
    public List<byte[]> shiftObservations(String task) {
        Log log = shiftObservations.get(task);
        return log == null ? List.of() : log.values();
    }

    @Override
    public void clearShiftObservations(String task, int count) {
        Log log = shiftObservations.get(task);
        if (log != null) {
            log.clear(count);
            if (log.size == 0) {
                shiftObservations.remove(task);
            }
        }
    }

    @Override
    public void deleteTask(String task) {
        tasks.remove(task);
        taskSlots.remove(task);
        shiftMonitors.remove(task);
        shiftObservations.remove(task);
        memory.remove(task);
        references.remove(task);
    }
}
