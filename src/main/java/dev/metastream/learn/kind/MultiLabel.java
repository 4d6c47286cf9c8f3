package dev.metastream.learn.kind;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metastream.eval.HoldoutMetrics;
import dev.metastream.eval.PrequentialMetrics;
import dev.metastream.learn.Loss;
import dev.metastream.learn.TaskSpec;

/** Independent 0/1 per label: logistic loss summed over labels, the decision {@code p >= 0.5} per label. */
public final class MultiLabel implements KindBehaviour {

    @Override
    public int outputs(int classes, int labels) {
        return labels;
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
        if (!y.isArray() || y.size() != spec.labels()) {
            return LabelOutcome.reject(Problem.BAD_LABEL, "a multi-label label must be an array of " + spec.labels()
                    + " zeros and ones (task.labels=" + spec.labels() + ")");
        }
        float[] t = new float[spec.labels()];
        for (int i = 0; i < t.length; i++) {
            JsonNode v = y.get(i);
            if (!v.isNumber() || (v.asDouble() != 0.0 && v.asDouble() != 1.0)) {
                return LabelOutcome.reject(Problem.BAD_LABEL, "y[" + i + "] must be 0 or 1");
            }
            t[i] = (float) v.asDouble();
        }
        return LabelOutcome.of(t);
    }

    /** The Hamming error: the fraction of labels decided wrongly, so one wrong label of many is a small error. */
    @Override
    public double errorOf(float[] target, float[] out) {
        int wrong = 0;
        for (int i = 0; i < target.length; i++) {
            wrong += (target[i] >= 0.5f) == (out[i] >= 0.5f) ? 0 : 1;
        }
        return (double) wrong / target.length;
    }

    /** Subset accuracy: 1 only when every label is decided right. */
    @Override
    public double score(float[] target, float[] out) {
        for (int i = 0; i < out.length; i++) {
            if ((out[i] >= 0.5f) != (target[i] >= 0.5f)) {
                return 0;
            }
        }
        return 1;
    }

    @Override
    public Object decision(TaskSpec spec, float[] out) {
        return KindBehaviour.labels(out);
    }

    @Override
    public void writePrediction(ObjectNode n, TaskSpec spec, float[] out) {
        ArrayNode a = n.putArray("prediction");
        for (float v : out) {
            a.add(v >= 0.5f ? 1 : 0);
        }
        KindBehaviour.floats(n.putArray("probabilities"), out);
    }

    @Override
    public PrequentialMetrics.Kind metricsKind() {
        return PrequentialMetrics.Kind.MULTILABEL;
    }

    @Override
    public double observe(PrequentialMetrics m, float[] target, float[] out) {
        return m.observeMultiLabel(KindBehaviour.labels(target), out);
    }

    @Override
    public void addHoldout(HoldoutMetrics h, float[] target, float[] out) {
        h.addMultiLabel(KindBehaviour.labels(target), out);
    }

    @Override
    public String headlineMetric() {
        return "subset_accuracy";
    }

    @Override
    public String matrixMetric() {
        return "subset_accuracy";
    }

    @Override
    public double priorFallback(int outputs) {
        return 0.5;
    }

    @Override
    public float[] linearBaselineOutput(double[] raw) {
        throw new UnsupportedOperationException("no baselines for multi-label tasks");
    }

    @Override
    public void linearBaselineGradient(double[] raw, float[] y, double[] g) {
        throw new UnsupportedOperationException("no baselines for multi-label tasks");
    }

    @Override
    public Trivial trivial() {
        return Trivial.NONE;
    }
}
