package dev.metastream.learn.kind;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metastream.eval.HoldoutMetrics;
import dev.metastream.eval.PrequentialMetrics;
import dev.metastream.learn.Loss;
import dev.metastream.learn.TaskSpec;

/** Single label out of K classes: one-hot target, softmax cross-entropy, the argmax decision. */
public final class Classification implements KindBehaviour {

    @Override
    public void validate(int classes, int labels) {
        if (classes < 2) {
            throw new IllegalArgumentException("task.classes=" + classes + ": a classification task needs at least 2 classes");
        }
    }

    @Override
    public int outputs(int classes, int labels) {
        return classes;
    }

    @Override
    public Loss loss() {
        return Loss.SOFTMAX_CROSS_ENTROPY;
    }

    @Override
    public String activation() {
        return "softmax";
    }

    @Override
    public LabelOutcome parseLabel(TaskSpec spec, JsonNode y, double maxAbs) {
        int c;
        if (y.isTextual()) {
            c = spec.classNames().indexOf(y.asText());
            if (c < 0) {
                return LabelOutcome.reject(Problem.BAD_LABEL, "class \"" + y.asText() + "\" is not in task.class.names"
                        + (spec.classNames().isEmpty() ? " (none configured: send an index in [0, " + spec.classes() + "))"
                                : " " + spec.classNames()));
            }
        } else if (y.isNumber() && !Double.isFinite(y.asDouble())) {
            // Before the index check: an infinity equals its rint() and read as Long.MAX_VALUE.
            return LabelOutcome.reject(Problem.NON_FINITE, "label is not finite");
        } else if (y.isIntegralNumber() || (y.isNumber() && y.asDouble() == Math.rint(y.asDouble()))) {
            // canConvertToInt first: asLong() wraps an index beyond the long range (2^64 read as class 0).
            if (!y.canConvertToInt() || y.asInt() < 0 || y.asInt() >= spec.classes()) {
                return LabelOutcome.reject(Problem.BAD_LABEL, "label " + y.asText() + " is outside [0, task.classes="
                        + spec.classes() + ")");
            }
            c = y.asInt();
        } else {
            return LabelOutcome.reject(Problem.BAD_LABEL, "a classification label must be a class index or a class name");
        }
        float[] t = new float[spec.classes()];
        t[c] = 1f;
        return LabelOutcome.of(t);
    }

    @Override
    public double errorOf(float[] target, float[] out) {
        return KindBehaviour.argmax(target) == KindBehaviour.argmax(out) ? 0 : 1;
    }

    @Override
    public double score(float[] target, float[] out) {
        return KindBehaviour.argmax(out) == KindBehaviour.argmax(target) ? 1 : 0;
    }

    @Override
    public int predictedClass(float[] out) {
        return KindBehaviour.argmax(out);
    }

    @Override
    public Object decision(TaskSpec spec, float[] out) {
        int c = predictedClass(out);
        return spec.classNames().isEmpty() ? (Object) c : spec.classNames().get(c);
    }

    @Override
    public void writePrediction(ObjectNode n, TaskSpec spec, float[] out) {
        int c = predictedClass(out);
        if (spec.classNames().isEmpty()) {
            n.put("prediction", c);
        } else {
            n.put("prediction", spec.classNames().get(c));
        }
        KindBehaviour.floats(n.putArray("probabilities"), out);
    }

    @Override
    public PrequentialMetrics.Kind metricsKind() {
        return PrequentialMetrics.Kind.CLASSIFICATION;
    }

    @Override
    public double observe(PrequentialMetrics m, float[] target, float[] out) {
        return m.observeClassification(KindBehaviour.argmax(target), out);
    }

    @Override
    public void addHoldout(HoldoutMetrics h, float[] target, float[] out) {
        h.addClassification(KindBehaviour.argmax(target), out);
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
        return 1.0 / outputs;
    }

    @Override
    public float[] linearBaselineOutput(double[] raw) {
        double[] p = KindBehaviour.softmax(raw);
        float[] o = new float[p.length];
        for (int k = 0; k < p.length; k++) {
            o[k] = (float) p[k];
        }
        return o;
    }

    @Override
    public void linearBaselineGradient(double[] raw, float[] y, double[] g) {
        double[] p = KindBehaviour.softmax(raw);
        for (int k = 0; k < g.length; k++) {
            g[k] = p[k] - y[k];
        }
    }

    @Override
    public Trivial trivial() {
        return Trivial.MAJORITY;
    }
}
