package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.metastream.data.Scenario;
import dev.metastream.evaluation.EvaluationResult;
import dev.metastream.evaluation.Evaluator;
import dev.metastream.evaluation.Strategy;
import dev.metastream.learn.Instance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The same scenario, seed and strategy in process and through the whole topology on a real broker give the same
 * figures. With one-at-a-time test scoring in process (what the topology does) the accuracy matrix is equal exactly;
 * with the default batch scoring (one ND4J matrix product per test set) the trunk's sums are ordered differently and
 * an argmax can flip on a near tie, so each cell may differ by at most one test example (1/50 here).
 */
class EvaluateAgreementTest {
    private static final int TASKS = 3;
    private static final int TRAIN = 192; // a multiple of learner.batch.size (16): no partial batch at task ends
    private static final int TEST = 50;
    private static final int DIM = 8;

    @Test
    void inProcessAndThroughKafkaAgree() throws Exception {
        Scenario sc = scenario(5);
        Evaluator.Options options = Evaluator.Options.of(Strategy.AGEM, 5).withReference(false)
                .withOverrides(Map.of("learner.batch.size", "16", "model.trunk.layers", "16", "task.classes", "3",
                        "memory.per.task", "32"));

        EvaluationResult kafka = KafkaEvaluation.run(sc, options, 1, Evaluator.Progress.NONE);
        EvaluationResult exact = new Evaluator().run(sc, options.withScoring(Evaluator.Scoring.SINGLE),
                Evaluator.Progress.NONE);
        EvaluationResult batch = new Evaluator().run(sc, options, Evaluator.Progress.NONE);

        assertThat(kafka.mode()).isEqualTo("through-kafka");
        assertThat(kafka.matrix()).hasDimensions(TASKS, TASKS);
        // The run learned something, so agreement is not two untrained models agreeing.
        assertThat(exact.acc()).isGreaterThan(exact.baseline()[0] + 0.2);
        assertThat(kafka.matrix()).isDeepEqualTo(exact.matrix());
        assertThat(kafka.baseline()).containsExactly(exact.baseline());
        assertThat(kafka.acc()).isEqualTo(exact.acc());
        assertThat(kafka.bwt()).isEqualTo(exact.bwt());
        assertThat(kafka.fwt()).isEqualTo(exact.fwt());
        assertThat(kafka.prequential().cumulative()).isEqualTo(exact.prequential().cumulative());
        for (int i = 0; i < TASKS; i++) {
            for (int j = 0; j < TASKS; j++) {
                assertThat(batch.matrix()[i][j]).isCloseTo(kafka.matrix()[i][j], within(1.0 / TEST + 1e-9));
            }
        }
        System.out.printf("agreement: kafka ACC %.4f BWT %.4f in %.1f s; in-process ACC %.4f (batch scoring %.4f)%n",
                kafka.acc(), kafka.bwt(), kafka.seconds(), exact.acc(), batch.acc());
    }

    /** Three 3-class tasks on 8 inputs, each with its own random linear rule. */
    static Scenario scenario(long seed) {
        Random rnd = new Random(seed);
        List<Scenario.TaskData> tasks = new ArrayList<>();
        for (int k = 0; k < TASKS; k++) {
            float[][] w = new float[3][DIM];
            for (float[] row : w) {
                for (int j = 0; j < DIM; j++) {
                    row[j] = (float) rnd.nextGaussian();
                }
            }
            tasks.add(new Scenario.TaskData("t" + k, examples(rnd, "t" + k, w, TRAIN), examples(rnd, "t" + k, w, TEST)));
        }
        return new Scenario("test:three-linear", Map.of("input.dim", String.valueOf(DIM)), tasks, List.of());
    }

    private static List<Instance> examples(Random rnd, String task, float[][] w, int n) {
        List<Instance> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] x = new float[DIM];
            for (int j = 0; j < DIM; j++) {
                x[j] = (float) rnd.nextGaussian();
            }
            int best = 0;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < w.length; c++) {
                double s = 0;
                for (int j = 0; j < DIM; j++) {
                    s += w[c][j] * x[j];
                }
                if (s > bestScore) {
                    bestScore = s;
                    best = c;
                }
            }
            float[] t = new float[w.length];
            t[best] = 1f;
            out.add(new Instance(task, x, t, null, 0));
        }
        return out;
    }
}
