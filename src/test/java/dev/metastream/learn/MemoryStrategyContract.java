package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Generic contract every {@link MemoryStrategy} satisfies; each strategy's test class extends it. */
abstract class MemoryStrategyContract {
    static final List<String> TASKS = List.of("a", "b", "c");

    /** @return the strategy under test, as {@link MemoryStrategy#of} makes it */
    protected abstract MemoryStrategy newStrategy();

    /** @return the canonical {@code memory.strategy} name */
    protected abstract String expectedName();

    /** @return the enum value the name parses to */
    protected abstract MemoryConfig.Strategy expectedKind();

    /** @return other names {@code memory.strategy} accepts for it */
    protected List<String> aliases() {
        return List.of();
    }

    /** A small learner: 6 inputs, 2 classes, one hidden layer of 8, batches of 8, up to 4 other tasks per step. */
    static LearnerConfig config(String strategy) {
        Properties p = new Properties();
        p.setProperty("input.dim", "6");
        p.setProperty("task.classes", "2");
        p.setProperty("model.trunk.layers", "8");
        p.setProperty("learner.batch.size", "8");
        p.setProperty("memory.strategy", strategy);
        p.setProperty("memory.tasks.per.step", "4");
        p.setProperty("memory.samples.per.task", "16");
        p.setProperty("meta.enabled", "false");
        return LearnerConfig.from(p);
    }

    LearnerConfig config() {
        return config(expectedName());
    }

