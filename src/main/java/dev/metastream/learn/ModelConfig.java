package dev.metastream.learn;

import dev.metastream.learn.LearnerConfig.Key;
import java.util.List;

/**
 * Settings of the per-task model on top of the shared trunk, the part of {@link LearnerConfig} that owns the
 * {@code input.scaling*}, {@code model.wide}, {@code model.label.lag}, {@code task.target.prior.weight},
 * {@code optimizer.head.normalized}, {@code model.mixture*} (with {@code model.mixture.gate}), {@code model.linear.learning.rate}
 * and {@code model.fm.*} keys.
 *
 * <p>A task's head is one affine layer over {@code [trunk features ; scaled inputs ; previous label]}: the deep part,
 * a wide linear part on the inputs themselves (Cheng et al., "Wide &amp; Deep Learning for Recommender Systems",
 * 2016), and the task's previous label, so the head can learn the no-change predictor where a stream is
 * autocorrelated and ignore it where it is not. With {@code model.fm.factors} a {@link FactorizationMachine} term
 * (task x input and input x input interactions) is added to the head's output.
 *
 * @param scaleInputs        whether dense inputs are scaled online ({@link InputScaler}) before the trunk and head
 * @param perTaskScaler      whether the trunk and head see inputs scaled by the task's statistics pooled with the
 *                           partition's (true) or by the partition's alone (false)
 * @param scalerPriorWeight  a task's scaler is pooled with the partition's as if the partition's statistics had been
 *                           seen this many times
 * @param wide               whether the head also sees the scaled inputs (ignored for a linear model: no trunk layers)
 * @param labelLag           whether the head also sees the task's previous label
 * @param targetPriorWeight  a task's running target mean (regression: the centre of its outputs; labels: the
 *                           {@link PriorExpert}'s frequencies) is shrunk toward the partition's as if that were seen
 *                           this many times
 * @param headStep           how a head's per-example gradient is normalised ({@link HeadStepNormalization}), so the
 *                           step size does not depend on the number and scale of the head's inputs
 * @param mixture            whether each task's prediction mixes its head with a slow {@link LinearExpert} and a
 *                           {@link PriorExpert} by {@link FixedShareMixture}
 * @param linearLearningRate the linear expert's SGD step
 * @param mixtureShare       the fixed share of {@link FixedShareMixture}: how fast the weights can switch
 * @param partitionGate      whether a label task's mixture is weighed against its partition's label frequencies by
 *                           one {@link PartitionPriorGate} for all the partition's tasks (with {@code mixture} only)
 * @param fmFactors          size {@code k} of the {@link FactorizationMachine} factors; 0 = no such term
 * @param fmLearningRate     AdaGrad step of the factorisation machine's factors
 */
