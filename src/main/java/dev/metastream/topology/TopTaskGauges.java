package dev.metastream.topology;

import dev.metastream.learn.LearnerEvents;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * Per-task accuracy and loss gauges and drift counters for the {@code metrics.top.tasks} busiest tasks of this
 * instance, plus per-kind aggregates over every task it tracks. The number of series stays bounded however many tasks
 * there are: at most N × 9 per-task series (accuracy, loss, examples, drift counter, a domain-shift score per signal
 * and a domain-shift counter), 4 × 2 + 1 aggregate ones and the drift and shift counters of all other tasks.
 *
 * <p><b>Aggregates only for kinds present.</b> {@code metastream.tasks.accuracy} / {@code .loss} of a kind is
 * registered when a tracked task of that kind first reports a finite value, and removed at the ranking that finds no
 * such task any more: a kind with no tasks (or regression, which has no accuracy) publishes no series rather than NaN.
 *
 * <p><b>Drifts by task.</b> {@code metastream.drift.events} is tagged {@code task}: the task id for the busiest tasks
 * (the counter comes and goes with the task's gauges, starting from 0 when it is shown again), {@value #OTHER_TASKS}
 * for every other task's drifts.
 *
 * <p><b>Busiest.</b> Every metrics record a learner partition publishes ({@link #report}) adds the task's examples
 * since its previous record to the task's <i>volume</i> (the first record of a task seen by this instance adds 0: the
 * count before it may be from another instance). {@link #rank} sorts the tracked tasks by volume (ties by task id),
 * shows the first N as gauges tagged {@code task}, removes the gauges of tasks that dropped out, then halves every
 * volume. So the volume is an exponentially decayed example count with a half-life of one ranking interval, and a task
 * that stops reporting stops being tracked once its volume is below 1 and it reported nothing since the last ranking.
 *
 * <p><b>No thread of its own.</b> Ranking runs inside the learners' metrics punctuators (every
 * {@code metrics.interval.ms}); as every partition's punctuator calls it, it ranks at most once per interval. Stream
 * threads report and rank, the scrape thread reads: every method is synchronized, and a whole scrape runs inside
 * {@link #whileSeriesStable} (a read lock that rankings take for writing) so that it never lists two rankings' tasks
 * at once.
 *
 * <pre>{@code
 * TopTaskGauges top = new TopTaskGauges(registry, 10);
 * top.report(taskMetrics);       // from LearnerEvents.metrics
 * top.rank(now, 10_000);         // from the metrics punctuator
 * }</pre>
 */
final class TopTaskGauges {
    /** Aggregates are per kind; the kinds are the ones metrics records carry. */
    static final List<String> KINDS = List.of("classification", "binary", "regression", "multilabel");
    /** The {@code task} tag of the drift counter for the tasks without series of their own. */
    static final String OTHER_TASKS = "other";

    private final MeterRegistry registry;
    private final int topN;
    private final Map<String, Entry> tracked = new HashMap<>();
    private final Map<String, List<Meter>> shown = new LinkedHashMap<>();
    private final Map<String, Meter> aggregates = new HashMap<>();
    private final io.micrometer.core.instrument.Counter otherDrifts;
    private final io.micrometer.core.instrument.Counter otherShifts;
    private long lastRank;
    private boolean ranked;
    /**
     * Written while a ranking swaps the per-task series, read by a whole scrape ({@link #whileSeriesStable}). A
     * scrape of a running demo took 90-120 ms here (1,181 lines, the broker in the same process): under this object's
     * monitor it would hold up every stream thread's report and drift count that long, under this lock only a
     * ranking, once per metrics interval.
     */
    private final java.util.concurrent.locks.ReentrantReadWriteLock seriesLock =
            new java.util.concurrent.locks.ReentrantReadWriteLock();

    /** One task's latest figures. */
    private static final class Entry {
        final String task;
        String kind;
        long observed;
        double volume;
        double accuracy = Double.NaN;
        double loss = Double.NaN;
        boolean negativeTransfer;
        /** The latest shift check's score per signal (as {@link dev.metastream.shift.ShiftReport} reports it). */
        final Map<String, Double> shiftScores = new HashMap<>();
        boolean reportedSinceRank;

        Entry(String task) {
            this.task = task;
        }
    }

    TopTaskGauges(MeterRegistry registry, int topN) {
        if (topN < 0) {
            throw new IllegalArgumentException("metrics.top.tasks=" + topN + " must be 0 or more");
        }
        this.registry = registry;
        this.topN = topN;
        otherDrifts = driftCounter(OTHER_TASKS);
        otherShifts = shiftCounter(OTHER_TASKS);
        Gauge.builder("metastream.tasks.tracked", this, TopTaskGauges::trackedCount)
                .description("Tasks this instance holds recent metrics for").register(registry);
        Gauge.builder("metastream.tasks.negative.transfer", this, TopTaskGauges::negativeTransferCount)
                .description("Tasks this instance tracks whose latest metrics record shows negative transfer (their "
                        + "shared head does no better than their own shadow models)").register(registry);
    }

    /** Tracked tasks whose latest record shows negative transfer. */
    private synchronized double negativeTransferCount() {
        return tracked.values().stream().filter(e -> e.negativeTransfer).count();
    }

    /** Takes a task's metrics record: its latest accuracy and loss, and the examples since its previous record. */
    synchronized void report(LearnerEvents.TaskMetrics m) {
        Entry e = tracked.get(m.task());
        if (e == null) {
            e = new Entry(m.task());
            e.observed = m.observed();
            tracked.put(m.task(), e);
        }
        e.volume += Math.max(0, m.observed() - e.observed);
        e.observed = m.observed();
        e.kind = m.kind();
        e.negativeTransfer = m.negativeTransfer();
        e.accuracy = value(m.values(), "accuracy_window", "subset_accuracy_window");
        e.loss = value(m.values(), "log_loss_window", "mse_window");
        e.reportedSinceRank = true;
        if (Double.isFinite(e.accuracy)) {
            aggregate("accuracy", e.kind);
        }
        if (Double.isFinite(e.loss)) {
            aggregate("loss", e.kind);
        }
    }

    /** Registers a per-kind aggregate gauge the first time a task of the kind has a finite value for it. */
    private void aggregate(String figure, String kind) {
        aggregates.computeIfAbsent(figure + ":" + kind, k -> {
            ToDoubleFunction<Entry> f = figure.equals("accuracy") ? x -> x.accuracy : x -> x.loss;
            return Gauge.builder("metastream.tasks." + figure, this, g -> g.mean(kind, f)).tag("kind", kind)
                    .description(figure.equals("accuracy")
                            ? "Mean windowed accuracy over the tasks of this kind this instance tracks"
                            : "Mean windowed loss over the tasks of this kind this instance tracks (log loss; mean "
                                    + "squared error for regression)")
                    .strongReference(true).register(registry);
        });
    }

    /** Counts one domain shift: on the task's own counter when it is one of the busiest, else on the others'. */
    synchronized void domainShift(String task) {
        List<Meter> meters = shown.get(task);
        if (meters == null) {
            otherShifts.increment();
            return;
        }
        for (Meter m : meters) {
            if (m instanceof io.micrometer.core.instrument.Counter c && m.getId().getName().equals(SHIFT_EVENTS)) {
                c.increment();
            }
        }
    }

    /** Takes a tracked task's latest shift check (tasks without metrics records have no gauges to show it on). */
    synchronized void shiftChecked(String task, dev.metastream.shift.ShiftReport report) {
        Entry e = tracked.get(task);
        if (e != null) {
            report.signals().forEach(s -> e.shiftScores.put(s.name(), s.score()));
        }
    }

    /** Counts one drift event: on the task's own counter when it is one of the busiest, else on the others'. */
    synchronized void drift(String task) {
        List<Meter> meters = shown.get(task);
        if (meters == null) {
            otherDrifts.increment();
            return;
        }
        for (Meter m : meters) {
            if (m instanceof io.micrometer.core.instrument.Counter c && m.getId().getName().equals(DRIFT_EVENTS)) {
                c.increment();
                return;
            }
        }
    }

    /** The signals a shift monitor reports, one gauge each per shown task. */
    static final List<String> SHIFT_SIGNALS = List.of("inputs", "inputs-mmd", "prediction", "label");
    static final String SHIFT_EVENTS = "metastream.domain.shift.events";
    static final String DRIFT_EVENTS = "metastream.drift.events";

    private io.micrometer.core.instrument.Counter shiftCounter(String task) {
        return io.micrometer.core.instrument.Counter.builder(SHIFT_EVENTS).tag("task", task)
                .description("Domain shifts found by the label-free monitor: per task for the busiest tasks, task="
                        + OTHER_TASKS + " for the rest")
                .register(registry);
    }

    private io.micrometer.core.instrument.Counter driftCounter(String task) {
        return io.micrometer.core.instrument.Counter.builder(DRIFT_EVENTS).tag("task", task)
                .description("Drift detections that triggered a reaction: per task for the busiest tasks, task="
                        + OTHER_TASKS + " for the others").register(registry);
    }

    /**
     * Re-ranks the tracked tasks and updates which ones have gauges, at most once per {@code intervalMs}.
     *
     * @return whether it ranked
     */
    boolean rank(long now, long intervalMs) {
        if (!due(now, intervalMs)) {
            return false; // the other partitions' punctuators: no wait on a scrape in progress
        }
        seriesLock.writeLock().lock(); // before the monitor, never inside it: a scrape's gauges take the monitor
        try {
            return rankNow(now, intervalMs);
        } finally {
            seriesLock.writeLock().unlock();
        }
    }

    private synchronized boolean due(long now, long intervalMs) {
        return !ranked || now - lastRank >= intervalMs;
    }

    private synchronized boolean rankNow(long now, long intervalMs) {
        if (!due(now, intervalMs)) {
            return false;
        }
        ranked = true;
        lastRank = now;
        List<Entry> order = new ArrayList<>(tracked.values());
        order.sort(Comparator.comparingDouble((Entry e) -> -e.volume).thenComparing(e -> e.task));
        Set<String> top = new HashSet<>();
        for (int i = 0; i < Math.min(topN, order.size()); i++) {
            top.add(order.get(i).task);
        }
        shown.entrySet().removeIf(s -> {
            if (top.contains(s.getKey())) {
                return false;
            }
            s.getValue().forEach(registry::remove);
            return true;
        });
        for (int i = 0; i < Math.min(topN, order.size()); i++) {
            Entry e = order.get(i);
            shown.computeIfAbsent(e.task, t -> register(e));
        }
        tracked.values().removeIf(e -> {
            e.volume /= 2;
            boolean stale = !e.reportedSinceRank && e.volume < 1 && !top.contains(e.task);
            e.reportedSinceRank = false;
            return stale;
        });
        aggregates.entrySet().removeIf(a -> {
            String[] figureKind = a.getKey().split(":", 2);
            if (Double.isFinite(mean(figureKind[1], figureKind[0].equals("accuracy") ? x -> x.accuracy : x -> x.loss))) {
                return false;
            }
            registry.remove(a.getValue());
            return true;
        });
        return true;
    }

    /**
     * Runs a read of the registry (a Prometheus scrape) while no ranking is swapping the per-task series. A scrape
     * walks the registry's meters without a lock of its own, so one that overlapped a ranking could list the gauges
     * of the tasks that dropped out and of those that replaced them: up to twice {@code metrics.top.tasks} tasks. It
     * holds off rankings only: the stream threads' reports do not wait for a scrape.
     */
    <T> T whileSeriesStable(java.util.function.Supplier<T> read) {
        seriesLock.readLock().lock();
        try {
            return read.get();
        } finally {
            seriesLock.readLock().unlock();
        }
    }

    /** The tasks that have gauges now, busiest first as of the last ranking. */
    synchronized List<String> shownTasks() {
        return List.copyOf(shown.keySet());
    }

    private List<Meter> register(Entry e) {
        String task = e.task;
        String kind = e.kind;
        List<Meter> meters = new ArrayList<>(3);
        meters.add(Gauge.builder("metastream.task.accuracy", this, g -> g.field(task, x -> x.accuracy))
                .tags("task", task, "kind", kind).description("Windowed accuracy of one of the busiest tasks")
                .strongReference(true).register(registry));
        meters.add(Gauge.builder("metastream.task.loss", this, g -> g.field(task, x -> x.loss))
                .tags("task", task, "kind", kind)
                .description("Windowed loss of one of the busiest tasks (log loss; mean squared error for regression)")
                .strongReference(true).register(registry));
        meters.add(Gauge.builder("metastream.task.examples", this, g -> g.field(task, x -> x.observed))
                .tags("task", task, "kind", kind).description("Labelled examples scored by one of the busiest tasks")
                .strongReference(true).register(registry));
        meters.add(driftCounter(task));
        for (String signal : SHIFT_SIGNALS) {
            meters.add(Gauge.builder("metastream.task.shift.score", this,
                            g -> g.field(task, x -> x.shiftScores.getOrDefault(signal, Double.NaN)))
                    .tags("task", task, "kind", kind, "signal", signal)
                    .description("One of the busiest tasks' latest domain-shift check: the signal's score (inputs: "
                            + "share of drifted features; inputs-mmd: the MMD statistic; prediction, label: the test's "
                            + "p-value)")
                    .strongReference(true).register(registry));
        }
        meters.add(shiftCounter(task));
        return meters;
    }

    private synchronized double field(String task, ToDoubleFunction<Entry> f) {
        Entry e = tracked.get(task);
        return e == null ? Double.NaN : f.applyAsDouble(e);
    }

    private synchronized double mean(String kind, ToDoubleFunction<Entry> f) {
        double sum = 0;
        int n = 0;
        for (Entry e : tracked.values()) {
            double v = f.applyAsDouble(e);
            if (kind.equals(e.kind) && Double.isFinite(v)) {
                sum += v;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    private synchronized double trackedCount() {
        return tracked.size();
    }

    private static double value(Map<String, Double> values, String first, String second) {
        Double v = values.get(first);
        if (v == null) {
            v = values.get(second);
        }
        return v == null ? Double.NaN : v;
    }
}
