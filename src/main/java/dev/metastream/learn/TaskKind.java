package dev.metastream.learn;

import java.util.Locale;

/** Kind of prediction task; decides the loss and the target encoding. */
public enum TaskKind {
    /** Single label out of K classes; one-hot target, softmax cross-entropy. */
    CLASSIFICATION(Loss.SOFTMAX_CROSS_ENTROPY),
    /** One 0/1 output; logistic loss. */
    BINARY(Loss.SIGMOID_CROSS_ENTROPY),
    /** Real-valued outputs; squared error. */
    REGRESSION(Loss.SQUARED_ERROR),
    /** Independent 0/1 per label; logistic loss summed over labels. */
    MULTILABEL(Loss.SIGMOID_CROSS_ENTROPY);

    private final Loss loss;

    TaskKind(Loss loss) {
        this.loss = loss;
    }

    /** The loss used to train this kind of task. */
    public Loss loss() {
        return loss;
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
