package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Properties;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A young SGD head ({@link HeadSteps}): stored as its steps, rebuilt bit for bit while the initialisation stands still,
 * following the initialisation when it moves, a replayed step logged as its rows, and stored whole past
 * {@link HeadSteps#MAX_STEPS} entries.
 */
class HeadStepsTest {
    private static final int DIM = 6;

    private static Properties props(int batch) {
        Properties p = new Properties();
        p.setProperty("input.dim", String.valueOf(DIM));
        p.setProperty("task.classes", "10"); // a head of 24 inputs by 10 outputs: four steps are smaller than it
        p.setProperty("model.trunk.layers", "8");
        p.setProperty("learner.batch.size", String.valueOf(batch));
        return p;
    }

    private static Instance example(SplittableRandom r, String task, long i) {
        float[] x = new float[DIM];
        for (int j = 0; j < DIM; j++) {
            x[j] = (float) (3 * r.nextGaussian()); // large inputs: clipped steps are replayed too
        }
        float[] t = new float[10];
        t[x[0] > 0 ? 0 : (x[1] > 0 ? 1 : 2)] = 1;
        return new Instance(task, x, t, "e" + i, i);
    }

    /** The state as read back from its bytes, its head rebuilt on the learner's current initialisation. */
    private static TaskState readBack(StreamingLearner learner, TaskState live) {
        return StreamingLearner.withCurrentHead(learner.config(), learner.shared(), TaskState.fromBytes(live.toBytes()));
    }

    @Test
    void aYoungHeadIsStoredAsItsStepsAndRebuiltBitForBit() {
        // A batch longer than the stream: the initialisation does not move, so the rebuilt head is the learned one.
        StreamingLearner learner = new StreamingLearner(LearnerConfig.from(props(64)), new InMemoryLearnerStore(), "t",
                LearnerEvents.NONE);
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < HeadSteps.MAX_STEPS; i++) {
            learner.observe(example(r, "a", i));
            TaskState live = learner.task("a");
            assertThat(live.headSteps).isNotNull();
            assertThat(live.headSteps.count()).isEqualTo(i + 1);
            assertThat(TaskState.fromBytes(live.toBytes()).head).isNull();
            assertThat(readBack(learner, live).head()).containsExactly(live.head());
        }
        // One more step: stored whole from here on.
        learner.observe(example(r, "a", HeadSteps.MAX_STEPS));
        TaskState live = learner.task("a");
        assertThat(live.headSteps).isNull();
        assertThat(TaskState.fromBytes(live.toBytes()).head).containsExactly(live.head());
    }

    @Test
    void aYoungHeadFollowsTheInitialisationAndAnOlderOneDoesNot() {
        InMemoryLearnerStore store = new InMemoryLearnerStore();
        Properties p = props(4);
        p.setProperty("memory.strategy", "none"); // no replayed steps: only the examples' own
        StreamingLearner learner = new StreamingLearner(LearnerConfig.from(p), store, "t", LearnerEvents.NONE);
        SplittableRandom r = new SplittableRandom(2);
        long i = 0;
        learner.observe(example(r, "young", i++));
        for (int k = 0; k < HeadSteps.MAX_STEPS + 1; k++) {
            learner.observe(example(r, "old", i++));
        }
        float[] old = null;
        float[] before = null;
        for (int round = 0; round < 2; round++) {
            for (int k = 0; k < 8; k++) {
                learner.observe(example(r, "other-" + round + "-" + k, i++)); // batches that move the initialisation
            }
            learner.flush();
            TaskState young = learner.task("young");
            assertThat(young.headSteps.count()).isEqualTo(1);
            float[] expected = learner.shared().headInit().get(young.shapeKey).clone();
            young.headSteps.rebuild(expected, expected);
            assertThat(young.head()).containsExactly(expected);
            assertThat(readBack(learner, store.task("young")).head()).containsExactly(expected);
            if (before != null) {
                assertThat(young.head()).isNotEqualTo(before);
            }
            before = young.head().clone();
            TaskState older = learner.task("old");
            assertThat(older.headSteps).isNull();
            if (old != null) {
                assertThat(older.head()).containsExactly(old);
            }
            old = older.head().clone();
        }
    }

    @Test
    void aReplayedStepIsLoggedAsItsRowsAndRebuiltBitForBitUntilTheLogIsFull() {
        // The initialisation stands still (no meta-learning), so a rebuilt head must be the learned one bit for bit.
        InMemoryLearnerStore store = new InMemoryLearnerStore();
        Properties p = props(4);
        p.setProperty("memory.tasks.per.step", "4");
        p.setProperty("meta.enabled", "false");
        StreamingLearner learner = new StreamingLearner(LearnerConfig.from(p), store, "t", LearnerEvents.NONE);
        SplittableRandom r = new SplittableRandom(3);
        learner.observe(example(r, "replayed", 0));
        learner.observe(example(r, "replayed", 1)); // two samples in its memory: a replayed step is two rows
        int entries = 2;
        boolean dense = false;
        for (long i = 2; i < 400 && !dense; i++) {
            learner.observe(example(r, "other-" + (i % 3), i));
            learner.flush();
            TaskState live = learner.task("replayed");
            if (live.headSteps == null) {
                // The next replayed step (two rows) did not fit: the head is stored whole, as learned.
                assertThat(entries).isGreaterThan(HeadSteps.MAX_STEPS - 2);
                assertThat(store.task("replayed").head()).containsExactly(live.head());
                dense = true;
            } else {
                assertThat(live.headSteps.count()).isGreaterThanOrEqualTo(entries);
                entries = live.headSteps.count();
                TaskState stored = store.task("replayed"); // null until the first batch is learned
                if (stored != null) {
                    assertThat(readBack(learner, stored).head()).containsExactly(live.head());
                }
            }
        }
        // The only other task with memories, so the batches after it drew it: one replayed step was logged, then the
        // next one made it dense.
        assertThat(entries).isEqualTo(4);
        assertThat(dense).isTrue();
    }

    @Test
    void aStepOnSeveralRowsSumsThemInOrderThenStepsOnce() {
        HeadSteps steps = HeadSteps.start(20, 10, 10, 8, 2, 100f, HeadStepNormalization.PER_PART);
        SplittableRandom r = new SplittableRandom(8);
        float[][] a = {gaussian(r, 20), gaussian(r, 10)};
        float[][] b = {gaussian(r, 20), gaussian(r, 10)};
        float[] norms = {2f, 1f, 0.5f};
        HeadSteps logged = steps.add(java.util.List.of(a, b), norms, 0.1f);
        assertThat(logged.count()).isEqualTo(2);
        float[] init = gaussian(r, Head.parameterCount(20, 10));
        float[] expected = init.clone();
        float[] g = new float[init.length];
        Head.backward(expected, 20, 10, a[0], a[1], g, null);
        HeadSteps.step(expected, g, 20, 10, b[0], b[1], norms, 10, 8, 2, 100f, HeadStepNormalization.PER_PART, 0.1f);
        float[] rebuilt = new float[init.length];
        logged.rebuild(init, rebuilt);
        assertThat(rebuilt).containsExactly(expected);
        // A log that ends inside a step (its rows without the step) is refused on read.
        Codec.Writer w = new Codec.Writer(64);
        HeadSteps.start(20, 10, 10, 8, 2, 100f, HeadStepNormalization.PER_PART).add(java.util.List.of(a, b), norms, 0.1f)
                .write(w);
        byte[] bytes = w.toBytes();
        java.nio.ByteBuffer.wrap(bytes).putFloat(bytes.length - 4, Float.NaN);
        assertThatThrownBy(() -> HeadSteps.read(new Codec.Reader(bytes))).isInstanceOf(IllegalStateException.class);
        // More rows than the log has room for: stored whole.
        assertThat(HeadSteps.start(20, 10, 10, 8, 2, 100f, HeadStepNormalization.PER_PART)
                .add(java.util.List.of(a, b, a, b, a), norms, 0.1f)).isNull();
    }

    private static float[] gaussian(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int j = 0; j < n; j++) {
            v[j] = (float) r.nextGaussian();
        }
        return v;
    }

    @Test
    void headsThatLearnByMoreThanPlainSgdAreStoredWhole() {
        for (String[] setting : new String[][] {{"optimizer.head.momentum", "0.5"}, {"meta.proximal", "0.1"},
                {"meta.learning.rates", "meta-sgd"}, {"meta.head.classification", "prototype"}}) {
            Properties p = props(64);
            p.setProperty(setting[0], setting[1]);
            StreamingLearner learner = new StreamingLearner(LearnerConfig.from(p), new InMemoryLearnerStore(), "t",
                    LearnerEvents.NONE);
            learner.observe(example(new SplittableRandom(4), "a", 0));
            assertThat(learner.task("a").headSteps).as(setting[0]).isNull();
        }
    }

    @Test
    void aYoungHeadReadUnderAnotherClipNormIsStoredWholeFromThen() {
        InMemoryLearnerStore store = new InMemoryLearnerStore();
        StreamingLearner first = new StreamingLearner(LearnerConfig.from(props(1)), store, "t", LearnerEvents.NONE);
        first.observe(example(new SplittableRandom(5), "a", 0));
        first.flush();
        float[] head = first.task("a").head().clone(); // on the initialisation the batch moved
        assertThat(store.task("a").headSteps).isNotNull();
        Properties p = props(1);
        p.setProperty("optimizer.clip.norm", "0.5");
        StreamingLearner second = new StreamingLearner(LearnerConfig.from(p), store, "t", LearnerEvents.NONE);
        TaskState read = second.task("a");
        assertThat(read.head()).containsExactly(head);
        assertThat(read.headSteps).isNull();
    }

    @Test
    void writesAndReadsBackAndRefusesALogOfAnotherShape() {
        HeadSteps steps = HeadSteps.start(20, 3, 10, 8, 2, 10f, HeadStepNormalization.PER_PART);
        assertThat(HeadSteps.capacity(20, 3)).isEqualTo(2);
        SplittableRandom r = new SplittableRandom(6);
        float[] h = new float[20];
        float[] dz = new float[3];
        for (int s = 0; s < 2; s++) {
            for (int j = 0; j < h.length; j++) {
                h[j] = (float) r.nextGaussian();
            }
            for (int j = 0; j < dz.length; j++) {
                dz[j] = (float) r.nextGaussian();
            }
            steps = steps.add(h, dz, new float[] {1f, 2f, 0.5f}, 0.3f);
        }
        assertThat(steps.add(h, dz, new float[] {1f, 2f, 0.5f}, 0.3f)).isNull(); // full: stored whole
        Codec.Writer w = new Codec.Writer(64);
        steps.write(w);
        HeadSteps back = HeadSteps.read(new Codec.Reader(w.toBytes()));
        assertThat(back.count()).isEqualTo(2);
        assertThat(back.sameRule(steps)).isTrue();
        float[] init = new float[Head.parameterCount(20, 3)];
        for (int j = 0; j < init.length; j++) {
            init[j] = (float) r.nextGaussian();
        }
        float[] a = new float[init.length];
        float[] b = new float[init.length];
        steps.rebuild(init, a);
        back.rebuild(init, b);
        assertThat(b).containsExactly(a);
        assertThat(a).isNotEqualTo(init);
        assertThatThrownBy(() -> back.rebuild(new float[4], new float[4])).isInstanceOf(IllegalArgumentException.class);
        Codec.Writer bad = new Codec.Writer(64);
        bad.i32(20).i32(3).i32(10).i32(8).i32(2).f32(10f).i8(2).floats(new float[7]);
        assertThatThrownBy(() -> HeadSteps.read(new Codec.Reader(bad.toBytes())))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("head steps of 7 floats");
    }

    @Test
    void aReplayedStepEqualsTheStepTaken() {
        // The step's arithmetic against a plain reading of it: g = h ⊗ dz (dz for the bias), clipped to the norm,
        // scaled per part, then p -= rate * g.
        SplittableRandom r = new SplittableRandom(7);
        int in = 5;
        int out = 3;
        float[] p = new float[Head.parameterCount(in, out)];
        for (int j = 0; j < p.length; j++) {
            p[j] = (float) r.nextGaussian();
        }
        float[] h = {3f, -4f, 0f, 1f, 2f};
        float[] dz = {0.5f, -1f, 0.25f};
        float[] norms = {25f, 1f, 4f};
        float[] expected = p.clone();
        double sq = 0;
        float[] g = new float[p.length];
        for (int i = 0; i < in; i++) {
            for (int j = 0; j < out; j++) {
                g[i * out + j] = h[i] * dz[j];
            }
        }
        for (int j = 0; j < out; j++) {
            g[in * out + j] = dz[j];
        }
        for (float v : g) {
            sq += (double) v * v;
        }
        float scale = (float) (1.0 / Math.sqrt(sq));
        float[] part = {1f / 26f, 1f / 26f, 1f / 2f, 1f / 2f, 1f / 5f, 0.5f};
        for (int i = 0; i <= in; i++) {
            for (int j = 0; j < out; j++) {
                expected[i * out + j] -= 0.2f * (g[i * out + j] * scale * part[i]);
            }
        }
        HeadSteps.step(p, new float[p.length], in, out, h, dz, norms, 2, 2, 1, 1f, HeadStepNormalization.PER_PART,
                0.2f);
        assertThat(p).containsExactly(expected);
    }
}
