package dev.metastream.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.metastream.data.Scenario;
import dev.metastream.learn.Instance;
import dev.metastream.learn.LearnerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Figures computed from outcomes written by hand, so every expected value below is worked out from the outcomes on
 * paper (the comments show the counts).
 */
class FiguresTest {
    private static final double E = 1e-12;

    /**
     * One 3-class task. Final test set: labels 0 0 1 1 2 2, predicted 0 1 1 1 0 2 (the predicted class gets 0.6, the
     * others 0.2). Counts: class 0 tp 1, predicted 2, true 2; class 1 tp 2, predicted 3, true 2; class 2 tp 1,
     * predicted 1, true 2. Accuracy 4/6; P = 1/2, 2/3, 1; R = 1/2, 1, 1/2; F1 = 2tp/(pred+true) = 1/2, 4/5, 2/3;
     * macro P 13/18, R 2/3, F1 59/90; micro = accuracy; p_e = (2·2 + 2·3 + 2·1)/36 = 1/3, kappa = (2/3 − 1/3)/(2/3)
     * = 1/2; log-loss = (4 (−ln 0.6) + 2 (−ln 0.2))/6.
     *
     * <p>Training stream (window 2): labels 0 1 2 0, predicted 1 1 2 0. Cumulative accuracy 3/4, window 1; F1 per
     * class 2/3, 2/3, 1 so macro F1 7/9, window (classes 2 and 0 only, both right) 1; p_e = (2·1 + 1·2 + 1·1)/16,
     * kappa = (3/4 − 5/16)/(1 − 5/16) = 7/11.
     */
    @Test
    void classificationFiguresByHand() {
        int[] testY = {0, 0, 1, 1, 2, 2};
        int[] testHat = {0, 1, 1, 1, 0, 2};
        int[] trainY = {0, 1, 2, 0};
        int[] trainHat = {1, 1, 2, 0};
        Scenario sc = new Scenario("test:hand", Map.of("input.dim", "2", "task.classes", "3"),
                List.of(new Scenario.TaskData("a", oneHot(trainY, 3), oneHot(testY, 3))), List.of());
        EvaluationResult r = compute(sc, 2, (out) -> {
            for (int i = 0; i < trainY.length; i++) {
                out.train[0][i] = probs(trainHat[i], 3);
            }
            for (int i = 0; i < testY.length; i++) {
                out.testOutput(0, 0, i, probs(0, 3));
                out.testOutput(1, 0, i, probs(testHat[i], 3));
            }
        });
        EvaluationResult.TaskFigures t = r.perTask().get(0);
        Map<String, Double> m = t.test().metrics();
        assertThat(t.test().examples()).isEqualTo(6);
        assertThat(m.get("accuracy")).isCloseTo(4.0 / 6, within(E));
        assertThat(t.finalValue()).isCloseTo(4.0 / 6, within(E));
        assertThat(m.get("precision_macro")).isCloseTo(13.0 / 18, within(E));
        assertThat(m.get("recall_macro")).isCloseTo(2.0 / 3, within(E));
        assertThat(m.get("f1_macro")).isCloseTo(59.0 / 90, within(E));
        assertThat(m.get("precision_micro")).isCloseTo(4.0 / 6, within(E));
        assertThat(m.get("recall_micro")).isCloseTo(4.0 / 6, within(E));
        assertThat(m.get("f1_micro")).isCloseTo(4.0 / 6, within(E));
        assertThat(m.get("kappa")).isCloseTo(0.5, within(E));
        assertThat(m.get("log_loss")).isCloseTo((4 * -Math.log(0.6f) + 2 * -Math.log(0.2f)) / 6, within(E));
        assertThat(m).doesNotContainKey("auc");
        List<EvaluationResult.ClassFigures> pc = t.test().perClass();
        assertThat(pc).extracting(EvaluationResult.ClassFigures::support).containsExactly(2L, 2L, 2L);
        assertThat(pc).extracting(EvaluationResult.ClassFigures::predicted).containsExactly(2L, 3L, 1L);
        double[][] prf = {{0.5, 0.5, 0.5}, {2.0 / 3, 1, 0.8}, {1, 0.5, 2.0 / 3}};
        for (int c = 0; c < 3; c++) {
            assertThat(pc.get(c).precision()).as("P%d", c).isCloseTo(prf[c][0], within(E));
            assertThat(pc.get(c).recall()).as("R%d", c).isCloseTo(prf[c][1], within(E));
            assertThat(pc.get(c).f1()).as("F1 %d", c).isCloseTo(prf[c][2], within(E));
        }

        Map<String, Double> p = t.prequentialMetrics();
        assertThat(p.get("accuracy")).isCloseTo(0.75, within(E));
        assertThat(p.get("accuracy_window")).isCloseTo(1.0, within(E));
        assertThat(p.get("f1_macro")).isCloseTo(7.0 / 9, within(E));
        assertThat(p.get("f1_macro_window")).isCloseTo(1.0, within(E));
        assertThat(p.get("kappa")).isCloseTo(7.0 / 11, within(E));
        assertThat(t.prequential()).isCloseTo(0.75, within(E));
        // The stream's curve carries the same cumulative and windowed values at its last point.
        EvaluationResult.CurvePoint last = r.prequential().curve().get(r.prequential().curve().size() - 1);
        assertThat(last.examples()).isEqualTo(4);
        assertThat(last.cumulative()).isCloseTo(0.75, within(E));
        assertThat(last.windowed()).isCloseTo(1.0, within(E));
        // Anytime: one task-end sample, the final test accuracy.
        assertThat(r.anytime().curve()).containsExactly(new EvaluationResult.Point(4, r.perTask().get(0).finalValue()));
        assertThat(r.anytime().mean()).isCloseTo(4.0 / 6, within(E));
    }

