package dev.metastream.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metastream.data.Scenario;
import dev.metastream.learn.Instance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvaluatorTest {
    /** Two tasks whose rules conflict on one feature: one shared head cannot keep both. */
    @Test
    void naiveForgetsMoreThanGradientMemoryOnConflictingTasks() {
        for (long seed : new long[] {1, 2}) {
            Scenario sc = TestScenarios.linear(2, 400, 100, 8, seed, true);
            EvaluationResult naive = run(sc, Strategy.NAIVE, seed);
            EvaluationResult agem = run(sc, Strategy.AGEM, seed);
            EvaluationResult gem = run(sc, Strategy.GEM, seed);
            // Each learned its task (the diagonal is well above chance), so the comparison is about keeping it.
            assertThat(naive.matrix()[0][0]).isGreaterThan(0.8);
            assertThat(agem.matrix()[1][1]).isGreaterThan(0.8);
            assertThat(naive.forgetting()).isGreaterThan(agem.forgetting() + 0.3)
                    .isGreaterThan(gem.forgetting() + 0.3);
            assertThat(naive.bwt()).isLessThan(agem.bwt() - 0.3);
            assertThat(agem.acc()).isGreaterThan(naive.acc() + 0.2);
        }
    }

    @Test
    void everyStrategyRunsAndFillsTheFigures() {
        Scenario sc = TestScenarios.linear(3, 96, 40, 6, 4, false);
        for (Strategy s : Strategy.values()) {
            EvaluationResult r = run(sc, s, 4);
            assertThat(r.strategy()).isEqualTo(s.cliName());
            assertThat(r.acc()).as(s.cliName()).isBetween(0.0, 1.0);
            assertThat(r.baseline()).hasSize(3);
            assertThat(r.perTask()).hasSize(3);
            assertThat(r.seconds()).isPositive();
            assertThat(r.examplesPerSecond()).isPositive();
            assertThat(r.config().settings()).containsEntry("input.dim", "6").containsEntry("model.seed", "4");
            if (s == Strategy.JOINT) {
                // Offline: one final row; backward/forward transfer are not defined.
                assertThat(r.matrix()).hasDimensions(1, 3);
                assertThat(r.bwt()).isNull();
                assertThat(r.fwt()).isNull();
                assertThat(r.forgetting()).isNull();
                assertThat(r.prequential()).isNull();
                assertThat(r.examples()).isEqualTo(3L * 96 * Evaluator.JOINT_EPOCHS);
            } else {
                assertThat(r.matrix()).hasDimensions(3, 3);
                assertThat(r.bwt()).isNotNull();
                assertThat(r.fwt()).isNotNull();
                assertThat(r.forgetting()).isNotNull();
                assertThat(r.anytime().curve()).hasSize(3);
                assertThat(r.prequential().curve()).isNotEmpty();
                assertThat(r.perTask().get(0).efficiency()).containsKeys("10");
            }
            if (s == Strategy.INDEPENDENT || s == Strategy.JOINT) {
                assertThat(r.transfer()).isNull();
            } else {
                assertThat(r.transfer()).as(s.cliName()).isNotNull();
                assertThat(r.transfer().referenceFinal()).hasSize(3);
            }
        }
    }

    @Test
    void independentModelsDoNotForget() {
        EvaluationResult r = run(TestScenarios.linear(3, 96, 40, 6, 9, true), Strategy.INDEPENDENT, 9);
        for (int j = 0; j < 3; j++) {
            for (int i = j; i < 3; i++) {
                assertThat(r.matrix()[i][j]).isEqualTo(r.matrix()[j][j]);
            }
        }
        assertThat(r.bwt()).isZero();
    }

    @Test
    void anytimeCheckpointsAddCurvePointsWithoutChangingTheRows() {
        Scenario sc = TestScenarios.linear(2, 100, 30, 6, 3, false);
        Evaluator.Options base = Evaluator.Options.of(Strategy.MULTIHEAD, 3).withReference(false);
        EvaluationResult plain = new Evaluator().run(sc, base, Evaluator.Progress.NONE);
        EvaluationResult every = new Evaluator().run(sc, new Evaluator.Options(Strategy.MULTIHEAD, 3, Map.of(),
                Evaluator.Scoring.BATCH, 25, -1, false, 500, 1000), Evaluator.Progress.NONE);
        // Anytime checkpoints only read: the accuracy matrix is the same.
        assertThat(every.matrix()).isDeepEqualTo(plain.matrix());
        assertThat(every.anytime().curve()).hasSize(2 + 3 + 3);
    }

    @Test
    void regressionReportsMseAndTheFewShotRatio() {
        java.util.Random rnd = new java.util.Random(5);
        List<Scenario.TaskData> tasks = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            double a = 1 + rnd.nextDouble();
            double phase = rnd.nextDouble() * Math.PI;
            tasks.add(new Scenario.TaskData("s" + k, sine(rnd, "s" + k, a, phase, 64), sine(rnd, "s" + k, a, phase, 40)));
        }
        Scenario sc = new Scenario("test:sine", Map.of("input.dim", "1", "task.kind", "regression"), tasks, List.of());
        EvaluationResult r = new Evaluator().run(sc, Evaluator.Options.of(Strategy.METASTREAM, 5).withReference(false),
                Evaluator.Progress.NONE);
        assertThat(r.metric()).isEqualTo("mse");
        assertThat(r.adaptation().shots()).isEqualTo(Evaluator.REGRESSION_SHOTS);
        assertThat(r.adaptation().meta()).isPositive();
        assertThat(r.adaptation().scratch()).isPositive();
        assertThat(r.adaptation().ratio()).isEqualTo(r.adaptation().meta() / r.adaptation().scratch());
        assertThat(r.perTask().get(0).fewShot()).isNull();
        assertThat(r.perTask().get(1).fewShot()).isNotNull();
    }

    /** Regression tasks of sine waves, each with its own amplitude and phase. */
    private static Scenario sines(int n, long seed) {
        java.util.Random rnd = new java.util.Random(seed);
        List<Scenario.TaskData> tasks = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            double a = 1 + rnd.nextDouble();
            double phase = rnd.nextDouble() * Math.PI;
            String id = "s" + k;
            tasks.add(new Scenario.TaskData(id, sine(rnd, id, a, phase, 24), sine(rnd, id, a, phase, 20)));
        }
        return new Scenario("test:sines", Map.of("input.dim", "1", "task.kind", "regression"), tasks, List.of());
    }

    @Test
    void fewShotAdaptationAveragesTheFreshTasksAgainstScratchAndTheSameStreamWithoutMetaLearning() {
        Scenario sc = sines(20, 8);
        Evaluator.Options meta = Evaluator.Options.of(Strategy.METASTREAM, 8).withReference(false);
        EvaluationResult r = new Evaluator().run(sc, meta, Evaluator.Progress.NONE);
        EvaluationResult.Adaptation a = r.adaptation();
        // The last tenth of 20 tasks: 18 and 19.
        assertThat(Evaluator.freshTasks(sc)).containsExactly(18, 19);
        assertThat(a.tasks()).isEqualTo(2);
        assertThat(a.metric()).isEqualTo("mse");
        assertThat(a.meta()).isEqualTo((r.perTask().get(18).fewShot() + r.perTask().get(19).fewShot()) / 2);
        // The reference scores only the fresh tasks' few-shot sets, yet trains exactly as a whole run without
        // meta-learning: its figures are that run's, bit for bit.
        EvaluationResult scratch = new Evaluator().run(sc, meta.withOverrides(Map.of("meta.enabled", "false")),
                Evaluator.Progress.NONE);
        assertThat(scratch.adaptation().noMeta()).isNull();
        assertThat(a.noMeta()).isEqualTo(scratch.adaptation().meta());
        // From scratch: each fresh task alone, in a learner that has seen nothing else, from the same first examples.
        double alone = 0;
        for (int t : List.of(18, 19)) {
            Scenario.TaskData task = sc.tasks().get(t);
            Scenario single = new Scenario("alone", sc.learnerConfig(), List.of(new Scenario.TaskData(task.task(),
                    task.train().subList(0, Evaluator.REGRESSION_SHOTS), task.test())), List.of());
            alone += new Evaluator().run(single, meta.withShots(0), Evaluator.Progress.NONE).acc() / 2;
        }
        assertThat(a.scratch()).isCloseTo(alone, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(a.ratio()).isEqualTo(a.meta() / a.scratch());
    }

    @Test
    void freshTasksAreTheLastTenthToArriveAndAtLeastOne() {
        assertThat(Evaluator.freshTasks(sines(9, 1))).containsExactly(8);
        assertThat(Evaluator.freshTasks(sines(35, 1))).containsExactly(32, 33, 34);
        assertThat(Evaluator.freshTasks(sines(1, 1))).containsExactly(0);
        // Interleaved: task 1 starts first though it ends last, so task 0 is the one that arrives last.
        Scenario two = sines(2, 1);
        List<Scenario.Position> order = new ArrayList<>();
        order.add(new Scenario.Position(1, 0));
        for (int i = 0; i < 24; i++) {
            order.add(new Scenario.Position(0, i));
        }
        for (int i = 1; i < 24; i++) {
            order.add(new Scenario.Position(1, i));
        }
        Scenario late = new Scenario("test:late", two.learnerConfig(), two.tasks(), List.of(), order);
        assertThat(Evaluator.freshTasks(late)).containsExactly(0);
    }

    @Test
    void manyTasksMeasureTwentyWholeRowsAndTheEntriesAccBwtAndFwtRead() {
        int n = 120;
        Scenario sc = TestScenarios.linear(n, 6, 4, 3, 6, false);
        EvaluationResult r = new Evaluator().run(sc, Evaluator.Options.of(Strategy.MULTIHEAD, 6).withReference(false),
                Evaluator.Progress.NONE);
        assertThat(r.matrixRows()).hasSize(Protocol.MATRIX_ROWS).endsWith(n - 1);
        assertThat(r.matrix()).hasDimensions(Protocol.MATRIX_ROWS, n);
        // Test sets: the baseline, 20 whole rows, and tasks i and i+1 at the other 100 task ends.
        assertThat(r.testScorings()).isEqualTo(4L * (n + 20L * n + 2L * 100));
        double[] last = r.matrix()[Protocol.MATRIX_ROWS - 1];
        assertThat(r.acc()).isEqualTo(java.util.Arrays.stream(last).average().orElseThrow());
        double bwt = 0;
        for (int j = 0; j < n - 1; j++) {
            assertThat(r.perTask().get(j).justAfter()).isNotNull();
            assertThat(r.perTask().get(j).finalValue()).isEqualTo(last[j]);
            bwt += last[j] - r.perTask().get(j).justAfter();
        }
        assertThat(r.bwt()).isEqualTo(bwt / (n - 1));
        assertThat(r.fwt()).isNotNull();
        assertThat(r.forgetting()).isNotNull();
        // Anytime samples only at the whole rows (a partial row has no mean over the tasks seen).
        assertThat(r.anytime().curve()).hasSize(Protocol.MATRIX_ROWS);
    }

    @Test
    void driftStreamReportsDetectionsAgainstChangePoints() {
        // One task whose rule flips half way: a drift stream with one change point and no test set.
        java.util.Random rnd = new java.util.Random(2);
        List<Instance> train = new ArrayList<>(TestScenarios.examples(rnd, "d", 1500, 4, 0, false, "a"));
        train.addAll(TestScenarios.examples(rnd, "d", 1500, 4, 0, true, "b"));
        Scenario sc = new Scenario("test:flip", Map.of("input.dim", "4", "task.classes", "2"),
                List.of(new Scenario.TaskData("d", train, List.of())), List.of(new Scenario.ChangePoint("d", 1500, 1)));
        EvaluationResult r = new Evaluator().run(sc, Evaluator.Options.of(Strategy.METASTREAM, 2),
                Evaluator.Progress.NONE);
        assertThat(r.matrix()).isNull();
        assertThat(r.acc()).isNull();
        assertThat(r.transfer()).isNull();
        assertThat(r.drift().changePoints()).isEqualTo(1);
        assertThat(r.drift().found()).hasSize(1);
        assertThat(r.drift().found().get(0).delay()).isBetween(0L, 1000L);
        // The windowed curve shows the drop after the change.
        double before = r.prequential().curve().stream().filter(p -> p.examples() == 1500).findFirst().orElseThrow()
                .windowed();
        double after = r.prequential().curve().stream().filter(p -> p.examples() >= 1560).findFirst().orElseThrow()
                .windowed();
        assertThat(after).isLessThan(before);
    }

    static List<Instance> sine(java.util.Random rnd, String task, double a, double phase, int n) {
        List<Instance> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float x = (float) (rnd.nextDouble() * 10 - 5);
            out.add(new Instance(task, new float[] {x}, new float[] {(float) (a * Math.sin(x + phase))}, null, 0));
        }
        return out;
    }

    private static EvaluationResult run(Scenario sc, Strategy s, long seed) {
        return new Evaluator().run(sc, Evaluator.Options.of(s, seed), Evaluator.Progress.NONE);
    }
}
