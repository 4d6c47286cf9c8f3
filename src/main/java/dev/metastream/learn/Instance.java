package dev.metastream.learn;

/**
 * One parsed, validated example: the task it belongs to, its dense features and, when labelled, its target.
 *
 * @param task      task id
 * @param x         dense features of length {@code input.dim}
 * @param target    the label encoded for the task's kind (see {@link TaskSpec}), or {@code null} when unlabelled
 * @param id        the caller's id, echoed in the prediction (may be null)
 * @param timestamp event time in epoch milliseconds
 */
public record Instance(String task, float[] x, float[] target, String id, long timestamp) {

    private static final int FORMAT = 1;

    /** Whether the example carries a label (and so is learned from). */
    public boolean labelled() {
        return target != null;
    }

    /** Compact binary form, used on the repartition topic and in the pending-batch store. */
    public byte[] toBytes() {
        return new Codec.Writer(16 + x.length * 4).i8(FORMAT).str(task).floats(x).floats(target).str(id).i64(timestamp)
                .toBytes();
    }

    /** Reads {@link #toBytes()}. */
    public static Instance fromBytes(byte[] bytes) {
        Codec.Reader r = new Codec.Reader(bytes);
        r.expectVersion(FORMAT, "instance");
        return new Instance(r.str(), r.floats(), r.floats(), r.str(), r.i64());
    }
}
