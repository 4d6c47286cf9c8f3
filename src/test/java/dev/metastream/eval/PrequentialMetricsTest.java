package dev.metastream.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.metastream.eval.PrequentialMetrics.Kind;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Hand-worked examples, window behaviour and serialisation of {@link PrequentialMetrics}. */
class PrequentialMetricsTest {

    private static final double TOL = 1e-12;
    /** −ln(1e-15) = 15 ln 10. */
    private static final double LN_EPS = 34.538776394910684;

    @Test
    void classificationHandExample() {
        PrequentialMetrics m = new PrequentialMetrics(Kind.CLASSIFICATION, 2);
        // 1: y=0, p=(.75,.125,.125): arg-max 0, right;  loss −ln .75 = 0.28768207245178085
        assertThat(m.observeClassification(0, new float[] {0.75f, 0.125f, 0.125f})).isEqualTo(0.0);
        // 2: y=1, p=(.5,.25,.25):    arg-max 0, wrong;  loss −ln .25 = 1.3862943611198906
        assertThat(m.observeClassification(1, new float[] {0.5f, 0.25f, 0.25f})).isEqualTo(1.0);
        // 3: y=2, p=(0,0,1):         right;            loss −ln 1 = 0
        assertThat(m.observeClassification(2, new float[] {0f, 0f, 1f})).isEqualTo(0.0);
        Map<String, Double> s = m.snapshot();
        assertThat(s.get("accuracy")).isCloseTo(2.0 / 3, within(TOL));
        assertThat(s.get("log_loss")).isCloseTo(0.5579921445238905, within(TOL)); // (0.2877 + 1.3863 + 0) / 3
        assertThat(s.get("accuracy_window")).isCloseTo(0.5, within(TOL));         // examples 2, 3
        assertThat(s.get("log_loss_window")).isCloseTo(0.6931471805599453, within(TOL)); // 1.3863 / 2
        // 4: y=2, p=(1,0,0): wrong; p(y)=0 is clipped to 1e-15, loss 34.538776394910684
        assertThat(m.observeClassification(2, new float[] {1f, 0f, 0f})).isEqualTo(1.0);
        s = m.snapshot();
        assertThat(m.count()).isEqualTo(4);
        assertThat(s.get("accuracy")).isCloseTo(0.5, within(TOL));
        assertThat(s.get("log_loss")).isCloseTo(9.05318820712059, within(TOL)); // (0.2877+1.3863+0+34.5388)/4
        assertThat(s.get("accuracy_window")).isCloseTo(0.5, within(TOL));        // examples 3, 4
        assertThat(s.get("log_loss_window")).isCloseTo(LN_EPS / 2, within(TOL));
        assertThat(s).containsOnlyKeys("accuracy", "accuracy_window", "log_loss", "log_loss_window");
    }

    @Test
    void classificationTieGoesToFirstClass() {
        PrequentialMetrics m = new PrequentialMetrics(Kind.CLASSIFICATION);
        assertThat(m.observeClassification(1, new float[] {0.5f, 0.5f})).isEqualTo(1.0);
        assertThat(m.observeClassification(0, new float[] {0.5f, 0.5f})).isEqualTo(0.0);
    }

    @Test
    void binaryHandExample() {
        PrequentialMetrics m = new PrequentialMetrics(Kind.BINARY, 3);
        assertThat(m.observeBinary(1, 0.9)).isEqualTo(0.0); // right, −ln .9 = 0.10536051565782628
        assertThat(m.observeBinary(0, 0.5)).isEqualTo(1.0); // 0.5 predicts 1: wrong, −ln .5 = 0.6931471805599453
        assertThat(m.observeBinary(0, 0.2)).isEqualTo(0.0); // right, −ln .8 = 0.2231435513142097
        assertThat(m.observeBinary(1, 0.0)).isEqualTo(1.0); // wrong, p clipped to 1e-15: 34.538776394910684
        Map<String, Double> s = m.snapshot();
        assertThat(s.get("accuracy")).isCloseTo(0.5, within(TOL));
        assertThat(s.get("log_loss")).isCloseTo(8.890106910610667, within(TOL));
        assertThat(s.get("accuracy_window")).isCloseTo(1.0 / 3, within(TOL));
        assertThat(s.get("log_loss_window")).isCloseTo(11.81835570892828, within(TOL)); // (0.6931+0.2231+34.5388)/3
        // y=0, p=1: clipped to 1 − 1e-15, which is 1 − 9.992e-16 in double: loss −ln(9.992e-16) = 34.53957599234088
        assertThat(m.observeBinary(0, 1.0)).isEqualTo(1.0);
        s = m.snapshot();
        assertThat(s.get("accuracy")).isCloseTo(0.4, within(TOL));
        assertThat(s.get("log_loss")).isCloseTo(14.02000072695671, within(TOL));
        assertThat(s.get("accuracy_window")).isCloseTo(1.0 / 3, within(TOL));
        assertThat(s.get("log_loss_window")).isCloseTo(23.100498646188594, within(TOL));
        assertThat(s).containsOnlyKeys("accuracy", "accuracy_window", "log_loss", "log_loss_window");
    }

