package dev.metastream.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.metastream.eval.PrequentialMetrics.Kind;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Hand-worked examples (window 3, with eviction), windows against brute force, and state of detailed metrics. */
class DetailedPrequentialMetricsTest {
    private static final double TOL = 1e-12;

    /**
     * K = 3, window 3. (y, p) → ŷ: (0, .7 .2 .1) → 0; (1, .6 .3 .1) → 0; (2, .1 .2 .7) → 2; (1, .2 .5 .3) → 1.
     * <pre>
     * cumulative (0,0) (1,0) (2,2) (1,1): tp (1,1,1) pred (2,1,1) true (1,2,1), n 4
     *   precision (1/2, 1, 1) → 5/6;  recall (1, 1/2, 1) → 5/6;  F1 (2/3, 2/3, 1) → 7/9;  micro F1 = 3/4
     *   p_e = (1·2 + 2·1 + 1·1)/16 = 5/16,  κ = (12/16 − 5/16)/(11/16) = 7/11
     * window (1,0) (2,2) (1,1): tp (0,1,1) pred (1,1,1) true (0,2,1), n 3
     *   precision (0, 1, 1) → 2/3;  recall (0/0 → 0, 1/2, 1) → 1/2;  F1 (0, 2/3, 1) → 5/9;  micro F1 = 2/3
     *   p_e = (0·1 + 2·1 + 1·1)/9 = 1/3,  κ = (2/3 − 1/3)/(2/3) = 1/2
     * </pre>
     */
    @Test
    void classificationByHand() {
        PrequentialMetrics m = PrequentialMetrics.detailed(Kind.CLASSIFICATION, 3, 3);
        m.observeClassification(0, new float[] {0.7f, 0.2f, 0.1f});
        m.observeClassification(1, new float[] {0.6f, 0.3f, 0.1f});
        m.observeClassification(2, new float[] {0.1f, 0.2f, 0.7f});
        m.observeClassification(1, new float[] {0.2f, 0.5f, 0.3f});
        Map<String, Double> s = m.snapshot();
        assertThat(s.get("accuracy")).isCloseTo(0.75, within(TOL));
        assertThat(s.get("accuracy_window")).isCloseTo(2.0 / 3, within(TOL));
        assertThat(s.get("precision_macro")).isCloseTo(5.0 / 6, within(TOL));
        assertThat(s.get("recall_macro")).isCloseTo(5.0 / 6, within(TOL));
        assertThat(s.get("f1_macro")).isCloseTo(7.0 / 9, within(TOL));
        assertThat(s.get("f1_micro")).isCloseTo(0.75, within(TOL));
        assertThat(s.get("kappa")).isCloseTo(7.0 / 11, within(TOL));
        assertThat(s.get("precision_macro_window")).isCloseTo(2.0 / 3, within(TOL));
        assertThat(s.get("recall_macro_window")).isCloseTo(0.5, within(TOL));
        assertThat(s.get("f1_macro_window")).isCloseTo(5.0 / 9, within(TOL));
        assertThat(s.get("f1_micro_window")).isCloseTo(2.0 / 3, within(TOL));
        assertThat(s.get("kappa_window")).isCloseTo(0.5, within(TOL));
        assertThat(s).containsOnlyKeys("accuracy", "accuracy_window", "log_loss", "log_loss_window",
                "precision_macro", "precision_macro_window", "recall_macro", "recall_macro_window", "f1_macro",
                "f1_macro_window", "f1_micro", "f1_micro_window", "kappa", "kappa_window");
    }

