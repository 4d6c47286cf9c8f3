package dev.metastream.topology;

import dev.metastream.learn.LearnerStore;
import dev.metastream.learn.MemorySample;
import dev.metastream.learn.PendingExample;
import dev.metastream.learn.ReferenceGradient;
import dev.metastream.learn.SharedState;
import dev.metastream.learn.TaskState;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A {@link LearnerStore} over the learner's changelogged Kafka Streams stores (RocksDB by default): every write goes
 * to the store, and so to its changelog topic, inside the same commit as the records that caused it.
 */
final class KafkaLearnerStore implements LearnerStore {
    private static final String SHARED_KEY = MetastreamTopology.SHARED_STATE_KEY;
    /** The shared state's bases ({@link SharedState#basesToBytes}), written apart from it. */
    static final String SHARED_BASES_KEY = SHARED_KEY + ".bases";
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(KafkaLearnerStore.class);
    /** The bases as last written or read (to write them only when they change), and the stamp they carry. */
    private float[] writtenTrunkBase;
    private java.util.Map<String, float[]> writtenHeadInitBase;
    private long basesStamp = -1;
    private final KeyValueStore<String, byte[]> tasks;
    private final KeyValueStore<String, byte[]> shared;
    private final KeyValueStore<String, byte[]> pending;
    private final KeyValueStore<String, byte[]> memory;
    private final KeyValueStore<String, byte[]> references;
    private final KeyValueStore<String, byte[]> shiftMonitors;
    /**
     * Decoded episodic memories of the tasks read most recently, in slot order, least recently used first. A replay
     * reads a whole memory (up to {@code memory.per.task} samples) for each task it draws, every micro-batch: through
     * Kafka Streams' record cache and RocksDB that was a merged prefix scan and a decode per sample, 5% of a stream
     * thread end to end. This store is its memory's only writer, so the copy is kept exact by writing through it.
     */
    private final LinkedHashMap<String, List<MemorySample>> memoryCache = new LinkedHashMap<>(64, 0.75f, true);
    /** Heap the decoded memories may hold: samples' floats plus a fixed overhead each. */
    private final long memoryCacheBudget;
    private long memoryCacheBytes;

    KafkaLearnerStore(KeyValueStore<String, byte[]> tasks, KeyValueStore<String, byte[]> shared,
                      KeyValueStore<String, byte[]> pending, KeyValueStore<String, byte[]> memory,
                      KeyValueStore<String, byte[]> references, KeyValueStore<String, byte[]> shiftMonitors) {
        this.tasks = tasks;
        this.shared = shared;
        this.pending = pending;
        this.memory = memory;
        this.references = references;
        this.shiftMonitors = shiftMonitors;
        this.memoryCacheBudget = Runtime.getRuntime().maxMemory() / MEMORY_CACHE_HEAP_SHARE;
        if (shiftMonitors.get(LOG_HEADS_MARKER) != null) {
            this.logHeadsKept = true;
            this.logLengthsKept = true;
        } else {
            this.logLengthsKept = logLengthsKept(shiftMonitors);
            // A store this build started (just marked as keeping lengths, and empty but for that) keeps heads too.
            this.logHeadsKept = logLengthsKept && onlyMarker(shiftMonitors);
            if (logHeadsKept) {
                shiftMonitors.put(LOG_HEADS_MARKER, new byte[] {1});
            }
        }
    }

    /**
     * Whether every shift log in the store has its length key ({@link #logLengthKey}), so a task without one has no
     * log: true for a store this build started (empty, then marked with {@link #LOG_LENGTHS_MARKER}), false for one
     * written before the length keys, whose logs without one are still scanned.
     */
    private final boolean logLengthsKept;
    /** The shift store's mark that every log in it has its length key: no task id's keys take this form. */
    static final String LOG_LENGTHS_MARKER = "\u0000shift.log.lengths";