    @Test
    void regressionHandExample() {
        PrequentialMetrics m = new PrequentialMetrics(Kind.REGRESSION, 2);
        assertThat(m.observeRegression(3, 1)).isEqualTo(2.0);     // sq 4,    abs 2
        assertThat(m.observeRegression(-1, 0.5)).isEqualTo(1.5);  // sq 2.25, abs 1.5
        assertThat(m.observeRegression(0, 0)).isEqualTo(0.0);     // sq 0,    abs 0
        assertThat(m.observeRegression(10, 6)).isEqualTo(4.0);    // sq 16,   abs 4
        Map<String, Double> s = m.snapshot();
        assertThat(s.get("mse")).isCloseTo(5.5625, within(TOL));  // 22.25 / 4
        assertThat(s.get("mae")).isCloseTo(1.875, within(TOL));   // 7.5 / 4
        assertThat(s.get("mse_window")).isCloseTo(8.0, within(TOL)); // (0 + 16) / 2
        assertThat(s.get("mae_window")).isCloseTo(2.0, within(TOL)); // (0 + 4) / 2
        assertThat(s).containsOnlyKeys("mse", "mse_window", "mae", "mae_window");
    }

    @Test
    void multiLabelHandExample() {
        PrequentialMetrics m = new PrequentialMetrics(Kind.MULTILABEL, 2);
        // 1: y=(1,0,1), p=(.75,.25,.5) -> ŷ=(1,0,1): 0 wrong; loss (−ln .75 −ln .75 −ln .5)/3 = 0.4228371084878357
        assertThat(m.observeMultiLabel(new int[] {1, 0, 1}, new float[] {0.75f, 0.25f, 0.5f})).isEqualTo(0.0);
        // 2: y=(0,1,1), p=(.5,.25,1) -> ŷ=(1,0,1): 2 wrong; loss (−ln .5 −ln .25 −ln(1−1e-15))/3 = 0.6931471805599455
        assertThat(m.observeMultiLabel(new int[] {0, 1, 1}, new float[] {0.5f, 0.25f, 1f})).isEqualTo(1.0);
        // 3: y=(0,0,0), p=(0,0,0) -> all right; loss −ln(1 − 1e-15) ≈ 9.992e-16
        assertThat(m.observeMultiLabel(new int[] {0, 0, 0}, new float[] {0f, 0f, 0f})).isEqualTo(0.0);
        Map<String, Double> s = m.snapshot();
        assertThat(s.get("hamming_loss")).isCloseTo(2.0 / 9, within(TOL));      // (0 + 2/3 + 0) / 3
        assertThat(s.get("subset_accuracy")).isCloseTo(2.0 / 3, within(TOL));
        assertThat(s.get("log_loss")).isCloseTo(0.37199476301592743, within(TOL));
        assertThat(s.get("hamming_loss_window")).isCloseTo(1.0 / 3, within(TOL)); // (2/3 + 0) / 2
        assertThat(s.get("subset_accuracy_window")).isCloseTo(0.5, within(TOL));
        assertThat(s.get("log_loss_window")).isCloseTo(0.34657359027997325, within(TOL));
        assertThat(s).containsOnlyKeys("hamming_loss", "hamming_loss_window", "subset_accuracy",
                "subset_accuracy_window", "log_loss", "log_loss_window");
    }

    @Test
    void snapshotEmptyBeforeFirstExample() {
        for (Kind k : Kind.values()) {
            assertThat(new PrequentialMetrics(k).snapshot()).isEmpty();
        }
    }

