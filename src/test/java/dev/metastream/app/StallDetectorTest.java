package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The demo's wait-by-progress logic on a fake clock: no sleeping, no timing. */
class StallDetectorTest {
    private final AtomicLong now = new AtomicLong(1_000);

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void movingCountsNeverStallHoweverLongTheWaitTakes() {
        StallDetector s = new StallDetector(Duration.ofSeconds(60), now::get);
        for (int minute = 0; minute < 30; minute++) { // half an hour of slow but steady progress
            assertThat(s.observe(minute * 10L, 0)).isTrue();
            advance(Duration.ofSeconds(59));
            assertThat(s.stalled()).isFalse();
        }
    }

    @Test
    void stallsOnlyAfterTheWholePeriodWithoutAnyChange() {
        StallDetector s = new StallDetector(Duration.ofSeconds(60), now::get);
        assertThat(s.observe(5, 7)).as("first observation").isTrue();
        advance(Duration.ofSeconds(59));
        assertThat(s.observe(5, 7)).isFalse();
        assertThat(s.stalled()).isFalse();
        assertThat(s.sinceLastChange()).isEqualTo(Duration.ofSeconds(59));
        advance(Duration.ofSeconds(1));
        assertThat(s.observe(5, 7)).isFalse();
        assertThat(s.stalled()).isTrue();
    }

    @Test
    void anyOneCountMovingRestartsTheClock() {
        StallDetector s = new StallDetector(Duration.ofSeconds(10), now::get);
        s.observe(1, 1);
        advance(Duration.ofSeconds(9));
        assertThat(s.observe(1, 2)).isTrue();
        advance(Duration.ofSeconds(9));
        assertThat(s.stalled()).isFalse();
        assertThat(s.sinceLastChange()).isEqualTo(Duration.ofSeconds(9));
        advance(Duration.ofSeconds(1));
        assertThat(s.stalled()).isTrue();
    }

    @Test
    void theClockStartsAtConstructionEvenWithoutObservations() {
        StallDetector s = new StallDetector(Duration.ofSeconds(10), now::get);
        advance(Duration.ofSeconds(10));
        assertThat(s.stalled()).isTrue();
        assertThat(s.observe(0)).as("the first observation is a change").isTrue();
        assertThat(s.stalled()).isFalse();
    }

    @Test
    void rejectsANonPositivePeriod() {
        assertThatThrownBy(() -> new StallDetector(Duration.ZERO, now::get))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
    }
}
