package dev.metastream.baselines;

import dev.metastream.learn.Instance;
import dev.metastream.learn.TaskKind;
import java.util.HashMap;
import java.util.Map;

/**
 * A plain per-example linear learner on running-standardised inputs: River's
 * {@code preprocessing.StandardScaler() | linear_model.X()} with its defaults, where X is {@code LogisticRegression}
 * (binary), {@code SoftmaxRegression} (classification) or {@code LinearRegression} (regression): plain SGD at learning
 * rate 0.01, weights and intercept from 0, the intercept learned at the same rate, no L2. The step is the gradient of
 * the loss at the prediction before the update: {@code 2 (yhat - y)} for the squared loss (River's convention, as Vowpal
 * Wabbit and PyTorch), {@code p - y} for the log loss and cross-entropy. River's {@code SoftmaxRegression} has no
 * intercept; here every class has one, as the other two models do.
 *
 * <p>One model (scaler and weights) per task: the tasks of a scenario are separate problems (a user's taste, a
 * permuted input space), and one linear model over all of them would only fit their average. The learner shares a
 * trunk across tasks; this baseline shows what a per-task linear model gets with no sharing at all.
 */
public final class Linear implements Baseline {
    /** River's default SGD learning rate (weights and intercept). */
    public static final double LEARNING_RATE = 0.01;

    private final TaskKind kind;
    private final int outputs;
    private final double lr;
    private final Map<String, Model> models = new HashMap<>();

    /**
     * @param kind    classification, binary or regression
     * @param classes classes of a classification task (ignored otherwise)
     */
    public Linear(TaskKind kind, int classes) {
        this(kind, classes, LEARNING_RATE);
    }

    /** With another learning rate. */
    public Linear(TaskKind kind, int classes, double learningRate) {
        Baselines.requireSupported(kind);
        this.kind = kind;
        this.outputs = kind.outputs(classes, 0);
        this.lr = learningRate;
    }

    @Override
    public String name() {
        return "linear";
    }

    @Override
    public float[] predictOne(Instance in, String item) {
        Model m = models.get(in.task());
        if (m == null) {
            return output(new double[outputs]);
        }
        return output(m.raw(m.scaler.transform(in.x())));
    }

    @Override
    public void learnOne(Instance in, String item) {
        Model m = models.computeIfAbsent(in.task(), k -> new Model(in.x().length));
        m.scaler.learn(in.x());
        double[] z = m.scaler.transform(in.x());
        double[] raw = m.raw(z);
        float[] y = in.target();
        double[] g = new double[outputs];
        kind.linearBaselineGradient(raw, y, g);
        for (int k = 0; k < outputs; k++) {
            double step = lr * g[k];
            if (step == 0) {
                continue;
            }
            double[] w = m.w[k];
            for (int j = 0; j < z.length; j++) {
                w[j] -= step * z[j];
            }
            m.b[k] -= step;
        }
    }

    private float[] output(double[] raw) {
        return kind.linearBaselineOutput(raw);
    }

    /** One task's scaler and weights. */
    private final class Model {
        final RunningScaler scaler = new RunningScaler();
        final double[][] w;
        final double[] b = new double[outputs];

        Model(int dim) {
            w = new double[outputs][dim];
        }

        double[] raw(double[] z) {
            double[] r = new double[outputs];
            for (int k = 0; k < outputs; k++) {
                double s = b[k];
                double[] wk = w[k];
                for (int j = 0; j < z.length; j++) {
                    s += wk[j] * z[j];
                }
                r[k] = s;
            }
            return r;
        }
    }
}
