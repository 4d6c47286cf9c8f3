package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The nearest-rank percentiles {@code bench --latency} reports. */
class BenchLatencyStatsTest {
    @Test
    void nearestRankPercentilesOfTheFirstNValues() {
        long[] values = new long[200];
        for (int i = 0; i < 100; i++) {
            values[i] = 100 - i; // 1..100, shuffled by reversal
        }
        values[150] = 1_000_000; // beyond n: ignored
        LatencyStats s = LatencyStats.of(values, 100);
        assertThat(s).isEqualTo(new LatencyStats(100, 50, 99, 100));
        assertThat(values[0]).isEqualTo(100); // the input is not sorted in place
    }

    @Test
    void smallAndEmptySets() {
        assertThat(LatencyStats.of(new long[] {7}, 1)).isEqualTo(new LatencyStats(1, 7, 7, 7));
        assertThat(LatencyStats.of(new long[] {3, 1}, 2)).isEqualTo(new LatencyStats(2, 1, 3, 3));
        assertThat(LatencyStats.of(new long[0], 0).count()).isZero();
    }

    @Test
    void aSingleSlowRecordInAHundredIsNotTheP99() {
        long[] values = new long[100];
        java.util.Arrays.fill(values, 5);
        values[42] = 900;
        LatencyStats s = LatencyStats.of(values, 100);
        assertThat(s.p99()).isEqualTo(5);
        assertThat(s.max()).isEqualTo(900);
    }
}
