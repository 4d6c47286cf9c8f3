package dev.metastream.topology;

import dev.metastream.learn.LearnerStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * The learner's {@link KafkaLearnerStore} over plain RocksDB databases outside a topology, one per store as Kafka Streams
 * keeps them (no write-ahead log as in Kafka Streams, no changelog, no record cache): what {@code bench} uses to measure
 * the learner with more tasks than the heap holds, through the same store code the application runs.
 *
 * <p>Until the twenty-sixth stop of issue 11 all six stores shared one database under one-byte key prefixes. The
 * application never runs that way: each store is a database of its own, with its own memtables, sorted runs and
 * compactions. With a million tasks the single database took every store's writes into one pair of memtables and
 * merged them all in one store's compactions, so the bench measured more write stalls than the application's
 * task-state store meets.
 */
public final class RocksLearnerStores implements AutoCloseable {
    static {
        RocksDB.loadLibrary();
    }

    /**
     * The databases, in {@link KafkaLearnerStore}'s order, named as the application's stores (what
     * {@link BoundedRocksDbConfigSetter} records).
     */
    static final List<String> STORE_NAMES = List.of(MetastreamTopology.TASK_STATE_STORE,
            MetastreamTopology.SHARED_STATE_STORE, MetastreamTopology.PENDING_STORE, MetastreamTopology.MEMORY_STORE,
            MetastreamTopology.REFERENCE_GRADIENT_STORE, MetastreamTopology.SHIFT_MONITOR_STORE);

    /** One store's database and what configured it. */
    private record Database(String name, RocksDB db, Options options, org.rocksdb.BloomFilter filter) {}

    private final List<Database> databases = new java.util.ArrayList<>();
    /** The setter that configured the databases' options; told when each closes, as Kafka Streams tells it. */
    private final BoundedRocksDbConfigSetter setter = new BoundedRocksDbConfigSetter();
    /** As Kafka Streams' RocksDB stores write: no write-ahead log (the changelog topic is the log). */
    private final org.rocksdb.WriteOptions writes = new org.rocksdb.WriteOptions().setDisableWAL(true);
    private final LearnerStore store;
    private final Path dir;

    private RocksLearnerStores(Path dir, java.util.Map<?, ?> settings) throws RocksDBException {
        this.dir = dir;
        List<KeyValueStore<String, byte[]>> stores = new java.util.ArrayList<>();
        try {
            for (String name : STORE_NAMES) {
                org.rocksdb.BloomFilter filter = new org.rocksdb.BloomFilter();
                Options options = kafkaStreamsOptions(name, filter, settings);
                RocksDB db;
                try {
                    db = RocksDB.open(options, dir.resolve(name).toString());
                } catch (RocksDBException e) {
                    setter.close(name, options);
                    options.close();
                    filter.close();
                    throw e;
                }
                Database d = new Database(name, db, options, filter);
                databases.add(d);
                stores.add(new Store(d));
            }
        } catch (RocksDBException e) {
            close();
            throw e;
        }
        this.store = new KafkaLearnerStore(stores.get(0), stores.get(1), stores.get(2), stores.get(3), stores.get(4),
                stores.get(5));
    }

    /**
     * What a metastream application's RocksDB store runs with by default: Kafka Streams' own options (RocksDBStore: a
     * Bloom filter, filters kept off the last level for hits, universal compaction, no compression), then metastream's
     * default {@code rocksdb.config.setter}, {@link BoundedRocksDbConfigSetter} at its default budget (one shared
     * 128 MB cache holding data, index and filter blocks and charged for the memtables, 16 KB blocks). RocksJava's
     * bare defaults have no Bloom filter, so every look-up of a task not stored yet probed each sorted run on disk:
     * with many tasks the bench measured that, not the application. Until the eighth stop of issue 11 the bench left
     * out the setter (a private 50 MB cache, 4 KB blocks, 16 MB memtables outside any budget), which the application
     * does not run with: at 200,000 tasks that measured about 10% more examples per second.
     *
     * @param settings the application's settings: the setter's keys ({@code rocksdb.memory.total.mb} and the others
     *                 it reads) are taken from them, its defaults for the absent ones
     */
    private Options kafkaStreamsOptions(String name, org.rocksdb.BloomFilter filter, java.util.Map<?, ?> settings) {
        org.rocksdb.BlockBasedTableConfig table = new org.rocksdb.BlockBasedTableConfig();
        table.setFilterPolicy(filter);
        Options o = new Options().setCreateIfMissing(true).setErrorIfExists(false)
                .setCompactionStyle(org.rocksdb.CompactionStyle.UNIVERSAL)
                .setCompressionType(org.rocksdb.CompressionType.NO_COMPRESSION)
                .setInfoLogLevel(org.rocksdb.InfoLogLevel.ERROR_LEVEL)
                .setIncreaseParallelism(Math.max(Runtime.getRuntime().availableProcessors(), 2));
        o.optimizeFiltersForHits();
        o.setTableFormatConfig(table);
        java.util.Map<String, Object> configs = new java.util.HashMap<>(BoundedRocksDbConfigSetter.DEFAULTS);
        for (String key : BoundedRocksDbConfigSetter.DEFAULTS.keySet()) {
            Object v = settings.get(key);
            if (v != null) {
                configs.put(key, v);
            }
        }
        setter.setConfig(name, o, configs);
        return o;
    }

