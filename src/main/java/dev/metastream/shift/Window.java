package dev.metastream.shift;

/**
 * A range of stream positions (examples observed by a {@link ShiftMonitor}, 0-based), {@code [from, to)}.
 *
 * @param from first position in the window
 * @param to one past the last position
 */
public record Window(long from, long to) {

    /** Checks {@code 0 <= from <= to}. */
    public Window {
        if (from < 0 || to < from) {
            throw new IllegalArgumentException("bad window [" + from + ", " + to + ")");
        }
    }

    /** @return the number of positions in the window */
    public long size() {
        return to - from;
    }
}