    /**
     * Window 3. (y, p) → ŷ: (1, .8) → 1; (0, .6) → 1; (1, .4) → 0; (0, .2) → 0; (1, .6) → 1.
     * <pre>
     * cumulative: TP 2, FP 1, FN 1, TN 1 → precision 2/3, recall 2/3, F1 2/3
     *   class 0: tp 1, pred 2, true 2 → 1/2, 1/2;  macro precision = macro F1 = (1/2 + 2/3)/2 = 7/12
     *   p_e = (2·2 + 3·3)/25 = 13/25,  κ = (15/25 − 13/25)/(12/25) = 1/6
     *   AUC: positives {.8, .4, .6}, negatives {.6, .2}: .8 → 2, .4 → 1, .6 → 1 + 1/2; 4.5/6 = 3/4 (the two .6 share
     *   a log-odds bin and are a true tie, so the histogram is exact here)
     * window (1, .4, 0) (0, .2, 0) (1, .6, 1): TP 1, FP 0, FN 1, TN 1 → precision 1, recall 1/2, F1 2/3
     *   class 0: tp 1, pred 2, true 1 → precision 1/2, recall 1;  macro precision (1/2 + 1)/2 = 3/4
     *   p_e = (1·2 + 2·1)/9 = 4/9,  κ = (6/9 − 4/9)/(5/9) = 2/5;  AUC: both positives above .2 → 1
     * </pre>
     */
    @Test
    void binaryByHand() {
        PrequentialMetrics m = PrequentialMetrics.detailed(Kind.BINARY, 3, 1);
        for (double[] yp : new double[][] {{1, 0.8}, {0, 0.6}, {1, 0.4}, {0, 0.2}, {1, 0.6}}) {
            m.observeBinary((int) yp[0], yp[1]);
        }
        Map<String, Double> s = m.snapshot();
        assertThat(s.get("precision")).isCloseTo(2.0 / 3, within(TOL));
        assertThat(s.get("recall")).isCloseTo(2.0 / 3, within(TOL));
        assertThat(s.get("f1")).isCloseTo(2.0 / 3, within(TOL));
        assertThat(s.get("precision_macro")).isCloseTo(7.0 / 12, within(TOL));
        assertThat(s.get("f1_macro")).isCloseTo(7.0 / 12, within(TOL));
        assertThat(s.get("kappa")).isCloseTo(1.0 / 6, within(TOL));
        assertThat(s.get("auc")).isCloseTo(0.75, within(TOL));
        assertThat(s.get("precision_window")).isCloseTo(1.0, within(TOL));
        assertThat(s.get("recall_window")).isCloseTo(0.5, within(TOL));
        assertThat(s.get("f1_window")).isCloseTo(2.0 / 3, within(TOL));
        assertThat(s.get("precision_macro_window")).isCloseTo(0.75, within(TOL));
        assertThat(s.get("recall_macro_window")).isCloseTo(0.75, within(TOL));
        assertThat(s.get("kappa_window")).isCloseTo(0.4, within(TOL));
        assertThat(s.get("auc_window")).isCloseTo(1.0, within(TOL));
        assertThat(s.get("accuracy_window")).isCloseTo(2.0 / 3, within(TOL));
        assertThat(s).containsKeys("log_loss", "log_loss_window", "f1_micro", "f1_micro_window", "recall_macro")
                .hasSize(4 + 2 * 5 + 2 * 4);
    }

    /**
     * Window 3. (y, ŷ) = (3, 1) (−1, .5) (0, 0) (10, 6).
     * Cumulative: SSE 22.25, RMSE √(22.25/4) = 2.3584952830141509, ȳ = 3, SST = 74, R² = 1 − 22.25/74.
     * Window (−1, .5) (0, 0) (10, 6): SSE 2.25 + 0 + 16 = 18.25, RMSE √(18.25/3); ȳ = 3, SST 16 + 9 + 49 = 74,
     * R² = 1 − 18.25/74.
     */
    @Test
    void regressionByHand() {
        PrequentialMetrics m = PrequentialMetrics.detailed(Kind.REGRESSION, 3, 1);
        m.observeRegression(3, 1);
        m.observeRegression(-1, 0.5);
        m.observeRegression(0, 0);
        m.observeRegression(10, 6);
        Map<String, Double> s = m.snapshot();
        assertThat(s.get("rmse")).isCloseTo(2.3584952830141509, within(TOL));
        assertThat(s.get("r2")).isCloseTo(1 - 22.25 / 74, within(TOL));
        assertThat(s.get("rmse_window")).isCloseTo(Math.sqrt(18.25 / 3), within(TOL));
        assertThat(s.get("r2_window")).isCloseTo(1 - 18.25 / 74, within(TOL));
        assertThat(s).containsOnlyKeys("mse", "mse_window", "mae", "mae_window", "rmse", "rmse_window", "r2",
                "r2_window");
    }

    /** A window of equal targets: R² is 1 with exact predictions, 0 otherwise (the cumulative one is defined). */
    @Test
    void regressionConstantWindow() {
        PrequentialMetrics m = PrequentialMetrics.detailed(Kind.REGRESSION, 2, 1);
        m.observeRegression(1, 0);
        m.observeRegression(0.1, 0.1);
        m.observeRegression(0.1, 0.1);
        assertThat(m.snapshot().get("r2_window")).isEqualTo(1.0);
        m.observeRegression(0.1, 0.3);
        assertThat(m.snapshot().get("r2_window")).isEqualTo(0.0);
    }

