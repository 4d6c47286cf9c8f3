package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The "none" strategy (a lambda in {@link MemoryStrategy#of}) on top of {@link MemoryStrategyContract}. */
class NoMemoryStrategyTest extends MemoryStrategyContract {

    @Override
    protected MemoryStrategy newStrategy() {
        return MemoryStrategy.of(config("none"));
    }

    @Override
    protected String expectedName() {
        return "none";
    }

    @Override
    protected MemoryConfig.Strategy expectedKind() {
        return MemoryConfig.Strategy.NONE;
    }

    @Test
    void keepsNoMemory() {
        assertThat(newStrategy().keepsMemory()).isFalse();
    }
}
