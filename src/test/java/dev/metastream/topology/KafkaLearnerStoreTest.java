package dev.metastream.topology;

import dev.metastream.learn.LearnerStore;
import dev.metastream.learn.LearnerStoreContract;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/** {@link KafkaLearnerStore} over Kafka Streams' in-memory key-value stores, against {@link LearnerStoreContract}. */
class KafkaLearnerStoreTest extends LearnerStoreContract {
    private final List<KeyValueStore<String, byte[]>> opened = new ArrayList<>();

    /** @return the supplier of one named store (in memory here) */
    protected KeyValueBytesStoreSupplier supplier(String name) {
        return Stores.inMemoryKeyValueStore(name);
    }

    /** @return the context the stores are initialised with */
    protected MockProcessorContext<String, byte[]> context() {
        return new MockProcessorContext<>();
    }

    @Override
    protected LearnerStore newStore() {
        MockProcessorContext<String, byte[]> context = context();
        List<KeyValueStore<String, byte[]>> stores = new ArrayList<>();
        for (String name : List.of(MetastreamTopology.TASK_STATE_STORE, MetastreamTopology.SHARED_STATE_STORE,
                MetastreamTopology.PENDING_STORE, MetastreamTopology.MEMORY_STORE,
                MetastreamTopology.REFERENCE_GRADIENT_STORE, MetastreamTopology.SHIFT_MONITOR_STORE)) {
            KeyValueStore<String, byte[]> store = Stores.keyValueStoreBuilder(supplier(name), Serdes.String(),
                    Serdes.ByteArray()).withLoggingDisabled().withCachingDisabled().build();
            store.init(context.getStateStoreContext(), store);
            stores.add(store);
        }
        opened.addAll(stores);
        return new KafkaLearnerStore(stores.get(0), stores.get(1), stores.get(2), stores.get(3), stores.get(4),
                stores.get(5));
    }

    @Override
    protected void closeStores() {
        opened.forEach(KeyValueStore::close);
        opened.clear();
    }
}
