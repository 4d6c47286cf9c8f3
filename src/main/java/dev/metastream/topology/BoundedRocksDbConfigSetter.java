package dev.metastream.topology;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the off-heap memory of every RocksDB store in the JVM: one shared LRU block cache, and a write-buffer
 * manager that charges every memtable to that same cache, so block cache, index and filter blocks and memtables
 * together stay near {@code rocksdb.memory.total.mb}, however many stores, tasks and partitions the instance holds.
 * This is the pattern of the Kafka Streams memory-management guide ("RocksDB: bounded memory usage").
 *
 * <p>Without it each store gets its own 50 MB block cache and up to three 16 MB memtables, and index and filter
 * blocks live outside any cache, so memory grows with the number of stores (7 per learner partition here) and with
 * the data. Here:
 * <ul>
 *   <li>the cache holds {@code rocksdb.memory.total.mb}; {@code rocksdb.memory.high.priority.ratio} of it is
 *       reserved for index and filter blocks ({@code cache_index_and_filter_blocks} with high priority), so data
 *       blocks cannot evict them; L0 filter and index blocks and top-level index blocks are pinned;</li>
 *   <li>memtables count against the cache through the {@link WriteBufferManager}, which flushes when they reach
 *       {@code rocksdb.memory.write.buffer.ratio} of the total; each store has at most
 *       {@code rocksdb.max.write.buffers} memtables of {@code rocksdb.write.buffer.mb}.</li>
 *   <li>writes slow down at {@code rocksdb.level0.slowdown.writes.trigger} sorted runs and stop at
 *       {@code rocksdb.level0.stop.writes.trigger}, later than RocksDB's 20 and 36, so a long universal compaction of
 *       a large store does not throttle every write while it runs.</li>
 * </ul>
 * The cache is not a strict limit (RocksDB's {@code strict_capacity_limit=false}, as in the guide): pinned blocks
 * may briefly push usage over it rather than fail a read or a write.
 *
 * <p>The shared objects are created once per distinct sizing and live as long as the JVM; {@link #close} does not
 * close them, because every other store still uses them (the guide's rule: close only what the setter created for
 * the one store, which here is nothing). Several applications in one JVM with the same sizing share one budget.
 *
 * <p>Use: it is metastream's default {@code rocksdb.config.setter}; set that key to another class (or to nothing,
 * for Kafka Streams' own per-store defaults) to replace it.
 * <pre>{@code
 * rocksdb.config.setter=dev.metastream.topology.BoundedRocksDbConfigSetter
 * rocksdb.memory.total.mb=256
 * }</pre>
 */
public final class BoundedRocksDbConfigSetter implements RocksDBConfigSetter {
    /** Total off-heap budget of all stores, in MB. */
    public static final String TOTAL_MB = "rocksdb.memory.total.mb";
    /** Share of the budget memtables may take before the write-buffer manager flushes. */
    public static final String WRITE_BUFFER_RATIO = "rocksdb.memory.write.buffer.ratio";
    /** Share of the cache reserved for index and filter blocks. */
    public static final String HIGH_PRIORITY_RATIO = "rocksdb.memory.high.priority.ratio";
    /**
     * Size of one memtable, in MB. The memtables of all stores together must stay under the write-buffer manager's
     * flush line ({@link #flushLineBytes}): past it the manager flushes the store being written, however little its
     * memtable holds, not the stores holding the memory (RocksDB issue 11780), and a store flushed every few writes
     * stops its writes for seconds. {@link #setConfig} warns when the open stores' memtables can cross the line
     * (docs/operations.md, "Memtables of many stores").
     */
    public static final String WRITE_BUFFER_MB = "rocksdb.write.buffer.mb";
    /** Memtables per store. */
    public static final String MAX_WRITE_BUFFERS = "rocksdb.max.write.buffers";

    /**
     * Sorted runs a store may hold before RocksDB slows its writes down (RocksDB's and Kafka Streams' default is 20).
     * Universal compaction merges a large store's runs for minutes, memtables keep being flushed meanwhile, and at 20
     * runs every write was then throttled: a million tasks stalled 53 s of a 9-minute run (docs/benchmarks-throughput.md,
     * thirteenth stop of issue 11).
     */
    public static final String LEVEL0_SLOWDOWN = "rocksdb.level0.slowdown.writes.trigger";
    /** Sorted runs at which RocksDB stops a store's writes until compactions catch up (its default is 36). */
    public static final String LEVEL0_STOP = "rocksdb.level0.stop.writes.trigger";

    /** Defaults of the keys above, as written in {@code config/application.properties}. */
    public static final Map<String, String> DEFAULTS = Map.of(TOTAL_MB, "128", WRITE_BUFFER_RATIO, "0.85",
            HIGH_PRIORITY_RATIO, "0.1", WRITE_BUFFER_MB, "4", MAX_WRITE_BUFFERS, "2", LEVEL0_SLOWDOWN, "40",
            LEVEL0_STOP, "56");

    /** Block size RocksDB reads and caches (its default is 4 KB; the guide suggests larger blocks, fewer index entries). */
    private static final long BLOCK_SIZE = 16 * 1024L;

    private static final Map<Sizing, Shared> SHARED = new ConcurrentHashMap<>();
    /** The sizing of every store open with this setter, by its options (what {@link #close} is given). */
    private static final Map<Options, Sizing> OPEN = Collections.synchronizedMap(new IdentityHashMap<>());
    private static final Logger LOG = LoggerFactory.getLogger(BoundedRocksDbConfigSetter.class);
    private static final Set<String> CONFIGURED = ConcurrentHashMap.newKeySet();

    /**
     * The validated sizing.
     *
     * @param totalBytes        cache capacity, memtables included
     * @param writeBufferRatio  share of the cache memtables may take
     * @param highPriorityRatio share reserved for index and filter blocks
     * @param writeBufferBytes  one memtable's size
     * @param maxWriteBuffers   memtables per store
     */
    public record Sizing(long totalBytes, double writeBufferRatio, double highPriorityRatio, long writeBufferBytes,
                         int maxWriteBuffers) {

        /** @return the bytes memtables may take together before the write-buffer manager flushes them */
        public long memtableBudgetBytes() {
            return (long) (totalBytes * writeBufferRatio);
        }

        /**
         * Reads and checks the keys; absent ones take {@link #DEFAULTS}.
         *
         * @param configs Kafka Streams' configuration (or any map of the keys)
         * @return the sizing
         * @throws IllegalArgumentException naming the key and the accepted range when a value is wrong
         */
        public static Sizing from(Map<?, ?> configs) {
            long total = positiveLong(configs, TOTAL_MB, 1 << 20);
            double wb = ratio(configs, WRITE_BUFFER_RATIO, false);
            double hp = ratio(configs, HIGH_PRIORITY_RATIO, true);
            if (wb + hp > 1.0) {
                throw new IllegalArgumentException(WRITE_BUFFER_RATIO + " + " + HIGH_PRIORITY_RATIO + " = " + (wb + hp)
                        + " leaves nothing of the cache for data blocks; keep their sum at most 1 (defaults 0.5 and 0.1)");
            }
            long wbBytes = positiveLong(configs, WRITE_BUFFER_MB, 1 << 10) << 20;
            int n = (int) positiveLong(configs, MAX_WRITE_BUFFERS, 64);
            return new Sizing(total << 20, wb, hp, wbBytes, n);
        }

        /**
         * The write-stall triggers ({@link #LEVEL0_SLOWDOWN}, {@link #LEVEL0_STOP}); absent keys take {@link #DEFAULTS}.
         *
         * @param configs Kafka Streams' configuration (or any map of the keys)
         * @return {slowdown, stop}
         * @throws IllegalArgumentException naming the key when a value is wrong or the stop is not above the slowdown
         */
        public static int[] level0Triggers(Map<?, ?> configs) {
            int slowdown = (int) positiveLong(configs, LEVEL0_SLOWDOWN, 1000);
            int stop = (int) positiveLong(configs, LEVEL0_STOP, 1000);
            if (stop <= slowdown) {
                throw new IllegalArgumentException(LEVEL0_STOP + " (" + stop + ") must be above " + LEVEL0_SLOWDOWN
                        + " (" + slowdown + "): writes slow down first, then stop");
            }
            return new int[] {slowdown, stop};
        }

        private static String value(Map<?, ?> configs, String key) {
            Object v = configs.get(key);
            return (v == null || v.toString().isBlank() ? DEFAULTS.get(key) : v.toString()).trim();
        }

        private static long positiveLong(Map<?, ?> configs, String key, long max) {
            String v = value(configs, key);
            long x;
            try {
                x = Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be a whole number, got '" + v + "'");
            }
            if (x < 1 || x > max) {
                throw new IllegalArgumentException(key + " must be between 1 and " + max + ", got " + x);
            }
            return x;
        }

        private static double ratio(Map<?, ?> configs, String key, boolean zeroAllowed) {
            String v = value(configs, key);
            double x;
            try {
                x = Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be a number between 0 and 1, got '" + v + "'");
            }
            if (!(x >= 0 && x < 1) || (!zeroAllowed && x == 0)) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "%s must be in %s0, 1), got %s",
                        key, zeroAllowed ? "[" : "(", v));
            }
            return x;
        }
    }

    /**
     * The objects every store shares: the cache and the write-buffer manager charged to it; and whether the warning
     * of {@link #setConfig} was logged for this sizing.
     */
    private record Shared(Cache cache, WriteBufferManager writeBufferManager, long capacity,
                          java.util.concurrent.atomic.AtomicBoolean warned) {
        static Shared create(Sizing s) {
            // numShardBits -1: RocksDB picks the shard count from the capacity.
            Cache cache = new LRUCache(s.totalBytes(), -1, false, s.highPriorityRatio());
            return new Shared(cache, new WriteBufferManager(s.memtableBudgetBytes(), cache), s.totalBytes(),
                    new java.util.concurrent.atomic.AtomicBoolean());
        }
    }

    /**
     * Where the write-buffer manager starts flushing: when the memtables being written, of all stores together, exceed
     * seven eighths of its budget (RocksDB's {@code WriteBufferManager::ShouldFlush}).
     *
     * @param sizing the sizing
     * @return the line in bytes
     */
    public static long flushLineBytes(Sizing sizing) {
        return sizing.memtableBudgetBytes() / 8 * 7;
    }

    /**
     * Stores open in this JVM with a sizing (configured by this setter and not closed yet).
     *
     * @param sizing the sizing
     * @return how many
     */
    public static int openStores(Sizing sizing) {
        synchronized (OPEN) {
            return (int) OPEN.values().stream().filter(sizing::equals).count();
        }
    }

    /**
     * What is wrong when {@code stores} stores of a sizing are open together: their memtables can cross the
     * write-buffer manager's flush line, which then flushes whichever store is being written, however little its
     * memtable holds, while the stores holding the memory keep it (RocksDB issue 11780). A store flushed every few
     * writes stops its writes; under exactly_once_v2 a stop longer than transaction.timeout.ms fences the instance.
     *
     * @param sizing the sizing
     * @param stores stores open together
     * @return the warning, naming what to change, or null when the memtables fit under the line
     */
    public static String flushLineWarning(Sizing sizing, int stores) {
        long line = flushLineBytes(sizing);
        if ((long) stores * sizing.writeBufferBytes() <= line) {
            return null;
        }
        long maxMb = Math.max(1, line / stores >> 20);
        long totalMb = -Math.floorDiv(-(long) stores * sizing.writeBufferBytes() * 8 / 7,
                (long) (sizing.writeBufferRatio() * (1 << 20)));
        return String.format(Locale.ROOT, "%d RocksDB stores are open with memtables of %d MB each: together up to %d MB,"
                        + " above the %d MB at which the shared write-buffer manager flushes. It then flushes whichever"
                        + " store is being written, not the ones holding the memory, and can stop a store's writes for"
                        + " seconds (past transaction.timeout.ms under exactly_once_v2, fencing the instance). Set %s to"
                        + " at most %d, or %s to at least %d", stores, sizing.writeBufferBytes() >> 20,
                (long) stores * sizing.writeBufferBytes() >> 20, line >> 20, WRITE_BUFFER_MB, maxMb, TOTAL_MB,
                totalMb);
    }

    /** Kafka Streams creates one setter per store. */
    public BoundedRocksDbConfigSetter() {
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        Sizing sizing = Sizing.from(configs);
        Shared shared = SHARED.computeIfAbsent(sizing, Shared::create);
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(shared.cache());
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinL0FilterAndIndexBlocksInCache(true);
        table.setPinTopLevelIndexAndFilter(true);
        table.setBlockSize(BLOCK_SIZE);
        options.setTableFormatConfig(table);
        options.setWriteBufferManager(shared.writeBufferManager());
        options.setWriteBufferSize(sizing.writeBufferBytes());
        options.setMaxWriteBufferNumber(sizing.maxWriteBuffers());
        int[] triggers = Sizing.level0Triggers(configs);
        options.setLevel0SlowdownWritesTrigger(triggers[0]);
        options.setLevel0StopWritesTrigger(triggers[1]);
        CONFIGURED.add(storeName);
        OPEN.put(options, sizing);
        String warning = flushLineWarning(sizing, openStores(sizing));
        if (warning != null && shared.warned().compareAndSet(false, true)) {
            LOG.warn("{} (docs/operations.md, \"Memtables of many stores\")", warning);
        }
    }

    @Override
    public void close(String storeName, Options options) {
        // Nothing per store to close: the cache and the write-buffer manager are shared by every store (see above).
        OPEN.remove(options);
    }

    /**
     * Names of the stores this setter configured in this JVM (for tests and diagnostics).
     *
     * @return an unmodifiable snapshot
     */
    public static Set<String> configuredStores() {
        return Collections.unmodifiableSet(Set.copyOf(CONFIGURED));
    }

    /**
     * Capacity of the shared cache for a sizing, if a store has been configured with it.
     *
     * @param sizing the sizing
     * @return the cache capacity in bytes, or -1 when no store uses that sizing yet
     */
    public static long cacheCapacity(Sizing sizing) {
        Shared s = SHARED.get(sizing);
        return s == null ? -1 : s.capacity();
    }

    /**
     * Bytes in use in all shared caches (blocks plus memtables charged through the write-buffer manager).
     *
     * @return current usage summed over sizings, 0 when no store has been configured
     */
    public static long cacheUsage() {
        return SHARED.values().stream().mapToLong(s -> s.cache().getUsage()).sum();
    }

    /**
     * Bytes of pinned entries in all shared caches.
     *
     * @return pinned usage summed over sizings
     */
    public static long cachePinnedUsage() {
        return SHARED.values().stream().mapToLong(s -> s.cache().getPinnedUsage()).sum();
    }
}
