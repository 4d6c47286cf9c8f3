package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The store-backed registry of memory tasks, its migration from the old list, and sampling among many tasks. */
class MemoryTasksTest {

    static LearnerConfig config() {
        Properties p = new Properties();
        p.setProperty("input.dim", "6");
        p.setProperty("task.classes", "2");
        p.setProperty("model.trunk.layers", "8");
        p.setProperty("learner.batch.size", "8");
        p.setProperty("memory.strategy", "replay");
        p.setProperty("memory.tasks.per.step", "4");
        p.setProperty("meta.enabled", "false");
        return LearnerConfig.from(p);
    }

    static List<Instance> stream(int tasks, int n, long seed) {
        Random r = new Random(seed);
        List<Instance> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] t = new float[2];
            t[r.nextInt(2)] = 1;
            out.add(new Instance("t" + r.nextInt(tasks), GradCheck.gaussian(r, 6, 1), t, "id" + i, i));
        }
        return out;
    }

    @Test
    void enrolsEachTaskOnceRemovesBySwappingTheLastAndKeepsOnlyTheCountInTheSharedState() {
        InMemoryLearnerStore store = new InMemoryLearnerStore();
        SharedState shared = new StreamingLearner(config(), store, "t", LearnerEvents.NONE).shared();
        MemoryTasks m = MemoryTasks.of(store, shared);
        for (String t : List.of("a", "b", "c", "d")) {
            assertThat(m.contains(t)).isFalse();
            m.add(t);
        }
        assertThat(m.toList()).containsExactly("a", "b", "c", "d");
        assertThat(m.remove("b")).isTrue();
        assertThat(m.remove("b")).isFalse();
        assertThat(m.toList()).containsExactly("a", "d", "c");
        assertThat(m.remove("c")).isTrue();
        assertThat(m.toList()).containsExactly("a", "d");
        assertThat(m.contains("c")).isFalse();
        m.add("c");
        assertThat(m.toList()).containsExactly("a", "d", "c");
        assertThat(shared.memoryTaskCount).isEqualTo(3);
        assertThat(SharedState.fromBytes(shared.toBytes()).memoryTaskCount).isEqualTo(3);
        // An entry past the count (a batch that did not complete) is not enrolled.
        store.putMemoryTask(3, "e");
        assertThat(m.contains("e")).isFalse();
        assertThat(MemoryTasks.of(store, shared).indexHint("e")).isEqualTo(-1);
        // Its index entry, once another task took the index, is what only indexOf checks.
        m.add("f");
        assertThat(m.indexOf("e")).isEqualTo(-1);
        store.putMemoryTask(3, "f");
        MemoryTasks fresh = MemoryTasks.of(store, shared);
        assertThat(fresh.indexHint("f")).isEqualTo(3);
        assertThat(fresh.indexOf("c")).isEqualTo(fresh.indexHint("c")).isEqualTo(2);
    }

    /**
     * A task the learner has no state for is not enrolled, and the learner says so: its first batch looks nothing up in
     * the registry (with many tasks of a few examples each, most of a batch's tasks are new), and it enrols all the same.
     */
    @Test
    void aNewTasksFirstBatchDoesNotLookItUpInTheRegistry() {
        InMemoryLearnerStore backing = new InMemoryLearnerStore();
        java.util.concurrent.atomic.AtomicInteger lookUps = new java.util.concurrent.atomic.AtomicInteger();
        LearnerStore counting = (LearnerStore) java.lang.reflect.Proxy.newProxyInstance(
                LearnerStore.class.getClassLoader(), new Class<?>[] {LearnerStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("memoryTaskIndex")) {
                        lookUps.incrementAndGet();
                    }
                    try {
                        return method.invoke(backing, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        Properties p = new Properties();
        p.setProperty("input.dim", "4");
        p.setProperty("task.classes", "3");
        p.setProperty("model.trunk.layers", "4");
        p.setProperty("learner.batch.size", "4");
        StreamingLearner learner = new StreamingLearner(LearnerConfig.from(p), counting, "t", LearnerEvents.NONE);
        Random r = new Random(3);
        for (int i = 0; i < 4; i++) {
            float[] t = new float[3];
            t[r.nextInt(3)] = 1;
            learner.observe(new Instance("new-" + i, GradCheck.gaussian(r, 4, 1), t, "id" + i, 1000 + i));
        }
        assertThat(lookUps).hasValue(0);
        assertThat(learner.memoryTaskIds()).containsExactlyInAnyOrder("new-0", "new-1", "new-2", "new-3");
    }

    /**
     * A returning task's state recorded its registry index at enrolment: a learner that remembers nothing (rebuilt from
     * its store) leaves the batch's tasks out of the replay draw without looking their entries up. Once a task has left
     * the registry (which moves the last task to its index) the records are stale, and the entries are read again.
     */
    @Test
    void aReturningTasksStateSavesItsRegistryLookUpUntilATaskLeaves() {
        InMemoryLearnerStore backing = new InMemoryLearnerStore();
        java.util.concurrent.atomic.AtomicInteger lookUps = new java.util.concurrent.atomic.AtomicInteger();
        LearnerStore counting = (LearnerStore) java.lang.reflect.Proxy.newProxyInstance(
                LearnerStore.class.getClassLoader(), new Class<?>[] {LearnerStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("memoryTaskIndex")) {
                        lookUps.incrementAndGet();
                    }
                    try {
                        return method.invoke(backing, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        Random r = new Random(4);
        List<String> tasks = List.of("a", "b", "c", "d", "e", "f", "g", "h");
        StreamingLearner first = new StreamingLearner(config(), counting, "t", LearnerEvents.NONE);
        for (String t : tasks) {
            first.observe(example(r, t));
        }
        first.flush(); // as a commit does
        StreamingLearner again = new StreamingLearner(config(), counting, "t", LearnerEvents.NONE);
        for (String t : tasks) {
            again.observe(example(r, t));
        }
        assertThat(lookUps).hasValue(0);
        again.resetTask("h", 0); // "h" was last: nothing moves, but a removal makes every record stale
        int removal = lookUps.get(); // the removal's own look-up of "h"
        again.flush();
        StreamingLearner third = new StreamingLearner(config(), counting, "t", LearnerEvents.NONE);
        for (String t : tasks.subList(0, 7)) {
            third.observe(example(r, t));
        }
        third.observe(example(r, "a"));
        assertThat(lookUps).hasValue(removal + 7);
        assertThat(third.memoryTaskIds()).containsExactly("a", "b", "c", "d", "e", "f", "g");
        // The entries read were recorded again: a learner rebuilt once more reads none.
        third.flush();
        StreamingLearner fourth = new StreamingLearner(config(), counting, "t", LearnerEvents.NONE);
        for (String t : tasks.subList(0, 7)) {
            fourth.observe(example(r, t));
        }
        fourth.observe(example(r, "b"));
        assertThat(lookUps).hasValue(removal + 7);
    }

    private static Instance example(Random r, String task) {
        float[] t = new float[2];
        t[r.nextInt(2)] = 1;
        return new Instance(task, GradCheck.gaussian(r, 6, 1), t, task + r.nextLong(), 1000);
    }

    /** The index a state records answers as the registry's store does, through random enrolments and removals. */
    @Test
    void anIndexAStateRecordedAnswersAsTheStore() {
        InMemoryLearnerStore store = new InMemoryLearnerStore();
        SharedState shared = new StreamingLearner(config(), store, "t", LearnerEvents.NONE).shared();
        MemoryTasks m = MemoryTasks.of(store, shared);
        java.util.Map<String, TaskState> states = new java.util.HashMap<>();
        Random r = new Random(6);
        for (int op = 0; op < 5_000; op++) {
            String t = "t" + r.nextInt(200);
            TaskState st = states.computeIfAbsent(t, k -> new TaskState(k, "s"));
            if (r.nextInt(8) == 0) {
                m.remove(t);
            } else if (!m.contains(t)) {
                st.recordMemoryIndex(m.add(t), m.generation());
            }
            if (op % 97 == 0) {
                MemoryTasks fresh = MemoryTasks.of(store, shared);
                for (var e : states.entrySet()) {
                    assertThat(fresh.indexHint(e.getKey(), e.getValue())).as("op %d task %s", op, e.getKey())
                            .isEqualTo(m.indexOf(e.getKey()));
                }
            }
        }
        assertThat(shared.memoryTaskRemovals).isPositive();
        assertThat(SharedState.fromBytes(shared.toBytes()).memoryTaskRemovals).isEqualTo(shared.memoryTaskRemovals);
    }

    /**
     * The registry remembers the indices it read and wrote: under random enrolments and removals it answers as the
     * plain list, and as a registry that has remembered nothing reads the same store.
     */
    @Test
    void theIndicesItRemembersStayThoseOfTheStore() {
        InMemoryLearnerStore store = new InMemoryLearnerStore();
        SharedState shared = new StreamingLearner(config(), store, "t", LearnerEvents.NONE).shared();
        MemoryTasks m = MemoryTasks.of(store, shared);
        List<String> reference = new ArrayList<>();
        Random r = new Random(5);
        for (int op = 0; op < 20_000; op++) {
            String t = "t" + r.nextInt(op < 10_000 ? 300 : 30_000); // later, more tasks than it remembers
            if (r.nextInt(4) == 0) {
                boolean removed = reference.remove(t);
                if (removed) {
                    // the plain list's order after a swap-remove, for toList below
                    reference.clear();
                    reference.addAll(listAfterSwapRemove(m, t));
                }
                assertThat(m.remove(t)).as("op %d remove %s", op, t).isEqualTo(removed);
            } else if (!m.contains(t)) {
                assertThat(reference).doesNotContain(t);
                m.add(t);
                reference.add(t);
            }
            if (op % 997 == 0) {
                MemoryTasks fresh = MemoryTasks.of(store, shared);
                assertThat(m.toList()).isEqualTo(reference).isEqualTo(fresh.toList());
                for (int k = 0; k < 50; k++) {
                    String q = "t" + r.nextInt(30_000);
                    assertThat(m.indexOf(q)).as("op %d %s", op, q).isEqualTo(fresh.indexOf(q))
                            .isEqualTo(reference.indexOf(q));
                    // Unchecked against the entry at the index, and the same answer where every write completed.
                    assertThat(MemoryTasks.of(store, shared).indexHint(q)).as("op %d hint %s", op, q)
                            .isEqualTo(reference.indexOf(q));
                }
            }
        }
    }

    /** The registry's order once {@code task} is removed (the last task takes its index), read before removing. */
    private static List<String> listAfterSwapRemove(MemoryTasks m, String task) {
        List<String> l = new ArrayList<>(m.toList());
        int i = l.indexOf(task);
        String last = l.remove(l.size() - 1);
        if (i < l.size()) {
            l.set(i, last);
        }
        return l;
    }

    @Test
    void sharedStateSizeDoesNotGrowWithTheTasks() {
        InMemoryLearnerStore store = new InMemoryLearnerStore();
        StreamingLearner l = new StreamingLearner(config(), store, "t", LearnerEvents.NONE);
        stream(10, 80, 1).forEach(l::observe);
        l.flush();
        int few = store.shared().toBytes().length;
        stream(2000, 4000, 2).forEach(l::observe);
        l.flush();
        assertThat(store.shared().memoryTaskCount).isGreaterThan(1000);
        assertThat(store.shared().toBytes().length).isEqualTo(few);
    }

    /** A state written with the old list (every enrolled task in the shared state) still loads, into the registry. */
    @Test
    void aSharedStateWithTheOldListMigratesToTheRegistryAndLearnsAsBefore() {
        InMemoryLearnerStore store = new InMemoryLearnerStore();
        StreamingLearner l = new StreamingLearner(config(), store, "t", LearnerEvents.NONE);
        stream(30, 240, 3).forEach(l::observe);
        List<String> enrolled = l.memoryTaskIds();
        assertThat(enrolled).hasSize(30);
        l.flush();
        // Rewrite the state as earlier releases did: the list, no count, no registry entries.
        InMemoryLearnerStore old = MetaInitQualityTest.copy(store);
        SharedState legacy = store.shared();
        legacy.memoryTaskCount = 0;
        legacy.legacyMemoryTasks.addAll(enrolled);
        InMemoryLearnerStore legacyStore = new InMemoryLearnerStore();
        legacyStore.putShared(SharedState.fromBytes(legacy.toBytes()));
        old.forEachTask(legacyStore::putTask);
        for (String t : enrolled) {
            List<MemorySample> mem = old.memory(t);
            for (int i = 0; i < mem.size(); i++) {
                legacyStore.putMemorySample(t, i, mem.get(i));
            }
        }
        assertThat(legacyStore.memoryTask(0)).isNull();
        StreamingLearner migrated = new StreamingLearner(config(), legacyStore, "t", LearnerEvents.NONE);
        assertThat(migrated.memoryTaskIds()).containsExactlyElementsOf(enrolled);
        migrated.flush();
        assertThat(legacyStore.shared().legacyMemoryTasks).isEmpty();
        assertThat(legacyStore.shared().memoryTaskCount).isEqualTo(30);
        // The migrated learner and the original continue identically.
        StreamingLearner original = new StreamingLearner(config(), old, "t", LearnerEvents.NONE);
        List<Instance> more = stream(40, 160, 4);
        more.forEach(original::observe);
        more.forEach(migrated::observe);
        original.flush();
        migrated.flush();
        assertThat(legacyStore.shared().trunk()).isEqualTo(old.shared().trunk());
        assertThat(migrated.memoryTaskIds()).isEqualTo(original.memoryTaskIds());
    }

    /** With many tasks the sample is distinct tasks outside the batch, the same ones for the same batch. */
    @Test
    void samplingAmongManyTasksIsDistinctOutsideTheBatchAndSeeded() {
        LearnerConfig config = config();
        InMemoryLearnerStore store = new InMemoryLearnerStore();
        List<String> tasks = new ArrayList<>();
        for (int i = 0; i < 10_500; i++) {
            tasks.add("t" + i);
        }
        Set<String> batch = Set.of("t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8");
        Set<List<String>> differentBatches = new HashSet<>();
        for (long b = 0; b < 20; b++) {
            MemoryContext ctx = new MemoryContext(config, store, batch, tasks, b, t -> null, t -> null);
            List<String> s = ctx.sampleOtherTasks(5);
            assertThat(s).hasSize(4).doesNotHaveDuplicates().noneMatch(batch::contains);
            assertThat(new MemoryContext(config, store, batch, tasks, b, t -> null, t -> null).sampleOtherTasks(5))
                    .isEqualTo(s);
            differentBatches.add(s);
        }
        assertThat(differentBatches.size()).isGreaterThan(15);
        // Nearly every task in the batch: the few others are found.
        Set<String> most = new HashSet<>(tasks.subList(0, 10));
        MemoryContext ctx = new MemoryContext(config, store, most, tasks.subList(0, 12), 3, t -> null, t -> null);
        assertThat(ctx.sampleOtherTasks(5)).containsExactlyInAnyOrder("t10", "t11");
    }

    /**
     * The lazy shuffle draws exactly what shuffling the whole list of enrolled tasks outside the batch drew (the
     * sampler every stored figure was measured with), and reads only the batch's and the drawn tasks' entries.
     */
    @Test
    void samplingMatchesTheWholeListShuffleAndReadsOnlyWhatItDraws() {
        LearnerConfig config = config();
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + random.nextInt(trial < 200 ? 40 : 5_000);
            List<String> tasks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                tasks.add("t" + i);
            }
            Set<String> batch = new HashSet<>();
            int inBatch = random.nextInt(Math.min(n, 33) + 1);
            while (batch.size() < inBatch) {
                batch.add("t" + random.nextInt(n));
            }
            batch.add("new-" + trial); // a batch task not enrolled yet
            long batchNumber = random.nextLong(1_000_000);
            long salt = random.nextLong();
            int[] reads = new int[1];
            MemoryTasks counted = countingReads(MemoryTasks.of(tasks), reads);
            List<String> lazy = new MemoryContext(config, new InMemoryLearnerStore(), batch, counted, batchNumber,
                    t -> null, t -> null).sampleOtherTasks(salt);
            assertThat(lazy).as("trial %d, %d tasks, %d in the batch", trial, n, batch.size())
                    .isEqualTo(wholeListShuffle(config, tasks, batch, batchNumber, salt));
            assertThat(reads[0]).isLessThanOrEqualTo(config.memory().tasksPerStep());
        }
    }

    /** The sampler before the registry: every enrolled task outside the batch listed, then a partial Fisher-Yates. */
    private static List<String> wholeListShuffle(LearnerConfig config, List<String> tasks, Set<String> batch,
                                                 long batchNumber, long salt) {
        List<String> candidates = new ArrayList<>();
        for (String t : tasks) {
            if (!batch.contains(t)) {
                candidates.add(t);
            }
        }
        int k = Math.min(config.memory().tasksPerStep(), candidates.size());
        List<String> chosen = new ArrayList<>();
        long bits = Seeds.mix(config.seed() ^ salt, batchNumber);
        for (int i = 0; i < k; i++) {
            bits = Seeds.mix(bits, i);
            int j = i + (int) Math.floorMod(bits, (long) (candidates.size() - i));
            String c = candidates.get(j);
            candidates.set(j, candidates.get(i));
            candidates.set(i, c);
            chosen.add(c);
        }
        return chosen;
    }

    private static MemoryTasks countingReads(MemoryTasks inner, int[] reads) {
        return new MemoryTasks() {
            @Override
            public int size() {
                return inner.size();
            }

            @Override
            public String get(int index) {
                reads[0]++;
                return inner.get(index);
            }

            @Override
            public int indexOf(String task) {
                return inner.indexOf(task);
            }

            @Override
            public int add(String task) {
                return inner.add(task);
            }

            @Override
            public boolean remove(String task) {
                return inner.remove(task);
            }
        };
    }

    /** A learner over many tasks, restarted from its store mid-stream, continues exactly as one that was not. */
    @Test
    void restartWithManyTasksReplaysIdentically() {
        List<Instance> data = stream(400, 1200, 5);
        InMemoryLearnerStore a = new InMemoryLearnerStore();
        StreamingLearner one = new StreamingLearner(config(), a, "t", LearnerEvents.NONE);
        data.forEach(one::observe);
        InMemoryLearnerStore b = new InMemoryLearnerStore();
        StreamingLearner first = new StreamingLearner(config(), b, "t", LearnerEvents.NONE);
        data.subList(0, 603).forEach(first::observe);
        first.flush(); // as a commit does
        StreamingLearner second = new StreamingLearner(config(), b, "t", LearnerEvents.NONE);
        data.subList(603, data.size()).forEach(second::observe);
        one.flush();
        second.flush();
        assertThat(b.shared().toBytes()).isEqualTo(a.shared().toBytes());
        assertThat(second.memoryTaskIds()).isEqualTo(one.memoryTaskIds());
    }
}
