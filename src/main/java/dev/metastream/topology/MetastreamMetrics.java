package dev.metastream.topology;

import dev.metastream.data.InputRecordParser;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The learner's Micrometer meters. Tags are bounded: reasons and task kinds are enums, never task ids.
 */
public final class MetastreamMetrics {
    private final MeterRegistry registry;
    private final Map<InputRecordParser.Reason, Counter> deadLetters = new EnumMap<>(InputRecordParser.Reason.class);
    private final Counter scored;
    private final Counter learned;
    private final Counter drifts;
    private final Counter metaUpdates;
    private final Timer batchLatency;
    private final AtomicLong metaVersion = new AtomicLong();
    private final AtomicLong staleness = new AtomicLong();

    /** Registers the meters in a registry. */
    public MetastreamMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (InputRecordParser.Reason r : InputRecordParser.Reason.values()) {
            deadLetters.put(r, Counter.builder("metastream.dead.letter.records").tag("reason", r.code())
                    .description("Input records sent to the dead-letter topic").register(registry));
        }
        scored = Counter.builder("metastream.examples.scored").description("Examples predicted").register(registry);
        learned = Counter.builder("metastream.examples.learned").description("Labelled examples learned from")
                .register(registry);
        drifts = Counter.builder("metastream.drift.events").description("Drift detections").register(registry);
        metaUpdates = Counter.builder("metastream.meta.updates.published")
                .description("Shared-model deltas published by this instance's partitions").register(registry);
        batchLatency = Timer.builder("metastream.batch.latency").description("Time to learn one micro-batch")
                .publishPercentiles(0.5, 0.99).register(registry);
        registry.gauge("metastream.meta.version", metaVersion);
        registry.gauge("metastream.meta.staleness", staleness);
    }

    /** Meters in a private registry, for tests. */
    public static MetastreamMetrics standalone() {
        return new MetastreamMetrics(new SimpleMeterRegistry());
    }

    /** The registry. */
    public MeterRegistry registry() {
        return registry;
    }

    void deadLetter(InputRecordParser.Reason reason) {
        deadLetters.get(reason).increment();
    }

    /** Dead-letter count for one reason. */
    public double deadLetterCount(InputRecordParser.Reason reason) {
        return deadLetters.get(reason).count();
    }

    /** Dead-letter count over all reasons. */
    public double deadLetterTotal() {
        return deadLetters.values().stream().mapToDouble(Counter::count).sum();
    }

    void scored() {
        scored.increment();
    }

    void learned(int n) {
        learned.increment(n);
    }

    /** Examples learned so far. */
    public double learnedCount() {
        return learned.count();
    }

    /** Examples scored so far. */
    public double scoredCount() {
        return scored.count();
    }

    void drift() {
        drifts.increment();
    }

    /** Drift events so far. */
    public double driftCount() {
        return drifts.count();
    }

    void metaUpdate() {
        metaUpdates.increment();
    }

    Timer batchLatency() {
        return batchLatency;
    }

    void metaVersion(long version, long lag) {
        metaVersion.accumulateAndGet(version, Math::max);
        staleness.set(lag);
    }

    /** Highest shared-model version seen by this instance. */
    public long metaVersion() {
        return metaVersion.get();
    }
}
