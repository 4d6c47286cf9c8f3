package dev.metastream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metastream.app.AppConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bounded RocksDB setter is the default, is applied to every store of the topology with one shared cache sized
 * from the configuration, and rejects bad sizes naming the key.
 */
class BoundedRocksDbConfigSetterTest {
    @TempDir
    Path stateDir;

    @Test
    void isTheDefaultAndConfiguresEveryStoreWithOneSharedCacheSizedFromConfig() {
        Properties p = new Properties();
        p.setProperty("application.id", "rocksdb-setter-test");
        p.setProperty("state.dir", stateDir.toString());
        p.setProperty("input.dim", "4");
        // A size no other test uses, so the cache this test finds is the one its stores were given.
        p.setProperty(BoundedRocksDbConfigSetter.TOTAL_MB, "37");
        AppConfig config = AppConfig.of(p);
        Properties streams = config.streamsProperties("127.0.0.1:9");
        assertThat(streams.getProperty("rocksdb.config.setter")).isEqualTo(BoundedRocksDbConfigSetter.class.getName());

        BoundedRocksDbConfigSetter.Sizing sizing = BoundedRocksDbConfigSetter.Sizing.from(streams);
        assertThat(BoundedRocksDbConfigSetter.cacheCapacity(sizing)).isEqualTo(-1);
        var topology = MetastreamTopology.build(config.learner(), config.topology(),
                new MetastreamMetrics(new SimpleMeterRegistry()));
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, streams)) {
            assertThat(BoundedRocksDbConfigSetter.configuredStores()).contains(MetastreamTopology.TASK_STATE_STORE,
                    MetastreamTopology.SHARED_STATE_STORE, MetastreamTopology.PENDING_STORE,
                    MetastreamTopology.MEMORY_STORE, MetastreamTopology.REFERENCE_GRADIENT_STORE,
                    MetastreamTopology.META_AGGREGATE_STORE, MetastreamTopology.META_MODEL_STORE);
            assertThat(BoundedRocksDbConfigSetter.cacheCapacity(sizing)).isEqualTo(37L << 20);
            assertThat(sizing.writeBufferRatio()).isEqualTo(0.85);
            assertThat(sizing.maxWriteBuffers()).isEqualTo(2);
        }
    }

    /**
     * The sizes reach the store's options in bytes: rocksdb.write.buffer.mb once became kilobytes here (8 KB
     * memtables), and every commit's flush of the record cache then stalled on thousands of tiny memtable flushes.
     */
    @Test
    void setsTheMemtableSizeInMegabytes() {
        org.rocksdb.RocksDB.loadLibrary();
        try (org.rocksdb.Options options = new org.rocksdb.Options()) {
            options.setTableFormatConfig(new org.rocksdb.BlockBasedTableConfig());
            new BoundedRocksDbConfigSetter().setConfig("memtable-size-test", options,
                    Map.of(BoundedRocksDbConfigSetter.TOTAL_MB, "41", BoundedRocksDbConfigSetter.WRITE_BUFFER_MB, "3",
                            BoundedRocksDbConfigSetter.MAX_WRITE_BUFFERS, "4"));
            assertThat(options.writeBufferSize()).isEqualTo(3L << 20);
            assertThat(options.maxWriteBufferNumber()).isEqualTo(4);
            assertThat(BoundedRocksDbConfigSetter.Sizing.from(Map.of()).writeBufferBytes()).isEqualTo(
                    Long.parseLong(BoundedRocksDbConfigSetter.DEFAULTS.get(BoundedRocksDbConfigSetter.WRITE_BUFFER_MB)) << 20);
        }
    }

    @Test
    void setsTheWriteStallTriggers() {
        org.rocksdb.RocksDB.loadLibrary();
        try (org.rocksdb.Options defaults = new org.rocksdb.Options();
             org.rocksdb.Options set = new org.rocksdb.Options()) {
            defaults.setTableFormatConfig(new org.rocksdb.BlockBasedTableConfig());
            set.setTableFormatConfig(new org.rocksdb.BlockBasedTableConfig());
            new BoundedRocksDbConfigSetter().setConfig("triggers-default-test", defaults, Map.of());
            assertThat(defaults.level0SlowdownWritesTrigger()).isEqualTo(40);
            assertThat(defaults.level0StopWritesTrigger()).isEqualTo(56);
            new BoundedRocksDbConfigSetter().setConfig("triggers-test", set,
                    Map.of(BoundedRocksDbConfigSetter.LEVEL0_SLOWDOWN, "24", BoundedRocksDbConfigSetter.LEVEL0_STOP, "30"));
            assertThat(set.level0SlowdownWritesTrigger()).isEqualTo(24);
            assertThat(set.level0StopWritesTrigger()).isEqualTo(30);
        }
    }

    /**
     * The write-buffer manager flushes whichever store is being written once all memtables together pass its line,
     * not the stores holding the memory; a store whose memtable it has just flushed is flushed again every few writes
     * and stops its writes (an exactly-once latency run stopped one for 17 s and was fenced). At the defaults the
     * memtables of two learner partitions' stores (seven each) and the two others cannot reach the line, and the
     * setter names what to change when more stores are open.
     */
    @Test
    void theDefaultMemtablesOfTwoPartitionsStoresStayUnderTheFlushLine() {
        BoundedRocksDbConfigSetter.Sizing defaults = BoundedRocksDbConfigSetter.Sizing.from(Map.of());
        assertThat(16 * defaults.writeBufferBytes()).isLessThanOrEqualTo(BoundedRocksDbConfigSetter.flushLineBytes(defaults));
        assertThat(BoundedRocksDbConfigSetter.flushLineWarning(defaults, 16)).isNull();

        // The old default, 32 MB memtables, against the same line: two stores could already reach it.
        BoundedRocksDbConfigSetter.Sizing old = BoundedRocksDbConfigSetter.Sizing.from(Map.of(
                BoundedRocksDbConfigSetter.WRITE_BUFFER_MB, "32"));
        assertThat(BoundedRocksDbConfigSetter.flushLineWarning(old, 1)).isNull();
        String warning = BoundedRocksDbConfigSetter.flushLineWarning(old, 16);
        assertThat(warning).startsWith("16 RocksDB stores are open with memtables of 32 MB each: together up to 512 MB,")
                .contains("Set rocksdb.write.buffer.mb to at most ", ", or rocksdb.memory.total.mb to at least ");
        // What the warning asks for is enough: the memtable size it names fits, and so does the budget it names.
        long mb = Long.parseLong(warning.replaceAll(".*to at most (\\d+),.*", "$1"));
        long total = Long.parseLong(warning.replaceAll(".*to at least (\\d+)$", "$1"));
        assertThat(BoundedRocksDbConfigSetter.flushLineWarning(BoundedRocksDbConfigSetter.Sizing.from(Map.of(
                BoundedRocksDbConfigSetter.WRITE_BUFFER_MB, Long.toString(mb))), 16)).isNull();
        assertThat(BoundedRocksDbConfigSetter.flushLineWarning(BoundedRocksDbConfigSetter.Sizing.from(Map.of(
                BoundedRocksDbConfigSetter.WRITE_BUFFER_MB, "32", BoundedRocksDbConfigSetter.TOTAL_MB,
                Long.toString(total))), 16)).isNull();
    }

    /** The setter counts the stores open with a sizing: configured and not closed yet. */
    @Test
    void countsTheStoresOpenWithASizing() {
        org.rocksdb.RocksDB.loadLibrary();
        // A sizing no other test uses, so only this test's stores count.
        Map<String, String> configs = Map.of(BoundedRocksDbConfigSetter.TOTAL_MB, "43");
        BoundedRocksDbConfigSetter.Sizing sizing = BoundedRocksDbConfigSetter.Sizing.from(configs);
        BoundedRocksDbConfigSetter setter = new BoundedRocksDbConfigSetter();
        try (org.rocksdb.Options a = new org.rocksdb.Options(); org.rocksdb.Options b = new org.rocksdb.Options()) {
            a.setTableFormatConfig(new org.rocksdb.BlockBasedTableConfig());
            b.setTableFormatConfig(new org.rocksdb.BlockBasedTableConfig());
            setter.setConfig("open-count-a", a, new java.util.HashMap<>(configs));
            setter.setConfig("open-count-b", b, new java.util.HashMap<>(configs));
            assertThat(BoundedRocksDbConfigSetter.openStores(sizing)).isEqualTo(2);
            setter.close("open-count-a", a);
            assertThat(BoundedRocksDbConfigSetter.openStores(sizing)).isEqualTo(1);
            setter.close("open-count-b", b);
            assertThat(BoundedRocksDbConfigSetter.openStores(sizing)).isZero();
        }
    }

    @Test
    void anotherSetterOrNoneReplacesIt() {
        Properties p = new Properties();
        p.setProperty("rocksdb.config.setter", "");
        assertThat(AppConfig.of(p).streamsProperties("h:1")).doesNotContainKey("rocksdb.config.setter");
    }

    @Test
    void badSizesAreRejectedNamingTheKey() {
        assertThatThrownBy(() -> AppConfig.of(props(BoundedRocksDbConfigSetter.TOTAL_MB, "lots")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rocksdb.memory.total.mb must be a whole number, got 'lots'");
        assertThatThrownBy(() -> AppConfig.of(props(BoundedRocksDbConfigSetter.TOTAL_MB, "0")))
                .hasMessage("rocksdb.memory.total.mb must be between 1 and 1048576, got 0");
        assertThatThrownBy(() -> AppConfig.of(props(BoundedRocksDbConfigSetter.WRITE_BUFFER_RATIO, "1.5")))
                .hasMessage("rocksdb.memory.write.buffer.ratio must be in (0, 1), got 1.5");
        assertThatThrownBy(() -> AppConfig.of(props(BoundedRocksDbConfigSetter.HIGH_PRIORITY_RATIO, "-0.1")))
                .hasMessage("rocksdb.memory.high.priority.ratio must be in [0, 1), got -0.1");
        assertThatThrownBy(() -> BoundedRocksDbConfigSetter.Sizing.from(Map.of(
                BoundedRocksDbConfigSetter.WRITE_BUFFER_RATIO, "0.7", BoundedRocksDbConfigSetter.HIGH_PRIORITY_RATIO,
                "0.4"))).hasMessageContaining("keep their sum at most 1");
        assertThatThrownBy(() -> AppConfig.of(props(BoundedRocksDbConfigSetter.MAX_WRITE_BUFFERS, "2.5")))
                .hasMessage("rocksdb.max.write.buffers must be a whole number, got '2.5'");
        assertThatThrownBy(() -> AppConfig.of(props(BoundedRocksDbConfigSetter.LEVEL0_SLOWDOWN, "60")))
                .hasMessage("rocksdb.level0.stop.writes.trigger (56) must be above rocksdb.level0.slowdown.writes.trigger"
                        + " (60): writes slow down first, then stop");
        assertThatThrownBy(() -> AppConfig.of(props(BoundedRocksDbConfigSetter.LEVEL0_STOP, "0")))
                .hasMessage("rocksdb.level0.stop.writes.trigger must be between 1 and 1000, got 0");
        // With another setter metastream's sizing keys are not used, so not checked either.
        Properties other = props(BoundedRocksDbConfigSetter.TOTAL_MB, "lots");
        other.setProperty("rocksdb.config.setter", "com.example.MySetter");
        assertThat(AppConfig.of(other).all().getProperty(BoundedRocksDbConfigSetter.TOTAL_MB)).isEqualTo("lots");
    }

    private static Properties props(String key, String value) {
        Properties p = new Properties();
        p.setProperty(key, value);
        return p;
    }
}
