package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A-GEM on top of the generic {@link MemoryStrategyContract}. */
class AGemTest extends MemoryStrategyContract {

    @Override
    protected MemoryStrategy newStrategy() {
        return new AGem();
    }

    @Override
    protected String expectedName() {
        return "agem";
    }

    @Override
    protected MemoryConfig.Strategy expectedKind() {
        return MemoryConfig.Strategy.AGEM;
    }

    @Override
    protected List<String> aliases() {
        return List.of("a-gem");
    }

    @Test
    void projectedGradientNoLongerConflictsWithTheMeanReferenceAndNothingIsReplayed() {
        InMemoryLearnerStore store = learnedMemories();
        float[] g = conflicting(store);
        MemoryContext ctx = learnedContext(store);
        assertThat(newStrategy().project(ctx, g)).isTrue();
        float[] mean = new float[g.length];
        for (String t : TASKS) {
            float[] r = store.referenceGradient(t).gradient();
            for (int j = 0; j < g.length; j++) {
                mean[j] += r[j] / TASKS.size();
            }
        }
        assertThat(VecMath.dot(g, mean)).isGreaterThanOrEqualTo(0);
        assertThat(newStrategy().replay(ctx)).isEmpty();
    }
}
