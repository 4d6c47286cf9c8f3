package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The engine's contracts that do not depend on learning quality: order, persistence, safety, meta-model sync. */
class StreamingLearnerTest {
    private static final int DIM = 6;

    static Properties props() {
        Properties p = new Properties();
        p.setProperty("input.dim", String.valueOf(DIM));
        p.setProperty("task.classes", "3");
        p.setProperty("model.trunk.layers", "8");
        p.setProperty("learner.batch.size", "5");
        p.setProperty("memory.per.task", "8");
        return p;
    }

    private static List<Instance> stream(int n, long seed) {
        return stream(n, 3, seed);
    }

    /** {@code n} examples of 3 classes over tasks t0 .. t(tasks-1), drawn uniformly. */
    static List<Instance> stream(int n, int tasks, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Instance> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] x = new float[DIM];
            for (int j = 0; j < DIM; j++) {
                x[j] = (float) r.nextGaussian();
            }
            int y = x[0] + x[1] > 0.5 ? 0 : (x[2] > 0 ? 1 : 2);
            float[] t = new float[3];
            t[y] = 1;
            out.add(new Instance("t" + r.nextInt(tasks), x, t, "e" + i, i));
        }
        return out;
    }

    @Test
    void predictsBeforeLearning() {
        StreamingLearner learner = new StreamingLearner(LearnerConfig.from(props()), new InMemoryLearnerStore(), "t",
                LearnerEvents.NONE);
        Instance first = stream(1, 1).get(0);
        Prediction scored = learner.score(new Instance(first.task(), first.x(), null, null, 0));
        Prediction observed = learner.observe(first);
        assertThat(observed.output()).containsExactly(scored.output());
        assertThat(learner.pendingCount()).isEqualTo(1);
        learner.learnPending(1);
        assertThat(learner.score(first).output()).isNotEqualTo(scored.output());
        assertThat(learner.task(first.task()).learned()).isEqualTo(1);
    }

    /**
     * A micro-batch takes its new examples' trunk rows from their predictions (the trunk does not change in between),
     * (the floats are those of computing them again: the golden digests and resumesFromItsStoreBitForBit hold).
     */
    @Test
    void aBatchReusesThePredictionsTrunkPasses() {
        StreamingLearner learner = new StreamingLearner(LearnerConfig.from(props()), new InMemoryLearnerStore(), "t",
                LearnerEvents.NONE);
        stream(50, 4).forEach(learner::observe);
        assertThat(learner.trunkRowsReused()).isEqualTo(50);
    }

    /**
     * A learner rebuilt from its store at any point (a crash, a rebalance) ends exactly where an uninterrupted one
     * does: nothing lost, nothing learned twice, every random choice replayed.
     */
    @Test
    void resumesFromItsStoreBitForBit() {
        List<Instance> data = stream(203, 2);
        LearnerConfig cfg = LearnerConfig.from(props());
        StreamingLearner straight = new StreamingLearner(cfg, new InMemoryLearnerStore(), "t", LearnerEvents.NONE);
        data.forEach(straight::observe);

        InMemoryLearnerStore store = new InMemoryLearnerStore();
        StreamingLearner restarted = new StreamingLearner(cfg, store, "t", LearnerEvents.NONE);
        for (int i = 0; i < data.size(); i++) {
            if (i % 37 == 0) {
                restarted.flush(); // as a commit does
                restarted = new StreamingLearner(cfg, store, "t", LearnerEvents.NONE);
            }
            restarted.observe(data.get(i));
        }
        assertThat(restarted.pendingCount()).isEqualTo(straight.pendingCount()).isEqualTo(203 % 5);
        assertThat(restarted.shared().trunk()).containsExactly(straight.shared().trunk());
        for (String t : List.of("t0", "t1", "t2")) {
            assertThat(restarted.task(t).head()).containsExactly(straight.task(t).head());
            assertThat(restarted.task(t).learned()).isEqualTo(straight.task(t).learned());
        }
    }

    /**
     * {@code optimizer.head.momentum} changed between two runs over one store: a task stored with a momentum buffer
     * keeps its head and goes on under plain SGD with the buffer dropped (and no longer stored), and a task stored
     * without one starts a fresh buffer when momentum comes back, instead of failing on its length.
     */
    @Test
    void aTaskStoredUnderAnotherHeadMomentumKeepsItsHeadAndRestartsItsBuffer() {
        List<Instance> data = stream(90, 3);
        InMemoryLearnerStore store = new InMemoryLearnerStore();
        Properties momentum = props();
        momentum.setProperty("optimizer.head.momentum", "0.5");
        StreamingLearner withMomentum = new StreamingLearner(LearnerConfig.from(momentum), store, "t",
                LearnerEvents.NONE);
        data.subList(0, 30).forEach(withMomentum::observe);
        withMomentum.learnPending(30);
        withMomentum.flush();
        TaskState stored = store.task("t0");
        assertThat(stored.optimizerState).hasSize(stored.head.length);

        Properties plain = props();
        plain.setProperty("optimizer.head.momentum", "0");
        StreamingLearner plainSgd = new StreamingLearner(LearnerConfig.from(plain), store, "t", LearnerEvents.NONE);
        assertThat(plainSgd.task("t0").head()).containsExactly(stored.head);
        data.subList(30, 60).forEach(plainSgd::observe);
        plainSgd.learnPending(60);
        plainSgd.flush();
        TaskState plainState = store.task("t0");
        assertThat(plainState.optimizerState).isEmpty();
        assertThat(plainState.learned()).isGreaterThan(stored.learned());
        assertThat(plainState.head).isNotEqualTo(stored.head);

        StreamingLearner again = new StreamingLearner(LearnerConfig.from(momentum), store, "t", LearnerEvents.NONE);
        data.subList(60, 90).forEach(again::observe);
        again.learnPending(90);
        again.flush();
        TaskState resumed = store.task("t0");
        assertThat(resumed.optimizerState).hasSize(resumed.head.length);
        assertThat(resumed.learned()).isGreaterThan(plainState.learned());
        for (float w : resumed.head) {
            assertThat(Float.isFinite(w)).isTrue();
        }
    }

    /**
     * A task whose parameters went non-finite (as the factorisation machine's once did) restarts alone and says so on
     * the drift events, instead of the metrics throwing out of the stream thread on its every example (and again after
     * every restart of the application); until a labelled example restarts it, it is scored as a new task.
     */
    @Test
    void aTaskWhoseModelDivergedRestartsAloneAndSaysSo() {
        List<LearnerEvents.DriftEvent> drifts = new ArrayList<>();
        LearnerEvents events = new LearnerEvents() {
            @Override
            public void drift(DriftEvent event) {
                drifts.add(event);
            }

            @Override
            public void metrics(TaskMetrics metrics) {}

            @Override
            public void taskSnapshot(TaskSnapshot snapshot) {}
        };
        StreamingLearner learner = new StreamingLearner(LearnerConfig.from(props()), new InMemoryLearnerStore(), "t",
                events);
        List<Instance> data = stream(120, 5);
        data.subList(0, 60).forEach(learner::observe);
        learner.learnPending(60);
        TaskState diverged = learner.task("t0");
        long observedBefore = diverged.observed;
        java.util.Arrays.fill(diverged.head, Float.NaN);
        java.util.Arrays.fill(diverged.linear, Float.POSITIVE_INFINITY);

        Instance first = data.subList(60, 120).stream().filter(in -> in.task().equals("t0")).findFirst().orElseThrow();
        Instance query = new Instance("t0", first.x(), null, null, 60);
        assertFinite(learner.score(query).output());
        assertFinite(StreamingLearner.score(learner.config(), learner.shared(), diverged, query).output());
        assertThat(drifts).as("scoring changes nothing").isEmpty();

        for (Instance in : data.subList(60, 120)) {
            assertFinite(learner.observe(in).output());
        }
        learner.learnPending(120);
        assertThat(drifts).singleElement().satisfies(d -> {
            assertThat(d.task()).isEqualTo("t0");
            assertThat(d.detector()).isEqualTo(StreamingLearner.NON_FINITE_DETECTOR);
            assertThat(d.reaction()).isEqualTo("restart-task");
            assertThat(d.position()).isEqualTo(observedBefore);
        });
        TaskState restarted = learner.task("t0");
        assertFinite(restarted.head);
        assertThat(restarted.observed).as("its counters and metrics stay").isGreaterThan(observedBefore);
    }

    private static void assertFinite(float[] v) {
        for (float x : v) {
            assertThat(Float.isFinite(x)).as("every value finite: %s", java.util.Arrays.toString(v)).isTrue();
        }
    }

    @Test
    void extremeButAcceptedValuesNeverPoisonTheModel() {
        Properties p = props();
        p.setProperty("task.kind", "regression");
        p.setProperty("optimizer", "sgd");
        p.setProperty("optimizer.head.learning.rate", "1.0");
        StreamingLearner learner = new StreamingLearner(LearnerConfig.from(p), new InMemoryLearnerStore(), "t",
                LearnerEvents.NONE);
        double max = LearnerConfig.from(p).maxAbsFeature();
        for (int i = 0; i < 200; i++) {
            float[] x = new float[DIM];
            java.util.Arrays.fill(x, (float) (i % 2 == 0 ? max : -max));
            learner.observe(new Instance("r", x, new float[] {(float) max}, null, i));
        }
        learner.learnPending(0);
        for (float v : learner.task("r").head()) {
            assertThat(v).isFinite();
        }
        for (float v : learner.shared().trunk()) {
            assertThat(v).isFinite();
        }
        assertThat(learner.score(new Instance("r", new float[DIM], null, null, 0)).output()[0]).isFinite();
    }

    @Test
    void gradientClippingBoundsTheNormAndRefusesNonFinite() {
        float[] g = {3f, 4f};
        assertThat(StreamingLearner.clip(g, 1f)).isTrue();
        assertThat(Math.hypot(g[0], g[1])).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        float[] small = {0.3f, 0.4f};
        assertThat(StreamingLearner.clip(small, 1f)).isTrue();
        assertThat(small).containsExactly(0.3f, 0.4f);
        float[] bad = {Float.NaN, 1f};
        assertThat(StreamingLearner.clip(bad, 1f)).isFalse();
    }

    /** With one partition, publish → aggregate → rebase is the identity on the partition's parameters. */
    @Test
    void metaUpdateRoundTripWithOnePartitionKeepsTheLocalModel() {
        LearnerConfig cfg = LearnerConfig.from(props());
        StreamingLearner learner = new StreamingLearner(cfg, new InMemoryLearnerStore(), "p0", LearnerEvents.NONE);
        stream(50, 3).forEach(learner::observe);
        float[] trunk = learner.shared().trunk().clone();
        float[] init = learner.shared().headInit().get("classification:3").clone();
        MetaUpdate u = learner.drainMetaUpdate(1);
        assertThat(u).isNotNull();
        assertThat(learner.drainMetaUpdate(2)).isNull();
        MetaSnapshot v1 = MetaSnapshot.fromBytes(MetaSnapshot.initial(cfg).toBytes())
                .apply(MetaUpdate.fromBytes(u.toBytes()), 3, 1f);
        assertThat(v1.version()).isEqualTo(1);
        assertThat(learner.rebase(v1)).isTrue();
        assertThat(learner.shared().baseVersion()).isEqualTo(1);
        for (int i = 0; i < trunk.length; i++) {
            assertThat(learner.shared().trunk()[i]).isCloseTo(trunk[i], org.assertj.core.data.Offset.offset(1e-5f));
        }
        for (int i = 0; i < init.length; i++) {
            assertThat(learner.shared().headInit().get("classification:3")[i])
                    .isCloseTo(init[i], org.assertj.core.data.Offset.offset(1e-5f));
        }
        assertThat(learner.rebase(v1)).as("an old version is not taken twice").isFalse();
    }

    @Test
    void aDriftIsReportedAndTheHeadResetToTheMetaInitialisation() {
        Properties p = props();
        p.setProperty("drift.detector", "adwin");
        p.setProperty("drift.reaction", "reset-head");
        List<LearnerEvents.DriftEvent> drifts = new ArrayList<>();
        LearnerEvents events = new LearnerEvents() {
            @Override
            public void drift(DriftEvent event) {
                drifts.add(event);
            }

            @Override
            public void metrics(TaskMetrics metrics) {}

            @Override
            public void taskSnapshot(TaskSnapshot snapshot) {}
        };
        StreamingLearner learner = new StreamingLearner(LearnerConfig.from(p), new InMemoryLearnerStore(), "t", events);
        SplittableRandom r = new SplittableRandom(4);
        for (int i = 0; i < 4000; i++) {
            float[] x = new float[DIM];
            for (int j = 0; j < DIM; j++) {
                x[j] = (float) r.nextGaussian();
            }
            // Concept: class by the sign pattern of x0 and x1; at 2,000 the classes are permuted (an abrupt change).
            int y = x[0] > 0 ? 0 : (x[1] > 0 ? 1 : 2);
            if (i >= 2000) {
                y = (y + 1) % 3;
            }
            float[] t = new float[3];
            t[y] = 1;
            learner.observe(new Instance("d", x, t, null, i));
        }
        assertThat(drifts).isNotEmpty();
        assertThat(drifts.get(0).position()).as("no alarm before the change").isGreaterThan(2000)
                .as("found within 500 examples").isLessThan(2500);
        assertThat(drifts.get(0).reaction()).isEqualTo("reset-head");
    }

    /**
     * With {@code drift.reaction=background-head} the detector's warning starts the background head, before the drift
     * is detected; at the drift the background (having learned since the warning) takes the head's place.
     */
    @Test
    void theBackgroundHeadStartsAtTheWarningBeforeTheDrift() {
        Properties p = props();
        p.setProperty("learner.batch.size", "1"); // learn each example as it is observed, so the order can be seen
        p.setProperty("drift.reaction", "background-head");
        List<LearnerEvents.DriftEvent> drifts = new ArrayList<>();
        LearnerEvents events = new LearnerEvents() {
            @Override
            public void drift(DriftEvent event) {
                drifts.add(event);
            }

            @Override
            public void metrics(TaskMetrics metrics) {}

            @Override
            public void taskSnapshot(TaskSnapshot snapshot) {}
        };
        LearnerConfig config = LearnerConfig.from(p);
        assertThat(config.drift().newDetector().name()).isEqualTo("page-hinkley"); // the default, which warns
        StreamingLearner learner = new StreamingLearner(config, new InMemoryLearnerStore(), "t", events);
        SplittableRandom r = new SplittableRandom(4);
        int startedAt = -1;
        long seenAtDrift = -1;
        for (int i = 0; i < 3000; i++) {
            float[] x = new float[DIM];
            for (int j = 0; j < DIM; j++) {
                x[j] = (float) r.nextGaussian();
            }
            int y = x[0] > 0 ? 0 : (x[1] > 0 ? 1 : 2);
            if (i >= 2000) {
                y = (y + 1) % 3; // an abrupt change at 2,000
            }
            float[] t = new float[3];
            t[y] = 1;
            boolean driftedBefore = !drifts.isEmpty();
            learner.observe(new Instance("d", x, t, null, i));
            TaskState st = learner.task("d");
            if (startedAt < 0 && st.background != null && drifts.isEmpty()) {
                startedAt = i;
            }
            if (!driftedBefore && !drifts.isEmpty()) {
                seenAtDrift = st.background == null ? -1 : st.backgroundSeen;
            }
        }
        assertThat(drifts).as("the change is detected").isNotEmpty();
        long driftAt = drifts.get(0).position(); // the task's examples observed, counting the detecting one
        assertThat(startedAt).as("a background started at a warning after the change").isGreaterThanOrEqualTo(2000);
        assertThat((long) startedAt + 1).as("before the drift").isLessThan(driftAt);
        assertThat(drifts.get(0).reaction()).isEqualTo("background-head");
        // Observed: warning at example 2,010, drift at 2,026. The background the drift finds is the warning's (it has
        // learned every example since), not a new one; having learned fewer than MIN_EXAMPLES it keeps learning ...
        assertThat(seenAtDrift).isEqualTo(driftAt - (startedAt + 1));
        // ... and replaces the head once it errs less.
        assertThat(learner.task("d").swaps).isPositive();
    }

    /** Every detector the configuration offers runs inside the learner with its documented default parameters. */
    @Test
    void everyConfiguredDetectorRuns() {
        for (String detector : dev.metastream.drift.DriftDetectors.names()) {
            Properties p = props();
            p.setProperty("drift.detector", detector);
            StreamingLearner learner = new StreamingLearner(LearnerConfig.from(p), new InMemoryLearnerStore(), "t",
                    LearnerEvents.NONE);
            stream(100, 5).forEach(learner::observe);
            assertThat(learner.task("t0").learned()).as(detector).isPositive();
        }
        Properties bad = props();
        bad.setProperty("drift.detector", "page-hinkley");
        bad.setProperty("drift.page-hinkley.treshold", "5");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LearnerConfig.from(bad))
                .hasMessageContaining("drift.page-hinkley").hasMessageContaining("treshold");
    }
}
