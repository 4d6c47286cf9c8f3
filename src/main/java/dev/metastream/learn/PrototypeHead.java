package dev.metastream.learn;

/**
 * A classification task's head as the class means of its examples in the trunk's feature space, learned in closed
 * form by each example: a softmax over negative squared distances to the class means (prototypical networks, Snell,
 * Swersky and Zemel 2017), which with one spherical variance shared by the task's classes is streaming linear
 * discriminant analysis (Deep SLDA, Hayes and Kanan 2020, with its covariance reduced to a scalar so it stays cheap per
 * task). A class is known from its first example, and the trunk, which learns through this head as through any other,
 * learns features in which each class gathers around its mean (the prototypical-network loss).
 *
 * <p>With {@code logit_k = -|h - mu_k|^2 / (2 s^2)} the term {@code |h|^2} is common to every class and drops out of
 * the softmax, so the head is the affine map {@code W[., k] = mu_k / s^2}, {@code b_k = -|mu_k|^2 / (2 s^2)}: it lives
 * in {@link TaskState#head} like an SGD head's parameters, and scoring, the trunk's gradient and snapshots read it
 * unchanged. Its statistics (each class's feature sum and count) are in {@link TaskState#prototypes}; the spread
 * {@code s^2} (per feature) is the task's within-class variance, {@link TaskState#noiseSum} over
 * {@link TaskState#noiseCount}, pooled with {@link #SPREAD_PRIOR_WEIGHT} examples' worth of the variance of the
 * features themselves, so the probabilities of a task that has seen one example per class are soft and sharpen as the
 * classes prove tight. A class not yet seen gets no weights and the lowest bias of the seen ones minus
 * {@link #UNSEEN_MARGIN}: it is predicted only once it exists.
 *
 * <p>Only the trunk's features are used when the model has a trunk (wide inputs and the previous label keep zero
 * weights: the distance of raw inputs is what the trunk is there to improve on; on MNIST 5-way tasks, after 24
 * examples, 0.870 with the trunk's features against 0.852 with the inputs too); a model without a trunk uses its
 * inputs. The factorisation machine's term ({@code model.fm.factors}) is not added to a prototype head's output.
 *
 * <pre>{@code
 * meta.head.classification=prototype
 * }</pre>
 */
final class PrototypeHead implements HeadLearner {
    /** Examples' worth of weight the features' own variance has in a task's within-class spread. */
    static final double SPREAD_PRIOR_WEIGHT = 2;
    /** The smallest spread per feature, so one repeated example cannot make the head infinitely sure. */
    static final double MIN_SPREAD = 1e-4;
    /**
     * Examples a class mean spans: older ones fade, so the mean follows the trunk's features as they change instead of
     * averaging features the trunk no longer computes.
     */
    static final long CLASS_HORIZON = 200;
    /** How far below the least likely seen class an unseen class's logit stays. */
    static final float UNSEEN_MARGIN = 5f;

    /** Whether a task of this shape has a prototype head under {@code config}. */
    static boolean appliesTo(LearnerConfig config, TaskSpec spec) {
        return config.meta().prototypeClassification() && spec.kind() == TaskKind.CLASSIFICATION
                && spec.outputs() >= 2;
    }

    @Override
    public void learn(SharedState shared, TaskState st, Features f, float[] dz, float[] target) {
        float[] in = f.inputs();
        int out = target.length;
        int dim = features(f);
        if (st.prototypes == null || st.prototypes.length != out * dim + out) {
            st.prototypes = new float[out * dim + out];
            st.noiseSum = 0;
            st.noiseCount = 0;
        }
        int k = Prediction.argmax(target);
        float[] p = st.prototypes;
        int countAt = out * dim + k;
        double n = p[countAt];
        if (n > 0) {
            // E|h - mean|^2 = dim s^2 (1 + 1/n) before h joins the mean: this share has expectation dim s^2.
            double d2 = 0;
            for (int i = 0; i < dim; i++) {
                double e = in[i] - p[k * dim + i] / n;
                d2 += e * e;
            }
            st.noiseSum += d2 * n / (n + 1) / dim;
            st.noiseCount++;
        }
        if (n >= CLASS_HORIZON) {
            double keep = (CLASS_HORIZON - 1) / n;
            for (int i = 0; i < dim; i++) {
                p[k * dim + i] *= (float) keep;
            }
            n = CLASS_HORIZON - 1;
        }
        for (int i = 0; i < dim; i++) {
            p[k * dim + i] += in[i];
        }
        p[countAt] = (float) (n + 1);
        writeHead(st.head, p, in.length, out, dim, spread(st, in, dim) * (1 + meanInverseCount(p, out, dim)));
    }

