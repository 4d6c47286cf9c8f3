package dev.metastream.app;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Tells a wait that is still making progress from one that has stalled: every {@link #observe(long...)} hands it the
 * current counts being waited on (records read, for instance); as long as any of them changes, the stall clock
 * restarts. {@link #stalled()} is true once nothing has changed for the stall period. The clock is injected, so the
 * logic is tested without sleeping.
 */
public final class StallDetector {
    private final long stallNanos;
    private final LongSupplier nanoClock;
    private long[] last;
    private long lastChangeNanos;

    /**
     * Creates a detector whose stall clock starts now.
     *
     * @param stallPeriod how long nothing may change before the wait counts as stalled; positive
     * @param nanoClock   a monotonic clock in nanoseconds ({@code System::nanoTime} outside tests)
     */
    public StallDetector(Duration stallPeriod, LongSupplier nanoClock) {
        if (stallPeriod.isNegative() || stallPeriod.isZero()) {
            throw new IllegalArgumentException("the stall period must be positive, got " + stallPeriod);
        }
        this.stallNanos = stallPeriod.toNanos();
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.lastChangeNanos = nanoClock.getAsLong();
    }

    /**
     * Records the current counts.
     *
     * @param counts the figures being waited on, always in the same order
     * @return whether any of them differs from the previous observation (the first observation counts as a change)
     */
    public boolean observe(long... counts) {
        long now = nanoClock.getAsLong();
        if (last == null || !Arrays.equals(last, counts)) {
            last = counts.clone();
            lastChangeNanos = now;
            return true;
        }
        return false;
    }

    /**
     * How long the counts have not changed.
     *
     * @return the time since the last change (or since construction, before any)
     */
    public Duration sinceLastChange() {
        return Duration.ofNanos(Math.max(0, nanoClock.getAsLong() - lastChangeNanos));
    }

    /**
     * Whether nothing has changed for the whole stall period.
     *
     * @return true once {@link #sinceLastChange()} reaches the stall period
     */
    public boolean stalled() {
        return nanoClock.getAsLong() - lastChangeNanos >= stallNanos;
    }

    /**
     * The stall period given at construction.
     *
     * @return the period
     */
    public Duration stallPeriod() {
        return Duration.ofNanos(stallNanos);
    }
}
