package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The learner's on-heap task cache admits a state read from the store only when its task was read lately
 * ({@link RecentTasks}): a task met once is used and dropped, a task that comes back is cached, and which states are
 * cached never changes what is learned.
 */
class TaskCacheAdmissionTest {
    private static final int DIM = 5;

    private static Properties props() {
        Properties p = new Properties();
        p.setProperty("input.dim", String.valueOf(DIM));
        p.setProperty("task.classes", "3");
        p.setProperty("model.trunk.layers", "8");
        p.setProperty("learner.batch.size", "4");
        return p;
    }

    /** Counts the task states the learner reads from its store (an in-memory store, behind a proxy). */
    private static final class CountingStore {
        final InMemoryLearnerStore inner = new InMemoryLearnerStore();
        int reads;
        /** Reads of the tasks whose ids start with "old-". */
        int oldReads;
        final LearnerStore store = (LearnerStore) java.lang.reflect.Proxy.newProxyInstance(
                LearnerStore.class.getClassLoader(), new Class<?>[] {LearnerStore.class}, (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(inner, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().equals("task") && result != null) {
                        reads++;
                        oldReads += ((String) args[0]).startsWith("old-") ? 1 : 0;
                    }
                    return result;
                });
    }

    private static Instance example(SplittableRandom r, String task, long i) {
        float[] x = new float[DIM];
        for (int j = 0; j < DIM; j++) {
            x[j] = (float) r.nextGaussian();
        }
        float[] t = new float[3];
        t[x[0] > 0 ? 0 : (x[1] > 0 ? 1 : 2)] = 1;
        return new Instance(task, x, t, "e" + i, i);
    }

    /**
     * Observes, then flushes, as a commit after every record would (TopologyTestDriver's cadence): a state changed
     * since the last flush is served from the learner itself, never the store, and these tests count the store's reads.
     */
    private static void observeAndFlush(StreamingLearner learner, Instance in) {
        learner.observe(in);
        learner.flush();
    }

    @Test
    void aTaskThatComesBackSoonIsReadFromTheStoreAtMostTwice() {
        CountingStore store = new CountingStore();
        StreamingLearner learner = new StreamingLearner(LearnerConfig.from(props()), store.store, "t", LearnerEvents.NONE);
        SplittableRandom r = new SplittableRandom(1);
        // 300 tasks in turn: each comes back after 299 others, past the window of states just read (2 batches + 64),
        // so its second read from the store (or a replay's) admits it to the cache and the later rounds find it there.
        int afterTwoRounds = -1;
        for (int round = 0; round < 6; round++) {
            for (int task = 0; task < 300; task++) {
                observeAndFlush(learner, example(r, "task-" + task, round * 300L + task));
            }
            if (round == 1) {
                afterTwoRounds = store.reads;
            }
        }
        assertThat(afterTwoRounds).isPositive().isLessThanOrEqualTo(2 * 300);
        assertThat(store.reads).isEqualTo(afterTwoRounds);
    }

    @Test
    void aTaskReadOnceLongAgoIsUsedAndDroppedAndCachedAtItsNextRead() {
        CountingStore store = new CountingStore();
        Properties p = props();
        p.setProperty("memory.strategy", "none"); // replay would read other tasks too: only the examples' reads here
        StreamingLearner learner = new StreamingLearner(LearnerConfig.from(p), store.store, "t", LearnerEvents.NONE);
        SplittableRandom r = new SplittableRandom(2);
        long[] i = {0};
        Runnable old = () -> {
            for (int task = 0; task < 100; task++) {
                observeAndFlush(learner, example(r, "old-" + task, i[0]++));
            }
        };
        java.util.function.IntConsumer others = n -> {
            for (int k = 0; k < n; k++) {
                observeAndFlush(learner, example(r, "other-" + i[0], i[0]++));
            }
        };
        old.run();
        // 40,000 other tasks, each met once: the old tasks' marks (a table of 16,384 for the default cache of 10,000)
        // are overwritten, and none of these tasks enters the cache.
        others.accept(40_000);
        int before = store.oldReads;
        old.run();
        assertThat(store.oldReads - before).isEqualTo(100);
        // Past the window of states just read, the old tasks come back: those read once, long before, were not
        // cached, and are read again; this read admits them.
        others.accept(200);
        before = store.oldReads;
        old.run();
        int notCached = store.oldReads - before;
        assertThat(notCached).isGreaterThanOrEqualTo(80);
        others.accept(200);
        before = store.oldReads;
        old.run();
        assertThat(store.oldReads - before).isLessThanOrEqualTo(100 - notCached + 5);
    }

    @Test
    void whichStatesAreCachedNeverChangesWhatIsLearned() {
        List<Instance> data = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 3_000; i++) {
            // A few busy tasks and many that come once or twice: cached, just read, and re-read states all learn.
            String task = r.nextInt(4) == 0 ? "busy-" + r.nextInt(5) : "rare-" + r.nextInt(1_500);
            data.add(example(r, task, i));
        }
        Properties small = props();
        small.setProperty("learner.task.cache.size", "1");
        StreamingLearner cached = new StreamingLearner(LearnerConfig.from(props()), new InMemoryLearnerStore(), "t",
                LearnerEvents.NONE);
        StreamingLearner uncached = new StreamingLearner(LearnerConfig.from(small), new InMemoryLearnerStore(), "t",
                LearnerEvents.NONE);
        for (Instance in : data) {
            assertThat(cached.observe(in).output()).containsExactly(uncached.observe(in).output());
        }
        assertThat(cached.shared().trunk()).containsExactly(uncached.shared().trunk());
    }
}
