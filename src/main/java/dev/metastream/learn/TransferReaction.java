package dev.metastream.learn;

import dev.metastream.meta.PcGrad;
import java.util.List;

/**
 * How the trunk's step reacts to negative transfer ({@code meta.transfer}), plugged into the learner's micro-batch at
 * the trunk's backward pass (as {@link MemoryStrategy} is at the step): {@link #rowScale} scales each batch row's
 * gradient of the trunk's features by its task's weight (a task's pull on the trunk), and a reaction that
 * {@link #perTask} has the batch's trunk gradient computed once per task and {@link #combine}s them. Detection itself
 * ({@link dev.metastream.meta.NegativeTransfer}, kept in each {@link TaskState}) runs whatever the reaction, so
 * {@code off} still reports it.
 *
 * <pre>{@code
 * TransferReaction r = TransferReaction.of(config.meta());
 * dH[i] = f.inputGradient(head, spec, target, r.rowScale(state) / n, null);
 * float[] g = r.perTask() ? r.combine(perTaskGradients, seed) : sum;
 * }</pre>
 */
interface TransferReaction {

    /** The scale of a batch row's trunk-feature gradient for a task in this state; 1 by default. */
    default float rowScale(TaskState st) {
        return 1f;
    }

    /**
     * Whether a task of the batch joins the meta-learner's step (the head initialisation and the Bayesian heads'
     * prior, shared with every new task); true by default.
     */
    default boolean sharesMeta(TaskState st) {
        return true;
    }

    /** Whether the trunk's gradient is computed per task and {@link #combine}d; false by default. */
    default boolean perTask() {
        return false;
    }

    /** The trunk gradient from the per-task ones (task-id order); their sum by default. */
    default float[] combine(List<float[]> perTask, long seed) {
        float[] sum = new float[perTask.get(0).length];
        for (float[] g : perTask) {
            for (int i = 0; i < sum.length; i++) {
                sum[i] += g[i];
            }
        }
        return sum;
    }

    /** No reaction. */
    TransferReaction OFF = new TransferReaction() {
    };

    /** Down-weights a task's pull on the trunk by its trunk weight. */
    TransferReaction WEIGHT = new TransferReaction() {
        @Override
        public float rowScale(TaskState st) {
            return (float) st.trunkWeight();
        }

        @Override
        public boolean sharesMeta(TaskState st) {
            return !st.negativeTransfer();
        }
    };

    /** Gradient surgery between the batch's tasks. */
    TransferReaction PCGRAD = new TransferReaction() {
        @Override
        public boolean perTask() {
            return true;
        }

        @Override
        public float[] combine(List<float[]> perTask, long seed) {
            return PcGrad.combine(perTask, seed);
        }
    };

    /** The reaction {@code meta.transfer} names. */
    static TransferReaction of(MetaConfig config) {
        return switch (config.transfer()) {
            case OFF -> OFF;
            case WEIGHT -> WEIGHT;
            case PCGRAD -> PCGRAD;
        };
    }
}