    /**
     * Binary: labels 1 1 0 0 with p(1) = 0.9 0.4 0.6 0.1; positives above negatives in 3 of 4 pairs (0.4 < 0.6), AUC
     * 3/4; predicted 1 0 1 0, so precision = recall = F1 of class 1 = 1/2, accuracy 1/2.
     */
    @Test
    void binaryHasAucAndPositiveClassFigures() {
        float[] p = {0.9f, 0.4f, 0.6f, 0.1f};
        int[] y = {1, 1, 0, 0};
        List<Instance> test = new ArrayList<>();
        for (int v : y) {
            test.add(new Instance("b", new float[] {0}, new float[] {v}, null, 0));
        }
        Scenario sc = new Scenario("test:binary", Map.of("input.dim", "1", "task.kind", "binary"),
                List.of(new Scenario.TaskData("b", test, test)), List.of());
        EvaluationResult r = compute(sc, 10, out -> {
            for (int i = 0; i < 4; i++) {
                out.train[0][i] = new float[] {p[i]};
                out.testOutput(0, 0, i, new float[] {0.5f});
                out.testOutput(1, 0, i, new float[] {p[i]});
            }
        });
        Map<String, Double> m = r.perTask().get(0).test().metrics();
        assertThat(m.get("auc")).isEqualTo(0.75);
        assertThat(m.get("accuracy")).isEqualTo(0.5);
        assertThat(m.get("precision")).isEqualTo(0.5);
        assertThat(m.get("recall")).isEqualTo(0.5);
        assertThat(m.get("f1")).isEqualTo(0.5);
        assertThat(r.perTask().get(0).prequentialMetrics().get("auc")).isCloseTo(0.75, within(0.05));
        assertThat(r.perTask().get(0).prequentialMetrics().get("auc_window")).isEqualTo(0.75);
    }

