package dev.metastream.app;

import java.util.Arrays;

/**
 * Percentiles of a set of latencies in milliseconds, nearest rank (the smallest value with at least that share of the
 * values at or below it), so a reported p99 is a latency some record really had. Sorting a copy is enough at the
 * bench's sizes (a minute at a few thousand records a second).
 *
 * @param count values
 * @param p50   median
 * @param p99   99th percentile
 * @param max   largest
 */
record LatencyStats(int count, long p50, long p99, long max) {

    /** The statistics of the first {@code n} values of {@code values} (which is left unchanged). */
    static LatencyStats of(long[] values, int n) {
        if (n == 0) {
            return new LatencyStats(0, -1, -1, -1);
        }
        long[] a = Arrays.copyOf(values, n);
        Arrays.sort(a);
        return new LatencyStats(n, percentile(a, 0.50), percentile(a, 0.99), a[n - 1]);
    }

    /** Nearest rank of quantile q in sorted values: the ceil(q n)-th smallest. */
    static long percentile(long[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }
}