public record ModelConfig(boolean scaleInputs, boolean perTaskScaler, double scalerPriorWeight, boolean wide, boolean labelLag,
        float targetPriorWeight, HeadStepNormalization headStep, boolean mixture, float linearLearningRate,
        double mixtureShare, boolean partitionGate, int fmFactors, float fmLearningRate) {

    /** Every key this part owns, with its default, in the order {@code config/application.properties} lists them. */
    public static final List<Key> KEYS = List.of(
            new Key("input.scaling", "standardize", "Online scaling of dense inputs before the trunk and head: standardize (running mean and variance of features that are mostly non-zero, clipped to +-5; largest magnitude seen for mostly-zero ones) or none."),
            new Key("input.scaling.scope", "shared", "Whose statistics scale the trunk's and the head's inputs: shared (one scaler per partition, learned from all its tasks) or task (the task's own, pooled with the partition's). A task's linear learner (model.mixture) always sees its own."),
            new Key("input.scaling.prior.weight", "20", "A task's input statistics are pooled with the partition's as if the partition's had been seen this many times, so a new task's inputs are scaled like its partition's until it has its own."),
            new Key("model.wide", "true", "The head also sees the scaled inputs (a wide linear part beside the deep trunk), so it learns per-input effects (hashed items, categories) at its own fast rate; the mixture's linear learner (model.mixture) learns them slowly. Off, MNIST rotations gain 0.007 ACC, but the recommendation generator loses 0.019 RMSE and its clicks 0.010 accuracy (docs/benchmarks.md)."),
            new Key("model.label.lag", "true", "The head also sees the task's previous label, so it can learn a no-change predictor on autocorrelated streams."),
            new Key("task.target.prior.weight", "5", "A task's running target mean is shrunk toward its partition's as if the partition's had been seen this many times: for regression it centres the task's predictions (not a Bayesian head's, whose bias is the task's offset); for labels it gives the running frequencies the mixture's prior learner predicts (model.mixture)."),
            new Key("optimizer.head.normalized", "joint", "Normalised LMS for a head's per-example step, so its size does not depend on the number or scale of inputs. per-part: the rows of each part (trunk features, wide inputs, previous label) are divided by 1 + |that part|^2, so the wide part learns as fast as a linear learner would; joint: every row by 1 + |head inputs|^2; none: the plain gradient."),
            new Key("model.mixture", "true", "Each task's prediction mixes three learners, weighted by their recent errors (Fixed-Share, Herbster and Warmuth 1998): its head (fast, over the trunk's features, the inputs and the previous label), a slow linear learner on the task's own scaled inputs (plain SGD at model.linear.learning.rate) and its running label frequencies or mean. A long, noisy, nearly linear stream is then predicted as well as by a per-example linear model, a stream with little signal as well as by its majority class, and a fast-changing one as well as by the head."),
            new Key("model.linear.learning.rate", "0.01", "SGD step of each task's slow linear learner (model.mixture)."),
            new Key("model.mixture.share", "0.001", "Fixed share of the mixture (model.mixture): the weight spread evenly over the learners after every example, so the mixture can switch to another learner within a few examples of a change (0 = never switch back)."),
            new Key("model.mixture.gate", "true", "Label tasks (model.mixture): each task's prediction is further weighed against its partition's running label frequencies (the global majority class) by one Fixed-Share gate learned from every example of the partition, so a stream of many small tasks whose features say little is predicted as well as by its global majority class (docs/benchmarks.md)."),
            new Key("model.fm.factors", "8", "Size of the factors of the factorisation-machine term added to each task's deep output (Rendle 2010): a factor per task and per input, so a stream with users as tasks and items as hashed inputs learns user x item (and item x genre) interactions, and a task of any stream a low-rank model of its own over factors all tasks share; 0 = off (docs/benchmarks.md)."),
            new Key("model.fm.learning.rate", "0.1", "AdaGrad step of the factorisation machine's factors (model.fm.factors): each factor moves by this times its gradient over the root of its summed squared gradients."));

    /** Reads this part's keys; absent ones take their defaults. */
    static ModelConfig from(LearnerConfig.Reader r) {
        return new ModelConfig(choice(r, "input.scaling", "standardize", "none"),
                !choice(r, "input.scaling.scope", "shared", "task"),
                r.nonNegativeFloat("input.scaling.prior.weight"), r.bool("model.wide"),
                r.bool("model.label.lag"), r.nonNegativeFloat("task.target.prior.weight"),
                HeadStepNormalization.parse(r.string("optimizer.head.normalized")), r.bool("model.mixture"),
                r.nonNegativeFloat("model.linear.learning.rate"), probability(r, "model.mixture.share"),
                r.bool("model.mixture.gate"), r.nonNegativeInt("model.fm.factors"),
                r.nonNegativeFloat("model.fm.learning.rate"));
    }

    /** Whether a task's deep output has a {@link FactorizationMachine} term. */
    public boolean factorizationMachine() {
        return fmFactors > 0;
    }

    /**
     * The record's text, without the factorisation machine's settings while it is off: the configuration digest is
     * computed from it, and the digests of configurations written before the term existed must not change.
     */
    @Override
    public String toString() {
        return "ModelConfig[scaleInputs=" + scaleInputs + ", perTaskScaler=" + perTaskScaler + ", scalerPriorWeight="
                + scalerPriorWeight + ", wide=" + wide + ", labelLag=" + labelLag + ", targetPriorWeight="
                + targetPriorWeight + ", headStep=" + headStep + ", mixture=" + mixture + ", linearLearningRate="
                + linearLearningRate + ", mixtureShare=" + mixtureShare + ", partitionGate=" + partitionGate
                + (fmFactors > 0 ? ", fmFactors=" + fmFactors + ", fmLearningRate=" + fmLearningRate : "") + "]";
    }

    private static double probability(LearnerConfig.Reader r, String key) {
        double v = r.doubleValue(key);
        if (!(v >= 0 && v < 1)) {
            throw new IllegalArgumentException(key + "=" + v + " must be at least 0 and below 1");
        }
        return v;
    }

    /** True for {@code yes}, false for {@code no}; anything else names the key and both choices. */
    private static boolean choice(LearnerConfig.Reader r, String key, String yes, String no) {
        String v = r.string(key).toLowerCase();
        if (v.equals(yes) || v.equals(no)) {
            return v.equals(yes);
        }
        throw new IllegalArgumentException(key + "=" + v + " is not known: use " + yes + " or " + no);
    }

    /** Whether each task keeps its own input statistics (for task-scope scaling or its linear expert). */
    public boolean keepsTaskScaler() {
        return scaleInputs && (perTaskScaler || mixture);
    }

    /** Number of inputs of a task's head for this trunk and task shape. */
    public int headInputs(TrunkSpec trunk, TaskSpec spec) {
        return trunk.outputDim() + wideInputs(trunk) + lagInputs(spec);
    }

    /** Width of the wide part (0 when off, or when the trunk has no layers and its features already are the inputs). */
    public int wideInputs(TrunkSpec trunk) {
        return wide && trunk.layerCount() > 0 ? trunk.inputDim() : 0;
    }

    /** Width of the previous-label part. */
    public int lagInputs(TaskSpec spec) {
        return labelLag ? spec.outputs() : 0;
    }
}