    /**
     * L = 3, window 3, ŷ = 1[p ≥ 0.5]:
     * <pre>
     *   y (1,0,1) ŷ (1,1,0): J 1/3;  y (0,1,0) ŷ (0,1,0): J 1;  y (0,0,0) ŷ (0,0,0): J 1;  y (1,1,0) ŷ (0,1,0): J 1/2
     * cumulative: Jaccard 17/24; micro F1 2·3/(6 + 1 + 2) = 2/3; macro F1 (2/3 + 4/5 + 0)/3 = 22/45
     * window (last three): Jaccard (1 + 1 + 1/2)/3 = 5/6; label 0 fn 1, label 1 tp 2, label 2 absent:
     *   micro F1 4/(4 + 1) = 4/5; macro F1 over labels 0, 1: (0 + 1)/2 = 1/2
     * </pre>
     */
    @Test
    void multiLabelByHand() {
        PrequentialMetrics m = PrequentialMetrics.detailed(Kind.MULTILABEL, 3, 3);
        m.observeMultiLabel(new int[] {1, 0, 1}, new float[] {0.9f, 0.6f, 0.2f});
        m.observeMultiLabel(new int[] {0, 1, 0}, new float[] {0.1f, 0.8f, 0.3f});
        m.observeMultiLabel(new int[] {0, 0, 0}, new float[] {0.2f, 0.2f, 0.2f});
        m.observeMultiLabel(new int[] {1, 1, 0}, new float[] {0.4f, 0.7f, 0.1f});
        Map<String, Double> s = m.snapshot();
        assertThat(s.get("jaccard")).isCloseTo(17.0 / 24, within(TOL));
        assertThat(s.get("f1_micro")).isCloseTo(2.0 / 3, within(TOL));
        assertThat(s.get("f1_macro")).isCloseTo(22.0 / 45, within(TOL));
        assertThat(s.get("jaccard_window")).isCloseTo(5.0 / 6, within(TOL));
        assertThat(s.get("f1_micro_window")).isCloseTo(0.8, within(TOL));
        assertThat(s.get("f1_macro_window")).isCloseTo(0.5, within(TOL));
        assertThat(s.get("hamming_loss_window")).isCloseTo(1.0 / 9, within(TOL));
        assertThat(s).hasSize(6 + 6);
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Every windowed metric equals the same metric computed afresh over the last w examples, over many laps. */
    @Test
    void windowsMatchBruteForce() {
        Random r = new Random(8);
        int w = 7;
        int n = 5 * w + 4;
        PrequentialMetrics c = PrequentialMetrics.detailed(Kind.CLASSIFICATION, w, 4);
        PrequentialMetrics b = PrequentialMetrics.detailed(Kind.BINARY, w, 1);
        PrequentialMetrics g = PrequentialMetrics.detailed(Kind.REGRESSION, w, 1);
        PrequentialMetrics l = PrequentialMetrics.detailed(Kind.MULTILABEL, w, 5);
        int[][] cls = new int[n][2];
        double[][] bin = new double[n][2];
        double[][] reg = new double[n][2];
        int[][][] lab = new int[n][2][5];
        for (int i = 0; i < n; i++) {
            float[] p = {r.nextFloat(), r.nextFloat(), r.nextFloat(), r.nextFloat()};
            cls[i][0] = r.nextInt(4);
            cls[i][1] = argmax(p);
            c.observeClassification(cls[i][0], p);
            bin[i][0] = r.nextInt(2);
            bin[i][1] = (float) (0.3 * bin[i][0] + 0.7 * r.nextDouble());
            b.observeBinary((int) bin[i][0], bin[i][1]);
            reg[i][0] = r.nextGaussian() * 5 + 100;
            reg[i][1] = reg[i][0] + r.nextGaussian();
            g.observeRegression(reg[i][0], reg[i][1]);
            float[] q = new float[5];
            for (int j = 0; j < 5; j++) {
                lab[i][0][j] = r.nextInt(2);
                q[j] = r.nextFloat();
                lab[i][1][j] = q[j] >= 0.5f ? 1 : 0;
            }
            l.observeMultiLabel(lab[i][0], q);

            int from = Math.max(0, i + 1 - w);
            ConfusionMatrix cw = new ConfusionMatrix(4);
            ConfusionMatrix bw = new ConfusionMatrix(2);
            RegressionMetrics gw = new RegressionMetrics();
            MultiLabelMetrics lw = new MultiLabelMetrics(5);
            int[] by = new int[i + 1 - from];
            double[] bs = new double[i + 1 - from];
            for (int k = from; k <= i; k++) {
                cw.update(cls[k][0], cls[k][1]);
                bw.update((int) bin[k][0], bin[k][1] >= 0.5 ? 1 : 0);
                by[k - from] = (int) bin[k][0];
                bs[k - from] = bin[k][1];
                gw.update(reg[k][0], reg[k][1]);
                lw.update(lab[k][0], lab[k][1]);
            }
            Map<String, Double> cs = c.snapshot();
            assertThat(cs.get("f1_macro_window")).isCloseTo(cw.macroF1(), within(TOL));
            assertThat(cs.get("kappa_window")).isCloseTo(cw.kappa(), within(TOL));
            assertThat(cs.get("recall_macro_window")).isCloseTo(cw.macroRecall(), within(TOL));
            Map<String, Double> bsn = b.snapshot();
            assertThat(bsn.get("f1_window")).isCloseTo(bw.f1(), within(TOL));
            assertThat(bsn.get("precision_window")).isCloseTo(bw.precision(), within(TOL));
            double auc = RocAuc.exact(by, bs, by.length);
            if (Double.isNaN(auc)) {
                assertThat(bsn.get("auc_window")).isNaN();
            } else {
                assertThat(bsn.get("auc_window")).isCloseTo(auc, within(TOL));
            }
            Map<String, Double> gs = g.snapshot();
            assertThat(gs.get("r2_window")).isCloseTo(gw.r2(), within(1e-9));
            assertThat(gs.get("rmse_window")).isCloseTo(gw.rmse(), within(1e-9));
            Map<String, Double> ls = l.snapshot();
            assertThat(ls.get("jaccard_window")).isCloseTo(lw.jaccard(), within(TOL));
            assertThat(ls.get("f1_micro_window")).isCloseTo(lw.microF1(), within(TOL));
            assertThat(ls.get("f1_macro_window")).isCloseTo(lw.macroF1(), within(TOL));
        }
    }

    private static int argmax(float[] p) {
        int a = 0;
        for (int k = 1; k < p.length; k++) {
            a = p[k] > p[a] ? k : a;
        }
        return a;
    }

    @Test
    void cumulativeAucIsWithinItsBoundOfTheExactOne() {
        Random r = new Random(4);
        PrequentialMetrics m = PrequentialMetrics.detailed(Kind.BINARY, 10, 1);
        RocAuc bins = new RocAuc(240, -12, 12);
        int n = 3000;
        int[] y = new int[n];
        double[] p = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(2);
            p[i] = 1 / (1 + Math.exp(-(2 * r.nextGaussian() + 1.5 * (2 * y[i] - 1))));
            m.observeBinary(y[i], p[i]);
            bins.update(y[i], Math.log(p[i] / (1 - p[i])));
        }
        double exact = RocAuc.exact(y, p, n);
        assertThat(m.snapshot().get("auc")).isEqualTo(bins.value());
        assertThat(Math.abs(m.snapshot().get("auc") - exact)).isLessThanOrEqualTo(bins.errorBound());
        assertThat(bins.errorBound()).as("0.1-wide log-odds bins").isLessThan(0.01);
    }

