package dev.metastream.learn;

/**
 * One example kept in a task's episodic memory.
 *
 * @param x      features
 * @param target encoded label
 */
public record MemorySample(float[] x, float[] target) {
    private static final int FORMAT = 1;

    /** Binary form for the episodic-memory store. */
    public byte[] toBytes() {
        return new Codec.Writer(16 + (x.length + target.length) * 4).i8(FORMAT).floats(x).floats(target).toBytes();
    }

    /** Reads {@link #toBytes()}. */
    public static MemorySample fromBytes(byte[] bytes) {
        Codec.Reader r = new Codec.Reader(bytes);
        r.expectVersion(FORMAT, "memory sample");
        return new MemorySample(r.floats(), r.floats());
    }
}
