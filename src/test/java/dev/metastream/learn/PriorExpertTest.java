package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** PriorExpert: uniform start, the partition's frequencies for a new task, shrinkage toward the task's own, encoding. */
class PriorExpertTest {
    private static final TaskSpec THREE = TaskSpec.from("classification", 3, List.of(), 0);
    private static final TaskSpec BINARY = TaskSpec.from("binary", 0, List.of(), 0);
    private static final double W = 5.0;

    private static float[] oneHot(int c) {
        float[] t = new float[3];
        t[c] = 1;
        return t;
    }

    @Test
    void predictsUniformOrOneHalfBeforeAnythingIsSeen() {
        SharedState shared = new SharedState();
        assertThat(PriorExpert.output(null, shared, THREE, W)).containsExactly(1f / 3, 1f / 3, 1f / 3);
        assertThat(PriorExpert.output(new TaskState("t", THREE.shapeKey()), shared, THREE, W))
                .containsExactly(1f / 3, 1f / 3, 1f / 3);
        assertThat(PriorExpert.output(null, shared, BINARY, W)).containsExactly(0.5f);
        TaskSpec regression = TaskSpec.from("regression", 0, List.of(), 0);
        assertThat(PriorExpert.output(null, shared, regression, W)).containsExactly(0f);
    }

    @Test
    void aNewTaskPredictsItsPartitionsRunningFrequencies() {
        SharedState shared = new SharedState();
        TaskState a = new TaskState("a", THREE.shapeKey());
        int[] labels = {0, 0, 1, 0, 2, 0, 1, 0};
        for (int c : labels) {
            PriorExpert.learn(a, shared, THREE, oneHot(c));
        }
        float[] expected = {5f / 8, 2f / 8, 1f / 8};
        assertThat(shared.labelCounts.get(THREE.shapeKey())).isEqualTo(8L);
        float[] fresh = PriorExpert.output(null, shared, THREE, W);
        float[] empty = PriorExpert.output(new TaskState("b", THREE.shapeKey()), shared, THREE, W);
        for (int j = 0; j < 3; j++) {
            assertThat(fresh[j]).isCloseTo(expected[j], within(1e-6f));
            assertThat(empty[j]).isCloseTo(expected[j], within(1e-6f));
        }
        // Task a has seen all of the partition's labels: its own frequencies and the partition's agree.
        float[] own = PriorExpert.output(a, shared, THREE, W);
        for (int j = 0; j < 3; j++) {
            assertThat(own[j]).isCloseTo(expected[j], within(1e-6f));
        }
    }

    @Test
    void aTasksPredictionShrinksItsOwnFrequenciesTowardThePartitions() {
        SharedState shared = new SharedState();
        TaskState a = new TaskState("a", THREE.shapeKey());
        TaskState b = new TaskState("b", THREE.shapeKey());
        for (int i = 0; i < 40; i++) {
            PriorExpert.learn(a, shared, THREE, oneHot(0));
        }
        int[] countsB = new int[3];
        int[] countsAll = {40, 0, 0};
        for (int n = 1; n <= 60; n++) {
            int c = n % 4 == 0 ? 1 : 2; // b: class 2 three times in four, class 1 once
            PriorExpert.learn(b, shared, THREE, oneHot(c));
            countsB[c]++;
            countsAll[c]++;
            float[] y = PriorExpert.output(b, shared, THREE, W);
            int total = 40 + n;
            double sum = 0;
            for (int j = 0; j < 3; j++) {
                double mine = countsB[j] / (double) n;
                double theirs = countsAll[j] / (double) total;
                assertThat((double) y[j]).as("n=%d class %d", n, j)
                        .isCloseTo((n * mine + W * theirs) / (n + W), within(1e-5));
                sum += y[j];
            }
            assertThat(sum).isCloseTo(1.0, within(1e-5));
        }
        float[] y = PriorExpert.output(b, shared, THREE, W);
        assertThat(y[2]).as("moved to b's own frequency, 0.75").isGreaterThan(0.65f);
        assertThat(y[0]).as("class 0 only from the prior").isLessThan(0.05f).isPositive();
        // Weight 0: the task's own frequencies exactly.
        float[] own = PriorExpert.output(b, shared, THREE, 0);
        assertThat(own[0]).isZero();
        assertThat(own[1]).isCloseTo(0.25f, within(1e-6f));
        assertThat(own[2]).isCloseTo(0.75f, within(1e-6f));
    }

    @Test
    void theLabelStatisticsRoundTripThroughTheStatesEncodings() {
        Properties p = new Properties();
        p.setProperty("input.dim", "4");
        p.setProperty("task.classes", "3");
        p.setProperty("model.trunk.layers", "8");
        p.setProperty("learner.batch.size", "5");
        StreamingLearner learner = new StreamingLearner(LearnerConfig.from(p), new InMemoryLearnerStore(), "p",
                LearnerEvents.NONE);
        int[] labels = {0, 1, 0, 2, 0, 0, 1, 0, 0, 2, 0, 1};
        for (int i = 0; i < labels.length; i++) {
            float[] x = {i, -i, 0.5f * i, 1f};
            learner.observe(new Instance(i % 3 == 0 ? "u" : "t", x, oneHot(labels[i]), null, i));
        }
        SharedState shared = learner.shared();
        TaskState t = learner.task("t");
        assertThat(shared.labelCounts.get(THREE.shapeKey())).isEqualTo(12L);
        assertThat(t.labelCount).isEqualTo(8L);

        SharedState shared2 = SharedState.fromBytes(shared.toBytes());
        TaskState t2 = TaskState.fromBytes(t.toBytes());
        assertThat(shared2.labelCounts).isEqualTo(shared.labelCounts);
        assertThat(shared2.labelMeans.keySet()).isEqualTo(shared.labelMeans.keySet());
        assertThat(shared2.labelMeans.get(THREE.shapeKey())).containsExactly(shared.labelMeans.get(THREE.shapeKey()));
        assertThat(t2.labelCount).isEqualTo(t.labelCount);
        assertThat(t2.labelMean).containsExactly(t.labelMean);
        assertThat(PriorExpert.output(t2, shared2, THREE, W)).containsExactly(PriorExpert.output(t, shared, THREE, W));
    }

    @Test
    void writeAndReadRoundTripSeveralShapes() {
        java.util.Map<String, double[]> means = new java.util.TreeMap<>();
        java.util.Map<String, Long> counts = new java.util.TreeMap<>();
        means.put("binary:1", new double[] {0.25});
        counts.put("binary:1", 4L);
        means.put("classification:3", new double[] {0.5, 0.3, 0.2});
        counts.put("classification:3", 10L);
        Codec.Writer w = new Codec.Writer(16);
        PriorExpert.write(w, means, counts);
        java.util.Map<String, double[]> means2 = new java.util.TreeMap<>();
        java.util.Map<String, Long> counts2 = new java.util.TreeMap<>();
        PriorExpert.read(new Codec.Reader(w.toBytes()), means2, counts2);
        assertThat(counts2).isEqualTo(counts);
        assertThat(means2.keySet()).isEqualTo(means.keySet());
        means.forEach((k, v) -> assertThat(means2.get(k)).containsExactly(v));
    }
}
