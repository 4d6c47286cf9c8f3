package dev.metastream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metastream.learn.LearnerStore;
import dev.metastream.learn.LearnerStoreContract;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
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
        List<KeyValueStore<String, byte[]>> stores = openStores();
        return new KafkaLearnerStore(stores.get(0), stores.get(1), stores.get(2), stores.get(3), stores.get(4),
                stores.get(5));
    }

    /**
     * A store written before shift logs had length keys: its logs are still read whole (by a scan), and a log appended
     * to afterwards is read by its length.
     */
    @Test
    void readsTheShiftLogsOfAStoreWrittenBeforeLengthKeys() {
        List<KeyValueStore<String, byte[]>> stores = openStores();
        KeyValueStore<String, byte[]> shift = stores.get(5);
        for (int i = 0; i < 3; i++) {
            shift.put(KafkaLearnerStore.observationKey("old", i), new byte[] {(byte) i});
            shift.put(KafkaLearnerStore.observationKey("appended", i), new byte[] {(byte) (10 + i)});
        }
        shift.put("monitored", new byte[] {42});
        KafkaLearnerStore store = new KafkaLearnerStore(stores.get(0), stores.get(1), stores.get(2), stores.get(3),
                stores.get(4), shift);
        assertThat(shift.get(KafkaLearnerStore.LOG_LENGTHS_MARKER)).as("not marked: it has logs without lengths")
                .isNull();
        assertThat(store.shiftObservations("old")).extracting(b -> b[0]).containsExactly((byte) 0, (byte) 1, (byte) 2);
        store.putShiftObservation("appended", 3, new byte[] {13});
        assertThat(shift.get(KafkaLearnerStore.logLengthKey("appended"))).isNotNull();
        assertThat(store.shiftObservations("appended")).extracting(b -> b[0])
                .containsExactly((byte) 10, (byte) 11, (byte) 12, (byte) 13);
        assertThat(store.shiftObservations("monitored")).isEmpty();
        store.clearShiftObservations("old", 3);
        assertThat(store.shiftObservations("old")).isEmpty();
    }

    /** A new store is marked, reads each log by its length, and finds no log where there is no length key. */
    @Test
    void aNewStoreReadsLogsByTheirLength() {
        List<KeyValueStore<String, byte[]>> stores = openStores();
        KeyValueStore<String, byte[]> shift = stores.get(5);
        KafkaLearnerStore store = new KafkaLearnerStore(stores.get(0), stores.get(1), stores.get(2), stores.get(3),
                stores.get(4), shift);
        assertThat(shift.get(KafkaLearnerStore.LOG_LENGTHS_MARKER)).isNotNull();
        for (int i = 0; i < 5; i++) {
            store.putShiftObservation("t", i, new byte[] {(byte) i});
        }
        // An entry the length does not cover (as a write the length key missed would leave) is not read...
        shift.put(KafkaLearnerStore.observationKey("t", 7), new byte[] {7});
        assertThat(store.shiftObservations("t")).extracting(b -> b[0])
                .containsExactly((byte) 0, (byte) 1, (byte) 2, (byte) 3, (byte) 4);
        // ...and a length that claims an entry that is not there falls back to reading what is.
        shift.put(KafkaLearnerStore.observationKey("t", 2), null);
        assertThat(store.shiftObservations("t")).extracting(b -> b[0])
                .containsExactly((byte) 0, (byte) 1, (byte) 3, (byte) 4, (byte) 7);
        // A log-less entry written without a length key (none of this build's writes do) is not read.
        shift.put(KafkaLearnerStore.observationKey("bare", 0), new byte[] {1});
        assertThat(store.shiftObservations("bare")).isEmpty();
        // Reopened, the mark holds even though the store is no longer empty.
        KafkaLearnerStore reopened = new KafkaLearnerStore(stores.get(0), stores.get(1), stores.get(2),
                stores.get(3), stores.get(4), shift);
        assertThat(reopened.shiftObservations("bare")).isEmpty();
        reopened.deleteTask("t");
        assertThat(shift.get(KafkaLearnerStore.logLengthKey("t"))).isNull();
        assertThat(reopened.shiftObservations("t")).isEmpty();
    }

    private List<KeyValueStore<String, byte[]>> openStores() {
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
        return stores;
    }

    @Override
    protected void closeStores() {
        opened.forEach(KeyValueStore::close);
        opened.clear();
    }
}
