package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Experience replay on top of the generic {@link MemoryStrategyContract}. */
class ExperienceReplayTest extends MemoryStrategyContract {

    @Override
    protected MemoryStrategy newStrategy() {
        return new ExperienceReplay();
    }

    @Override
    protected String expectedName() {
        return "replay";
    }

    @Override
    protected MemoryConfig.Strategy expectedKind() {
        return MemoryConfig.Strategy.REPLAY;
    }

    @Override
    protected List<String> aliases() {
        return List.of("er");
    }

    @Test
    void replaysSamplesPerTaskFromEachOtherTaskAndNeverProjects() {
        InMemoryLearnerStore store = learnedMemories();
        Map<String, Integer> perTask = new TreeMap<>();
        newStrategy().replay(context(store, Set.of("a"), TASKS))
                .forEach(r -> perTask.merge(r.state().task(), 1, Integer::sum));
        // 2 other tasks (fewer than memory.tasks.per.step = 4), 16 samples each out of 32 in memory.
        assertThat(perTask).isEqualTo(Map.of("b", 16, "c", 16));
        float[] g = conflicting(store);
        assertThat(newStrategy().project(learnedContext(store), g)).isFalse();
    }
}