    @Test
    void plainStateStillReadsAsPlainAndDetailedAsDetailed() {
        PrequentialMetrics plain = new PrequentialMetrics(Kind.BINARY, 3);
        plain.observeBinary(1, 0.7);
        byte[] v1 = plain.toBytes();
        assertThat(v1[0]).isEqualTo((byte) 1);
        PrequentialMetrics back = PrequentialMetrics.fromBytes(v1);
        assertThat(back.isDetailed()).isFalse();
        assertThat(back.snapshot()).isEqualTo(plain.snapshot());

        PrequentialMetrics detailed = PrequentialMetrics.detailed(Kind.BINARY, 3, 1);
        detailed.observeBinary(1, 0.7);
        byte[] v2 = detailed.toBytes();
        assertThat(v2[0]).isEqualTo((byte) 2);
        assertThat(PrequentialMetrics.fromBytes(v2).isDetailed()).isTrue();
        assertThatThrownBy(() -> PrequentialMetrics.fromBytes(Arrays.copyOf(v2, v2.length - 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PrequentialMetrics.fromBytes(Arrays.copyOf(v2, v2.length + 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsWrongWidthsWithoutChangingState() {
        PrequentialMetrics c = PrequentialMetrics.detailed(Kind.CLASSIFICATION, 5, 3);
        c.observeClassification(0, new float[] {0.5f, 0.3f, 0.2f});
        byte[] before = c.toBytes();
        assertThatThrownBy(() -> c.observeClassification(0, new float[] {0.5f, 0.5f}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(c.toBytes()).isEqualTo(before);
        PrequentialMetrics l = PrequentialMetrics.detailed(Kind.MULTILABEL, 5, 3);
        assertThatThrownBy(() -> l.observeMultiLabel(new int[] {1, 0}, new float[] {0.5f, 0.5f}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(l.count()).isZero();
        assertThatThrownBy(() -> PrequentialMetrics.detailed(Kind.BINARY, 5, 2))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PrequentialMetrics.detailed(Kind.CLASSIFICATION, 5, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * The state does not grow with the stream, and the detail costs at most about one more double per window slot
     * over the plain metrics (class codes as bytes, binary scores as floats, label bits, regression targets as
     * doubles) plus var-long counts.
     */
    @Test
    void stateSizeIsBoundedByWindowAndSmall() {
        for (Kind kind : Kind.values()) {
            PrequentialMetrics m = PrequentialMetrics.detailed(kind, 500, outputs(kind));
            PrequentialMetrics plain = new PrequentialMetrics(kind, 500);
            Random r = new Random(2);
            Random r2 = new Random(2);
            for (int i = 0; i < 500; i++) {
                Contract.feedOne(m, r);
                Contract.feedOne(plain, r2);
            }
            int full = m.toBytes().length;
            for (int i = 0; i < 3000; i++) {
                Contract.feedOne(m, r);
            }
            // Var-long counts may grow by a byte as they pass powers of 128, nothing proportional to n.
            assertThat(m.toBytes().length).as("%s", kind).isBetween(full, full + 100);
            int extra = full - plain.toBytes().length;
            assertThat(extra).as("%s: %d extra bytes", kind, extra).isLessThan(Double.BYTES * 500 + 1200);
        }
    }

    static int outputs(Kind kind) {
        return switch (kind) {
            case CLASSIFICATION -> 4;
            case MULTILABEL -> 3;
            default -> 1;
        };
    }

    /** The generic contract, once per kind, with the state round trip. */
    abstract static class Contract extends StreamingMetricContract<PrequentialMetrics> {
        abstract Kind kind();

        @Override
        protected PrequentialMetrics create() {
            return PrequentialMetrics.detailed(kind(), 10, outputs(kind()));
        }

        @Override
        protected void feed(PrequentialMetrics m, Random r) {
            feedOne(m, r);
        }

        /** One random example of the metrics' kind. */
        static void feedOne(PrequentialMetrics m, Random r) {
            switch (m.kind()) {
                case CLASSIFICATION -> {
                    int y = r.nextInt(4);
                    float[] p = {r.nextFloat(), r.nextFloat(), r.nextFloat(), r.nextFloat()};
                    p[y] += 0.5f;
                    m.observeClassification(y, p);
                }
                case BINARY -> {
                    int y = r.nextInt(2);
                    m.observeBinary(y, Math.min(1, Math.max(0, 0.35 + 0.3 * y + 0.3 * r.nextGaussian())));
                }
                case REGRESSION -> {
                    double y = r.nextGaussian();
                    m.observeRegression(y, y + 0.5 * r.nextGaussian());
                }
                default -> {
                    int[] y = {r.nextInt(2), r.nextInt(2), r.nextInt(2)};
                    float[] p = new float[3];
                    for (int j = 0; j < 3; j++) {
                        p[j] = 0.6f * y[j] + 0.4f * r.nextFloat();
                    }
                    m.observeMultiLabel(y, p);
                }
            }
        }

        @Override
        protected boolean mayBeUndefined(String key) {
            return key.equals("auc_window"); // NaN while the window holds one class only
        }

        @Override
        protected PrequentialMetrics roundTrip(PrequentialMetrics m) {
            PrequentialMetrics back = PrequentialMetrics.fromBytes(m.toBytes());
            assertThat(back.toBytes()).isEqualTo(m.toBytes());
            return back;
        }
    }

    @Nested
    class ClassificationContract extends Contract {
        @Override
        Kind kind() {
            return Kind.CLASSIFICATION;
        }
    }

    @Nested
    class BinaryContract extends Contract {
        @Override
        Kind kind() {
            return Kind.BINARY;
        }
    }

    @Nested
    class RegressionContract extends Contract {
        @Override
        Kind kind() {
            return Kind.REGRESSION;
        }
    }

    @Nested
    class MultiLabelContract extends Contract {
        @Override
        Kind kind() {
            return Kind.MULTILABEL;
        }
    }
}
