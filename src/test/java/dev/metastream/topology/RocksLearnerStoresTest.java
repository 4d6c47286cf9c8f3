package dev.metastream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metastream.learn.LearnerStore;
import dev.metastream.learn.LearnerStoreContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RocksLearnerStores}, the RocksDB databases (one per store) {@code bench} measures the learner over with many tasks, against
 * {@link LearnerStoreContract}; and configured as the application's stores are by default.
 */
class RocksLearnerStoresTest extends LearnerStoreContract {
    @TempDir
    Path dir;
    private final List<RocksLearnerStores> opened = new ArrayList<>();

    @Override
    protected LearnerStore newStore() {
        try {
            RocksLearnerStores rocks = RocksLearnerStores.open(Files.createTempDirectory(dir, "db"));
            opened.add(rocks);
            return rocks.store();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    protected void closeStores() {
        opened.forEach(RocksLearnerStores::close);
        opened.clear();
    }

    @Test
    void runsWithTheApplicationsDefaultRocksDbConfigSetter() {
        newStore();
        assertThat(BoundedRocksDbConfigSetter.configuredStores()).containsAll(RocksLearnerStores.STORE_NAMES);
    }

    /**
     * Each store is a database of its own, as in the application, and closing them tells the setter, which counts open
     * stores against the write-buffer manager's line.
     */
    @Test
    void isCountedAsAnOpenStoreUntilClosed() throws java.io.IOException {
        // A sizing no other test uses, so no other test's stores open or close under it meanwhile.
        java.util.Map<String, String> settings = java.util.Map.of(BoundedRocksDbConfigSetter.TOTAL_MB, "47");
        BoundedRocksDbConfigSetter.Sizing sizing = BoundedRocksDbConfigSetter.Sizing.from(settings);
        assertThat(BoundedRocksDbConfigSetter.openStores(sizing)).isZero();
        try (RocksLearnerStores rocks = RocksLearnerStores.open(Files.createTempDirectory(dir, "count"), settings)) {
            assertThat(BoundedRocksDbConfigSetter.openStores(sizing)).isEqualTo(RocksLearnerStores.STORE_NAMES.size());
            assertThat(java.nio.file.Files.list(rocks.directory()).map(p -> p.getFileName().toString()).sorted())
                    .containsExactlyElementsOf(RocksLearnerStores.STORE_NAMES.stream().sorted().toList());
        }
        assertThat(BoundedRocksDbConfigSetter.openStores(sizing)).isZero();
    }

    @Test
    void countsWhatItsWritesCost() {
        newStore();
        RocksLearnerStores rocks = opened.get(opened.size() - 1);
        long atOpen = rocks.writeStats().userBytes();
        assertThat(atOpen).as("only the shift store's mark that its logs have length keys").isBetween(1L, 100L);
        byte[] observation = new byte[1_000];
        for (int i = 0; i < 100; i++) {
            rocks.store().putShiftObservation("t" + i, 0, observation);
        }
        RocksLearnerStores.WriteStats before = rocks.writeStats();
        assertThat(before.userBytes() - atOpen).isGreaterThanOrEqualTo(100 * 1_000L);
        assertThat(rocks.bytesOnDisk()).isPositive(); // a flush, which writes a table file
        RocksLearnerStores.WriteStats after = rocks.writeStats();
        assertThat(after.tableBytes()).isGreaterThan(before.tableBytes()).isGreaterThanOrEqualTo(100 * 1_000L);
        assertThat(after.stallMicros()).isNotNegative();
        assertThat(after.stallCauses()).as("no stall in a hundred writes").isEmpty();
    }

    @Test
    void readsTheStallCountsOfEitherFormOfRocksDbsStatistics() {
        String v9 = "Uptime(secs): 1.0 total\nWrite Stall (count): cf-l0-file-count-limit-delays-with-ongoing-"
                + "compaction: 0, l0-file-count-limit-delays: 3, memtable-limit-stops: 12, pending-compaction-bytes-"
                + "delays: 0, total-delays: 3, total-stops: 12\n";
        assertThat(RocksLearnerStores.stallCauses(v9))
                .containsExactly(java.util.Map.entry("l0-file-count-limit-delays", 3L),
                        java.util.Map.entry("memtable-limit-stops", 12L));
        String older = "Stalls(count): 2 level0_slowdown, 0 level0_numfiles, 5 memtable_compaction, interval 7 total "
                + "count\n";
        assertThat(RocksLearnerStores.stallCauses(older))
                .containsExactly(java.util.Map.entry("level0_slowdown", 2L),
                        java.util.Map.entry("memtable_compaction", 5L));
        assertThat(RocksLearnerStores.stallCauses("Cumulative stall: 00:00:0.000 H:M:S, 0.0 percent\n")).isEmpty();
    }
}
