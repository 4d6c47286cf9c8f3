package dev.metastream.learn;

import java.util.Arrays;

/**
 * The parts of a flat parameter vector a gradient can be non-zero in: sorted, disjoint half-open ranges
 * {@code [from, to)}. A batch through the trunk's embedding bag ({@link Trunk}) touches only the first-layer rows of
 * the inputs it saw, so its clipping and optimiser step ({@link Optimizer#step(float[], float[], float[], float, long,
 * ParamRanges)}) cost what the batch touched, not {@code input.dim x hidden}.
 *
 * <pre>{@code
 * ParamRanges r = ParamRanges.builder().add(0, 64).add(640, 704).build();
 * r.size();   // 128
 * }</pre>
 */
public final class ParamRanges {
    private final int[] from;
    private final int[] to;

    private ParamRanges(int[] from, int[] to) {
        this.from = from;
        this.to = to;
    }

    /** An empty builder; ranges are added in increasing order. */
    public static Builder builder() {
        return new Builder();
    }

    /** Number of ranges. */
    public int count() {
        return from.length;
    }

    /** Start (inclusive) of range {@code k}. */
    public int from(int k) {
        return from[k];
    }

    /** End (exclusive) of range {@code k}. */
    public int to(int k) {
        return to[k];
    }

    /** Number of parameters covered. */
    public int size() {
        int s = 0;
        for (int k = 0; k < from.length; k++) {
            s += to[k] - from[k];
        }
        return s;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ParamRanges[");
        for (int k = 0; k < from.length; k++) {
            sb.append(k == 0 ? "" : ", ").append(from[k]).append("..").append(to[k]);
        }
        return sb.append(']').toString();
    }

    /** Collects ranges in increasing order, merging a range that starts where the previous ends. */
    public static final class Builder {
        private int[] from = new int[8];
        private int[] to = new int[8];
        private int n;

        private Builder() {
        }

        /** Adds {@code [start, end)}; it must not start before the previous range ends. */
        public Builder add(int start, int end) {
            if (start < 0 || end < start || (n > 0 && start < to[n - 1])) {
                throw new IllegalArgumentException("range " + start + ".." + end + " is not after the previous one"
                        + (n > 0 ? " (" + from[n - 1] + ".." + to[n - 1] + ")" : ""));
            }
            if (start == end) {
                return this;
            }
            if (n > 0 && start == to[n - 1]) {
                to[n - 1] = end;
                return this;
            }
            if (n == from.length) {
                from = Arrays.copyOf(from, 2 * n);
                to = Arrays.copyOf(to, 2 * n);
            }
            from[n] = start;
            to[n] = end;
            n++;
            return this;
        }

        /** The ranges added so far. */
        public ParamRanges build() {
            return new ParamRanges(Arrays.copyOf(from, n), Arrays.copyOf(to, n));
        }
    }
}
