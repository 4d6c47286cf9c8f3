package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * PartitionPriorGate: equal weights before anything is learned, the weight moving to whichever of the tasks'
 * predictions and the partition's frequencies errs less (over all tasks of a shape, not per task), shapes kept apart,
 * and the weights carried by the shared state's encoding.
 */
class PartitionPriorGateTest {
    private static final TaskSpec BINARY = TaskSpec.from("binary", 0, List.of(), 0);
    private static final TaskSpec THREE = TaskSpec.from("classification", 3, List.of(), 0);
    private static final double SHARE = 0.001;

    @Test
    void startsEvenAndMixesTheTwoPredictions() {
        SharedState shared = new SharedState();
        float[] y = PartitionPriorGate.combine(shared, BINARY, new float[] {0.9f}, new float[] {0.3f});
        assertThat(y[0]).isCloseTo(0.6f, within(1e-6f));
        assertThat(PartitionPriorGate.partitionPrior(shared, THREE)).containsExactly(1f / 3, 1f / 3, 1f / 3);
    }

    @Test
    void followsTheExpertThatErrsLessAndCanSwitchBack() {
        SharedState shared = new SharedState();
        // The tasks' predictions are wrong where the partition's frequencies are right, 30 times in a row.
        for (int i = 0; i < 30; i++) {
            PartitionPriorGate.learn(shared, BINARY, 1, 0, SHARE);
        }
        float[] y = PartitionPriorGate.combine(shared, BINARY, new float[] {0.9f}, new float[] {0.2f});
        assertThat(y[0]).isLessThan(0.21f);
        // Then the other way round: the fixed share lets the weight come back within a few dozen examples.
        for (int i = 0; i < 30; i++) {
            PartitionPriorGate.learn(shared, BINARY, 0, 1, SHARE);
        }
        y = PartitionPriorGate.combine(shared, BINARY, new float[] {0.9f}, new float[] {0.2f});
        assertThat(y[0]).isGreaterThan(0.89f);
        // Agreement (equal errors) changes nothing.
        double[] before = shared.gates.get(BINARY.shapeKey()).clone();
        PartitionPriorGate.learn(shared, BINARY, 0, 0, 0);
        assertThat(shared.gates.get(BINARY.shapeKey())).containsExactly(before, within(1e-12));
        // Another shape has its own gate, still even.
        assertThat(PartitionPriorGate.combine(shared, THREE, new float[] {1, 0, 0}, new float[] {0, 0, 1}))
                .containsExactly(0.5f, 0f, 0.5f);
    }

    @Test
    void theWeightsSurviveTheSharedStatesEncoding() {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("input.dim", "4");
        LearnerConfig config = LearnerConfig.from(p);
        SharedState shared = SharedState.initial(config, config.optimizer().create());
        for (int i = 0; i < 5; i++) {
            PartitionPriorGate.learn(shared, BINARY, 1, 0, SHARE);
        }
        PartitionPriorGate.learn(shared, THREE, 0, 1, SHARE);
        SharedState read = SharedState.fromBytes(shared.toBytes());
        assertThat(read.gates.keySet()).containsExactlyInAnyOrder(BINARY.shapeKey(), THREE.shapeKey());
        assertThat(read.gates.get(BINARY.shapeKey())).containsExactly(shared.gates.get(BINARY.shapeKey()));
        assertThat(read.gates.get(THREE.shapeKey())).containsExactly(shared.gates.get(THREE.shapeKey()));
    }
}
