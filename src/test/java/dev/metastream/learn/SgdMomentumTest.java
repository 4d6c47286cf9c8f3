package dev.metastream.learn;

/** {@link SgdMomentum} with momentum 0.9 on top of {@link OptimizerContract}. */
class SgdMomentumTest extends OptimizerContract {

    @Override
    protected Optimizer newOptimizer() {
        return Optimizer.create("SGD", 0.9, 0.9, 0.999, 1e-8);
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
