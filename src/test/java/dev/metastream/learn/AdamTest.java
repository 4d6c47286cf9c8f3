package dev.metastream.learn;

/** {@link Adam} on top of {@link OptimizerContract}. */
class AdamTest extends OptimizerContract {

    @Override
    protected Optimizer newOptimizer() {
        return Optimizer.create("adam", 0.0, 0.9, 0.999, 1e-8);
    }

    @Override
    protected float stableLearningRate() {
        return 0.05f;
    }

    @Override
    protected boolean carriesVelocity() {
        return true;
    }
}