    /** Regression: targets 1 2 3 4, predictions 1 2 3 6: MSE 4/4 = 1, RMSE 1, MAE 1/2, SST 5, R² = 1 − 4/5. */
    @Test
    void regressionFiguresByHand() {
        float[] yHat = {1, 2, 3, 6};
        List<Instance> test = new ArrayList<>();
        for (int v = 1; v <= 4; v++) {
            test.add(new Instance("s", new float[] {0}, new float[] {v}, null, 0));
        }
        Scenario sc = new Scenario("test:reg", Map.of("input.dim", "1", "task.kind", "regression"),
                List.of(new Scenario.TaskData("s", test, test)), List.of());
        EvaluationResult r = compute(sc, 10, out -> {
            for (int i = 0; i < 4; i++) {
                out.train[0][i] = new float[] {yHat[i]};
                out.testOutput(0, 0, i, new float[] {0});
                out.testOutput(1, 0, i, new float[] {yHat[i]});
            }
        });
        Map<String, Double> m = r.perTask().get(0).test().metrics();
        assertThat(m).containsOnlyKeys("mse", "rmse", "mae", "r2");
        assertThat(m.get("mse")).isEqualTo(1.0);
        assertThat(m.get("rmse")).isEqualTo(1.0);
        assertThat(m.get("mae")).isEqualTo(0.5);
        assertThat(m.get("r2")).isCloseTo(0.2, within(E));
        assertThat(r.perTask().get(0).test().perClass()).isEmpty();
        assertThat(r.perTask().get(0).prequentialMetrics().get("r2")).isCloseTo(0.2, within(E));
        assertThat(r.metric()).isEqualTo("mse");
    }

    /**
     * Negative transfer by how much: accuracy 0.8/0.5/0.9 against independent 0.7/0.6/0.95: deltas +0.1, −0.1,
     * −0.05; gain −0.05/3; the worse tasks worst first. For MSE the same comparison runs on −MSE.
     */
    @Test
    void transferReportsEachWorseTaskWithItsDelta() {
        EvaluationResult model = withFinal("accuracy", 0.8, 0.5, 0.9);
        EvaluationResult ref = withFinal("accuracy", 0.7, 0.6, 0.95);
        EvaluationResult.Transfer tr = Evaluator.transfer(model, ref);
        assertThat(tr.gain()).isCloseTo(-0.05 / 3, within(E));
        assertThat(tr.negativeTransfer()).extracting(EvaluationResult.TaskTransfer::task).containsExactly("t1", "t2");
        EvaluationResult.TaskTransfer worst = tr.negativeTransfer().get(0);
        assertThat(worst.model()).isEqualTo(0.5);
        assertThat(worst.independent()).isEqualTo(0.6);
        assertThat(worst.delta()).isCloseTo(-0.1, within(E));

        EvaluationResult.Transfer mse = Evaluator.transfer(withFinal("mse", 1.0, 2.0), withFinal("mse", 1.5, 1.0));
        // -MSE: +0.5 and -1.0; t1 is worse by 1.0 and keeps its MSE values.
        assertThat(mse.gain()).isCloseTo(-0.25, within(E));
        assertThat(mse.negativeTransfer()).containsExactly(new EvaluationResult.TaskTransfer("t1", 2.0, 1.0, -1.0));
    }

    private static EvaluationResult withFinal(String metric, double... fin) {
        List<String> ids = new ArrayList<>();
        for (int j = 0; j < fin.length; j++) {
            ids.add("t" + j);
        }
        return new EvaluationResult("x", "s", "in-process", 1, metric, null, ids, null, null, null, null,
                new double[][] {fin}, null, List.of(), null, null, null, null, null, 0, 0, 0, 0);
    }

    private interface Fill {
        void fill(Outcomes out);
    }

    private static EvaluationResult compute(Scenario sc, int window, Fill fill) {
        Strategy s = Strategy.MULTIHEAD;
        Map<String, String> settings = Evaluator.settings(sc, s, 1, Map.of());
        LearnerConfig config = Evaluator.config(settings);
        Protocol protocol = Protocol.of(sc, 0, 0);
        Outcomes out = new Outcomes(sc, protocol, config, s);
        fill.fill(out);
        out.seconds = 1;
        return Figures.compute(new Figures.Run(sc, s, "in-process", 1, config,
                new EvaluationResult.ConfigInfo(config.digest(), settings), protocol, window, 1000), out);
    }

    private static List<Instance> oneHot(int[] y, int k) {
        List<Instance> out = new ArrayList<>();
        for (int v : y) {
            float[] t = new float[k];
            t[v] = 1;
            out.add(new Instance("a", new float[] {0, 0}, t, null, 0));
        }
        return out;
    }

    /** Probabilities with {@code c} at 0.6 and the rest sharing 0.4. */
    private static float[] probs(int c, int k) {
        float[] p = new float[k];
        java.util.Arrays.fill(p, 0.4f / (k - 1));
        p[c] = 0.6f;
        return p;
    }
}
