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
    private final Map<String, byte[]> tasks = new TreeMap<>();
    private byte[] shared;
    private final List<byte[]> pending = new ArrayList<>();
    private final List<String> memoryTasks = new ArrayList<>();
    private final Map<String, Integer> memoryTaskIndex = new HashMap<>();
    private final Map<String, Map<Integer, byte[]>> memory = new HashMap<>();
    private final Map<String, byte[]> references = new HashMap<>();
    private final Map<String, byte[]> shiftMonitors = new HashMap<>();
    private final Map<String, Map<Integer, byte[]>> shiftObservations = new HashMap<>();

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
        tasks.values().forEach(b -> visitor.accept(TaskState.fromBytes(b)));
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
    public void putMemorySample(String task, int slot, MemorySample sample) {
        memory.computeIfAbsent(task, t -> new TreeMap<>()).put(slot, sample.toBytes());
    }

    @Override
    public List<MemorySample> memory(String task) {
        Map<Integer, byte[]> m = memory.get(task);
        return m == null ? List.of() : m.values().stream().map(MemorySample::fromBytes).toList();
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
        shiftObservations.computeIfAbsent(task, t -> new TreeMap<>()).put(index, observation);
    }

    @Override
    public List<byte[]> shiftObservations(String task) {
        Map<Integer, byte[]> m = shiftObservations.get(task);
        return m == null ? List.of() : List.copyOf(m.values());
    }

    @Override
    public void clearShiftObservations(String task, int count) {
        Map<Integer, byte[]> m = shiftObservations.get(task);
        if (m != null) {
            for (int i = 0; i < count; i++) {
                m.remove(i);
            }
            if (m.isEmpty()) {
                shiftObservations.remove(task);
            }
        }
    }

    @Override
    public void deleteTask(String task) {
        tasks.remove(task);
        shiftMonitors.remove(task);
        shiftObservations.remove(task);
        memory.remove(task);
        references.remove(task);
    }
}