    @Test
    void windowForgetsOlderExamples() {
        PrequentialMetrics m = new PrequentialMetrics(Kind.BINARY); // window 500
        for (int i = 0; i < 1000; i++) {
            m.observeBinary(1, 0.9);
        }
        for (int i = 0; i < 300; i++) {
            m.observeBinary(1, 0.1);
        }
        Map<String, Double> s = m.snapshot();
        assertThat(s.get("accuracy")).isCloseTo(1000.0 / 1300, within(TOL));
        assertThat(s.get("accuracy_window")).isCloseTo(200.0 / 500, within(TOL));
        // window log-loss: 200 × −ln .9 + 300 × −ln .1, over 500
        assertThat(s.get("log_loss_window")).isCloseTo((200 * -Math.log(0.9) + 300 * -Math.log(0.1)) / 500, within(1e-9));
    }

    @Test
    void windowMatchesBruteForceOverManyLaps() {
        for (int window : new int[] {1, 7, 500}) {
            PrequentialMetrics m = new PrequentialMetrics(Kind.REGRESSION, window);
            Random r = new Random(window);
            int n = 5 * window + 3;
            double[] sq = new double[n];
            double[] abs = new double[n];
            double sumSq = 0;
            double sumAbs = 0;
            for (int i = 0; i < n; i++) {
                double y = r.nextGaussian() * 100;
                double yHat = r.nextGaussian() * 100;
                sq[i] = (y - yHat) * (y - yHat);
                abs[i] = Math.abs(y - yHat);
                sumSq += sq[i];
                sumAbs += abs[i];
                assertThat(m.observeRegression(y, yHat)).isEqualTo(abs[i]);
                int from = Math.max(0, i + 1 - window);
                double wSq = Arrays.stream(sq, from, i + 1).sum() / (i + 1 - from);
                double wAbs = Arrays.stream(abs, from, i + 1).sum() / (i + 1 - from);
                Map<String, Double> s = m.snapshot();
                assertThat(s.get("mse_window")).isCloseTo(wSq, within(1e-9 * Math.max(1, wSq)));
                assertThat(s.get("mae_window")).isCloseTo(wAbs, within(1e-9 * Math.max(1, wAbs)));
                assertThat(s.get("mse")).isCloseTo(sumSq / (i + 1), within(1e-9 * Math.max(1, sumSq / (i + 1))));
                assertThat(s.get("mae")).isCloseTo(sumAbs / (i + 1), within(1e-9 * Math.max(1, sumAbs / (i + 1))));
            }
            assertThat(m.count()).isEqualTo(n);
        }
    }

    /** Feeds example i of a deterministic stream for the given kind. */
    private static void feed(PrequentialMetrics m, Random r) {
        switch (m.kind()) {
            case CLASSIFICATION: {
                float a = r.nextFloat();
                float b = r.nextFloat() * (1 - a);
                m.observeClassification(r.nextInt(3), new float[] {a, b, 1 - a - b});
                break;
            }
            case BINARY:
                m.observeBinary(r.nextInt(2), r.nextDouble());
                break;
            case REGRESSION:
                m.observeRegression(r.nextGaussian(), r.nextGaussian());
                break;
            default:
                m.observeMultiLabel(new int[] {r.nextInt(2), r.nextInt(2)}, new float[] {r.nextFloat(), r.nextFloat()});
        }
    }

    @Test
    void serialisationRoundTripResumesIdentically() {
        for (Kind kind : Kind.values()) {
            // split points: empty, partly filled, exactly full, wrapped mid-lap
            for (int split : new int[] {0, 5, 10, 23}) {
                PrequentialMetrics straight = new PrequentialMetrics(kind, 10);
                Random r1 = new Random(99);
                for (int i = 0; i < 40; i++) {
                    feed(straight, r1);
                }
                PrequentialMetrics first = new PrequentialMetrics(kind, 10);
                Random r2 = new Random(99);
                for (int i = 0; i < split; i++) {
                    feed(first, r2);
                }
                PrequentialMetrics second = PrequentialMetrics.fromBytes(first.toBytes());
                assertThat(second.snapshot()).isEqualTo(first.snapshot());
                assertThat(second.count()).isEqualTo(split);
                assertThat(second.kind()).isEqualTo(kind);
                assertThat(second.window()).isEqualTo(10);
                for (int i = split; i < 40; i++) {
                    feed(second, r2);
                }
                assertThat(second.snapshot()).as("%s split %d", kind, split).isEqualTo(straight.snapshot());
                assertThat(second.toBytes()).isEqualTo(straight.toBytes());
            }
        }
    }

