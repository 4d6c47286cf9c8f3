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
 * {@link RocksLearnerStores}, the one RocksDB database {@code bench} measures the learner over with many tasks, against
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
        assertThat(BoundedRocksDbConfigSetter.configuredStores()).contains(RocksLearnerStores.STORE_NAME);
    }
}
