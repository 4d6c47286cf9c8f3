package dev.metastream.topology;

import dev.metastream.data.InputRecordParser;
import dev.metastream.learn.LearnerEvents;
import dev.metastream.learn.TaskKind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The learner's Micrometer meters. Tags are bounded: reasons and task kinds are enums; task ids appear only on the
 * per-task gauges and drift counters of the {@code metrics.top.tasks} busiest tasks ({@link TopTaskGauges}); the drift
 * counter of every other task is tagged {@code task=other}.
 */
public final class MetastreamMetrics {
    private final MeterRegistry registry;
    private final Map<InputRecordParser.Reason, Counter> deadLetters = new EnumMap<>(InputRecordParser.Reason.class);
    private final Map<TaskKind, Counter> scored = new EnumMap<>(TaskKind.class);
    private final Map<TaskKind, Counter> learned = new EnumMap<>(TaskKind.class);
    private final AtomicLong drifts = new AtomicLong();
    private final AtomicLong shifts = new AtomicLong();
    private final Counter metaUpdates;
    private final Counter nonFiniteRestarts;
    private final Timer batchLatency;
    private final AtomicLong metaVersion = new AtomicLong();
    private final AtomicLong staleness = new AtomicLong();
    private final TopTaskGauges topTasks;

    /** Default of {@code metrics.top.tasks}. */
    public static final int DEFAULT_TOP_TASKS = 10;

    /** Registers the meters in a registry, with per-task gauges for the {@value #DEFAULT_TOP_TASKS} busiest tasks. */
    public MetastreamMetrics(MeterRegistry registry) {
        this(registry, DEFAULT_TOP_TASKS);
    }

    /**
     * Registers the meters in a registry.
     *
     * @param registry where the meters go
     * @param topTasks how many of the busiest tasks get per-task gauges ({@code metrics.top.tasks})
     */
    public MetastreamMetrics(MeterRegistry registry, int topTasks) {
        this.registry = registry;
        for (InputRecordParser.Reason r : InputRecordParser.Reason.values()) {
            deadLetters.put(r, Counter.builder("metastream.dead.letter.records").tag("reason", r.code())
                    .description("Input records sent to the dead-letter topic").register(registry));
        }
        for (TaskKind k : TaskKind.values()) {
            String kind = k.name().toLowerCase();
            scored.put(k, Counter.builder("metastream.examples.scored").tag("kind", kind)
                    .description("Examples predicted, by task kind").register(registry));
            learned.put(k, Counter.builder("metastream.examples.learned").tag("kind", kind)
                    .description("Labelled examples learned from, by task kind").register(registry));
        }
        metaUpdates = Counter.builder("metastream.meta.updates.published")
                .description("Shared-model deltas published by this instance's partitions").register(registry);
        nonFiniteRestarts = Counter.builder("metastream.tasks.restarted.non.finite")
                .description("Tasks restarted because their model gave a non-finite output (a diverged model)")
                .register(registry);
        batchLatency = Timer.builder("metastream.batch.latency").description("Time to learn one micro-batch")
                .publishPercentiles(0.5, 0.99).register(registry);
        registry.gauge("metastream.meta.version", metaVersion);
        registry.gauge("metastream.meta.staleness", staleness);
        this.topTasks = new TopTaskGauges(registry, topTasks);
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

    void scored(TaskKind kind) {
        scored.get(kind).increment();
    }

    void learned(TaskKind kind, int n) {
        learned.get(kind).increment(n);
    }

    /** Examples learned so far. */
    public double learnedCount() {
        return learned.values().stream().mapToDouble(Counter::count).sum();
    }

    /** Examples scored so far. */
    public double scoredCount() {
        return scored.values().stream().mapToDouble(Counter::count).sum();
    }

    /** Examples learned so far for one task kind. */
    public double learnedCount(TaskKind kind) {
        return learned.get(kind).count();
    }

    /** A task's metrics record: feeds the busiest-task gauges. */
    void taskMetrics(LearnerEvents.TaskMetrics m) {
        topTasks.report(m);
    }

    /** Re-ranks the busiest tasks (at most once per {@code intervalMs}); called from the metrics punctuator. */
    void rankTasks(long now, long intervalMs) {
        topTasks.rank(now, intervalMs);
    }

    /**
     * Runs a read of the meters (a Prometheus scrape) that sees the per-task series of one ranking only, never the
     * gauges of the tasks that are being dropped beside those of the tasks replacing them.
     *
     * @param read the read, e.g. {@code prometheus::scrape}
     * @return what it returned
     */
    public <T> T whileTaskSeriesStable(java.util.function.Supplier<T> read) {
        return topTasks.whileSeriesStable(read);
    }

    /** The tasks that have per-task gauges now. */
    public java.util.List<String> topTasks() {
        return topTasks.shownTasks();
    }

    void drift(String task) {
        drifts.incrementAndGet();
        topTasks.drift(task);
    }

    void nonFiniteRestart() {
        nonFiniteRestarts.increment();
    }

    /** Tasks restarted so far because their model's output was not finite. */
    public double nonFiniteRestartCount() {
        return nonFiniteRestarts.count();
    }

    void domainShift(String task) {
        shifts.incrementAndGet();
        topTasks.domainShift(task);
    }

    void shiftChecked(String task, dev.metastream.shift.ShiftReport report) {
        topTasks.shiftChecked(task, report);
    }

    /** Domain shifts found so far (every task). */
    public double shiftCount() {
        return shifts.get();
    }

    /** Drift events so far (every task, whether or not it has a series of its own). */
    public double driftCount() {
        return drifts.get();
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
