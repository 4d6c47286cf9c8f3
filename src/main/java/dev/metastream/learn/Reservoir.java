package dev.metastream.learn;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * Bounded per-task episodic memory filled by reservoir sampling (Vitter's algorithm R): after
 * n offers each item is retained with probability capacity/n. The random bits are supplied by
 * the caller (e.g. {@link Seeds#of}) so replaying a stream after a crash rebuilds the same
 * memory. Not thread-safe.
 */
public final class Reservoir {
    /** Serialisation format version written as the first byte. */
    static final byte FORMAT_VERSION = 1;

    private final int capacity;
    private final float[][] xs;
    private final float[][] targets;
    private int size;
    private long seen;

    /** Creates an empty reservoir holding at most {@code capacity} items. */
    public Reservoir(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0: " + capacity);
        }
        this.capacity = capacity;
        this.xs = new float[capacity][];
        this.targets = new float[capacity][];
    }

    /**
     * Offers one example (copied). The first {@code capacity} items are always kept; item
     * number n (0-based, n ≥ capacity) replaces slot j = uniform(0..n) from
     * {@code randomBits} when j &lt; capacity.
     */
    public void offer(float[] x, float[] target, long randomBits) {
        int slot = slot(seen, capacity, randomBits);
        seen++;
        if (slot < 0) {
            return;
        }
        if (slot == size) {
            size++;
        }
        xs[slot] = x.clone();
        targets[slot] = target.clone();
    }

    /**
     * Vitter's algorithm R as a pure function, for memories kept elsewhere (a RocksDB store): the slot that item number
     * {@code seen} (0-based) takes in a reservoir of {@code capacity}, or -1 when it is not kept.
     */
    public static int slot(long seen, int capacity, long randomBits) {
        if (seen < capacity) {
            return (int) seen;
        }
        long j = uniform(randomBits, seen + 1);
        return j < capacity ? (int) j : -1;
    }

    /**
     * Maps 64 random bits to [0, bound) as floor(bits·bound / 2^64) (unsigned): unbiased up to
     * bound/2^64, and without the low-bit weakness of a plain modulo.
     */
    static long uniform(long bits, long bound) {
        return Math.multiplyHigh(bits, bound) + ((bits >> 63) & bound);
    }

    /** Number of items held (≤ capacity). */
    public int size() {
        return size;
    }

    /** Number of items ever offered. */
    public long seen() {
        return seen;
    }

    /** Maximum number of items held. */
    public int capacity() {
        return capacity;
    }

    /** Input of item {@code i}; the stored array itself, to be treated as read-only. */
    public float[] x(int i) {
        checkIndex(i);
        return xs[i];
    }

    /** Target of item {@code i}; the stored array itself, to be treated as read-only. */
    public float[] target(int i) {
        checkIndex(i);
        return targets[i];
    }

    private void checkIndex(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("index " + i + ", size " + size);
        }
    }

    /**
     * Compact big-endian encoding: version byte, capacity int, seen long, size int, then per
     * item x length int, x floats, target length int, target floats.
     */
    public byte[] toBytes() {
        int bytes = 1 + 4 + 8 + 4;
        for (int i = 0; i < size; i++) {
            bytes += 8 + 4 * (xs[i].length + targets[i].length);
        }
        ByteBuffer buf = ByteBuffer.allocate(bytes);
        buf.put(FORMAT_VERSION).putInt(capacity).putLong(seen).putInt(size);
        for (int i = 0; i < size; i++) {
            putFloats(buf, xs[i]);
            putFloats(buf, targets[i]);
        }
        return buf.array();
    }

    /** Decodes {@link #toBytes()} output; rejects unknown versions and malformed input. */
    public static Reservoir fromBytes(byte[] data) {
        try {
            ByteBuffer buf = ByteBuffer.wrap(data);
            byte version = buf.get();
            if (version != FORMAT_VERSION) {
                throw new IllegalArgumentException("unsupported reservoir format version "
                        + version);
            }
            int capacity = buf.getInt();
            long seen = buf.getLong();
            int size = buf.getInt();
            if (capacity < 0 || size < 0 || size > capacity || seen < size
                    || (size < capacity && seen != size)) {
                throw new IllegalArgumentException("corrupt reservoir header: capacity "
                        + capacity + ", size " + size + ", seen " + seen);
            }
            Reservoir r = new Reservoir(capacity);
            for (int i = 0; i < size; i++) {
                r.xs[i] = getFloats(buf);
                r.targets[i] = getFloats(buf);
            }
            if (buf.hasRemaining()) {
                throw new IllegalArgumentException("trailing bytes in reservoir encoding");
            }
            r.size = size;
            r.seen = seen;
            return r;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated reservoir encoding", e);
        }
    }

    private static void putFloats(ByteBuffer buf, float[] a) {
        buf.putInt(a.length);
        for (float f : a) {
            buf.putFloat(f);
        }
    }

    private static float[] getFloats(ByteBuffer buf) {
        int n = buf.getInt();
        if (n < 0 || n > buf.remaining() / 4) {
            throw new IllegalArgumentException("corrupt array length " + n);
        }
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = buf.getFloat();
        }
        return a;
    }
}
