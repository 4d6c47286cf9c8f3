package dev.metastream.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.metastream.data.Scenario;
import dev.metastream.learn.Instance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Baselines run by the {@link Evaluator} on the stream it feeds the learner, in its order; stream orders of
 * {@link Scenario} and the {@link Protocol} they give.
 */
class BaselineFiguresTest {

    /** Task a: four examples of class 1; task b: four of class 0. Two classes, two inputs. */
    static Scenario twoTasks(boolean interleaved) {
        List<Scenario.TaskData> tasks = List.of(new Scenario.TaskData("a", cls("a", 1, 4), List.of()),
                new Scenario.TaskData("b", cls("b", 0, 4), List.of()));
        List<Scenario.Position> order = new ArrayList<>();
        if (interleaved) {
            for (int i = 0; i < 4; i++) {
                order.add(new Scenario.Position(0, i));
                order.add(new Scenario.Position(1, i));
            }
        }
        return new Scenario("test", Map.of("input.dim", "2", "task.classes", "2"), tasks, List.of(), order, Map.of());
    }

    static List<Instance> cls(String task, int c, int n) {
        List<Instance> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] t = new float[2];
            t[c] = 1;
            out.add(new Instance(task, new float[] {i, -i}, t, null, i));
        }
        return out;
    }

    static EvaluationResult run(Scenario s) {
        return new Evaluator().run(s, Evaluator.Options.of(Strategy.MULTIHEAD, 1), Evaluator.Progress.NONE);
    }

    @Test
    void baselinesFollowTheOrderTheLearnerIsFed() {
        // global-majority (ties -> class 0), task after task: a0 0 (wrong), a1..a3 1 (right); b0..b3 1 (wrong): 3/8.
        // interleaved a0 b0 a1 b1 ...: the count alternates tie, 1 ahead, tie, ...: every prediction wrong: 0/8.
        // no-change and majority are per task (class 0 first, then the task's label): 7/8 in both orders.
        EvaluationResult taskMajor = run(twoTasks(false));
        EvaluationResult inter = run(twoTasks(true));
        assertThat(taskMajor.baselines().figures().get("global-majority").get("accuracy")).isEqualTo(3.0 / 8);
        assertThat(inter.baselines().figures().get("global-majority").get("accuracy")).isEqualTo(0.0);
        for (EvaluationResult r : List.of(taskMajor, inter)) {
            EvaluationResult.Baselines b = r.baselines();
            assertThat(b.figures().keySet()).containsExactly("no-change", "majority", "global-majority", "linear");
            assertThat(b.figures().get("no-change").get("accuracy")).isEqualTo(7.0 / 8);
            assertThat(b.figures().get("majority").get("accuracy")).isEqualTo(7.0 / 8);
            assertThat(b.headline()).isEqualTo("accuracy");
            assertThat(b.bestTrivial()).isEqualTo("no-change"); // first of the tied best
            // the product's figure is the run's own prequential accuracy, and the margins are differences
            double own = r.prequential().cumulative();
            assertThat(b.product().get("accuracy")).isCloseTo(own, within(1e-12));
            assertThat(b.marginVsBestTrivial()).isCloseTo(own - 7.0 / 8, within(1e-12));
            assertThat(b.marginVsLinear()).isCloseTo(own - b.figures().get("linear").get("accuracy"),
                    within(1e-12));
            assertThat(r.coldStart()).isNull(); // classification
        }
    }

    @Test
    void regressionReportsRmseAndColdStart() {
        // task u: targets 1, 3; task v: 5, 7 (task after task), items k1 k2 / k1 k2.
        List<Scenario.TaskData> tasks = List.of(new Scenario.TaskData("u", reg("u", 1, 3), List.of()),
                new Scenario.TaskData("v", reg("v", 5, 7), List.of()));
        Map<String, List<String>> items = Map.of("u", List.of("k1", "k2"), "v", List.of("k1", "k2"));
        Scenario s = new Scenario("test", Map.of("input.dim", "1", "task.kind", "regression"), tasks, List.of(),
                List.of(), items);
        EvaluationResult r = run(s);
        EvaluationResult.Baselines b = r.baselines();
        assertThat(b.headline()).isEqualTo("rmse");
        assertThat(b.figures().keySet()).containsExactly("no-change", "task-mean", "global-mean", "bias", "linear");
        // global-mean predicts 0, 1, 2, 3 for 1, 3, 5, 7: errors 1, 2, 3, 4 -> rmse sqrt(30/4), mae 2.5
        assertThat(b.figures().get("global-mean").get("rmse")).isCloseTo(Math.sqrt(30.0 / 4), within(1e-6));
        assertThat(b.figures().get("global-mean").get("mae")).isCloseTo(2.5, within(1e-6));
        // task-mean predicts 0 (global, empty), 1, 2 (global mean of 1, 3), 5: errors 1, 2, 3, 2 -> sqrt(18/4)
        assertThat(b.figures().get("task-mean").get("rmse")).isCloseTo(Math.sqrt(18.0 / 4), within(1e-6));
        assertThat(b.bestTrivial()).isIn("no-change", "task-mean"); // no-change: 0, 1, 2, 5 too
        assertThat(b.product().get("rmse")).isCloseTo(Math.sqrt(r.prequential().cumulative()), within(1e-9));
        assertThat(b.marginVsBestTrivial()).isCloseTo(Math.sqrt(18.0 / 4) - b.product().get("rmse"), within(1e-6));
        // every example is among its task's first 10: cold start is the whole stream
        EvaluationResult.ColdStart c = r.coldStart();
        assertThat(c.events()).isEqualTo(10);
        assertThat(c.examples()).isEqualTo(4);
        assertThat(c.product()).isCloseTo(b.product().get("rmse"), within(1e-6));
        assertThat(c.baselines().get("global-mean")).isCloseTo(Math.sqrt(30.0 / 4), within(1e-6));

        Scenario noItems = new Scenario("test", s.learnerConfig(), tasks, List.of());
        assertThat(run(noItems).baselines().figures()).doesNotContainKey("bias");
    }

    static List<Instance> reg(String task, double... ys) {
        List<Instance> out = new ArrayList<>();
        for (double y : ys) {
            out.add(new Instance(task, new float[] {(float) y}, new float[] {(float) y}, null, 0));
        }
        return out;
    }

    @Test
    void interleavedProtocolFollowsTheOrderAndEndsTasksWhereTheyEnd() {
        Protocol p = Protocol.of(twoTasks(true), 0, 0);
        List<String> steps = p.steps().stream().map(s -> s instanceof Protocol.Train t ? t.task() + ":" + t.index()
                : "end" + ((Protocol.Checkpoint) s).task() + "@" + ((Protocol.Checkpoint) s).examples()).toList();
        assertThat(steps).containsExactly("0:0", "1:0", "0:1", "1:1", "0:2", "1:2", "0:3", "end0@7", "1:3", "end1@8");
        // task after task, the protocol is what it was
        assertThat(Protocol.of(twoTasks(false), 0, 0).steps().stream().filter(s -> s instanceof Protocol.Train)
                .map(s -> ((Protocol.Train) s).task()).toList()).containsExactly(0, 0, 0, 0, 1, 1, 1, 1);
    }

    @Test
    void scenarioRefusesAnOrderThatIsNotTheStream() {
        Scenario ok = twoTasks(false);
        List<Scenario.TaskData> t = ok.tasks();
        Map<String, String> cfg = ok.learnerConfig();
        List<Scenario.Position> skips = List.of(new Scenario.Position(0, 1));
        assertThatThrownBy(() -> new Scenario("x", cfg, t, List.of(), skips, Map.of()))
                .hasMessageContaining("not the next example");
        List<Scenario.Position> bEndsFirst = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            bEndsFirst.add(new Scenario.Position(1, i));
        }
        for (int i = 0; i < 4; i++) {
            bEndsFirst.add(new Scenario.Position(0, i));
        }
        assertThatThrownBy(() -> new Scenario("x", cfg, t, List.of(), bEndsFirst, Map.of()))
                .hasMessageContaining("ends before");
        List<Scenario.Position> partial = List.of(new Scenario.Position(0, 0));
        assertThatThrownBy(() -> new Scenario("x", cfg, t, List.of(), partial, Map.of()))
                .hasMessageContaining("do not cover");
        assertThatThrownBy(() -> new Scenario("x", cfg, t, List.of(), List.of(), Map.of("a", List.of("k"))))
                .hasMessageContaining("item keys");
        assertThat(twoTasks(true).trainOrder()).hasSize(8);
        assertThat(ok.trainOrder().get(4)).isEqualTo(new Scenario.Position(1, 0));
    }
}
