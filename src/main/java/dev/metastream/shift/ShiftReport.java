package dev.metastream.shift;

import java.util.List;

/**
 * The outcome of one check of a {@link ShiftMonitor}: the reference and recent windows compared and
 * the signals computed.
 *
 * @param position examples observed when the check ran
 * @param reference positions of the reference window
 * @param recent positions of the recent window
 * @param drift whether any signal drifted
 * @param signals the signals computed at this check (a signal is absent when it could not be
 *     computed, e.g. too few labels)
 */
public record ShiftReport(long position, Window reference, Window recent, boolean drift, List<Signal> signals) {

    /** Copies {@code signals} into an unmodifiable list. */
    public ShiftReport {
        signals = List.copyOf(signals);
    }

    /**
     * The signal of a given name.
     *
     * @param name e.g. {@link Signal#INPUTS}
     * @return the signal, or null when absent from this report
     */
    public Signal signal(String name) {
        for (Signal s : signals) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }
}
