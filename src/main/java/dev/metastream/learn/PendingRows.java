package dev.metastream.learn;

import java.util.ArrayList;
import java.util.List;

/**
 * The learner's buffered micro-batch as {@link StreamingLearner#flush} writes it, together with the task and shared
 * states: each buffered example (with the prediction made when it arrived) and what its task's head saw of it (its
 * scaled inputs and previous-label features). Those states already hold the buffered examples' per-example steps, so
 * after a restart the micro-batch is rebuilt from this record alone, without learning anything again; and an example
 * that arrives and is learned in a micro-batch between two flushes is never written at all.
 *
 * @param examples the buffered examples, in arrival order
 * @param rows     what each example's head saw, in the same order
 */
public record PendingRows(List<PendingExample> examples, List<Row> rows) {
    private static final int FORMAT = 2;

    /**
     * What a buffered example's head saw of it.
     *
     * @param scaledX its inputs as its task's head saw them
     * @param lag     its previous-label features, or null
     */
    public record Row(float[] scaledX, float[] lag) {}

    /** Binary form for the learner's store. */
    public byte[] toBytes() {
        int floats = 0;
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            floats += 2 * r.scaledX.length + (r.lag == null ? 0 : r.lag.length) + examples.get(i).output().length;
        }
        Codec.Writer w = new Codec.Writer(16 + 4 * floats + 64 * rows.size()).i8(FORMAT).i32(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            w.bytes(examples.get(i).toBytes()).floats(rows.get(i).scaledX).floats(rows.get(i).lag);
        }
        return w.toBytes();
    }

    /** Reads {@link #toBytes()}. */
    public static PendingRows fromBytes(byte[] bytes) {
        Codec.Reader r = new Codec.Reader(bytes);
        r.expectVersion(FORMAT, "pending rows");
        int n = r.i32();
        List<PendingExample> examples = new ArrayList<>(n);
        List<Row> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            examples.add(PendingExample.fromBytes(r.bytes()));
            rows.add(new Row(r.floats(), r.floats()));
        }
        return new PendingRows(List.copyOf(examples), List.copyOf(rows));
    }
}
