package dev.metastream.learn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metastream.eval.HoldoutMetrics;
import dev.metastream.eval.PrequentialMetrics;
import dev.metastream.learn.kind.Binary;
import dev.metastream.learn.kind.Classification;
import dev.metastream.learn.kind.KindBehaviour;
import dev.metastream.learn.kind.MultiLabel;
import dev.metastream.learn.kind.Regression;
import java.util.List;
import java.util.Locale;

/**
 * Kind of prediction task. Each constant delegates everything kind-specific (label encoding, outputs, loss, error,
 * decision, metrics, JSON) to one class in {@code learn/kind}, so callers ask the kind instead of switching on it.
 * The constants' names are part of the configuration ({@code task.kind}) and of stored states: keep them.
 */
public enum TaskKind implements KindBehaviour {
    /** Single label out of K classes; one-hot target, softmax cross-entropy. */
    CLASSIFICATION(new Classification()),
    /** One 0/1 output; logistic loss. */
    BINARY(new Binary()),
    /** Real-valued outputs; squared error. */
    REGRESSION(new Regression()),
    /** Independent 0/1 per label; logistic loss summed over labels. */
    MULTILABEL(new MultiLabel());

    private final KindBehaviour behaviour;

    TaskKind(KindBehaviour behaviour) {
        this.behaviour = behaviour;
    }

    /** The class that owns this kind's behaviour. */
    public KindBehaviour behaviour() {
        return behaviour;
    }

    @Override
    public void validate(int classes, int labels) {
        behaviour.validate(classes, labels);
    }

    @Override
    public int outputs(int classes, int labels) {
        return behaviour.outputs(classes, labels);
    }

    /** The loss used to train this kind of task. */
    @Override
    public Loss loss() {
        return behaviour.loss();
    }

    @Override
    public String activation() {
        return behaviour.activation();
    }

    @Override
    public boolean realValued() {
        return behaviour.realValued();
    }

    @Override
    public LabelOutcome parseLabel(TaskSpec spec, JsonNode y, double maxAbs) {
        return behaviour.parseLabel(spec, y, maxAbs);
    }

    @Override
    public double errorOf(float[] target, float[] out) {
        return behaviour.errorOf(target, out);
    }

    @Override
    public double score(float[] target, float[] out) {
        return behaviour.score(target, out);
    }

    @Override
    public int predictedClass(float[] out) {
        return behaviour.predictedClass(out);
    }

    @Override
    public Object decision(TaskSpec spec, float[] out) {
        return behaviour.decision(spec, out);
    }

    @Override
    public void writePrediction(ObjectNode n, TaskSpec spec, float[] out) {
        behaviour.writePrediction(n, spec, out);
    }

    @Override
    public PrequentialMetrics.Kind metricsKind() {
        return behaviour.metricsKind();
    }

    @Override
    public double observe(PrequentialMetrics m, float[] target, float[] out) {
        return behaviour.observe(m, target, out);
    }

    @Override
    public void addHoldout(HoldoutMetrics h, float[] target, float[] out) {
        behaviour.addHoldout(h, target, out);
    }

    @Override
    public String headlineMetric() {
        return behaviour.headlineMetric();
    }

    @Override
    public String matrixMetric() {
        return behaviour.matrixMetric();
    }

    @Override
    public double priorFallback(int outputs) {
        return behaviour.priorFallback(outputs);
    }

    @Override
    public float[] linearBaselineOutput(double[] raw) {
        return behaviour.linearBaselineOutput(raw);
    }

    @Override
    public void linearBaselineGradient(double[] raw, float[] y, double[] g) {
        behaviour.linearBaselineGradient(raw, y, g);
    }

    @Override
    public Trivial trivial() {
        return behaviour.trivial();
    }

    @Override
    public List<String> baselineFigures() {
        return behaviour.baselineFigures();
    }

    /**
     * Parses "classification", "binary", "regression", "multi-label" or "multilabel"
     * (case-insensitive; '_' is accepted in place of '-').
     */
    public static TaskKind parse(String name) {
        if (name != null) {
            String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
            switch (n) {
                case "classification":
                    return CLASSIFICATION;
                case "binary":
                    return BINARY;
                case "regression":
                    return REGRESSION;
                case "multi-label":
                case "multilabel":
                    return MULTILABEL;
                default:
                    break;
            }
        }
        throw new IllegalArgumentException("Unknown task kind '" + name
                + "'; allowed: classification, binary, regression, multi-label");
    }
}
