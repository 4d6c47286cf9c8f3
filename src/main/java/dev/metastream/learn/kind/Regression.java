package dev.metastream.learn.kind;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metastream.eval.HoldoutMetrics;
import dev.metastream.eval.PrequentialMetrics;
import dev.metastream.learn.Loss;
import dev.metastream.learn.TaskSpec;
import java.util.List;

/** A real-valued output: squared error in a centred and scaled target space, the value itself as the decision. */
public final class Regression implements KindBehaviour {

    @Override
    public int outputs(int classes, int labels) {
        return 1;
    }

    @Override
    public Loss loss() {
        return Loss.SQUARED_ERROR;
    }

    @Override
    public String activation() {
        return "identity";
    }

    @Override
    public boolean realValued() {
        return true;
    }

    @Override
    public LabelOutcome parseLabel(TaskSpec spec, JsonNode y, double maxAbs) {
        if (!y.isNumber()) {
            return LabelOutcome.reject(Problem.BAD_LABEL, "a regression label must be a number");
        }
        double v = y.asDouble();
        if (!Double.isFinite(v) || !Float.isFinite((float) v)) {
            return LabelOutcome.reject(Problem.NON_FINITE, "label is not finite");
        }
        if (Math.abs(v) > maxAbs) {
            return LabelOutcome.reject(Problem.VALUE_OUT_OF_RANGE, "label " + v + " is beyond input.max.abs.value="
                    + maxAbs + ": scale the target");
        }
        return LabelOutcome.of(new float[] {(float) v});
    }

    @Override
    public double errorOf(float[] target, float[] out) {
        // The difference in float, as the detectors have always seen it (changing it would move detections).
        return (target[0] - out[0]) * (double) (target[0] - out[0]);
    }

    @Override
    public double score(float[] target, float[] out) {
        double e = (double) out[0] - target[0];
        return e * e;
    }

    @Override
    public Object decision(TaskSpec spec, float[] out) {
        return (double) out[0];
    }

    @Override
    public void writePrediction(ObjectNode n, TaskSpec spec, float[] out) {
        n.put("prediction", out[0]);
    }

    @Override
    public PrequentialMetrics.Kind metricsKind() {
        return PrequentialMetrics.Kind.REGRESSION;
    }

    @Override
    public double observe(PrequentialMetrics m, float[] target, float[] out) {
        return m.observeRegression(target[0], out[0]);
    }

    @Override
    public void addHoldout(HoldoutMetrics h, float[] target, float[] out) {
        h.addRegression(target[0], out[0]);
    }

    @Override
    public String headlineMetric() {
        return "rmse";
    }

    @Override
    public String matrixMetric() {
        return "mse";
    }

    @Override
    public double priorFallback(int outputs) {
        return 0;
    }

    @Override
    public float[] linearBaselineOutput(double[] raw) {
        return new float[] {(float) raw[0]};
    }

    /** The gradient of the full squared error {@code (raw - y)^2}, as the baseline has always stepped. */
    @Override
    public void linearBaselineGradient(double[] raw, float[] y, double[] g) {
        g[0] = 2 * (raw[0] - y[0]);
    }

    @Override
    public Trivial trivial() {
        return Trivial.MEAN;
    }

    @Override
    public List<String> baselineFigures() {
        return List.of("rmse", "mae");
    }
}
