package dev.metastream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metastream.learn.LearnerStore;
import dev.metastream.learn.LearnerStoreContract;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
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

    /**
     * In a store this build started, a task's log and monitor are read with one look-up while its log holds at most
     * {@link KafkaLearnerStore#MAX_INLINE} entries: the head holds them and says whether a monitor is stored.
     */
    @Test
    void aShortLogAndWhetherAMonitorIsStoredAreOneLookUp() {
        List<KeyValueStore<String, byte[]>> stores = openStores();
        AtomicInteger gets = new AtomicInteger();
        KafkaLearnerStore store = new KafkaLearnerStore(stores.get(0), stores.get(1), stores.get(2), stores.get(3),
                stores.get(4), countingGets(stores.get(5), gets));
        assertThat(stores.get(5).get(KafkaLearnerStore.LOG_HEADS_MARKER)).isNotNull();
        gets.set(0);
        LearnerStore.StoredShift fresh = store.storedShift("t");
        assertThat(fresh.monitor()).isNull();
        assertThat(fresh.log()).isEmpty();
        assertThat(gets).as("a new task").hasValue(1);
        store.putShiftObservation("t", 0, new byte[] {1});
        assertThat(gets).as("the append after the read").hasValue(1);

        assertThat(readAfterAnother(store, gets).log()).containsExactly(new byte[] {1});
        assertThat(gets).as("a log of one").hasValue(1);

        store.putShiftMonitor("t", new byte[] {9});
        store.clearShiftObservations("t", 1);
        LearnerStore.StoredShift monitored = readAfterAnother(store, gets);
        assertThat(monitored.monitor()).containsExactly(9);
        assertThat(monitored.log()).isEmpty();
        assertThat(gets).as("a stored monitor: the head, then the monitor").hasValue(2);

        store.putShiftObservation("t", 0, new byte[] {2});
        store.putShiftObservation("t", 1, new byte[] {3});
        store.putShiftObservation("t", 2, new byte[] {4});
        LearnerStore.StoredShift inHead = readAfterAnother(store, gets);
        assertThat(inHead.monitor()).containsExactly(9);
        assertThat(inHead.log()).containsExactly(new byte[] {2}, new byte[] {3}, new byte[] {4});
        assertThat(gets).as("a log of three, in its head: the head, the monitor").hasValue(2);
        assertThat(stores.get(5).get(KafkaLearnerStore.observationKey("t", 0))).as("no entry under its own key")
                .isNull();

        // Past MAX_INLINE entries the log moves to its own keys, in order, and reads by them.
        for (int i = 3; i <= KafkaLearnerStore.MAX_INLINE; i++) {
            store.putShiftObservation("t", i, new byte[] {(byte) (2 + i)});
        }
        LearnerStore.StoredShift longer = readAfterAnother(store, gets);
        assertThat(longer.monitor()).containsExactly(9);
        assertThat(longer.log()).extracting(b -> b[0]).containsExactly((byte) 2, (byte) 3, (byte) 4, (byte) 5,
                (byte) 6);
        assertThat(gets).as("a longer log: the head, each entry, the monitor").hasValue(7);
        store.clearShiftObservations("t", KafkaLearnerStore.MAX_INLINE + 1);
        assertThat(readAfterAnother(store, gets).log()).isEmpty();
        assertThat(gets).as("an emptied log: the head, the monitor; not its old entries").hasValue(2);
        assertThat(stores.get(5).get(KafkaLearnerStore.observationKey("t", 0)))
                .as("a clear rewrites the head alone: the old entries wait to be overwritten").isNotNull();
        // The next block's log reads its own entries only, in its head and then under the keys it overwrites.
        store.putShiftObservation("t", 0, new byte[] {42});
        assertThat(readAfterAnother(store, gets).log()).containsExactly(new byte[] {42});
        for (int i = 1; i <= KafkaLearnerStore.MAX_INLINE; i++) {
            store.putShiftObservation("t", i, new byte[] {(byte) (42 + i)});
        }
        assertThat(readAfterAnother(store, gets).log()).extracting(b -> b[0]).containsExactly((byte) 42, (byte) 43,
                (byte) 44, (byte) 45, (byte) 46);
        store.clearShiftObservations("t", KafkaLearnerStore.MAX_INLINE + 1);
        assertThat(readAfterAnother(store, gets).log()).isEmpty();

        // A longer log of a task without a monitor: its head says so, and the monitor is not looked up.
        for (int i = 0; i <= KafkaLearnerStore.MAX_INLINE; i++) {
            store.putShiftObservation("u", i, new byte[] {(byte) (5 + i)});
        }
        LearnerStore.StoredShift unmonitored = readAfterAnother(store, gets, "u");
        assertThat(unmonitored.monitor()).isNull();
        assertThat(unmonitored.log()).extracting(b -> b[0]).containsExactly((byte) 5, (byte) 6, (byte) 7, (byte) 8,
                (byte) 9);
        assertThat(gets).as("a longer log without a monitor: the head, each entry").hasValue(6);

        // A head written before long heads carried the flag (the length alone) still reads, the monitor looked up.
        stores.get(5).put(KafkaLearnerStore.logLengthKey("u"), java.nio.ByteBuffer.allocate(4).putInt(3).array());
        LearnerStore.StoredShift legacy = readAfterAnother(store, gets, "u");
        assertThat(legacy.monitor()).isNull();
        assertThat(legacy.log()).extracting(b -> b[0]).containsExactly((byte) 5, (byte) 6, (byte) 7);
        assertThat(gets).as("a length alone: the head, each entry, the monitor").hasValue(5);

        // A long head of the build before inline heads (two entries under their keys) is read by them, and appended to.
        stores.get(5).put(KafkaLearnerStore.observationKey("v", 0), new byte[] {1});
        stores.get(5).put(KafkaLearnerStore.observationKey("v", 1), new byte[] {2});
        stores.get(5).put(KafkaLearnerStore.logLengthKey("v"), new byte[] {0, 0, 0, 2, 0});
        store.putShiftObservation("v", 2, new byte[] {3});
        assertThat(readAfterAnother(store, gets, "v").log()).extracting(b -> b[0]).containsExactly((byte) 1, (byte) 2,
                (byte) 3);
    }

    /** A partition's tasks appending in turn with the partition-wide log read none of their heads back. */
    @Test
    void appendsOfAPartitionsTasksInTurnReadNoHeadBack() {
        List<KeyValueStore<String, byte[]>> stores = openStores();
        AtomicInteger gets = new AtomicInteger();
        KafkaLearnerStore store = new KafkaLearnerStore(stores.get(0), stores.get(1), stores.get(2), stores.get(3),
                stores.get(4), countingGets(stores.get(5), gets));
        int tasks = 100;
        for (int round = 0; round < 3; round++) {
            for (int t = 0; t < tasks; t++) {
                store.putShiftObservation("t" + t, round, new byte[] {(byte) round});
                store.putShiftObservation("all", round * tasks + t, new byte[] {(byte) t});
            }
            if (round == 0) {
                gets.set(0);
            }
        }
        assertThat(gets).as("heads of %d tasks and the partition's log, appended in turn", tasks).hasValue(0);
        assertThat(store.shiftObservations("t7")).extracting(b -> b[0]).containsExactly((byte) 0, (byte) 1,
                (byte) 2);
    }

    private static LearnerStore.StoredShift readAfterAnother(KafkaLearnerStore store, AtomicInteger gets,
                                                             String task) {
        for (int i = 0; i < KafkaLearnerStore.RECENT_HEADS + 4; i++) {
            store.storedShift("other-" + i);
        }
        gets.set(0);
        return store.storedShift(task);
    }

    /** Task "t" read just after other tasks (so not from the heads last read), counting only its own look-ups. */
    private static LearnerStore.StoredShift readAfterAnother(KafkaLearnerStore store, AtomicInteger gets) {
        return readAfterAnother(store, gets, "t");
    }

    /**
     * A store the build before heads wrote (marked as keeping lengths, with a log) keeps writing and reading lengths;
     * one that is empty but for that mark starts keeping heads.
     */
    @Test
    void aStoreWrittenWithLengthsKeepsThemAndAnEmptyOneTakesHeads() {
        List<KeyValueStore<String, byte[]>> stores = openStores();
        KeyValueStore<String, byte[]> shift = stores.get(5);
        shift.put(KafkaLearnerStore.LOG_LENGTHS_MARKER, new byte[] {1});
        shift.put(KafkaLearnerStore.observationKey("old", 0), new byte[] {5});
        shift.put(KafkaLearnerStore.logLengthKey("old"), new byte[] {0, 0, 0, 1});
        shift.put("old", new byte[] {8});
        KafkaLearnerStore store = new KafkaLearnerStore(stores.get(0), stores.get(1), stores.get(2), stores.get(3),
                stores.get(4), shift);
        assertThat(shift.get(KafkaLearnerStore.LOG_HEADS_MARKER)).isNull();
        store.putShiftObservation("old", 1, new byte[] {6});
        assertThat(shift.get(KafkaLearnerStore.logLengthKey("old"))).containsExactly(0, 0, 0, 2);
        LearnerStore.StoredShift old = store.storedShift("old");
        assertThat(old.monitor()).containsExactly(8);
        assertThat(old.log()).containsExactly(new byte[] {5}, new byte[] {6});
        store.putShiftObservation("new", 0, new byte[] {7});
        assertThat(shift.get(KafkaLearnerStore.logLengthKey("new"))).containsExactly(0, 0, 0, 1);
        assertThat(store.storedShift("new").log()).containsExactly(new byte[] {7});
        store.clearShiftObservations("old", 2);
        assertThat(shift.get(KafkaLearnerStore.logLengthKey("old"))).isNull();
        assertThat(store.storedShift("old").monitor()).containsExactly(8);

        List<KeyValueStore<String, byte[]>> empty = openStores();
        empty.get(5).put(KafkaLearnerStore.LOG_LENGTHS_MARKER, new byte[] {1});
        new KafkaLearnerStore(empty.get(0), empty.get(1), empty.get(2), empty.get(3), empty.get(4), empty.get(5));
        assertThat(empty.get(5).get(KafkaLearnerStore.LOG_HEADS_MARKER)).isNotNull();
    }

    /** The store, counting its {@code get} calls. */
    @SuppressWarnings("unchecked")
    private static KeyValueStore<String, byte[]> countingGets(KeyValueStore<String, byte[]> store, AtomicInteger gets) {
        return (KeyValueStore<String, byte[]>) java.lang.reflect.Proxy.newProxyInstance(
                KeyValueStore.class.getClassLoader(), new Class<?>[] {KeyValueStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("get")) {
                        gets.incrementAndGet();
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
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

    /**
     * The shared state's bases (a third of it) are written under their own key only when they change (a publish or a
     * rebase), the rest after every batch; a read puts them back together, and a bases record that is not the one the
     * state names (a crash between the two writes under at-least-once) is not used: the bases are the parameters then.
     */
    @Test
    void theSharedStatesBasesAreWrittenApartAndOnlyWhenTheyChange() {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("input.dim", "5");
        p.setProperty("task.classes", "3");
        p.setProperty("model.trunk.layers", "4");
        p.setProperty("learner.batch.size", "4");
        dev.metastream.learn.StreamingLearner learner = new dev.metastream.learn.StreamingLearner(
                dev.metastream.learn.LearnerConfig.from(p), new dev.metastream.learn.InMemoryLearnerStore(), "t",
                dev.metastream.learn.LearnerEvents.NONE);
        java.util.Random r = new java.util.Random(9);
        List<KeyValueStore<String, byte[]>> stores = openStores();
        KeyValueStore<String, byte[]> shared = stores.get(1);
        KafkaLearnerStore store = new KafkaLearnerStore(stores.get(0), shared, stores.get(2), stores.get(3),
                stores.get(4), stores.get(5));
        byte[] bases = null;
        for (int i = 0; i < 40; i++) {
            float[] t = new float[3];
            t[r.nextInt(3)] = 1;
            float[] x = new float[5];
            for (int j = 0; j < x.length; j++) {
                x[j] = (float) r.nextGaussian();
            }
            learner.observe(new dev.metastream.learn.Instance("task-" + (i % 3), x, t, "id" + i, 1000 + i));
            if (i == 20) {
                assertThat(learner.drainMetaUpdate(2000)).isNotNull(); // the bases move to the current parameters
            }
            store.putShared(learner.shared());
            // The stamp the state names counts the bases records written.
            long stamp = dev.metastream.learn.SharedState.fromBytes(shared.get(MetastreamTopology.SHARED_STATE_KEY))
                    .basesStamp();
            assertThat(stamp).as("bases written by the write at %d", i).isEqualTo(i < 20 ? 1 : 2);
            byte[] now = shared.get(KafkaLearnerStore.SHARED_BASES_KEY);
            if (i == 0 || i == 20) {
                assertThat(now).as("written at %d", i).isNotEqualTo(bases);
            } else {
                assertThat(now).as("not changed at %d", i).isEqualTo(bases);
            }
            bases = now;
            assertThat(shared.get(MetastreamTopology.SHARED_STATE_KEY).length).isLessThan(learner.shared().toBytes().length);
            assertThat(store.shared().toBytes()).isEqualTo(learner.shared().toBytes());
            // Another store over the same stores (a restart) reads the same state and goes on with the same stamp.
            KafkaLearnerStore restarted = new KafkaLearnerStore(stores.get(0), shared, stores.get(2), stores.get(3),
                    stores.get(4), stores.get(5));
            assertThat(restarted.shared().toBytes()).isEqualTo(learner.shared().toBytes());
        }
        // The bases record of another write than the state's: not used.
        dev.metastream.learn.SharedState s = learner.shared();
        shared.put(KafkaLearnerStore.SHARED_BASES_KEY, s.basesToBytes(99));
        dev.metastream.learn.SharedState read = new KafkaLearnerStore(stores.get(0), shared, stores.get(2),
                stores.get(3), stores.get(4), stores.get(5)).shared();
        assertThat(read.basesEqual(s.trunkBaseCopy(), s.headInitBaseCopy())).isFalse();
        assertThat(learner.drainMetaUpdate(3000)).isNotNull();
        assertThat(read.toBytes()).isNotEqualTo(s.toBytes());
    }

    @Override
    protected void closeStores() {
        opened.forEach(KeyValueStore::close);
        opened.clear();
    }
}
