package dev.metastream.learn;

import java.util.Map;

/**
 * Weighs, over all the tasks of a partition together, each task's own prediction (its {@link FixedShareMixture}) against
 * the partition's running label frequencies: the global majority class, the trivial baseline a stream of many small,
 * weakly informative tasks is hardest to beat on. Two experts, one set of {@link FixedShareMixture} weights per head
 * shape, kept in the partition's {@link SharedState}.
 *
 * <p>Why a second level: a task's own mixture has a {@link PriorExpert} too, but it learns its weights from the task's
 * examples alone, so a partition of hundreds of tasks with a few dozen examples each pays the cost of learning those
 * weights hundreds of times. Pooled, the weights learn from every example of the partition, and where the tasks'
 * models carry signal (every development stream) the partition's prior loses at once and keeps only the fixed share.
 * The same bound holds as for any Fixed-Share mixture (Herbster and Warmuth 1998): the gate's 0/1 loss exceeds that of
 * the better of the two, switching as often as it pays, by about {@code ln 2} plus {@code ln(1/share)} per switch.
 * Label kinds only: for regression the per-task running mean already is the baseline the task's prior expert gives.
 *
 * <pre>{@code
 * float[] y = PartitionPriorGate.combine(shared, spec, taskY, partitionY);   // before learning the example
 * PartitionPriorGate.learn(shared, spec, taskError, partitionError, share);
 * }</pre>
 */
final class PartitionPriorGate {
    /** Experts: the task's mixture, the partition's prior. */
    static final int EXPERTS = 2;

    private PartitionPriorGate() {
    }

    /** The partition's label frequencies for a task of shape {@code spec} (uniform before any label). */
    static float[] partitionPrior(SharedState shared, TaskSpec spec) {
        return PriorExpert.output(null, shared, spec, 1.0);
    }

    /** The gated prediction: the weighted mean of the task's prediction and the partition's frequencies. */
    static float[] combine(SharedState shared, TaskSpec spec, float[] task, float[] partition) {
        double[] w = shared.gates.get(spec.shapeKey());
        return FixedShareMixture.combine(w != null ? w : FixedShareMixture.initial(EXPERTS), task, partition);
    }

    /** One example's 0/1 errors of the two experts: the Fixed-Share update of the shape's weights. */
    static void learn(SharedState shared, TaskSpec spec, double taskError, double partitionError, double share) {
        double[] w = shared.gates.computeIfAbsent(spec.shapeKey(), k -> FixedShareMixture.initial(EXPERTS));
        FixedShareMixture.update(w, new double[] {taskError, partitionError}, share);
    }

    /** Writes the weights per head shape (for {@link SharedState}'s encoding). */
    static void write(Codec.Writer w, Map<String, double[]> gates) {
        w.i32(gates.size());
        gates.forEach((shape, g) -> w.str(shape).doubles(g));
    }

    /** Reads {@link #write} into {@code gates}. */
    static void read(Codec.Reader r, Map<String, double[]> gates) {
        int n = r.i32();
        for (int i = 0; i < n; i++) {
            gates.put(r.str(), r.doubles());
        }
    }
}
