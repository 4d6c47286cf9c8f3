package dev.metastream.learn;

import dev.metastream.shift.ShiftMonitor;
import dev.metastream.shift.ShiftReport;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@link ShiftMonitor} per task, fed every record the learner sees (labelled or not): its raw features, the
 * prediction made for it and its label when it has one. A check that finds a shift becomes a
 * {@link LearnerEvents.ShiftEvent}.
 *
 * <p>What a monitor saw must survive a restart, and it is not rebuilt by re-learning the buffered micro-batch (an
 * unlabelled record never enters it). A monitor is stored whole (about 17 KB with a hundred features) with a log of the
 * records it observed since (features, prediction and label: about 420 bytes with a hundred features); reading it back
 * replays the log. The log is written behind, as the learner's task states are: a record waits on heap and is
 * encoded into a row at the next {@link #flush} (before a commit), so a commit writes each task's new rows once
 * instead of every record writing its own key. The monitor is stored whole again, and its log dropped, every
 * {@code shift.block.size} records, and at a flush whose rows would make its log more bytes than the monitor: between
 * two commits a busy task writes its monitor once and no rows, a task of a few records writes a few rows. The
 * deserialised monitors of recent tasks stay on heap, as many as {@code learner.task.cache.size}.
 */
final class ShiftMonitoring {
    private final LearnerConfig config;
    private final LearnerStore store;
    private final LearnerEvents events;
    private final Map<String, Entry> cache;
    /** Heap bytes one cached monitor is taken to hold: four times the binary form of the first one made, 0 before. */
    private long monitorHeapEstimate;
    /**
     * The cache's admission test: a monitor read from the store is cached when its task was read lately. A task that is
     * not cached reads its log again at its next record, as after an eviction.
     */
    private final RecentTasks recentReads;

    /**
     * One record as a monitor observed it, waiting to be logged. The features are the record's own array, held as the
     * learner holds its buffered examples' (never written to after they are observed).
     */
    private record Observation(float[] x, double predicted, double label) {}

    /** Monitors with rows waiting for the next flush, by key. */
    private final Map<String, Entry> unflushed = new LinkedHashMap<>();

    /** A task's monitor, its log in the store and the rows waiting for the next flush. */
    private static final class Entry {
        final ShiftMonitor monitor;
        /** Rows in the store's log (indices 0 .. logged-1). */
        int logged;
        /** Bytes of the rows in the store's log and of the waiting rows. */
        long rowBytes;
        /** Bytes of the monitor's stored form when it was last stored or read, 0 before it was stored. */
        int wholeBytes;
        /**
         * Records observed since the last flush, not in the store yet: encoded only if a flush appends them, since a
         * busy task's monitor is stored whole instead and its rows are dropped unwritten.
         */
        final List<Observation> waiting = new ArrayList<>();

        Entry(ShiftMonitor monitor, int logged) {
            this.monitor = monitor;
            this.logged = logged;
        }

        /** Whether the log, with the waiting rows appended, would hold more bytes than the monitor stored whole. */
        boolean cheaperWhole() {
            return wholeBytes > 0 && rowBytes >= wholeBytes;
        }
    }

    ShiftMonitoring(LearnerConfig config, LearnerStore store, LearnerEvents events) {
        this.config = config;
        this.store = store;
        this.events = events;
        int cacheSize = config.taskCacheSize();
        this.recentReads = new RecentTasks(cacheSize);
        this.cache = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                // As the learner's task cache: learner.task.cache.size, and at most an eighth of the heap.
                return size() > cacheSize || size() > 16 && size() * monitorHeapEstimate > HEAP_BUDGET;
            }
        };
    }

    /** The monitor over all of a partition's tasks watches their inputs only: tasks' outputs differ in kind. */
    private static final String ALL_TASKS = ShiftConfig.ALL_TASKS;

    /** Observes one record and its prediction; publishes a shift when the check at this record finds one. */
    void observe(Instance in, TaskSpec spec, float[] output) {
        if (!config.shift().enabled()) {
            return;
        }
        double label = in.labelled() ? label(spec, in.target()) : Double.NaN;
        observe(in.task(), categories(spec), in.x(), predicted(spec, output), label, in.timestamp());
        if (config.shift().allTasks()) {
            observe(ALL_TASKS, 0, in.x(), Double.NaN, Double.NaN, in.timestamp());
        }
    }

    private void observe(String key, int categories, float[] x, double predicted, double label, long timestamp) {
        Entry e = entry(key, categories);
        ShiftMonitor m = e.monitor;
        ShiftReport report = m.observe(x, predicted, label);
        e.waiting.add(new Observation(x, predicted, label));
        e.rowBytes += encodedLength(x);
        if (e.logged + e.waiting.size() >= m.settings().blockSize()) {
            // A block's rows since it was stored: stored whole in their place (GET /drift/{task} reads the stored
            // monitor alone, so it is at most a block behind, as before the rows waited for the flush).
            storeWhole(key, e);
        } else {
            unflushed.put(key, e);
        }
        ShiftReport latest = m.latest();
        if (latest != null && latest.position() == m.position()) {
            events.shiftChecked(key, latest);
        }
        if (report != null) {
            events.domainShift(new LearnerEvents.ShiftEvent(key, report, timestamp));
        }
    }

    /** Stores a monitor whole and drops its log and waiting rows (which it holds). */
    private void storeWhole(String key, Entry e) {
        writeWhole(key, e);
        unflushed.remove(key);
    }

    private void writeWhole(String key, Entry e) {
        byte[] whole = e.monitor.toBytes();
        store.putShiftMonitor(key, whole);
        if (e.logged > 0) {
            store.clearShiftObservations(key, e.logged);
        }
        e.logged = 0;
        e.rowBytes = 0;
        e.wholeBytes = whole.length;
        e.waiting.clear();
    }

    /**
     * Appends every monitor's waiting rows to its log in the store, or stores the monitor whole instead (dropping its
     * log) when that is fewer bytes: a busy task's rows between two commits (about 420 bytes each with a hundred
     * features, two hundred of them a second on the bench's end-to-end workload) outweigh its monitor (about 17 KB),
     * and every row written is deleted again when the monitor is next stored whole. Called by
     * {@link StreamingLearner#flush}.
     */
    void flush() {
        for (Map.Entry<String, Entry> u : unflushed.entrySet()) {
            Entry e = u.getValue();
            if (e.cheaperWhole()) {
                writeWhole(u.getKey(), e);
                continue;
            }
            for (Observation o : e.waiting) {
                store.putShiftObservation(u.getKey(), e.logged++, encode(o.x(), o.predicted(), o.label()));
            }
            e.waiting.clear();
        }
        unflushed.clear();
    }

    /**
     * Whether more monitors wait for a flush than the monitor cache may hold (in number, or in heap: they stay on it
     * until the flush, with their rows).
     */
    boolean tooManyWaiting() {
        int n = unflushed.size();
        return n > config.taskCacheSize() || n > 16 && n * monitorHeapEstimate > HEAP_BUDGET;
    }

    /** The latest check of a task's monitor, or null when it has none yet. */
    ShiftReport latest(String task) {
        Entry e = cache.get(task);
        if (e == null) {
            e = unflushed.get(task);
        }
        ShiftMonitor m = e != null ? e.monitor : read(task);
        return m == null ? null : m.latest();
    }

    /** Forgets a deleted task's monitor (the store forgets it, and its log, with the task). */
    void forget(String task) {
        cache.remove(task);
        unflushed.remove(task);
    }

    /** Heap the cached monitors may hold, and apart from them the monitors waiting for a flush: an eighth each. */
    private static final long HEAP_BUDGET = Runtime.getRuntime().maxMemory() / 8;

    private Entry entry(String task, int categories) {
        Entry e = cache.get(task);
        if (e != null) {
            return e;
        }
        e = unflushed.get(task);
        if (e != null) {
            // Observed since the last flush and dropped from the cache: newer than its stored form.
            if (task.equals(ALL_TASKS) || recentReads.seenAgain(task)) {
                cache.put(task, e);
            }
            return e;
        }
        // The monitor and its log are read once, for the replay and the log's length.
        LearnerStore.StoredShift stored = store.storedShift(task);
        ShiftMonitor m = read(task, stored);
        int logged = stored.log().size();
        boolean asStored = m != null && m.inputDim() == config.inputDim() && m.outputCategories() == categories;
        if (!asStored) {
            // A new task, or one whose kind or width was reconfigured: its old reference says nothing about the new.
            if (m != null) {
                store.clearShiftObservations(task, logged); // a new task (no monitor: no log either) has none to drop
            }
            m = new ShiftMonitor(config.shift().settings(), config.inputDim(), categories, config.seed());
            logged = 0;
        }
        e = new Entry(m, logged);
        if (asStored) {
            e.wholeBytes = stored.monitor() == null ? 0 : stored.monitor().length;
            for (byte[] row : stored.log()) {
                e.rowBytes += row.length;
            }
        }
        if (monitorHeapEstimate == 0) {
            monitorHeapEstimate = 4L * m.toBytes().length;
        }
        if (task.equals(ALL_TASKS) || recentReads.seenAgain(task)) {
            cache.put(task, e);
        }
        return e;
    }

    /** The stored monitor with its logged observations replayed (their checks were published when they ran), or null. */
    ShiftMonitor read(String task) {
        return read(task, store.storedShift(task));
    }

    /** {@link #read(String)} with the task's monitor and log already read. */
    private ShiftMonitor read(String task, LearnerStore.StoredShift stored) {
        byte[] b = stored.monitor();
        List<byte[]> log = stored.log();
        ShiftMonitor m = b != null ? ShiftMonitor.fromBytes(b) : null;
        if (m == null && !log.isEmpty()) {
            // The first records of a task: logged, and no monitor stored yet.
            int categories = task.equals(ALL_TASKS) ? 0 : categories(config.taskSpec(task));
            m = new ShiftMonitor(config.shift().settings(), config.inputDim(), categories, config.seed());
        }
        if (m != null) {
            for (byte[] row : log) {
                replay(m, row);
            }
        }
        return m;
    }

    /**
     * One observation as logged: the features (dense, or the non-zeros when they are fewer than a quarter), the
     * prediction and the label.
     */
    static byte[] encode(float[] x, double predicted, double label) {
        int nonZero = nonZero(x);
        boolean sparse = nonZero * 4 < x.length;
        ByteBuffer buf = ByteBuffer.allocate(encodedLength(x.length, nonZero));
        buf.put((byte) (sparse ? 1 : 0)).putInt(sparse ? nonZero : x.length);
        if (!sparse) {
            buf.asFloatBuffer().put(x); // in bulk: every record is logged
            buf.position(buf.position() + x.length * Float.BYTES);
        } else {
            for (int j = 0; j < x.length; j++) {
                if (x[j] != 0f) {
                    buf.putInt(j).putFloat(x[j]);
                }
            }
        }
        buf.putDouble(predicted).putDouble(label);
        return buf.array();
    }

    /** The bytes {@link #encode} writes for {@code x}. */
    static int encodedLength(float[] x) {
        return encodedLength(x.length, nonZero(x));
    }

    private static int encodedLength(int length, int nonZero) {
        boolean sparse = nonZero * 4 < length;
        return 1 + Integer.BYTES + (sparse ? nonZero * 8 : length * 4) + 2 * Double.BYTES;
    }

    private static int nonZero(float[] x) {
        int nonZero = 0;
        for (float v : x) {
            if (v != 0f) {
                nonZero++;
            }
        }
        return nonZero;
    }

    private void replay(ShiftMonitor m, byte[] row) {
        ByteBuffer buf = ByteBuffer.wrap(row);
        boolean sparse = buf.get() == 1;
        int n = buf.getInt();
        float[] x = new float[m.inputDim()];
        if (!sparse && n != x.length) {
            return; // logged before input.dim changed: it says nothing about the inputs of this width
        }
        if (sparse) {
            for (int k = 0; k < n; k++) {
                int j = buf.getInt();
                float v = buf.getFloat();
                if (j >= x.length) {
                    return;
                }
                x[j] = v;
            }
        } else {
            buf.asFloatBuffer().get(x); // in bulk, as encode writes it
            buf.position(buf.position() + x.length * Float.BYTES);
        }
        m.observe(x, buf.getDouble(), buf.getDouble());
    }

    /** Categories of the task's predictions and labels as the monitor counts them: 0 for real values. */
    static int categories(TaskSpec spec) {
        return switch (spec.kind()) {
            case CLASSIFICATION -> spec.outputs();
            case BINARY -> 2;
            case REGRESSION, MULTILABEL -> 0;
        };
    }

    /** The prediction as the monitor sees it: the class, the 0/1 decision, the value, or none for multi-label. */
    static double predicted(TaskSpec spec, float[] output) {
        return switch (spec.kind()) {
            case CLASSIFICATION -> argmax(output);
            case BINARY -> output[0] >= 0.5f ? 1 : 0;
            case REGRESSION -> output[0];
            case MULTILABEL -> Double.NaN;
        };
    }

    /** The label as the monitor sees it, encoded as {@link #predicted} encodes predictions. */
    static double label(TaskSpec spec, float[] target) {
        return switch (spec.kind()) {
            case CLASSIFICATION -> argmax(target);
            case BINARY -> target[0] >= 0.5f ? 1 : 0;
            case REGRESSION -> target[0];
            case MULTILABEL -> Double.NaN;
        };
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