    /** Fresh databases under {@code dir} (created when missing), at the setter's default budget. */
    public static RocksLearnerStores open(Path dir) {
        return open(dir, java.util.Map.of());
    }

    /**
     * Fresh databases under {@code dir} (created when missing), sized by the {@code rocksdb.*} keys of
     * {@code settings} that {@link BoundedRocksDbConfigSetter} reads (its defaults for the absent ones).
     */
    public static RocksLearnerStores open(Path dir, java.util.Map<?, ?> settings) {
        try {
            Files.createDirectories(dir);
            return new RocksLearnerStores(dir, settings);
        } catch (Exception e) {
            throw new IllegalStateException("cannot open RocksDB in " + dir, e);
        }
    }

    /** The directory holding the databases, one sub-directory per store. */
    Path directory() {
        return dir;
    }

    /** The learner store over the databases. */
    public LearnerStore store() {
        return store;
    }

    /** Flushes the memtables and returns the bytes of the databases' live table (SST) files. */
    public long bytesOnDisk() {
        long bytes = 0;
        try (org.rocksdb.FlushOptions f = new org.rocksdb.FlushOptions().setWaitForFlush(true)) {
            for (Database d : databases) {
                d.db().flush(f);
                // RocksDB's own count of the live table files: walking the directory raced with compactions deleting
                // the files they replace (NoSuchFileException), and would count files about to go.
                bytes += d.db().getLongProperty("rocksdb.live-sst-files-size");
            }
            return bytes;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What the database has written since it opened, from RocksDB's own counters: the bytes the learner wrote to it,
     * the bytes flushes and compactions wrote to table files for them, and how long writes were held up to let
     * compactions catch up (a write stall).
     *
     * @param userBytes       bytes of the learner's puts and deletes ({@code db.user_bytes_written})
     * @param tableBytes      bytes written to table files by flushes and compactions ({@code compaction.Sum.WriteGB})
     * @param stallMicros     microseconds writes waited ({@code db.user_write_stall_micros})
     * @param stallCauses     RocksDB's count of each kind of stall that occurred (its {@code rocksdb.cfstats}
     *                        "Stalls(count)" line, the non-zero ones, by name: {@code level0_slowdown},
     *                        {@code memtable_compaction}, {@code pending_compaction_bytes}, ...)
     */
    public record WriteStats(long userBytes, long tableBytes, long stallMicros,
                             java.util.SortedMap<String, Long> stallCauses) {}

    /** The databases' {@link WriteStats} so far, summed over the stores. */
    public WriteStats writeStats() {
        long user = 0;
        long table = 0;
        long stalled = 0;
        java.util.SortedMap<String, Long> causes = new java.util.TreeMap<>();
        try {
            for (Database d : databases) {
                java.util.Map<String, String> db = d.db().getMapProperty("rocksdb.dbstats");
                java.util.Map<String, String> cf = d.db().getMapProperty("rocksdb.cfstats");
                stallCauses(d.db().getProperty("rocksdb.cfstats-no-file-histogram")).forEach(
                        (cause, n) -> causes.merge(cause, n, Long::sum));
                user += number(db, "db.user_bytes_written");
                table += Math.round(Double.parseDouble(cf.getOrDefault("compaction.Sum.WriteGB", "0")) * (1L << 30));
                stalled += number(db, "db.user_write_stall_micros");
            }
            return new WriteStats(user, table, stalled, causes);
        } catch (RocksDBException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The non-zero counts of RocksDB's write-stall line of {@code rocksdb.cfstats}, by kind, totals left out. RocksDB
     * 9 writes it as {@code Write Stall (count): l0-file-count-limit-delays: 0, memtable-limit-stops: 2, ...}; older
     * versions as {@code Stalls(count): 3 level0_slowdown, 0 memtable_compaction, ...}: both are read.
     */
    static java.util.SortedMap<String, Long> stallCauses(String cfstats) {
        java.util.SortedMap<String, Long> causes = new java.util.TreeMap<>();
        for (String line : cfstats.split("\n")) {
            int at = line.indexOf("(count):");
            if (at < 0 || !line.substring(0, at).replace(" ", "").equals("WriteStall")
                    && !line.startsWith("Stalls(count):")) {
                continue;
            }
            for (String part : line.substring(at + "(count):".length()).split(",")) {
                String p = part.trim();
                String name;
                String count;
                int colon = p.lastIndexOf(':');
                if (colon >= 0) {
                    name = p.substring(0, colon).trim();
                    count = p.substring(colon + 1).trim();
                } else {
                    String[] f = p.split("\\s+", 2);
                    if (f.length < 2) {
                        continue;
                    }
                    count = f[0];
                    name = f[1].trim();
                }
                if (count.matches("\\d+") && !name.contains("total") && Long.parseLong(count) > 0) {
                    causes.put(name, Long.parseLong(count));
                }
            }
        }
        return causes;
    }

    private static long number(java.util.Map<String, String> stats, String key) {
        return (long) Double.parseDouble(stats.getOrDefault(key, "0"));
    }

    @Override
    public void close() {
        for (Database d : databases) {
            d.db().close();
            setter.close(d.name(), d.options()); // so the setter no longer counts the store as open
            d.options().close();
            d.filter().close();
        }
        databases.clear();
        writes.close();
    }

    /** One store: its keys are the learner's, UTF-8, as Kafka Streams' string serde writes them. */
    private final class Store implements KeyValueStore<String, byte[]> {
        private final Database database;
        private final RocksDB db;

        Store(Database database) {
            this.database = database;
            this.db = database.db();
        }

        private static byte[] key(String k) {
            return k.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] get(String k) {
            try {
                return db.get(key(k));
            } catch (RocksDBException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void put(String k, byte[] v) {
            try {
                if (v == null) {
                    db.delete(writes, key(k));
                } else {
                    db.put(writes, key(k), v);
                }
            } catch (RocksDBException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public byte[] putIfAbsent(String k, byte[] v) {
            byte[] old = get(k);
            if (old == null) {
                put(k, v);
            }
            return old;
        }

        @Override
        public void putAll(List<KeyValue<String, byte[]>> entries) {
            entries.forEach(e -> put(e.key, e.value));
        }

        @Override
        public byte[] delete(String k) {
            byte[] old = get(k);
            put(k, null);
            return old;
        }

        @Override
        public KeyValueIterator<String, byte[]> range(String from, String to) {
            throw new UnsupportedOperationException();
        }

        @Override
        public KeyValueIterator<String, byte[]> all() {
            return scan(new byte[0]);
        }

        @Override
        public <PS extends Serializer<P>, P> KeyValueIterator<String, byte[]> prefixScan(P prefix, PS serializer) {
            return scan(serializer.serialize(null, prefix));
        }

        private KeyValueIterator<String, byte[]> scan(byte[] prefix) {
            RocksIterator it = db.newIterator();
            if (prefix.length == 0) {
                it.seekToFirst();
            } else {
                it.seek(prefix);
            }
            return new KeyValueIterator<>() {
                @Override
                public boolean hasNext() {
                    return it.isValid() && startsWith(it.key(), prefix);
                }

                @Override
                public KeyValue<String, byte[]> next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    byte[] k = it.key();
                    KeyValue<String, byte[]> kv = new KeyValue<>(new String(k, StandardCharsets.UTF_8), it.value());
                    it.next();
                    return kv;
                }

                @Override
                public String peekNextKey() {
                    return new String(it.key(), StandardCharsets.UTF_8);
                }

                @Override
                public void close() {
                    it.close();
                }
            };
        }

        private static boolean startsWith(byte[] b, byte[] prefix) {
            return b.length >= prefix.length && Arrays.equals(b, 0, prefix.length, prefix, 0, prefix.length);
        }

        @Override
        public long approximateNumEntries() {
            return 0;
        }

        @Override
        public String name() {
            return database.name();
        }

        @Override
        public void init(StateStoreContext context, StateStore root) {}

        @Override
        public void close() {}

        @Override
        public boolean persistent() {
            return true;
        }

        @Override
        public boolean isOpen() {
            return true;
        }
    }
}
