package dev.metastream.optim;

/**
 * Meta-SGD (Li, Zhou, Chen and Li, "Meta-SGD: Learning to Learn Quickly for Few-Shot Learning", 2017): a learning rate
 * per parameter, meta-learned across tasks, scales each gradient before the optimiser's step. The rates are learned
 * online by their first-order meta-gradient, hypergradient descent (Baydin et al., "Online Learning Rate Adaptation
 * with Hypergradient Descent", ICLR 2018), per parameter as La-MAML (Gupta, Yadav and Paull 2020) does across
 * consecutive inner steps: the step {@code theta_t+1 = theta_t - lr * exp(s) * g_t} makes the next example's loss
 * depend on the log-rate {@code s_j} through {@code dL_t+1/ds_j = -lr * exp(s_j) * g_t+1,j * g_t,j}, so a parameter
 * whose consecutive gradients agree (a step too short) has its rate raised, one whose gradients alternate in sign (a
 * step overshooting) has it lowered.
 *
 * <p>The product is normalised by a running mean of the parameter's squared gradient (decay {@link #DECAY}), so each
 * meta step is the consecutive gradients' correlation, in [-1, 1], times {@code metaRate}, whatever the gradient's
 * scale; the log-rates stay in [{@link #MIN_RATE}, {@link #MAX_RATE}] times the base learning rate. Shared state:
 * {@code 2n} floats, the log-rates then the mean squares (zero: every rate starts at the base rate); per-stream state:
 * the previous gradient (zero before the first step, which learns nothing).
 *
 * <pre>{@code
 * MetaSgd rates = new MetaSgd(0.001f);
 * float[] shared = rates.initialShared(head.length);     // meta-learned across tasks
 * float[] previous = new float[rates.stateSize(head.length)];
 * rates.apply(grad, shared, previous);                   // learns the rates, then scales grad by them
 * optimizer.step(head, grad, optimizerState, lr, step);
 * }</pre>
 */
public final class MetaSgd implements GradientTransform {
    /** The smallest rate, as a multiple of the base learning rate. */
    public static final double MIN_RATE = 0.01;
    /** The largest rate, as a multiple of the base learning rate. */
    public static final double MAX_RATE = 10;
    /** Decay of the running mean of each parameter's squared gradient, the hypergradient's scale. */
    public static final float DECAY = 0.99f;
    private static final float MIN_LOG = (float) Math.log(MIN_RATE);
    private static final float MAX_LOG = (float) Math.log(MAX_RATE);
    private final float metaRate;

    /** @param metaRate the meta step on the log-rates per gradient ({@code meta.learning.rates.step}), positive */
    public MetaSgd(float metaRate) {
        if (!(metaRate > 0 && Float.isFinite(metaRate))) {
            throw new IllegalArgumentException("meta step must be positive: " + metaRate);
        }
        this.metaRate = metaRate;
    }

    @Override
    public int stateSize(int parameterCount) {
        return parameterCount;
    }

    @Override
    public int sharedSize(int parameterCount) {
        return 2 * parameterCount;
    }

    /** The learned rate of parameter {@code j}, as a multiple of the base learning rate. */
    public static double rate(float[] shared, int j) {
        return Math.exp(shared[j]);
    }

    @Override
    public void apply(float[] grad, float[] shared, float[] previous) {
        int n = grad.length;
        if (shared.length != 2 * n || previous.length != n) {
            throw new IllegalArgumentException("Meta-SGD state of " + shared.length + " and " + previous.length
                    + " floats for " + n + " parameters (needs " + 2 * n + " and " + n + ")");
        }
        for (int j = 0; j < n; j++) {
            float g = grad[j];
            float meanSquare = DECAY * shared[n + j] + (1 - DECAY) * g * g;
            shared[n + j] = meanSquare;
            float agreement = g * previous[j] / (meanSquare + 1e-30f);
            float s = shared[j] + metaRate * Math.max(-1f, Math.min(1f, agreement));
            s = Math.max(MIN_LOG, Math.min(MAX_LOG, s));
            shared[j] = s;
            previous[j] = g;
            grad[j] = g * (float) Math.exp(s);
        }
    }
}
