package dev.metastream.learn;

import java.util.ArrayList;
import java.util.List;

/**
 * The tasks of a partition that keep an episodic memory, in enrolment order, by index: what a {@link MemoryStrategy}
 * samples the other tasks it replays or constrains with from. The learner's registry lives in its
 * {@link LearnerStore} (one entry per task, written when the task enrols) with only its size in the
 * {@link SharedState}, so a batch costs the same whatever the number of tasks: a membership test is one look-up and a
 * sample draws indices instead of reading the list.
 */
interface MemoryTasks {
    /** How many tasks are enrolled. */
    int size();

    /** The task at an index, {@code 0 <= index < size()}. */
    String get(int index);

    /** Whether a task is enrolled. */
    default boolean contains(String task) {
        return indexOf(task) >= 0;
    }

    /** A task's index, or -1 when it is not enrolled. */
    int indexOf(String task);

    /**
     * A task's index as the registry's entry for it says, not checked against the entry at that index: what
     * {@link #indexOf} answers, except after a crash under at-least-once left an entry of a batch that did not
     * complete. For leaving a batch's own tasks out of a draw ({@link MemoryContext#sampleOtherTasks}), where such an
     * answer costs one draw its exactness; enrolment asks {@link #indexOf}.
     */
    default int indexHint(String task) {
        return indexOf(task);
    }

    /**
     * A batch task's index for {@link #indexHint}, from the index its state recorded at enrolment when no task has
     * left the registry since ({@link #generation}): the state is in hand, so this reads nothing from the store. With
     * a million tasks the store's look-up of a returning task's entry was a fifth of the learner's thread (sixteenth
     * stop of issue 11): the entries are written once and sit in the oldest sorted runs. A state without a current
     * record asks {@link #indexHint}, and records the answer for its next write.
     */
    default int indexHint(String task, TaskState state) {
        if (state != null && state.memoryIndex >= 0 && state.memoryGeneration == generation()) {
            return state.memoryIndex < size() ? state.memoryIndex : -1; // past the count: an incomplete batch's
        }
        int i = indexHint(task);
        if (state != null) {
            state.recordMemoryIndex(i, generation());
        }
        return i;
    }

    /**
     * How many times a task has left the registry, which moves the last task to its index: an index recorded at an
     * earlier generation may be stale.
     */
    default long generation() {
        return 0;
    }

    /** Enrols a task that is not enrolled, at index {@code size()}; returns that index. */
    int add(String task);

    /**
     * Tells the registry a task is not enrolled, without asking the store: the learner knows it of a task it has no
     * state for (a task enrols with its first example, and leaves when its state is deleted), and most tasks are new
     * ones when there are many of a few examples each. (A crash under at-least-once that kept a task's entry but not
     * its state would have it enrolled a second time: drawn twice as often, and its stale entry left at removal, where
     * a draw of it finds no memory and replays nothing.)
     */
    default void notEnrolled(String task) {}

    /**
     * Removes a task (the last task takes its index); returns whether it was enrolled.
     */
    boolean remove(String task);

    /** Every enrolled task, in index order (reads them all: for tests and tools, not per batch). */
    default List<String> toList() {
        List<String> out = new ArrayList<>(size());
        for (int i = 0; i < size(); i++) {
            out.add(get(i));
        }
        return out;
    }

    /** A registry over a plain list (which it changes), for tests. */
    static MemoryTasks of(List<String> list) {
        return new MemoryTasks() {
            @Override
            public int size() {
                return list.size();
            }

            @Override
            public String get(int index) {
                return list.get(index);
            }

            @Override
            public int indexOf(String task) {
                return list.indexOf(task);
            }

            @Override
            public int add(String task) {
                list.add(task);
                return list.size() - 1;
            }

            @Override
            public boolean remove(String task) {
                int i = list.indexOf(task);
                if (i < 0) {
                    return false;
                }
                String last = list.remove(list.size() - 1);
                if (i < list.size()) {
                    list.set(i, last);
                }
                return true;
            }
        };
    }

    /**
     * The learner's registry: entries in the store ({@link LearnerStore#putMemoryTask}), the count in
     * {@code shared.memoryTaskCount}. An entry at or beyond the count (written by a batch that did not complete) is
     * not enrolled, and is overwritten by the next enrolment.
     *
     * <p>The registry remembers the indices it read and wrote for the tasks seen most recently ({@value #INDEX_MEMO}
     * at most), enrolled or not: a batch asks for its tasks' indices when it remembers their examples and again when
     * it draws other tasks to replay, and each answer from the store is two look-ups (the task's index, then the task
     * at it), a tenth of the learner's time in RocksDB with 200,000 short tasks. This registry is the store's only
     * writer, so what it remembers stays exact; an index at or past the count still reads as not enrolled.
     */
    static MemoryTasks of(LearnerStore store, SharedState shared) {
        return new MemoryTasks() {
            /** Task -> its index as last read or written, -1 for a task not enrolled; most recently used last. */
            private final java.util.LinkedHashMap<String, Integer> indices =
                    new java.util.LinkedHashMap<>(256, 0.75f, true) {
                        @Override
                        protected boolean removeEldestEntry(java.util.Map.Entry<String, Integer> eldest) {
                            return size() > INDEX_MEMO;
                        }
                    };

            @Override
            public int size() {
                return shared.memoryTaskCount;
            }

            @Override
            public String get(int index) {
                if (index < 0 || index >= shared.memoryTaskCount) {
                    throw new IndexOutOfBoundsException(index);
                }
                return store.memoryTask(index);
            }

            @Override
            public int indexOf(String task) {
                Integer known = indices.get(task);
                int i;
                if (known != null) {
                    i = known;
                } else {
                    int stored = store.memoryTaskIndex(task);
                    i = stored >= 0 && stored < shared.memoryTaskCount && task.equals(store.memoryTask(stored))
                            ? stored : -1;
                    indices.put(task, i);
                }
                return i >= 0 && i < shared.memoryTaskCount ? i : -1;
            }

            @Override
            public void notEnrolled(String task) {
                indices.put(task, -1);
            }

            @Override
            public int indexHint(String task) {
                Integer known = indices.get(task);
                if (known != null) {
                    return known >= 0 && known < shared.memoryTaskCount ? known : -1;
                }
                // One look-up instead of two (a returning task's entry and the task at its index). Without an entry,
                // or past the count, the task is not enrolled, as indexOf says, and that answer is remembered.
                int stored = store.memoryTaskIndex(task);
                if (stored < 0 || stored >= shared.memoryTaskCount) {
                    indices.put(task, -1);
                    return -1;
                }
                return stored;
            }

            @Override
            public long generation() {
                return shared.memoryTaskRemovals;
            }

            @Override
            public int add(String task) {
                store.putMemoryTask(shared.memoryTaskCount, task);
                indices.put(task, shared.memoryTaskCount);
                return shared.memoryTaskCount++;
            }

            @Override
            public boolean remove(String task) {
                int i = indexOf(task);
                if (i < 0) {
                    return false;
                }
                int last = shared.memoryTaskCount - 1;
                store.deleteMemoryTask(task);
                indices.put(task, -1);
                if (i < last) {
                    String moved = store.memoryTask(last);
                    store.putMemoryTask(i, moved);
                    indices.put(moved, i);
                }
                shared.memoryTaskCount--;
                shared.memoryTaskRemovals++;
                return true;
            }
        };
    }

    /** Tasks whose registry index the learner's registry remembers (see {@link #of(LearnerStore, SharedState)}). */
    int INDEX_MEMO = 16_384;
}
