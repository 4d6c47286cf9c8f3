package dev.metastream.learn;

import dev.metastream.learn.LearnerConfig.Key;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of the optimiser that steps the per-task heads and the shared trunk, the part of {@link LearnerConfig}
 * that owns the {@code optimizer}, {@code optimizer.*.learning.rate}, {@code optimizer.momentum},
 * {@code optimizer.head.momentum}, {@code optimizer.adam.*} and {@code optimizer.clip.norm} keys.
 *
 * @param name              "sgd" or "adam", for heads and trunk ({@code optimizer})
 * @param headLearningRate  learning rate of the per-task heads
 * @param trunkLearningRate learning rate of the shared trunk (0 = the trunk does not learn)
 * @param momentum          SGD momentum of the shared trunk
 * @param headMomentum      SGD momentum of the per-task heads (0: plain SGD, no per-task optimiser state)
 * @param adamBeta1         Adam beta1
 * @param adamBeta2         Adam beta2
 * @param adamEpsilon       Adam epsilon
 * @param clipNorm          gradients of the trunk and of each head are scaled down to at most this L2 norm
 */
public record OptimizerConfig(String name, float headLearningRate, float trunkLearningRate, double momentum,
        double headMomentum, double adamBeta1, double adamBeta2, double adamEpsilon, float clipNorm) {

    /**
     * The gradient-clipping key. {@code config/application.properties} has always listed it after
     * {@code input.max.abs.value}, apart from the other optimiser keys, so {@link LearnerConfig#KEYS} places it there.
     */
    public static final Key CLIP_NORM_KEY = new Key("optimizer.clip.norm", "10", "Gradients of the trunk and of each head are scaled down to at most this L2 norm.");

    /** The optimiser keys listed together in {@code config/application.properties}: all but {@link #CLIP_NORM_KEY}. */
    public static final List<Key> LEADING_KEYS = List.of(
            new Key("optimizer", "sgd", "Optimiser of heads and trunk: sgd (with momentum) or adam. Its state is kept per task."),
            new Key("optimizer.head.learning.rate", "0.4", "Learning rate of the per-task heads."),
            new Key("optimizer.trunk.learning.rate", "0.1", "Learning rate of the shared trunk."),
            new Key("optimizer.momentum", "0.5", "SGD momentum of the shared trunk (0 = plain SGD)."),
            new Key("optimizer.head.momentum", "0", "SGD momentum of the per-task heads. 0 = plain SGD, which keeps "
                    + "no optimiser state per task (a task's state is about a third smaller than with momentum); "
                    + "0.5 with optimizer.head.learning.rate=0.2 is the step rule before issue 11 (docs/benchmarks.md)."),
            new Key("optimizer.adam.beta1", "0.9", "Adam beta1."),
            new Key("optimizer.adam.beta2", "0.999", "Adam beta2."),
            new Key("optimizer.adam.epsilon", "1e-8", "Adam epsilon."));

    /** Every key this part owns, with its default: {@link #LEADING_KEYS}, then {@link #CLIP_NORM_KEY}. */
    public static final List<Key> KEYS;

    static {
        List<Key> keys = new ArrayList<>(LEADING_KEYS);
        keys.add(CLIP_NORM_KEY);
        KEYS = List.copyOf(keys);
    }

    /** A new optimiser of the shared trunk (it keeps no state of its own: that is in the shared state). */
    public Optimizer create() {
        return Optimizer.create(name, momentum, adamBeta1, adamBeta2, adamEpsilon);
    }

    /** A new optimiser of the per-task heads (it keeps no state of its own: that is per task). */
    public Optimizer createHead() {
        return Optimizer.create(name, headMomentum, adamBeta1, adamBeta2, adamEpsilon);
    }

    /** Reads this part's keys; absent ones take their defaults. */
    static OptimizerConfig from(LearnerConfig.Reader r) {
        String optimizer = r.string("optimizer").toLowerCase();
        if (!optimizer.equals("sgd") && !optimizer.equals("adam")) {
            throw new IllegalArgumentException("optimizer=" + optimizer + " is not known: use sgd or adam");
        }
        return new OptimizerConfig(optimizer, r.positiveFloat("optimizer.head.learning.rate"),
                r.nonNegativeFloat("optimizer.trunk.learning.rate"), r.doubleValue("optimizer.momentum"),
                r.doubleValue("optimizer.head.momentum"), r.doubleValue("optimizer.adam.beta1"), r.doubleValue("optimizer.adam.beta2"),
                r.doubleValue("optimizer.adam.epsilon"), r.positiveFloat("optimizer.clip.norm"));
    }
}
