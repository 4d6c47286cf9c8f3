package dev.metastream.learn;

/**
 * A labelled example waiting in the micro-batch buffer, with the prediction made when it arrived (so the prequential
 * metrics score the model as it was before it learned from the example).
 *
 * @param instance the example
 * @param output   the model's output for it at arrival
 */
public record PendingExample(Instance instance, float[] output) {
    private static final int FORMAT = 1;

    /** Binary form for the pending-batch store. */
    public byte[] toBytes() {
        return new Codec.Writer(64 + instance.x().length * 4).i8(FORMAT).bytes(instance.toBytes()).floats(output)
                .toBytes();
    }

    /** Reads {@link #toBytes()}. */
    public static PendingExample fromBytes(byte[] bytes) {
        Codec.Reader r = new Codec.Reader(bytes);
        r.expectVersion(FORMAT, "pending example");
        return new PendingExample(Instance.fromBytes(r.bytes()), r.floats());
    }
}
