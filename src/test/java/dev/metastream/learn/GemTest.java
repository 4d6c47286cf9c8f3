package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** GEM on top of the generic {@link MemoryStrategyContract}. */
class GemTest extends MemoryStrategyContract {

    @Override
    protected MemoryStrategy newStrategy() {
        return new Gem();
    }

    @Override
    protected String expectedName() {
        return "gem";
    }

    @Override
    protected MemoryConfig.Strategy expectedKind() {
        return MemoryConfig.Strategy.GEM;
    }

    @Test
    void projectedGradientConflictsWithNoReferenceAndNothingIsReplayed() {
        InMemoryLearnerStore store = learnedMemories();
        float[] g = conflicting(store);
        MemoryContext ctx = learnedContext(store);
        assertThat(newStrategy().project(ctx, g)).isTrue();
        for (String t : TASKS) {
            float[] r = store.referenceGradient(t).gradient();
            assertThat(VecMath.dot(g, r)).as(t)
                    .isGreaterThanOrEqualTo(-GemProjection.FEAS_TOL * (VecMath.norm(g) * VecMath.norm(r) + 1));
        }
        assertThat(newStrategy().replay(ctx)).isEmpty();
    }
}
