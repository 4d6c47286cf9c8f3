package dev.metastream.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metastream.data.Scenario;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How many test sets the protocol scores as the number of tasks grows. */
class ProtocolTest {

    private static List<Protocol.Checkpoint> taskEnds(Protocol p) {
        return p.checkpoints().stream().filter(c -> c.kind() == Protocol.Kind.TASK_END).toList();
    }

    @Test
    void upToAHundredTasksEveryTaskEndScoresEveryTestSet() {
        Scenario sc = TestScenarios.linear(Protocol.FULL_MATRIX_TASKS, 2, 1, 2, 1, false);
        Protocol p = Protocol.of(sc, 0, 0);
        assertThat(taskEnds(p)).hasSize(100).allSatisfy(c -> assertThat(c.scored()).hasSize(100));
        assertThat(p.testScorings(sc)).isEqualTo(101L * 100);
    }

    @Test
    void beyondEachTaskEndScoresItsTaskAndTheNextButTwentyEvenRowsScoreAll() {
        int n = 250;
        Scenario sc = TestScenarios.linear(n, 2, 3, 2, 1, false);
        Protocol p = Protocol.of(sc, 0, 0);
        List<Protocol.Checkpoint> ends = taskEnds(p);
        List<Integer> full = ends.stream().filter(c -> c.scored().size() == n).map(Protocol.Checkpoint::task).toList();
        assertThat(full).hasSize(Protocol.MATRIX_ROWS).endsWith(n - 1);
        // Evenly spread: floor((i + 1) * 20 / 250) steps up every 12.5 tasks.
        assertThat(full).startsWith(12, 24, 37, 49);
        for (Protocol.Checkpoint c : ends) {
            if (!full.contains(c.task())) {
                assertThat(c.scored()).containsExactly(c.task(), c.task() + 1);
            }
        }
        // Linear in the tasks: the baseline, 20 whole rows, two sets at the other task ends.
        assertThat(p.testScorings(sc)).isEqualTo(3L * (n + 20L * n + 2L * (n - 20)));
    }

    @Test
    void scoringOnlyKeepsEveryStepAndFlushButScoresWhatItIsAsked() {
        Scenario sc = TestScenarios.linear(4, 12, 2, 2, 1, false);
        Protocol p = Protocol.of(sc, 5, 3);
        Protocol shots = p.scoringOnly((c, t) -> c.kind() == Protocol.Kind.SHOT && t == 3);
        assertThat(shots.steps()).hasSameSizeAs(p.steps());
        for (int i = 0; i < p.steps().size(); i++) {
            if (p.steps().get(i) instanceof Protocol.Checkpoint c) {
                Protocol.Checkpoint k = (Protocol.Checkpoint) shots.steps().get(i);
                assertThat(k.flush()).isEqualTo(c.flush());
                assertThat(k.kind()).isEqualTo(c.kind());
                assertThat(k.scored()).isEqualTo(c.kind() == Protocol.Kind.SHOT && c.task() == 3 ? List.of(3)
                        : List.of());
            } else {
                assertThat(shots.steps().get(i)).isEqualTo(p.steps().get(i));
            }
        }
        assertThat(shots.testScorings(sc)).isEqualTo(2);
        assertThat(p.finalCheckpoint()).isEqualTo(p.checkpoints().size() - 1);
    }
}
