package dev.metastream.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HoldoutMetricsTest extends StreamingMetricContract<HoldoutMetrics> {

    @Override
    protected HoldoutMetrics create() {
        return new HoldoutMetrics(PrequentialMetrics.Kind.CLASSIFICATION, 3);
    }

    @Override
    protected void feed(HoldoutMetrics m, Random r) {
        float[] p = {r.nextFloat(), r.nextFloat(), r.nextFloat()};
        m.addClassification(r.nextInt(3), p);
    }

    /** The same figures as the streaming classes fed the same examples: one definition of each. */
    @Test
    void agreesWithTheStreamingMetrics() {
        Random r = new Random(3);
        HoldoutMetrics h = new HoldoutMetrics(PrequentialMetrics.Kind.BINARY, 1);
        PrequentialMetrics p = PrequentialMetrics.detailed(PrequentialMetrics.Kind.BINARY, 400, 1);
        for (int i = 0; i < 300; i++) {
            int y = r.nextInt(2);
            double s = Math.min(1, Math.max(0, 0.3 * y + 0.7 * r.nextDouble()));
            h.addBinary(y, (float) s);
            p.observeBinary(y, (float) s);
        }
        // The window holds every example, so the window's AUC is the exact one too.
        for (String k : List.of("accuracy", "log_loss", "f1_macro", "f1_micro", "kappa", "precision", "recall", "f1")) {
            assertThat(h.values().get(k)).as(k).isCloseTo(p.snapshot().get(k), within(1e-12));
        }
        assertThat(h.values().get("auc")).isCloseTo(p.snapshot().get("auc_window"), within(1e-12));
    }

    @Test
    void twoClassClassificationHasAnAucOfClassOne() {
        HoldoutMetrics h = new HoldoutMetrics(PrequentialMetrics.Kind.CLASSIFICATION, 2);
        // p(1) = 0.9, 0.4 for the positives, 0.6, 0.1 for the negatives: 3 of 4 pairs ordered right.
        h.addClassification(1, new float[] {0.1f, 0.9f});
        h.addClassification(1, new float[] {0.6f, 0.4f});
        h.addClassification(0, new float[] {0.4f, 0.6f});
        h.addClassification(0, new float[] {0.9f, 0.1f});
        assertThat(h.values().get("auc")).isEqualTo(0.75);
        assertThat(h.values().get("accuracy")).isEqualTo(0.5);
    }

    @Test
    void oneClassHasNoAucAndKindsAreChecked() {
        HoldoutMetrics h = new HoldoutMetrics(PrequentialMetrics.Kind.BINARY, 1);
        h.addBinary(1, 0.7);
        assertThat(h.values().get("auc")).isNaN();
        assertThatThrownBy(() -> h.addRegression(1, 1)).isInstanceOf(IllegalStateException.class);
        assertThat(new HoldoutMetrics(PrequentialMetrics.Kind.REGRESSION, 1).perClass()).isEmpty();
    }

    @Override
    protected boolean mayBeUndefined(String key) {
        return key.equals("auc");
    }
}
