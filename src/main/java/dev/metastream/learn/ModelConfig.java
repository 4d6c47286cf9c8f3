package dev.metastream.learn;

/**
 * Settings of the per-task model on top of the shared trunk, the part of {@link LearnerConfig} that owns the
 * {@code input.scaling*}, {@code model.wide}, {@code model.label.lag}, {@code task.target.prior.weight} and
 * {@code optimizer.head.normalized} keys.
 *
 * <p>A task's head is one affine layer over {@code [trunk features ; scaled inputs ; previous label]}: the deep part,
 * a wide linear part on the inputs themselves (Cheng et al., "Wide &amp; Deep Learning for Recommender Systems",
 * 2016), and the task's previous label, so the head can learn the no-change predictor where a stream is
 * autocorrelated and ignore it where it is not.
 *
 * @param scaleInputs        whether dense inputs are scaled online ({@link InputScaler}) before the trunk and head
 * @param perTaskScaler      one scaler per task (true) or one per partition shared by its tasks (false)
 * @param wide               whether the head also sees the scaled inputs (ignored for a linear model: no trunk layers)
 * @param labelLag           whether the head also sees the task's previous label
 * @param targetPriorWeight  regression: a task's output is centred on its running target mean, shrunk toward the
 *                           partition's mean as if that mean were seen this many times
 * @param normalizedHeadStep whether a head step is divided by {@code 1 + |features|^2} (normalised LMS), so the step
 *                           size does not depend on the number and scale of the head's inputs
 */
public record ModelConfig(boolean scaleInputs, boolean perTaskScaler, boolean wide, boolean labelLag,
        float targetPriorWeight, boolean normalizedHeadStep) {

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