    static List<Instance> examples(String task, int n, long seed) {
        Random rnd = new Random(seed);
        List<Instance> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] x = GradCheck.gaussian(rnd, 6, 1);
            float[] t = new float[2];
            t[x[0] > 0 ? 1 : 0] = 1f;
            out.add(new Instance(task, x, t, null, i));
        }
        return out;
    }

    /**
     * Tasks a, b, c learned 32 examples each by a replay learner (so their memories hold samples whatever the strategy
     * under test keeps), then given a random reference gradient each.
     */
    static InMemoryLearnerStore learnedMemories() {
        InMemoryLearnerStore store = new InMemoryLearnerStore();
        StreamingLearner l = new StreamingLearner(config("replay"), store, "t", LearnerEvents.NONE);
        for (int i = 0; i < TASKS.size(); i++) {
            examples(TASKS.get(i), 32, i + 1).forEach(l::observe);
        }
        assertThat(l.pendingCount()).isZero();
        l.flush();
        SharedState shared = store.shared();
        assertThat(MemoryTasks.of(store, shared).toList()).containsExactlyElementsOf(TASKS);
        Random r = new Random(7);
        for (String t : TASKS) {
            assertThat(store.memory(t)).hasSize(32);
            store.putReferenceGradient(t,
                    new ReferenceGradient(GradCheck.gaussian(r, shared.trunk.length, 1), shared.batches, 16));
        }
        return store;
    }

    /** The context learnPending builds for a batch of {@code batch}, reading reference gradients from the store. */
    MemoryContext context(LearnerStore store, Set<String> batch, List<String> memoryTasks) {
        return context(store, batch, memoryTasks, store::referenceGradient);
    }

    MemoryContext context(LearnerStore store, Set<String> batch, List<String> memoryTasks,
            Function<String, ReferenceGradient> refs) {
        SharedState shared = store.shared();
        return new MemoryContext(config(), store, batch, memoryTasks, shared == null ? 0 : shared.batches, store::task,
                refs);
    }

    /** A batch of the new task d over the learned memories of a, b, c. */
    MemoryContext learnedContext(InMemoryLearnerStore store) {
        return context(store, Set.of("d"), TASKS);
    }

    /** Minus the sum of the stored reference gradients: conflicts with their mean and with at least one of them. */
    static float[] conflicting(LearnerStore store) {
        float[] g = new float[store.shared().trunk.length];
        for (String t : TASKS) {
            float[] r = store.referenceGradient(t).gradient();
            for (int j = 0; j < g.length; j++) {
                g[j] -= r[j];
            }
        }
        return g;
    }

    /** Replayed rows as exact text (task, features, target), to compare two replays. */
    static List<String> describe(List<MemoryStrategy.Replayed> rows) {
        return rows.stream().map(r -> r.state().task() + " " + Arrays.toString(r.sample().x()) + " "
                + Arrays.toString(r.sample().target())).toList();
    }

    /**
     * {@link MemoryStrategy#remember}: a strategy that keeps memories fills a new task's reservoir (at most
     * {@code memory.per.task} samples, every example counted) and enrols the task; one that does not touches nothing.
     */
    @Test
    void remembersTheBatchExactlyWhenItKeepsMemory() {
        LearnerConfig config = config();
        InMemoryLearnerStore store = new InMemoryLearnerStore();
        List<String> memoryTasks = new ArrayList<>();
        TaskState z = new TaskState("z", config.taskSpec("z").shapeKey());
        Map<String, TaskState> states = new HashMap<>(Map.of("z", z));
        int n = config.memory().perTask() + 10;
        MemoryContext ctx = new MemoryContext(config, store, Set.of("z"), memoryTasks, 0, states::get, t -> null);
        MemoryStrategy strategy = newStrategy();
        strategy.remember(ctx, examples("z", n, 5), states);
        if (strategy.keepsMemory()) {
            assertThat(store.memory("z")).hasSize(config.memory().perTask());
            assertThat(z.memorySeen).isEqualTo(n);
            assertThat(memoryTasks).containsExactly("z");
        } else {
            assertThat(store.memory("z")).isEmpty();
            assertThat(z.memorySeen).isZero();
            assertThat(memoryTasks).isEmpty();
        }
    }

    @Test
    void configNameGivesThisStrategy() {
        MemoryStrategy s = MemoryStrategy.of(config());
        assertThat(s.getClass()).isEqualTo(newStrategy().getClass());
        assertThat(s.keepsMemory()).isEqualTo(newStrategy().keepsMemory());
    }

    @Test
    void parseRoundTripsNamesAndRejectsUnknownOnesNamingTheKey() {
        MemoryConfig.Strategy kind = expectedKind();
        assertThat(MemoryConfig.Strategy.parse(expectedName())).isEqualTo(kind);
        assertThat(MemoryConfig.Strategy.parse(kind.name().toLowerCase())).isEqualTo(kind);
        assertThat(MemoryConfig.Strategy.parse(" " + expectedName().toUpperCase() + " ")).isEqualTo(kind);
        for (String alias : aliases()) {
            assertThat(MemoryConfig.Strategy.parse(alias)).as(alias).isEqualTo(kind);
        }
        assertThat(config().memory().strategy()).isEqualTo(kind);
        assertThatThrownBy(() -> config(expectedName() + "-x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("memory.strategy=" + expectedName() + "-x")
                .hasMessageContaining(expectedName());
    }

    @Test
    void keepsMemoryIsWhetherTheHooksUseMemory() {
        InMemoryLearnerStore store = learnedMemories();
        MemoryStrategy s = newStrategy();
        MemoryContext ctx = learnedContext(store);
        float[] g = conflicting(store);
        boolean usesMemory = !s.replay(ctx).isEmpty() | s.project(ctx, g);
        assertThat(usesMemory).isEqualTo(s.keepsMemory());
    }

    @Test
    void learnerFillsMemoriesExactlyWhenTheStrategyKeepsThem() {
        InMemoryLearnerStore store = new InMemoryLearnerStore();
        StreamingLearner l = new StreamingLearner(config(), store, "t", LearnerEvents.NONE);
        examples("a", 16, 1).forEach(l::observe);
        examples("b", 16, 2).forEach(l::observe);
        l.flush();
        boolean keeps = newStrategy().keepsMemory();
        assertThat(store.memory("a").isEmpty()).isEqualTo(!keeps);
        assertThat(store.memory("b").isEmpty()).isEqualTo(!keeps);
        assertThat(store.shared().memoryTaskCount == 0).isEqualTo(!keeps);
    }

    @Test
    void emptyMemoryGivesNothingToReplayAndNoProjection() {
        MemoryStrategy s = newStrategy();
        Random r = new Random(3);
        // A fresh partition, one whose tasks exist but whose memories are empty, and memory tasks with no state.
        InMemoryLearnerStore noMemory = new InMemoryLearnerStore();
        StreamingLearner l = new StreamingLearner(config("none"), noMemory, "t", LearnerEvents.NONE);
        TASKS.forEach(t -> examples(t, 8, 5).forEach(l::observe));
        l.flush();
        InMemoryLearnerStore fresh = new InMemoryLearnerStore();
        List<MemoryContext> contexts = List.of(
                context(fresh, Set.of("d"), List.of()),
                context(fresh, Set.of("d"), TASKS),
                context(noMemory, Set.of("d"), List.of()),
                context(noMemory, Set.of("d"), TASKS));
        for (MemoryContext ctx : contexts) {
            assertThat(s.replay(ctx)).isEmpty();
            float[] g = GradCheck.gaussian(r, noMemory.shared().trunk.length, 1);
            float[] before = g.clone();
            assertThat(s.project(ctx, g)).isFalse();
            assertThat(g).isEqualTo(before);
        }
    }

    @Test
    void nothingToProtectWhenEveryMemoryTaskIsInTheBatch() {
        InMemoryLearnerStore store = learnedMemories();
        MemoryStrategy s = newStrategy();
        MemoryContext ctx = context(store, Set.copyOf(TASKS), TASKS);
        assertThat(s.replay(ctx)).isEmpty();
        float[] g = conflicting(store);
        float[] before = g.clone();
        assertThat(s.project(ctx, g)).isFalse();
        assertThat(g).isEqualTo(before);
    }

    @Test
    void noReferenceGradientsMeansNoProjection() {
        InMemoryLearnerStore store = learnedMemories();
        float[] g = conflicting(store);
        float[] before = g.clone();
        assertThat(newStrategy().project(context(store, Set.of("d"), TASKS, t -> null), g)).isFalse();
        assertThat(g).isEqualTo(before);
    }

    @Test
    void replayDrawsOnlyOtherTasksMemories() {
        InMemoryLearnerStore store = learnedMemories();
        for (Set<String> batch : List.of(Set.of("d"), Set.of("a"), Set.of("a", "d"), Set.of("b", "c"))) {
            MemoryContext ctx = context(store, batch, TASKS);
            List<MemoryStrategy.Replayed> rows = newStrategy().replay(ctx);
            assertThat(rows.size()).isLessThanOrEqualTo(
                    config().memory().tasksPerStep() * config().memory().samplesPerTask());
            for (MemoryStrategy.Replayed row : rows) {
                String task = row.state().task();
                assertThat(task).isIn(TASKS).isNotIn(batch);
                assertThat(describe(store.memory(task).stream()
                        .map(m -> new MemoryStrategy.Replayed(row.state(), m)).toList()))
                        .contains(describe(List.of(row)).get(0));
            }
        }
    }

    @Test
    void projectNeverMakesAFiniteGradientNonFinite() {
        MemoryStrategy s = newStrategy();
        InMemoryLearnerStore store = learnedMemories();
        int n = store.shared().trunk.length;
        Random r = new Random(11);
        float[] base = GradCheck.gaussian(r, n, 1);
        float[] minus = base.clone();
        for (int j = 0; j < n; j++) {
            minus[j] = -minus[j];
        }
        List<List<float[]>> referenceSets = new ArrayList<>();
        for (double scale : new double[] {1e-30, 1e-3, 1, 1e15, 1e30}) {
            referenceSets.add(List.of(GradCheck.gaussian(r, n, scale), GradCheck.gaussian(r, n, scale),
                    GradCheck.gaussian(r, n, scale)));
        }
        referenceSets.add(List.of(base, minus, base.clone())); // duplicate and opposite constraints
        referenceSets.add(List.of(new float[n], base, new float[n])); // zero references
        for (List<float[]> refs : referenceSets) {
            Map<String, ReferenceGradient> byTask = new HashMap<>();
            for (int i = 0; i < TASKS.size(); i++) {
                byTask.put(TASKS.get(i), new ReferenceGradient(refs.get(i), 0, 16));
            }
            MemoryContext ctx = context(store, Set.of("d"), TASKS, byTask::get);
            for (double gScale : new double[] {1e-30, 1, 1e30}) {
                for (int trial = 0; trial < 20; trial++) {
                    float[] g = GradCheck.gaussian(r, n, gScale);
                    if (trial % 2 == 0) { // make it conflict with the first reference
                        float[] ref = refs.get(0);
                        for (int j = 0; j < n; j++) {
                            g[j] = (float) (g[j] - 3 * gScale * Math.signum(ref[j]));
                        }
                    }
                    float[] before = g.clone();
                    boolean changed = s.project(ctx, g);
                    for (float v : g) {
                        assertThat(Float.isFinite(v)).as("scale %s, g scale %s", refs.get(0)[0], gScale).isTrue();
                    }
                    if (!changed) {
                        assertThat(g).isEqualTo(before);
                    }
                }
            }
        }
    }

    @Test
    void hooksAreDeterministic() {
        // Two stores built the same way: the same context gives the same rows and the same projected gradient.
        InMemoryLearnerStore first = learnedMemories();
        InMemoryLearnerStore second = learnedMemories();
        MemoryStrategy s = newStrategy();
        for (Set<String> batch : List.of(Set.of("d"), Set.of("a"))) {
            List<String> rows = describe(s.replay(context(first, batch, TASKS)));
            assertThat(describe(s.replay(context(first, batch, TASKS)))).isEqualTo(rows);
            assertThat(describe(newStrategy().replay(context(second, batch, TASKS)))).isEqualTo(rows);

            float[] g1 = conflicting(first);
            float[] g2 = conflicting(second);
            float[] g3 = g1.clone();
            boolean c1 = s.project(context(first, batch, TASKS), g1);
            assertThat(s.project(context(first, batch, TASKS), g3)).isEqualTo(c1);
            assertThat(newStrategy().project(context(second, batch, TASKS), g2)).isEqualTo(c1);
            assertThat(Arrays.equals(g1, g2)).isTrue();
            assertThat(Arrays.equals(g1, g3)).isTrue();
        }
    }
}
