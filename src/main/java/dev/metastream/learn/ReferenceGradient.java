package dev.metastream.learn;

/**
 * A task's reference gradient on the shared trunk, computed on its episodic memory (GEM / A-GEM).
 *
 * @param gradient the mean gradient of the task's memory loss with respect to the trunk parameters
 * @param batch    the partition's batch counter when it was computed (to tell how stale it is)
 * @param samples  how many memory examples it was computed on
 */
public record ReferenceGradient(float[] gradient, long batch, int samples) {
    private static final int FORMAT = 1;

    /** Binary form for the reference-gradient store. */
    public byte[] toBytes() {
        return new Codec.Writer(16 + gradient.length * 4).i8(FORMAT).floats(gradient).i64(batch).i32(samples).toBytes();
    }

    /** Reads {@link #toBytes()}. */
    public static ReferenceGradient fromBytes(byte[] bytes) {
        Codec.Reader r = new Codec.Reader(bytes);
        r.expectVersion(FORMAT, "reference gradient");
        return new ReferenceGradient(r.floats(), r.i64(), r.i32());
    }
}
