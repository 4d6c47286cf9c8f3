package dev.metastream.learn;

import dev.metastream.shift.ShiftMonitor;
import dev.metastream.shift.ShiftReport;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One {@link ShiftMonitor} per task, fed every record the learner sees (labelled or not): its raw features, the
 * prediction made for it and its label when it has one. A check that finds a shift becomes a
 * {@link LearnerEvents.ShiftEvent}.
 *
 * <p>A monitor is written to the {@link LearnerStore} after every record. Unlike a task's state it is not rebuilt by
 * re-learning the buffered micro-batch after a restart (an unlabelled record never enters that buffer), so holding it
 * until the batch is learned would lose what it saw. The deserialised monitors of recent tasks stay on heap, as
 * many as {@code learner.task.cache.size}.
 */
final class ShiftMonitoring {
    private final LearnerConfig config;
    private final LearnerStore store;
    private final LearnerEvents events;
    private final Map<String, ShiftMonitor> cache;

    ShiftMonitoring(LearnerConfig config, LearnerStore store, LearnerEvents events) {
        this.config = config;
        this.store = store;
        this.events = events;
        int cacheSize = config.taskCacheSize();
        this.cache = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, ShiftMonitor> eldest) {
                return size() > cacheSize;
            }
        };
    }

    /** Observes one record and its prediction; publishes a shift when the check at this record finds one. */
    void observe(Instance in, TaskSpec spec, float[] output) {
        if (!config.shift().enabled()) {
            return;
        }
        ShiftMonitor m = monitor(in.task(), spec);
        ShiftReport report = m.observe(in.x(), predicted(spec, output), in.labelled() ? label(spec, in.target())
                : Double.NaN);
        store.putShiftMonitor(in.task(), m.toBytes());
        ShiftReport latest = m.latest();
        if (latest != null && latest.position() == m.position()) {
            events.shiftChecked(in.task(), latest);
        }
        if (report != null) {
            events.domainShift(new LearnerEvents.ShiftEvent(in.task(), report, in.timestamp()));
        }
    }

    /** The latest check of a task's monitor, or null when it has none yet. */
    ShiftReport latest(String task) {
        ShiftMonitor m = cache.get(task);
        if (m == null) {
            byte[] b = store.shiftMonitor(task);
            m = b == null ? null : ShiftMonitor.fromBytes(b);
        }
        return m == null ? null : m.latest();
    }

    /** Forgets a deleted task's monitor (the store forgets it with the task). */
    void forget(String task) {
        cache.remove(task);
    }

    private ShiftMonitor monitor(String task, TaskSpec spec) {
        ShiftMonitor m = cache.get(task);
        if (m != null) {
            return m;
        }
        byte[] b = store.shiftMonitor(task);
        int categories = categories(spec);
        if (b != null) {
            m = ShiftMonitor.fromBytes(b);
        }
        if (m == null || m.inputDim() != config.inputDim() || m.outputCategories() != categories) {
            // A new task, or one whose kind or width was reconfigured: its old reference says nothing about the new.
            m = new ShiftMonitor(config.shift().settings(), config.inputDim(), categories,
                    Seeds.of(task, config.seed()));
        }
        cache.put(task, m);
        return m;
    }

    /** Categories of the task's predictions and labels as the monitor counts them: 0 for real values. */
    static int categories(TaskSpec spec) {
        return switch (spec.kind()) {
            case CLASSIFICATION -> spec.outputs();
            case BINARY -> 2;
            case REGRESSION, MULTILABEL -> 0;
        };
    }

    /** The prediction as the monitor sees it: the class, the 0/1 decision, the value, or none for multi-label. */
    static double predicted(TaskSpec spec, float[] output) {
        return switch (spec.kind()) {
            case CLASSIFICATION -> argmax(output);
            case BINARY -> output[0] >= 0.5f ? 1 : 0;
            case REGRESSION -> output[0];
            case MULTILABEL -> Double.NaN;
        };
    }

    /** The label as the monitor sees it, encoded as {@link #predicted} encodes predictions. */
    static double label(TaskSpec spec, float[] target) {
        return switch (spec.kind()) {
            case CLASSIFICATION -> argmax(target);
            case BINARY -> target[0] >= 0.5f ? 1 : 0;
            case REGRESSION -> target[0];
            case MULTILABEL -> Double.NaN;
        };
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
