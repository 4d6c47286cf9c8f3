package dev.metastream.learn.kind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metastream.eval.HoldoutMetrics;
import dev.metastream.eval.PrequentialMetrics;
import dev.metastream.learn.Loss;
import dev.metastream.learn.TaskKind;
import dev.metastream.learn.TaskSpec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The contract every task kind passes (like {@code StreamingMetricContract} for metrics). Each kind's test class
 * extends it and supplies a spec, labels with the decisions they read back as, bad labels, a wrong output and the
 * prediction record's fields; the checks here are the same for all kinds.
 */
abstract class TaskKindContract {
    static final ObjectMapper MAPPER = new ObjectMapper();
    /** The magnitude a real-valued label may have in these tests ({@code input.max.abs.value}). */
    static final double MAX_ABS = 1e6;

    /** @return the kind under test */
    protected abstract TaskKind kind();

    /** @return a spec of the kind, as {@code TaskSpec.from} builds it from configuration */
    protected abstract TaskSpec spec();

    /** @return pairs of a label as sent (JSON) and the decision (JSON) its perfect output must read back as */
    protected abstract List<String[]> labelsAndDecisions();

    /** @return labels (JSON) the kind must reject */
    protected abstract List<String> badLabels();

    /** @return an output whose decision differs from the target's */
    protected abstract float[] wrongOutput(float[] target);

    /** @return the field names the prediction record gets from the kind, in order */
    protected abstract List<String> predictionFields();

    private static JsonNode json(String s) {
        try {
            return MAPPER.readTree(s);
        } catch (Exception e) {
            throw new AssertionError(s, e);
        }
    }

    private List<float[]> targets() {
        List<float[]> out = new ArrayList<>();
        for (String[] p : labelsAndDecisions()) {
            out.add(kind().parseLabel(spec(), json(p[0]), MAX_ABS).target());
        }
        return out;
    }

    @Test
    void theConfigNameParsesBackToTheKind() {
        assertThat(TaskKind.parse(kind().name().toLowerCase())).isSameAs(kind());
        assertThat(spec().kind()).isSameAs(kind());
    }

    @Test
    void aLabelRoundTripsThroughItsTargetAndThePerfectOutputsDecision() {
        for (String[] p : labelsAndDecisions()) {
            KindBehaviour.LabelOutcome l = kind().parseLabel(spec(), json(p[0]), MAX_ABS);
            assertThat(l.problem()).as(p[0]).isNull();
            assertThat(l.target()).as(p[0]).hasSize(spec().outputs());
            // The target itself is the perfect output: one-hot probabilities, the 0/1 probability, the value.
            Object decision = kind().decision(spec(), l.target().clone());
            assertThat((JsonNode) MAPPER.valueToTree(decision)).as(p[0]).isEqualTo(json(p[1]));
        }
    }

    @Test
    void badLabelsAreRejectedWithAReason() {
        for (String bad : badLabels()) {
            KindBehaviour.LabelOutcome l = kind().parseLabel(spec(), json(bad), MAX_ABS);
            assertThat(l.target()).as(bad).isNull();
            assertThat(l.problem()).as(bad).isNotNull();
            assertThat(l.message()).as(bad).isNotBlank();
        }
    }

    @Test
    void thePerfectOutputHasNoErrorAndTheBestScore() {
        for (float[] t : targets()) {
            assertThat(kind().errorOf(t, t.clone())).isZero();
            assertThat(kind().score(t, t.clone())).isEqualTo(kind().realValued() ? 0.0 : 1.0);
        }
    }

    @Test
    void aWrongOutputHasAPositiveError() {
        for (float[] t : targets()) {
            float[] w = wrongOutput(t);
            assertThat(kind().errorOf(t, w)).isPositive();
            assertThat(kind().realValued() ? kind().score(t, w) : 1 - kind().score(t, w)).isPositive();
        }
    }

    @Test
    void theLossGradientMatchesAFiniteDifference() {
        Loss loss = kind().loss();
        Random r = new Random(7);
        // Raw outputs and the step are multiples of 2^-8, so z +- h is exact in float: the difference sees no rounding.
        float h = 1f / 256;
        for (float[] t : targets()) {
            float[] z = new float[t.length];
            for (int i = 0; i < z.length; i++) {
                z[i] = (r.nextInt(1025) - 512) / 256f;
            }
            float[] g = new float[z.length];
            loss.gradient(z, t, g);
            for (int i = 0; i < z.length; i++) {
                float[] up = z.clone();
                float[] down = z.clone();
                up[i] += h;
                down[i] -= h;
                double numeric = (loss.value(up, t) - loss.value(down, t)) / (2 * h);
                assertThat((double) g[i]).as("d/dz[%d]", i).isCloseTo(numeric, within(1e-4 + 1e-4 * Math.abs(numeric)));
            }
        }
    }

