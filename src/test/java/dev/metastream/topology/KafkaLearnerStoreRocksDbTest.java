package dev.metastream.topology;

import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.io.TempDir;

/** {@link KafkaLearnerStore} over the persistent (RocksDB) stores the topology uses, caching and logging off. */
class KafkaLearnerStoreRocksDbTest extends KafkaLearnerStoreTest {
    @TempDir
    Path stateDir;
    private final AtomicInteger stores = new AtomicInteger();

    @Override
    protected KeyValueBytesStoreSupplier supplier(String name) {
        return Stores.persistentKeyValueStore(name);
    }

    @Override
    protected MockProcessorContext<String, byte[]> context() {
        // A directory per store set: a test may open two side by side.
        Properties p = new Properties();
        p.setProperty(StreamsConfig.APPLICATION_ID_CONFIG, "learner-store-test");
        p.setProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9");
        return new MockProcessorContext<>(p, new TaskId(0, 0),
                stateDir.resolve("s" + stores.incrementAndGet()).toFile());
    }
}