    @Test
    void serialisingAfterEveryExampleResumesIdentically() {
        PrequentialMetrics straight = new PrequentialMetrics(Kind.MULTILABEL, 7);
        Random r1 = new Random(5);
        Random r2 = new Random(5);
        byte[] state = new PrequentialMetrics(Kind.MULTILABEL, 7).toBytes();
        for (int i = 0; i < 50; i++) {
            feed(straight, r1);
            PrequentialMetrics m = PrequentialMetrics.fromBytes(state);
            feed(m, r2);
            state = m.toBytes();
        }
        assertThat(state).isEqualTo(straight.toBytes());
        assertThat(PrequentialMetrics.fromBytes(state).snapshot()).isEqualTo(straight.snapshot());
    }

    @Test
    void resetClears() {
        PrequentialMetrics m = new PrequentialMetrics(Kind.REGRESSION, 4);
        for (int i = 0; i < 9; i++) {
            m.observeRegression(i, 0);
        }
        m.reset();
        assertThat(m.count()).isZero();
        assertThat(m.snapshot()).isEmpty();
        assertThat(m.toBytes()).isEqualTo(new PrequentialMetrics(Kind.REGRESSION, 4).toBytes());
    }

    @Test
    void rejectsBadInputWithoutChangingState() {
        PrequentialMetrics m = new PrequentialMetrics(Kind.CLASSIFICATION);
        m.observeClassification(0, new float[] {0.6f, 0.4f});
        byte[] before = m.toBytes();
        assertThatThrownBy(() -> m.observeBinary(1, 0.5)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> m.observeClassification(2, new float[] {0.6f, 0.4f}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> m.observeClassification(-1, new float[] {0.6f, 0.4f}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> m.observeClassification(0, new float[] {Float.NaN, 0.4f}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> m.observeClassification(0, new float[0]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(m.toBytes()).isEqualTo(before);

        PrequentialMetrics b = new PrequentialMetrics(Kind.BINARY);
        assertThatThrownBy(() -> b.observeBinary(2, 0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.observeBinary(1, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        PrequentialMetrics ml = new PrequentialMetrics(Kind.MULTILABEL);
        assertThatThrownBy(() -> ml.observeMultiLabel(new int[] {1}, new float[] {0.5f, 0.5f}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ml.observeMultiLabel(new int[] {1, 3}, new float[] {0.5f, 0.5f}))
                .isInstanceOf(IllegalArgumentException.class);
        PrequentialMetrics reg = new PrequentialMetrics(Kind.REGRESSION);
        assertThatThrownBy(() -> reg.observeRegression(1, Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(b.count() + ml.count() + reg.count()).isZero();

        assertThatThrownBy(() -> new PrequentialMetrics(Kind.BINARY, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PrequentialMetrics(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsCorruptBytes() {
        PrequentialMetrics m = new PrequentialMetrics(Kind.BINARY, 3);
        m.observeBinary(1, 0.7);
        byte[] good = m.toBytes();
        byte[] badVersion = good.clone();
        badVersion[0] = 9;
        assertThatThrownBy(() -> PrequentialMetrics.fromBytes(badVersion))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version");
        byte[] badKind = good.clone();
        badKind[1] = 77;
        assertThatThrownBy(() -> PrequentialMetrics.fromBytes(badKind)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PrequentialMetrics.fromBytes(Arrays.copyOf(good, good.length - 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PrequentialMetrics.fromBytes(Arrays.copyOf(good, good.length + 8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PrequentialMetrics.fromBytes(new byte[] {1}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void kindParsing() {
        assertThat(Kind.parse("binary")).isEqualTo(Kind.BINARY);
        assertThat(Kind.parse(" Multi-Label ")).isEqualTo(Kind.MULTILABEL);
        assertThat(Kind.parse("multi_label")).isEqualTo(Kind.MULTILABEL);
        assertThat(Kind.parse("REGRESSION")).isEqualTo(Kind.REGRESSION);
        assertThatThrownBy(() -> Kind.parse("ranking"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("classification");
    }

    @Test
    void stateSizeIsBoundedByWindow() {
        PrequentialMetrics m = new PrequentialMetrics(Kind.MULTILABEL, 50);
        Random r = new Random(1);
        for (int i = 0; i < 50; i++) {
            feed(m, r);
        }
        int full = m.toBytes().length;
        for (int i = 0; i < 5000; i++) {
            feed(m, r);
        }
        assertThat(m.toBytes()).hasSize(full);
    }
}
