package dev.metastream.learn;

import java.util.ArrayList;
import java.util.List;

/**
 * What a task's head saw of each buffered example (its scaled inputs and previous-label features), written by
 * {@link StreamingLearner#flush} together with the task and shared states. Those states already hold the buffered
 * examples' per-example steps, so after a restart the micro-batch is rebuilt from these rows instead of by learning
 * the examples again. Each row names its example (task and timestamp), so a restart can tell the rows of the stored
 * buffer from stale ones (only possible under at-least-once, where the stores need not be written together).
 *
 * @param rows one per buffered example, in buffer order
 */
record PendingRows(List<Row> rows) {
    private static final int FORMAT = 1;

    /**
     * One buffered example's row.
     *
     * @param task      the example's task
     * @param timestamp the example's timestamp
     * @param scaledX   its inputs as its task's head saw them
     * @param lag       its previous-label features, or null
     */
    record Row(String task, long timestamp, float[] scaledX, float[] lag) {
        boolean describes(PendingExample example) {
            return task.equals(example.instance().task()) && timestamp == example.instance().timestamp();
        }
    }

    /** Binary form for the learner's store. */
    byte[] toBytes() {
        int floats = 0;
        for (Row r : rows) {
            floats += r.scaledX.length + (r.lag == null ? 0 : r.lag.length);
        }
        Codec.Writer w = new Codec.Writer(16 + 4 * floats + 32 * rows.size()).i8(FORMAT).i32(rows.size());
        for (Row r : rows) {
            w.str(r.task).i64(r.timestamp).floats(r.scaledX).floats(r.lag);
        }
        return w.toBytes();
    }

    /** Reads {@link #toBytes()}. */
    static PendingRows fromBytes(byte[] bytes) {
        Codec.Reader r = new Codec.Reader(bytes);
        r.expectVersion(FORMAT, "pending rows");
        int n = r.i32();
        List<Row> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            rows.add(new Row(r.str(), r.i64(), r.floats(), r.floats()));
        }
        return new PendingRows(List.copyOf(rows));
    }
}