    @Test
    void theExportedActivationIsTheLossesOutputMapping() {
        float[] z = {-1.5f, 0.25f, 2f, -0.5f}; // widths cut below
        int n = spec().outputs();
        float[] zs = new float[n];
        for (int i = 0; i < n; i++) {
            zs[i] = z[i % z.length];
        }
        float[] y = new float[n];
        kind().loss().output(zs, y);
        float[] expected = new float[n];
        switch (kind().activation()) {
            case "identity" -> System.arraycopy(zs, 0, expected, 0, n);
            case "sigmoid" -> {
                for (int i = 0; i < n; i++) {
                    expected[i] = (float) (1 / (1 + Math.exp(-zs[i])));
                }
            }
            case "softmax" -> {
                double s = 0;
                for (float v : zs) {
                    s += Math.exp(v);
                }
                for (int i = 0; i < n; i++) {
                    expected[i] = (float) (Math.exp(zs[i]) / s);
                }
            }
            default -> throw new AssertionError("unknown activation " + kind().activation());
        }
        for (int i = 0; i < n; i++) {
            assertThat(y[i]).isCloseTo(expected[i], within(1e-6f));
        }
    }

    @Test
    void thePredictionRecordHasTheKindsFields() {
        for (float[] t : targets()) {
            ObjectNode n = MAPPER.createObjectNode();
            kind().writePrediction(n, spec(), t.clone());
            List<String> fields = new ArrayList<>();
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                fields.add(it.next());
            }
            assertThat(fields).containsExactlyElementsOf(predictionFields());
            // The record's decision is the one /predict and the library return.
            JsonNode written = n.get("prediction");
            JsonNode decided = MAPPER.valueToTree(kind().decision(spec(), t.clone()));
            if (written.isNumber() && decided.isNumber()) {
                // The record writes the float output, the decision is its double: the same number.
                assertThat(written.asDouble()).isEqualTo(decided.asDouble());
            } else {
                assertThat(written).isEqualTo(decided);
            }
        }
    }

    @Test
    void perfectOutputsScoreTheBestHeadlineAndMatrixFigures() {
        PrequentialMetrics m = PrequentialMetrics.detailed(kind().metricsKind(), 100, spec().outputs());
        HoldoutMetrics h = new HoldoutMetrics(kind().metricsKind(), spec().outputs());
        for (float[] t : targets()) {
            kind().observe(m, t, t.clone());
            kind().addHoldout(h, t, t.clone());
        }
        Map<String, Double> s = m.snapshot();
        double best = kind().realValued() ? 0.0 : 1.0;
        assertThat(s.get(kind().headlineMetric())).isEqualTo(best);
        assertThat(s.get(kind().matrixMetric())).isEqualTo(best);
        assertThat(h.values().get(kind().headlineMetric())).isEqualTo(best);
        if (kind().trivial() != KindBehaviour.Trivial.NONE) {
            assertThat(s).containsKeys(kind().baselineFigures().toArray(String[]::new));
            assertThat(kind().baselineFigures().get(0)).isEqualTo(kind().headlineMetric());
        }
    }

    @Test
    void theLinearBaselineMatchesTheKindsShapeOrIsAbsent() {
        int n = spec().outputs();
        if (kind().trivial() == KindBehaviour.Trivial.NONE) {
            assertThatThrownBy(() -> kind().linearBaselineOutput(new double[n]))
                    .isInstanceOf(UnsupportedOperationException.class);
            return;
        }
        assertThat(kind().linearBaselineOutput(new double[n])).hasSize(n);
        // At the target's own raw values a real-valued kind's step is zero; a labelled kind's points towards the label.
        for (float[] t : targets()) {
            double[] raw = new double[n];
            for (int i = 0; i < n; i++) {
                raw[i] = kind().realValued() ? t[i] : 0;
            }
            double[] g = new double[n];
            kind().linearBaselineGradient(raw, t, g);
            for (int i = 0; i < n; i++) {
                if (kind().realValued()) {
                    assertThat(g[i]).isZero();
                } else {
                    assertThat(g[i] * (t[i] >= 0.5f ? 1 : -1)).isNegative();
                }
            }
        }
    }

    @Test
    void thePriorFallbackIsAValidOutput() {
        int n = spec().outputs();
        double sum = 0;
        for (int j = 0; j < n; j++) {
            double f = kind().priorFallback(n);
            if (!kind().realValued()) {
                assertThat(f).isBetween(0.0, 1.0);
            }
            sum += f;
        }
        if (kind().loss() == Loss.SOFTMAX_CROSS_ENTROPY) {
            assertThat(sum).isCloseTo(1.0, within(1e-12)); // class probabilities
        }
    }
}
