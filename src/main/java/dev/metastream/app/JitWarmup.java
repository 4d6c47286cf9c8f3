package dev.metastream.app;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Discarded warm-up rounds of a benchmark, repeated until the JIT has settled: a round that left the compiler busy for
 * more than {@code maxShare} of its wall time is followed by another, up to {@code maxRounds}. A fixed count of
 * warm-up rounds is right for one machine only: with two cores shared by the broker, Kafka Streams and metastream, C2
 * took a quarter to a third of the machine for the first ~90 s of an end-to-end bench (about 18,000 compilations), and
 * metastream's measured runs went 8,671, 11,796, then 14,739-18,507 examples/s while the passthrough, whose code is
 * compiled in seconds, held 57,000-63,000 (docs/benchmarks-throughput.md, twenty-third stop).
 *
 * <p>What the compiler did is read from {@link CompilationMXBean#getTotalCompilationTime()}: the time its threads
 * spent compiling, summed over them.
 *
 * <pre>{@code
 * List<JitWarmup.Round> rounds = JitWarmup.run(() -> oneDiscardedRun(), 6, 0.10);
 * System.out.println(rounds.get(rounds.size() - 1));
 * }</pre>
 */
final class JitWarmup {

    private JitWarmup() {}

    /** One discarded round of a benchmark. */
    @FunctionalInterface
    interface Round {
        /** Runs the round. @throws Exception when the round fails: the benchmark stops */
        void run() throws Exception;
    }

    /**
     * What one warm-up round took.
     *
     * @param index the round, from 1
     * @param seconds its wall time
     * @param compileSeconds the compiler threads' time spent compiling during it, summed over the threads
     */
    record Measured(int index, double seconds, double compileSeconds) {
        /** @return the compiler's time over the round's wall time (above 1 when several compiler threads were busy) */
        double compileShare() {
            return seconds > 0 ? compileSeconds / seconds : 0;
        }

        @Override
        public String toString() {
            return String.format("warm-up round %d: %.1f s, the JIT compiling %.1f s (%.0f%% of it)", index, seconds,
                    compileSeconds, 100 * compileShare());
        }
    }

    /** {@link #run(Round, int, double, LongSupplier, LongSupplier)} with this JVM's compiler time and clock. */
    static List<Measured> run(Round round, int maxRounds, double maxShare) throws Exception {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            // No compiler time to read (an interpreter-only JVM): one round, as before this class.
            return run(round, 1, maxShare, () -> 0L, System::nanoTime);
        }
        return run(round, maxRounds, maxShare, jit::getTotalCompilationTime, System::nanoTime);
    }

    /**
     * Runs at least one round, and another while the last one's {@link Measured#compileShare()} was above
     * {@code maxShare}, at most {@code maxRounds} in all.
     *
     * @param compileMillis the compiler's accumulated time, in milliseconds
     * @param nanoClock a monotonic clock, in nanoseconds
     * @return every round run, in order
     */
    static List<Measured> run(Round round, int maxRounds, double maxShare, LongSupplier compileMillis,
                              LongSupplier nanoClock) throws Exception {
        if (maxRounds < 1) {
            throw new IllegalArgumentException("warm-up rounds must be at least 1, got " + maxRounds);
        }
        if (!(maxShare >= 0)) {
            throw new IllegalArgumentException("the JIT's share of a settled round must be >= 0, got " + maxShare);
        }
        List<Measured> rounds = new ArrayList<>();
        do {
            long compile0 = compileMillis.getAsLong();
            long t0 = nanoClock.getAsLong();
            round.run();
            double seconds = (nanoClock.getAsLong() - t0) / 1e9;
            double compileSeconds = (compileMillis.getAsLong() - compile0) / 1e3;
            Measured m = new Measured(rounds.size() + 1, seconds, compileSeconds);
            rounds.add(m);
            if (m.compileShare() <= maxShare) {
                break;
            }
        } while (rounds.size() < maxRounds);
        return rounds;
    }
}
