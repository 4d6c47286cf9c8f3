package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link SgdMomentum} with momentum 0 (its stateless code path) on top of {@link OptimizerContract}. */
class PlainSgdTest extends OptimizerContract {

    @Override
    protected Optimizer newOptimizer() {
        return Optimizer.create("sgd", 0.0, 0.9, 0.999, 1e-8);
    }

    @Override
    protected float stableLearningRate() {
        return 0.1f;
    }

    @Override
    protected boolean carriesVelocity() {
        return false;
    }

    @Test
    void needsNoState() {
        assertThat(newOptimizer().stateSize(100)).isZero();
    }
}
