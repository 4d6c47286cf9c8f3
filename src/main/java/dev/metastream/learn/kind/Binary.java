package dev.metastream.learn.kind;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metastream.eval.HoldoutMetrics;
import dev.metastream.eval.PrequentialMetrics;
import dev.metastream.learn.Loss;
import dev.metastream.learn.TaskSpec;

/** One 0/1 output: logistic loss, the decision {@code p >= 0.5}. */
public final class Binary implements KindBehaviour {

    @Override
    public int outputs(int classes, int labels) {
        return 1;
    }

    @Override
    public Loss loss() {
        return Loss.SIGMOID_CROSS_ENTROPY;
    }

    @Override
    public String activation() {
        return "sigmoid";
    }

    @Override
    public LabelOutcome parseLabel(TaskSpec spec, JsonNode y, double maxAbs) {
        if (y.isBoolean()) {
            return LabelOutcome.of(new float[] {y.asBoolean() ? 1f : 0f});
        }
        if (y.isNumber() && (y.asDouble() == 0.0 || y.asDouble() == 1.0)) {
            return LabelOutcome.of(new float[] {(float) y.asDouble()});
        }
        return LabelOutcome.reject(Problem.BAD_LABEL, "a binary label must be 0, 1, true or false");
    }

    @Override
    public double errorOf(float[] target, float[] out) {
        return (target[0] >= 0.5f) == (out[0] >= 0.5f) ? 0 : 1;
    }

    @Override
    public double score(float[] target, float[] out) {
        return (out[0] >= 0.5f) == (target[0] >= 0.5f) ? 1 : 0;
    }

    @Override
    public int predictedClass(float[] out) {
        return out[0] >= 0.5f ? 1 : 0;
    }

    @Override
    public Object decision(TaskSpec spec, float[] out) {
        return predictedClass(out);
    }

    @Override
    public void writePrediction(ObjectNode n, TaskSpec spec, float[] out) {
        n.put("prediction", predictedClass(out));
        n.put("probability", out[0]);
    }

    @Override
    public PrequentialMetrics.Kind metricsKind() {
        return PrequentialMetrics.Kind.BINARY;
    }

    @Override
    public double observe(PrequentialMetrics m, float[] target, float[] out) {
        return m.observeBinary(target[0] >= 0.5f ? 1 : 0, out[0]);
    }

    @Override
    public void addHoldout(HoldoutMetrics h, float[] target, float[] out) {
        h.addBinary(target[0] >= 0.5f ? 1 : 0, out[0]);
    }

    @Override
    public String headlineMetric() {
        return "accuracy";
    }

    @Override
    public String matrixMetric() {
        return "accuracy";
    }

    @Override
    public double priorFallback(int outputs) {
        return 0.5;
    }

    @Override
    public float[] linearBaselineOutput(double[] raw) {
        return new float[] {(float) KindBehaviour.sigmoid(raw[0])};
    }

    @Override
    public void linearBaselineGradient(double[] raw, float[] y, double[] g) {
        g[0] = KindBehaviour.sigmoid(raw[0]) - (y[0] >= 0.5f ? 1 : 0);
    }

    @Override
    public Trivial trivial() {
        return Trivial.MAJORITY;
    }
}
