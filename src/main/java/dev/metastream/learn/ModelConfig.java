package dev.metastream.learn;

/**
 * Settings of the per-task model on top of the shared trunk, the part of {@link LearnerConfig} that owns the
 * {@code input.scaling*}, {@code model.wide}, {@code model.label.lag}, {@code task.target.prior.weight},
 * {@code optimizer.head.normalized}, {@code model.mixture*} (with {@code model.mixture.gate}) and {@code model.linear.learning.rate} keys.
 *
 * <p>A task's head is one affine layer over {@code [trunk features ; scaled inputs ; previous label]}: the deep part,
 * a wide linear part on the inputs themselves (Cheng et al., "Wide &amp; Deep Learning for Recommender Systems",
 * 2016), and the task's previous label, so the head can learn the no-change predictor where a stream is
 * autocorrelated and ignore it where it is not.
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
 */
public record ModelConfig(boolean scaleInputs, boolean perTaskScaler, double scalerPriorWeight, boolean wide, boolean labelLag,
        float targetPriorWeight, HeadStepNormalization headStep, boolean mixture, float linearLearningRate,
        double mixtureShare, boolean partitionGate) {

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
