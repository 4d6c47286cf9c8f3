package dev.metastream.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metastream.data.Scenario;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A scenario whose training stream interleaves its tasks (a file's rows across tasks). */
class InterleavedProtocolTest {

    /** Task 0 has 3 training examples, task 1 has 4; the stream alternates, task 0 ends first. */
    private static Scenario interleaved() {
        Scenario grouped = TestScenarios.linear(2, 4, 5, 3, 11, false);
        Scenario.TaskData t0 = grouped.tasks().get(0);
        Scenario.TaskData shorter = new Scenario.TaskData(t0.task(), t0.train().subList(0, 3), t0.test());
        List<Scenario.Position> order = List.of(new Scenario.Position(0, 0), new Scenario.Position(1, 0),
                new Scenario.Position(0, 1), new Scenario.Position(1, 1), new Scenario.Position(0, 2),
                new Scenario.Position(1, 2), new Scenario.Position(1, 3));
        return new Scenario("test:interleaved", grouped.learnerConfig(), List.of(shorter, grouped.tasks().get(1)),
                List.of(), order);
    }

    @Test
    void theProtocolFollowsTheStreamAndEndsEachTaskAfterItsLastExample() {
        Scenario sc = interleaved();
        Protocol p = Protocol.of(sc, 0, 2);
        List<String> steps = new ArrayList<>();
        for (Protocol.Step s : p.steps()) {
            steps.add(s instanceof Protocol.Train t ? t.task() + ":" + t.index()
                    : ((Protocol.Checkpoint) s).kind() + ((Protocol.Checkpoint) s).scored().toString());
        }
        // ANYTIME every 2 examples scores the tasks started so far; TASK_END right after a task's last example.
        assertThat(steps).containsExactly("BASELINE[0, 1]", "0:0", "1:0", "ANYTIME[0, 1]", "0:1", "1:1",
                "ANYTIME[0, 1]", "0:2", "TASK_END[0, 1]", "1:2", "ANYTIME[0, 1]", "1:3", "TASK_END[0, 1]");
        // After the first example only task 0 has started.
        Protocol every = Protocol.of(sc, 0, 1);
        assertThat(every.checkpoints().get(1).kind()).isEqualTo(Protocol.Kind.ANYTIME);
        assertThat(every.checkpoints().get(1).scored()).containsExactly(0);
        assertThat(p.checkpoints()).filteredOn(c -> c.kind() == Protocol.Kind.TASK_END)
                .extracting(Protocol.Checkpoint::task, Protocol.Checkpoint::examples)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0, 5L), org.assertj.core.groups.Tuple.tuple(1,
                        7L));
    }

    @Test
    void aGroupedScenarioKeepsTheTaskByTaskProtocol() {
        Scenario sc = TestScenarios.linear(2, 3, 2, 3, 5, false);
        assertThat(sc.interleaved()).isFalse();
        List<Protocol.Train> trains = Protocol.of(sc, 0, 0).steps().stream()
                .filter(Protocol.Train.class::isInstance).map(Protocol.Train.class::cast).toList();
        assertThat(trains).containsExactly(new Protocol.Train(0, 0), new Protocol.Train(0, 1), new Protocol.Train(0, 2),
                new Protocol.Train(1, 0), new Protocol.Train(1, 1), new Protocol.Train(1, 2));
    }

    @Test
    void theEvaluatorRunsTheInterleavedStream() {
        Scenario sc = interleaved();
        EvaluationResult r = new Evaluator().run(sc, Evaluator.Options.of(Strategy.MULTIHEAD, 3).withReference(false),
                Evaluator.Progress.NONE);
        assertThat(r.examples()).isEqualTo(7);
        assertThat(r.matrix()).hasDimensions(2, 2);
        assertThat(r.prequential().curve()).last().extracting(EvaluationResult.CurvePoint::examples).isEqualTo(7L);
        assertThat(r.perTask()).extracting(EvaluationResult.TaskFigures::trainExamples).containsExactly(3, 4);
    }

    @Test
    void anOrderThatDoesNotFitTheTasksIsRefused() {
        Scenario sc = interleaved();
        // task 1 would end before task 0
        List<Scenario.Position> late0 = List.of(new Scenario.Position(1, 0), new Scenario.Position(1, 1),
                new Scenario.Position(1, 2), new Scenario.Position(1, 3), new Scenario.Position(0, 0),
                new Scenario.Position(0, 1), new Scenario.Position(0, 2));
        assertThatThrownBy(() -> new Scenario("x", Map.of(), sc.tasks(), List.of(), late0))
                .hasMessageContaining("ends before task 0");
        assertThatThrownBy(() -> new Scenario("x", Map.of(), sc.tasks(), List.of(), sc.trainOrder().subList(0, 6)))
                .hasMessageContaining("do not cover every training example");
        assertThatThrownBy(() -> new Scenario("x", Map.of(), sc.tasks(), List.of(), List.of(new Scenario.Position(0,
                1)))).hasMessageContaining("is not the next example of its task");
    }
}
