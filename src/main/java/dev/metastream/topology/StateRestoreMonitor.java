package dev.metastream.topology;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches Kafka Streams restore stores from their changelogs (after a restart, a rebalance or a task migration) and
 * the global store from its topic: counts the restores in flight (readiness waits for zero), times each one, and logs
 * a line per finished restore with store, partition, records and seconds.
 *
 * <p>Meters: {@code metastream.restore.active} (restores in flight), {@code metastream.restore.time} (a timer per
 * store), {@code metastream.restore.records} (records restored, per store). Store names are a fixed set, so the
 * {@code store} tag is bounded.
 *
 * <pre>{@code
 * StateRestoreMonitor restores = new StateRestoreMonitor(registry);
 * streams.setGlobalStateRestoreListener(restores);   // before streams.start()
 * boolean ready = restores.active() == 0;
 * }</pre>
 */
public final class StateRestoreMonitor implements StateRestoreListener {
    private static final Logger LOG = LoggerFactory.getLogger(StateRestoreMonitor.class);

    private final MeterRegistry registry;
    private final Map<String, Long> started = new ConcurrentHashMap<>();
    private final AtomicLong active = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong totalNanos = new AtomicLong();
    private final AtomicLong maxNanos = new AtomicLong();

    /** Registers the restore meters. */
    public StateRestoreMonitor(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("metastream.restore.active", active, AtomicLong::get)
                .description("State store restores in flight on this instance").register(registry);
    }

    @Override
    public void onRestoreStart(TopicPartition partition, String store, long startOffset, long endOffset) {
        if (started.put(key(partition, store), System.nanoTime()) == null) {
            active.incrementAndGet();
        }
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
        Counter.builder("metastream.restore.records").tag("store", store)
                .description("Records restored into state stores").register(registry).increment(numRestored);
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
        Long t0 = started.remove(key(partition, store));
        if (t0 == null) {
            return;
        }
        active.decrementAndGet();
        long nanos = System.nanoTime() - t0;
        completed.incrementAndGet();
        totalNanos.addAndGet(nanos);
        maxNanos.accumulateAndGet(nanos, Math::max);
        Timer.builder("metastream.restore.time").tag("store", store)
                .description("Time to restore one store partition from its changelog").register(registry)
                .record(Duration.ofNanos(nanos));
        if (LOG.isInfoEnabled() && totalRestored > 0 || LOG.isDebugEnabled()) {
            // INFO when there was something to restore; empty restores (every fresh start) only at DEBUG.
            String line = String.format("restored store %s partition %d (%s): %d records in %.3f s", store,
                    partition.partition(), partition.topic(), totalRestored, nanos / 1e9);
            if (totalRestored > 0) {
                LOG.info(line);
            } else {
                LOG.debug(line);
            }
        }
    }

    @Override
    public void onRestoreSuspended(TopicPartition partition, String store, long totalRestored) {
        // The task moved away mid-restore: it is no longer restoring here.
        if (started.remove(key(partition, store)) != null) {
            active.decrementAndGet();
            LOG.info("restore of store {} partition {} suspended after {} records (task moved)", store,
                    partition.partition(), totalRestored);
        }
    }

    /** Restores in flight. */
    public long active() {
        return active.get();
    }

    /** Restores finished so far. */
    public long completed() {
        return completed.get();
    }

    /** Seconds spent in finished restores, summed over store partitions (they may overlap in time). */
    public double totalSeconds() {
        return totalNanos.get() / 1e9;
    }

    /** The longest single store-partition restore so far, in seconds. */
    public double maxSeconds() {
        return maxNanos.get() / 1e9;
    }

    private static String key(TopicPartition partition, String store) {
        return store + "@" + partition;
    }
}
