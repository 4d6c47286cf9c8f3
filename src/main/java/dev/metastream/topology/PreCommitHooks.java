package dev.metastream.topology;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * A call into a task's processor just before Kafka Streams flushes that task's stores for a commit, which the
 * Processor API does not give: the learner writes its task states behind (once per commit, not once per micro-batch),
 * and those writes must reach the stores' record caches before the caches go to the changelogs with the commit.
 *
 * <p>The learner's stores are built through {@link #wrap}: each gets an outer layer whose {@code flushCache()} (what
 * Kafka Streams calls on every store of a task before it flushes the producer and commits, under either guarantee)
 * first runs the hook its task's processor registered. The learner writes into several stores, and Kafka Streams
 * flushes a task's stores one after another, so every store the hook writes to is wrapped: the first one flushed runs
 * the hook, and the others find nothing left to write. {@code flushCache} belongs to Kafka Streams' internal
 * {@code CachedStateStore}, which its own store layers implement; {@code ExactlyOnceCrashTest} fails if a Kafka Streams
 * upgrade stops calling it before a commit.
 *
 * <p>One instance per topology; hooks are keyed by task, as a topology's processors and stores are instantiated per
 * task, and run on that task's stream thread.
 */
public final class PreCommitHooks {
    private final Map<TaskId, Runnable> hooks = new ConcurrentHashMap<>();

    /** Registers the hook of a task's processor (from its {@code init}). */
    public void register(TaskId task, Runnable hook) {
        hooks.put(task, hook);
    }

    /** Removes a task's hook (from its processor's {@code close}, after the processor ran it itself). */
    public void remove(TaskId task) {
        hooks.remove(task);
    }

    private void run(TaskId task) {
        Runnable hook = task == null ? null : hooks.get(task);
        if (hook != null) {
            hook.run();
        }
    }

    /** A builder of the stores {@code builder} builds, each with this registry's pre-commit layer outside. */
    StoreBuilder<KeyValueStore<String, byte[]>> wrap(StoreBuilder<KeyValueStore<String, byte[]>> builder) {
        return new Builder(builder);
    }

    private final class Builder implements StoreBuilder<KeyValueStore<String, byte[]>> {
        private final StoreBuilder<KeyValueStore<String, byte[]>> inner;

        Builder(StoreBuilder<KeyValueStore<String, byte[]>> inner) {
            this.inner = inner;
        }

        @Override
        public StoreBuilder<KeyValueStore<String, byte[]>> withCachingEnabled() {
            inner.withCachingEnabled();
            return this;
        }

        @Override
        public StoreBuilder<KeyValueStore<String, byte[]>> withCachingDisabled() {
            inner.withCachingDisabled();
            return this;
        }

        @Override
        public StoreBuilder<KeyValueStore<String, byte[]>> withLoggingEnabled(Map<String, String> config) {
            inner.withLoggingEnabled(config);
            return this;
        }

        @Override
        public StoreBuilder<KeyValueStore<String, byte[]>> withLoggingDisabled() {
            inner.withLoggingDisabled();
            return this;
        }

        @Override
        public KeyValueStore<String, byte[]> build() {
            return new HookedStore(inner.build());
        }

        @Override
        public Map<String, String> logConfig() {
            return inner.logConfig();
        }

        @Override
        public boolean loggingEnabled() {
            return inner.loggingEnabled();
        }

        @Override
        public String name() {
            return inner.name();
        }
    }

    /** The outer layer: the hook before every cache flush, every other call passed through. */
    private final class HookedStore extends WrappedStateStore<KeyValueStore<String, byte[]>, String, byte[]>
            implements KeyValueStore<String, byte[]> {
        private TaskId task;

        HookedStore(KeyValueStore<String, byte[]> wrapped) {
            super(wrapped);
        }

        @Override
        public void init(StateStoreContext context, StateStore root) {
            task = context.taskId();
            super.init(context, root);
        }

        @Override
        public void flushCache() {
            run(task);
            super.flushCache();
        }

        @Override
        public void flush() {
            run(task);
            wrapped().flush();
        }

        @Override
        public void put(String key, byte[] value) {
            wrapped().put(key, value);
        }

        @Override
        public byte[] putIfAbsent(String key, byte[] value) {
            return wrapped().putIfAbsent(key, value);
        }

        @Override
        public void putAll(java.util.List<org.apache.kafka.streams.KeyValue<String, byte[]>> entries) {
            wrapped().putAll(entries);
        }

        @Override
        public byte[] delete(String key) {
            return wrapped().delete(key);
        }

        @Override
        public byte[] get(String key) {
            return wrapped().get(key);
        }

        @Override
        public KeyValueIterator<String, byte[]> range(String from, String to) {
            return wrapped().range(from, to);
        }

        @Override
        public KeyValueIterator<String, byte[]> reverseRange(String from, String to) {
            return wrapped().reverseRange(from, to);
        }

        @Override
        public KeyValueIterator<String, byte[]> all() {
            return wrapped().all();
        }

        @Override
        public KeyValueIterator<String, byte[]> reverseAll() {
            return wrapped().reverseAll();
        }

        @Override
        public <PS extends org.apache.kafka.common.serialization.Serializer<P>, P> KeyValueIterator<String, byte[]>
                prefixScan(P prefix, PS prefixKeySerializer) {
            return wrapped().prefixScan(prefix, prefixKeySerializer);
        }

        @Override
        public long approximateNumEntries() {
            return wrapped().approximateNumEntries();
        }
    }
}