    /**
     * The head without this example in its class's mean (a class it alone makes is unseen), so the trunk learns to
     * bring an example near the other examples of its class and away from the other classes, the prototypical-network
     * loss of a query against its support set.
     */
    @Override
    public float[] trunkHead(SharedState shared, TaskState st, Features f, float[] target) {
        int out = target.length;
        int dim = features(f);
        if (st.prototypes == null || st.prototypes.length != out * dim + out) {
            return st.head;
        }
        float[] in = f.inputs();
        float[] p = st.prototypes.clone();
        int k = Prediction.argmax(target);
        int countAt = out * dim + k;
        if (p[countAt] >= 1) {
            for (int i = 0; i < dim; i++) {
                p[k * dim + i] -= in[i];
            }
            p[countAt] -= 1;
        }
        if (p[countAt] < 0.5f) {
            // No other example: the class is unseen without this one, whatever rounding left in its sum.
            java.util.Arrays.fill(p, k * dim, k * dim + dim, 0f);
            p[countAt] = 0;
        }
        float[] head = new float[st.head.length];
        writeHead(head, p, in.length, out, dim, spread(st, in, dim) * (1 + meanInverseCount(p, out, dim)));
        return head;
    }

    /** The features the class means are taken over: the trunk's, or the inputs when there is no trunk. */
    private static int features(Features f) {
        int hidden = f.partWidths()[0];
        return hidden > 0 ? hidden : f.width();
    }

    /**
     * The within-class variance per feature: the task's evidence pooled with the mean square of this example's
     * features (what the spread is, at most, before any class has two examples).
     */
    private static double spread(TaskState st, float[] in, int dim) {
        double sq = 0;
        for (int i = 0; i < dim; i++) {
            sq += (double) in[i] * in[i];
        }
        double prior = Math.max(MIN_SPREAD, sq / dim);
        return Math.max(MIN_SPREAD, (SPREAD_PRIOR_WEIGHT * prior + st.noiseSum)
                / (SPREAD_PRIOR_WEIGHT + st.noiseCount));
    }

    /**
     * The mean of {@code 1 / n_k} over the seen classes: a class mean from {@code n} examples is off by a variance of
     * {@code s^2 / n}, so a new point's distance to it spreads by {@code s^2 (1 + 1/n)} (one factor for all classes,
     * so the head stays affine).
     */
    private static double meanInverseCount(float[] p, int out, int dim) {
        double sum = 0;
        int seen = 0;
        for (int k = 0; k < out; k++) {
            float n = p[out * dim + k];
            if (n > 0) {
                sum += 1 / n;
                seen++;
            }
        }
        return seen == 0 ? 1 : sum / seen;
    }

    /** Writes the affine form of the class means {@code p} into {@code head}. */
    private static void writeHead(float[] head, float[] p, int width, int out, int dim, double spread) {
        java.util.Arrays.fill(head, 0f);
        int bias = width * out;
        float lowest = Float.POSITIVE_INFINITY;
        for (int k = 0; k < out; k++) {
            double n = p[out * dim + k];
            if (n <= 0) {
                continue;
            }
            double sq = 0;
            for (int i = 0; i < dim; i++) {
                double mean = p[k * dim + i] / n;
                head[i * out + k] = (float) (mean / spread);
                sq += mean * mean;
            }
            head[bias + k] = (float) (-sq / (2 * spread));
            lowest = Math.min(lowest, head[bias + k]);
        }
        for (int k = 0; k < out; k++) {
            if (p[out * dim + k] <= 0) {
                head[bias + k] = (lowest == Float.POSITIVE_INFINITY ? 0 : lowest) - UNSEEN_MARGIN;
            }
        }
    }

    @Override
    public boolean learnsReplayed() {
        return false;
    }

    @Override
    public void reset(TaskState st) {
        HeadLearner.super.reset(st);
        st.prototypes = null;
    }
}