    /**
     * Whether every shift log in the store keeps a head ({@link #logLengthKey}) that says whether the task's monitor is
     * stored, and holds the log's entry when it has one: true for a store this build started (marked with
     * {@link #LOG_HEADS_MARKER}), false for one written before, which keeps reading and writing lengths.
     */
    private final boolean logHeadsKept;
    /** The shift store's mark that its logs keep heads. */
    static final String LOG_HEADS_MARKER = "\u0000shift.log.heads";
    /**
     * The heads read or written last (null: none), up to {@link #RECENT_HEADS}. Every record appends to its task's log
     * and to the partition-wide monitor's ({@code shift.all.tasks}), reading each log's head first: with only the last
     * few heads kept, a partition of tens of tasks read its task's head back through the record cache on nearly every
     * record (2% of a stream thread end to end). This store is their only writer, so the copies stay exact.
     */
    private final LinkedHashMap<String, byte[]> recentHeads = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, byte[]> eldest) {
            return size() > RECENT_HEADS;
        }
    };
    /**
     * Heads kept in {@link #recentHeads}: a head is at most {@link #MAX_INLINE} logged records (a few KB with a hundred
     * dense features), so this bounds the copy to a few MB per partition whatever the number of tasks.
     */
    static final int RECENT_HEADS = 1024;

    /** Whether the store holds nothing but {@link #LOG_LENGTHS_MARKER}. */
    private static boolean onlyMarker(KeyValueStore<String, byte[]> shiftMonitors) {
        try (KeyValueIterator<String, byte[]> it = shiftMonitors.all()) {
            return it.hasNext() && it.next().key.equals(LOG_LENGTHS_MARKER) && !it.hasNext();
        }
    }

    private static boolean logLengthsKept(KeyValueStore<String, byte[]> shiftMonitors) {
        if (shiftMonitors.get(LOG_LENGTHS_MARKER) != null) {
            return true;
        }
        try (KeyValueIterator<String, byte[]> it = shiftMonitors.all()) {
            if (it.hasNext()) {
                return false; // written before the length keys
            }
        }
        shiftMonitors.put(LOG_LENGTHS_MARKER, new byte[] {1});
        return true;
    }

    /** The decoded-memory cache's share of the heap, per store (one store per partition): at most maxMemory / this. */
    private static final long MEMORY_CACHE_HEAP_SHARE = 32;
    /** Heap a decoded sample is taken to hold beside its floats: the record, two array headers, the list slot. */
    private static final long SAMPLE_OVERHEAD_BYTES = 64;

    @Override
    public TaskState task(String task) {
        byte[] b = tasks.get(task);
        return b == null ? null : TaskState.fromBytes(b);
    }

    @Override
    public void putTask(TaskState state) {
        tasks.put(state.task(), state.toBytes());
    }

    @Override
    public void forEachTask(Consumer<TaskState> visitor) {
        try (KeyValueIterator<String, byte[]> it = tasks.all()) {
            while (it.hasNext()) {
                visitor.accept(TaskState.fromBytes(it.next().value));
            }
        }
    }

    @Override
    public SharedState shared() {
        byte[] b = shared.get(SHARED_KEY);
        if (b == null) {
            return null;
        }
        SharedState s = SharedState.fromBytes(b);
        if (!s.hasBases()) {
            if (!s.readBases(shared.get(SHARED_BASES_KEY))) {
                LOG.warn("the shared state's bases record is not the one it was written with (a crash between the two "
                        + "writes, under at_least_once): its bases are taken to be its current parameters, so the "
                        + "delta it learned since it last published is not published");
            }
            basesStamp = s.basesStamp();
        }
        rememberBases(s);
        return s;
    }

    /**
     * Writes the state without its bases, and its bases under their own key only when they changed since they were
     * last written (when the partition published or rebased): they are a third of the state, and the rest changes with
     * every micro-batch. Both keys are in one store, so under exactly-once they commit together; the stamp they share
     * tells a read whether they did under at-least-once ({@link SharedState#readBases}).
     */
    @Override
    public void putShared(SharedState state) {
        if (basesStamp < 0 || writtenTrunkBase == null
                || !state.basesEqual(writtenTrunkBase, writtenHeadInitBase)) {
            basesStamp = Math.max(basesStamp, storedBasesStamp()) + 1;
            shared.put(SHARED_BASES_KEY, state.basesToBytes(basesStamp));
            rememberBases(state);
        }
        shared.put(SHARED_KEY, state.toBytesWithoutBases(basesStamp));
    }

    /**
     * The learner's buffered micro-batch ({@link dev.metastream.learn.PendingRows}), beside the shared state it was
     * flushed with.
     */
    static final String PENDING_ROWS_KEY = SHARED_KEY + ".pending.rows";

    @Override
    public byte[] pendingRows() {
        return shared.get(PENDING_ROWS_KEY);
    }

    @Override
    public void putPendingRows(byte[] rows) {
        shared.put(PENDING_ROWS_KEY, rows);
    }

    private void rememberBases(SharedState s) {
        writtenTrunkBase = s.trunkBaseCopy();
        writtenHeadInitBase = s.headInitBaseCopy();
    }

    /** The stamp the stored state names, once (later writes know it), 0 when there is none. */
    private long storedBasesStamp() {
        if (basesStamp >= 0) {
            return basesStamp;
        }
        byte[] main = shared.get(SHARED_KEY);
        return main == null ? 0 : Math.max(SharedState.fromBytes(main).basesStamp(), 0);
    }

    /**
     * The memory-task registry shares the shared-state store: {@code memory.task NUL index} (zero-padded) holds a
     * task id, {@code memory.task.index NUL task} its index; neither can be the shared state's own key.
     */
    /**
     * {@code value} in decimal, zero-padded to {@code width} digits: what {@code String.format("%0<width>d")} wrote for
     * the keys of stores written by earlier releases, without its parsing and formatter on every key (it was a tenth
     * of the learner's time with many tasks) or the default locale's digits.
     */
    static String zeroPadded(int value, int width) {
        if (value < 0) {
            throw new IllegalArgumentException("a key index must not be negative: " + value);
        }
        String digits = Integer.toString(value);
        if (digits.length() >= width) {
            return digits;
        }
        StringBuilder b = new StringBuilder(width);
        for (int k = digits.length(); k < width; k++) {
            b.append('0');
        }
        return b.append(digits).toString();
    }

    static String memoryTaskKey(int index) {
        return "memory.task\u0000" + zeroPadded(index, 10);
    }

    static String memoryTaskIndexKey(String task) {
        return "memory.task.index\u0000" + task;
    }

    @Override
    public String memoryTask(int index) {
        byte[] b = shared.get(memoryTaskKey(index));
        return b == null ? null : new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public int memoryTaskIndex(String task) {
        byte[] b = shared.get(memoryTaskIndexKey(task));
        return b == null ? -1 : java.nio.ByteBuffer.wrap(b).getInt();
    }

    @Override
    public void putMemoryTask(int index, String task) {
        shared.put(memoryTaskKey(index), task.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        shared.put(memoryTaskIndexKey(task), java.nio.ByteBuffer.allocate(4).putInt(index).array());
    }

    @Override
    public void deleteMemoryTask(String task) {
        shared.delete(memoryTaskIndexKey(task));
    }

    @Override
    public List<PendingExample> pending() {
        List<PendingExample> out = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = pending.all()) {
            while (it.hasNext()) {
                out.add(PendingExample.fromBytes(it.next().value));
            }
        }
        return out;
    }

    @Override
    public void putPending(int position, PendingExample example) {
        pending.put(position(position), example.toBytes());
    }

    @Override
    public void clearPending(int count) {
        for (int i = 0; i < count; i++) {
            pending.put(position(i), null); // a tombstone, without delete's read of the old value
        }
    }

    @Override
    public void putMemorySample(String task, int slot, MemorySample sample) {
        memory.put(memoryKey(task, slot), sample.toBytes());
        List<MemorySample> cached = memoryCache.get(task);
        if (cached == null) {
            return;
        }
        // A copy: the caller's arrays are the example's, and the stored sample must not change with them.
        MemorySample copy = new MemorySample(sample.x().clone(), sample.target().clone());
        if (slot < cached.size()) {
            memoryCacheBytes += sampleBytes(copy) - sampleBytes(cached.set(slot, copy));
        } else if (slot == cached.size()) {
            cached.add(copy);
            memoryCacheBytes += sampleBytes(copy);
            evictMemories();
        } else {
            // Not the next slot: the list would no longer be in slot order; read the store again next time.
            dropMemory(task);
        }
    }

    @Override
    public List<MemorySample> memory(String task) {
        List<MemorySample> cached = memoryCache.get(task);
        if (cached != null) {
            return copiesOnRead(List.copyOf(cached));
        }
        List<MemorySample> out = new ArrayList<>();
        boolean contiguous = true;
        try (KeyValueIterator<String, byte[]> it = memory.prefixScan(task + '\u0000', new StringSerializer())) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                contiguous &= kv.key.equals(memoryKey(task, out.size()));
                out.add(MemorySample.fromBytes(kv.value));
            }
        }
        if (contiguous && !out.isEmpty()) {
            // Slots 0..n-1, as the reservoir fills them: a write to slot i is then element i of the list.
            memoryCache.put(task, out);
            out.forEach(sample -> memoryCacheBytes += sampleBytes(sample));
            evictMemories();
            return copiesOnRead(List.copyOf(out));
        }
        return out;
    }

    /**
     * The samples as values, like those decoded from the store: each is copied when it is read, so a replay that
     * reads 16 of 64 samples copies 16, and no caller can change the cached ones.
     */
    private static List<MemorySample> copiesOnRead(List<MemorySample> samples) {
        return new AbstractList<>() {
            @Override
            public MemorySample get(int index) {
                MemorySample s = samples.get(index);
                return new MemorySample(s.x().clone(), s.target().clone());
            }

            @Override
            public int size() {
                return samples.size();
            }
        };
    }

    private void evictMemories() {
        var eldest = memoryCache.entrySet().iterator();
        while (memoryCacheBytes > memoryCacheBudget && memoryCache.size() > 1) {
            var e = eldest.next();
            e.getValue().forEach(sample -> memoryCacheBytes -= sampleBytes(sample));
            eldest.remove();
        }
    }

    private void dropMemory(String task) {
        List<MemorySample> cached = memoryCache.remove(task);
        if (cached != null) {
            cached.forEach(sample -> memoryCacheBytes -= sampleBytes(sample));
        }
    }

    private static long sampleBytes(MemorySample sample) {
        return 4L * (sample.x().length + sample.target().length) + SAMPLE_OVERHEAD_BYTES;
    }

    @Override
    public ReferenceGradient referenceGradient(String task) {
        byte[] b = references.get(task);
        return b == null ? null : ReferenceGradient.fromBytes(b);
    }

    @Override
    public void putReferenceGradient(String task, ReferenceGradient gradient) {
        references.put(task, gradient.toBytes());
    }

    @Override
    public byte[] shiftMonitor(String task) {
        return shiftMonitors.get(task);
    }

    @Override
    public void putShiftMonitor(String task, byte[] state) {
        shiftMonitors.put(task, state);
    }

    @Override
    public void putShiftObservation(String task, int index, byte[] observation) {
        if (!logHeadsKept) {
            shiftMonitors.put(observationKey(task, index), observation);
            shiftMonitors.put(logLengthKey(task), lengthHead(index + 1));
            return;
        }
        byte[] head = head(task);
        List<byte[]> inline = inlineEntries(head);
        if (inline != null && inline.size() == index && index < MAX_INLINE) {
            // A short log lives in its head: a task that comes back after a few records reads it with one look-up.
            inline.add(observation);
            putHead(task, inlineHead(monitorStored(head), inline));
            return;
        }
        if (inline != null) {
            // The log outgrows its head: its entries move to their own keys, and the head keeps the length (and
            // whether a monitor is stored) alone.
            for (int i = 0; i < inline.size(); i++) {
                shiftMonitors.put(observationKey(task, i), inline.get(i));
            }
        }
        shiftMonitors.put(observationKey(task, index), observation);
        putHead(task, longHead(index + 1, monitorStored(head)));
    }

    @Override
    public List<byte[]> shiftObservations(String task) {
        if (logHeadsKept) {
            return log(task, head(task));
        }
        // A log's length key says how many entries to read by key: each a point look-up that finds its key, where a
        // prefix scan opens an iterator over the record cache and seeks in every sorted run (a fifth of the learner's
        // thread with 200,000 short tasks, twelfth stop of issue 11), and reading by key until a miss paid for the
        // miss, which the last level does not filter (optimize_filters_for_hits; eighth stop).
        byte[] length = shiftMonitors.get(logLengthKey(task));
        if (length != null) {
            return log(task, length);
        }
        if (logLengthsKept) {
            return List.of();
        }
        // A store written before the length keys: most reads find no log (a task's first record, or its block just
        // ended), and one point look-up says so before a scan.
        return shiftMonitors.get(observationKey(task, 0)) == null ? List.of() : scanShiftObservations(task);
    }

    @Override
    public StoredShift storedShift(String task) {
        if (!logHeadsKept) {
            return LearnerStore.super.storedShift(task);
        }
        // One look-up for a task whose log holds at most MAX_INLINE entries (most tasks, when there are many and each
        // comes back after a few records): the head holds them and says whether a monitor is stored at all.
        byte[] head = head(task);
        byte[] monitor = monitorStored(head) ? shiftMonitors.get(task) : null;
        return new StoredShift(monitor, log(task, head));
    }

    /** The entries a head ({@link #logLengthKey}) says the log holds: inline, or read by key. */
    private List<byte[]> log(String task, byte[] head) {
        if (head == null) {
            return List.of();
        }
        List<byte[]> inline = inlineEntries(head);
        if (inline != null) {
            return inline;
        }
        int n = java.nio.ByteBuffer.wrap(head).getInt();
        List<byte[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] entry = shiftMonitors.get(observationKey(task, i));
            if (entry == null) {
                // Not written as the length says: read what is there, up to the length (past it, a cleared block's
                // entries may remain; see clearShiftObservations).
                List<byte[]> found = scanShiftObservations(task);
                return found.size() > n ? new ArrayList<>(found.subList(0, n)) : found;
            }
            out.add(entry);
        }
        return out;
    }

    /**
     * Whether a monitor may be stored for the task: a short head and a long head say so; a head that is a length
     * alone (a log of two or more entries in a store written before long heads, or any log in a store without heads)
     * does not, and the monitor's key is then read.
     */
    private boolean monitorStored(byte[] head) {
        if (head == null) {
            return !logHeadsKept; // with heads kept, a task without one has neither log nor monitor
        }
        return head.length <= Integer.BYTES || (head[Integer.BYTES] & MONITOR_STORED) != 0;
    }

    /**
     * The entries a head holds (a new list), or null when the log's entries are under their own keys (a long head, or
     * a length alone). No head, with heads kept, is an empty log.
     */
    private List<byte[]> inlineEntries(byte[] head) {
        List<byte[]> out = new ArrayList<>(MAX_INLINE);
        if (head == null) {
            return logHeadsKept ? out : null;
        }
        if (head.length <= Integer.BYTES) {
            return null;
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(head);
        int n = b.getInt();
        byte flags = b.get();
        if ((flags & INLINE) != 0) {
            for (int i = 0; i < n; i++) {
                byte[] entry = new byte[b.getInt()];
                b.get(entry);
                out.add(entry);
            }
            return out;
        }
        if (n > 1) {
            return null;
        }
        if (n == 1) {
            out.add(java.util.Arrays.copyOfRange(head, Integer.BYTES + 1, head.length));
        }
        return out;
    }

    /**
     * A long head: {@code n >= 2} entries under their own keys, and whether a monitor is stored (so that a task whose
     * log is long but has no monitor yet, most of them, does not look the monitor up and miss).
     */
    private static byte[] longHead(int n, boolean monitorStored) {
        return java.nio.ByteBuffer.allocate(Integer.BYTES + 1).putInt(n).put(monitorStored ? MONITOR_STORED : 0)
                .array();
    }

    /** A head that is a length alone: {@code n} entries under their own keys. */
    private static byte[] lengthHead(int n) {
        return java.nio.ByteBuffer.allocate(Integer.BYTES).putInt(n).array();
    }

    /**
     * A head holding its log's entries: a log of one as a short head; of two to {@link #MAX_INLINE}, the count, the
     * flags with {@link #INLINE}, and each entry after its length.
     */
    private static byte[] inlineHead(boolean monitorStored, List<byte[]> entries) {
        if (entries.size() <= 1) {
            return shortHead(monitorStored, entries.isEmpty() ? null : entries.get(0));
        }
        int size = Integer.BYTES + 1;
        for (byte[] e : entries) {
            size += Integer.BYTES + e.length;
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(size);
        b.putInt(entries.size()).put((byte) ((monitorStored ? MONITOR_STORED : 0) | INLINE));
        for (byte[] e : entries) {
            b.putInt(e.length).put(e);
        }
        return b.array();
    }

    /** A short head: an empty log or a log of one entry (inline), and whether a monitor is stored. */
    private static byte[] shortHead(boolean monitorStored, byte[] entry) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(Integer.BYTES + 1 + (entry == null ? 0 : entry.length));
        b.putInt(entry == null ? 0 : 1).put(monitorStored ? MONITOR_STORED : 0);
        if (entry != null) {
            b.put(entry);
        }
        return b.array();
    }

    /** The flag of a short head that says a monitor is stored under the task's key. */
    private static final byte MONITOR_STORED = 1;

    /** The flag of a head that holds two or more entries, each after its length. */
    private static final byte INLINE = 2;

    /**
     * Entries a log keeps in its head. With many tasks most come back after a few records, and their logs are read with
     * one look-up instead of one per entry; an entry is about 0.3 KB, and the head is rewritten whole with each one.
     */
    static final int MAX_INLINE = 4;

    /** A task's head, read once for a read and the append that follows it. */
    private byte[] head(String task) {
        if (recentHeads.containsKey(task)) {
            return recentHeads.get(task);
        }
        byte[] head = shiftMonitors.get(logLengthKey(task));
        recentHeads.put(task, head);
        return head;
    }

    private void putHead(String task, byte[] head) {
        shiftMonitors.put(logLengthKey(task), head);
        recentHeads.put(task, head);
    }

    /** A task's log entries by prefix scan, in index order (the length key, past the digits, left out). */
    private List<byte[]> scanShiftObservations(String task) {
        List<byte[]> out = new ArrayList<>();
        int keyLength = observationKey(task, 0).length();
        try (KeyValueIterator<String, byte[]> it = shiftMonitors.prefixScan(task + '\u0000',
                new StringSerializer())) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                if (kv.key.length() == keyLength) {
                    out.add(kv.value);
                }
            }
        }
        return out;
    }

    /**
     * With heads kept, a clear rewrites the head alone: the head says how many entries the log holds and a read takes
     * exactly those, so the old entries are left to be overwritten by the next block's, under the same keys (a task
     * never holds more than one block's worth). Tombstoning them was a store write per entry, a fortieth of the
     * stream thread end to end. A store without heads finds its log's end by its length key or a scan, so it
     * tombstones them as before.
     */
    @Override
    public void clearShiftObservations(String task, int count) {
        if (!logHeadsKept) {
            for (int i = 0; i < count; i++) {
                // put(null), not delete: delete reads the old value first, which nothing here needs.
                shiftMonitors.put(observationKey(task, i), null);
            }
        }
        if (logHeadsKept) {
            // The head stays, empty, and says whether the monitor is stored (at a block's end it was just written).
            putHead(task, shortHead(shiftMonitors.get(task) != null, null));
        } else {
            shiftMonitors.put(logLengthKey(task), null);
        }
    }

    /** {@code task NUL index}, zero-padded: a task's log is one prefix scan, in order, beside its monitor's key. */
    static String observationKey(String task, int index) {
        return task + '\u0000' + zeroPadded(index, 6);
    }

    /**
     * {@code task NUL n}, a log's head: how many entries the task's log holds (absent: none, in a store that keeps
     * lengths). In a store that keeps heads ({@link #LOG_HEADS_MARKER}) a log of at most {@link #MAX_INLINE} entries,
     * empty included, also has its head, which then holds those entries and whether the task's monitor is stored; a
     * longer log's head is its length and whether the monitor is stored (a store written before that holds the length
     * alone). A store written before {@link #INLINE} heads held one entry at most in a head; it reads as before.
     */
    static String logLengthKey(String task) {
        return task + '\u0000' + 'n';
    }

    @Override
    public void deleteTask(String task) {
        recentHeads.remove(task);
        dropMemory(task);
        tasks.delete(task);
        shiftMonitors.delete(task);
        List<String> logged = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = shiftMonitors.prefixScan(task + '\u0000',
                new StringSerializer())) {
            while (it.hasNext()) {
                logged.add(it.next().key);
            }
        }
        logged.forEach(shiftMonitors::delete);
        references.delete(task);
        List<String> slots = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = memory.prefixScan(task + '\u0000', new StringSerializer())) {
            while (it.hasNext()) {
                slots.add(it.next().key);
            }
        }
        slots.forEach(memory::delete);
    }

    /** Zero-padded so the store's byte order is the buffer's arrival order. */
    private static String position(int i) {
        return zeroPadded(i, 10);
    }

    /** {@code task NUL slot}: a task's samples are one prefix scan, in slot order. */
    static String memoryKey(String task, int slot) {
        return task + '\u0000' + zeroPadded(slot, 6);
    }
}
