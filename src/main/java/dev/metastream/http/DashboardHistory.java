package dev.metastream.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the dashboard shows, held in memory and bounded whatever the number of tasks: per task its latest figures, a
 * prequential curve of at most {@value #POINTS_PER_TASK} points and its last {@value #EVENTS_PER_TASK} drift events;
 * at most {@value #MAX_TASKS} tasks (the ones not updated for longest are dropped first); dead letters by reason;
 * and {@value #SAMPLES} samples of this instance's throughput and consumer lag.
 *
 * <p>It is fed with the records of the metrics, drift and dead-letter topics ({@link DashboardFeed}), in their JSON as
 * documented in {@code topology/records.md}, so it shows every instance's tasks, not only this instance's. A curve
 * keeps its whole span in a bounded size: when it is full, every other point is dropped and the minimum gap between
 * kept points doubles; the newest point always replaces a too-close last one, so the curve ends at the task's current
 * figure.
 *
 * <p>Thread-safe: the feed thread writes, request threads read; every method takes the instance's lock, and every
 * read copies into a new JSON tree.
 */
public final class DashboardHistory {
    /** Tasks kept; beyond it, the task not updated for longest is dropped. */
    public static final int MAX_TASKS = 10_000;
    /** Points kept per task curve. */
    public static final int POINTS_PER_TASK = 240;
    /** Drift events kept per task. */
    public static final int EVENTS_PER_TASK = 50;
    /** Throughput and lag samples kept. */
    public static final int SAMPLES = 300;

    /**
     * The figure drawn per task kind, first one present wins (tasks whose stored state predates the detailed metrics
     * report only some; see {@code topology/records.md}). Higher is better except for the regression errors.
     */
    private static final Map<String, List<String>> CURVE_METRIC = Map.of(
            "classification", List.of("accuracy"),
            "binary", List.of("accuracy"),
            "regression", List.of("rmse", "mse", "mae"),
            "multilabel", List.of("subset_accuracy", "hamming_loss"));

    private final ObjectMapper mapper = new ObjectMapper();
    private final Map<String, Task> tasks = new HashMap<>();
    private final Map<String, Long> deadLetters = new TreeMap<>();
    private final ArrayDeque<double[]> samples = new ArrayDeque<>();
    private long maxMetaVersion = -1;
    private long metricsRecords;
    private long driftRecords;
    private long clock;

    /** One task's figures and bounded curve. */
    private static final class Task {
        final String id;
        String kind = "";
        String metric = "";
        long examplesSeen;
        long examplesLearned;
        long metaVersion;
        long drifts;
        long ts;
        /** Ordering of updates, for eviction (a counter: record timestamps may be event times from any era). */
        long touched;
        double value = Double.NaN;
        double window = Double.NaN;
        final long[] x = new long[POINTS_PER_TASK];
        final float[] cumulative = new float[POINTS_PER_TASK];
        final float[] windowed = new float[POINTS_PER_TASK];
        int n;
        long minGap = 1;
        final ArrayDeque<ObjectNode> events = new ArrayDeque<>();

        Task(String id) {
            this.id = id;
        }

        void point(long examples, double cum, double win) {
            if (n > 0 && examples <= x[n - 1]) {
                if (examples < x[n - 1]) {
                    // The task was reset (or its state lost): its curve starts again.
                    n = 0;
                    minGap = 1;
                } else {
                    set(n - 1, examples, cum, win);
                    return;
                }
            }
            if (n >= 2 && examples - x[n - 2] < minGap) {
                set(n - 1, examples, cum, win); // too close to the one before the last: the last moves on
                return;
            }
            if (n == POINTS_PER_TASK) {
                int k = 0;
                for (int i = 0; i < n; i += 2) {
                    set(k++, x[i], cumulative[i], windowed[i]);
                }
                n = k;
                minGap *= 2;
            }
            set(n++, examples, cum, win);
        }

        private void set(int i, long examples, double cum, double win) {
            x[i] = examples;
            cumulative[i] = (float) cum;
            windowed[i] = (float) win;
        }
    }

    /**
     * Takes one record of the metrics topic.
     *
     * @param record its JSON value
     */
    public synchronized void metrics(JsonNode record) {
        String id = record.path("task").asText("");
        if (id.isEmpty()) {
            return;
        }
        metricsRecords++;
        Task t = task(id);
        t.kind = record.path("kind").asText("");
        t.examplesSeen = record.path("examples_seen").asLong();
        t.examplesLearned = record.path("examples_learned").asLong();
        t.metaVersion = record.path("meta_version").asLong();
        t.drifts = record.path("drifts").asLong();
        t.ts = record.path("ts").asLong();
        maxMetaVersion = Math.max(maxMetaVersion, t.metaVersion);
        JsonNode m = record.path("metrics");
        for (String name : CURVE_METRIC.getOrDefault(t.kind, List.of("accuracy"))) {
            if (m.has(name)) {
                t.metric = name;
                t.value = number(m.get(name));
                t.window = m.has(name + "_window") ? number(m.get(name + "_window")) : Double.NaN;
                t.point(t.examplesSeen, t.value, t.window);
                break;
            }
        }
    }

    /**
     * Takes one record of the drift-events topic.
     *
     * @param record its JSON value
     */
    public synchronized void drift(JsonNode record) {
        String id = record.path("task").asText("");
        if (id.isEmpty()) {
            return;
        }
        driftRecords++;
        Task t = task(id);
        ObjectNode e = mapper.createObjectNode();
        e.put("position", record.path("position").asLong());
        e.put("ts", record.path("ts").asLong());
        e.put("detector", record.path("detector").asText(""));
        // prequential-error for an error detector; inputs, inputs-mmd, prediction or label for a domain shift.
        e.put("signal", record.path("signal").asText(""));
        e.put("reaction", record.path("reaction").asText(""));
        t.events.addLast(e);
        while (t.events.size() > EVENTS_PER_TASK) {
            t.events.removeFirst();
        }
    }

    /**
     * Counts one record of the dead-letter topic.
     *
     * @param reason its {@code metastream.error.reason} header (null counts as {@code unknown})
     */
    public synchronized void deadLetter(String reason) {
        deadLetters.merge(reason == null || reason.isEmpty() ? "unknown" : reason, 1L, Long::sum);
    }

    /**
     * Keeps one sample of this instance's figures.
     *
     * @param now           epoch ms
     * @param examplesPerSec examples scored per second by this instance since the previous sample
     * @param lag           records waiting on this instance's input partitions (NaN when unknown)
     * @param metaVersion   the shared-model version this instance has seen (-1 when none)
     */
    public synchronized void sample(long now, double examplesPerSec, double lag, long metaVersion) {
        samples.addLast(new double[] {now, examplesPerSec, lag});
        while (samples.size() > SAMPLES) {
            samples.removeFirst();
        }
        maxMetaVersion = Math.max(maxMetaVersion, metaVersion);
    }

    /** Tasks held now. */
    public synchronized int taskCount() {
        return tasks.size();
    }

    /**
     * The overview: totals, samples, dead letters and the busiest tasks matching a search.
     *
     * @param query a case-insensitive part of the task id ("" = every task)
     * @param limit at most this many tasks, most examples seen first
     */
    public synchronized ObjectNode summary(String query, int limit) {
        ObjectNode root = mapper.createObjectNode();
        root.put("tasks_total", tasks.size());
        root.put("meta_version", maxMetaVersion);
        root.put("metrics_records", metricsRecords);
        root.put("drift_records", driftRecords);
        long examples = 0;
        long drifts = 0;
        for (Task t : tasks.values()) {
            examples += t.examplesSeen;
            drifts += t.events.size();
        }
        root.put("examples_seen", examples);
        root.put("drift_events", drifts);
        ObjectNode dl = root.putObject("dead_letters");
        deadLetters.forEach(dl::put);
        ArrayNode s = root.putArray("samples");
        for (double[] v : samples) {
            ArrayNode p = s.addArray();
            p.add((long) v[0]);
            putNumber(p, v[1]);
            putNumber(p, v[2]);
        }
        String q = query == null ? "" : query.trim().toLowerCase(Locale.ROOT);
        List<Task> matched = new ArrayList<>();
        for (Task t : tasks.values()) {
            if (q.isEmpty() || t.id.toLowerCase(Locale.ROOT).contains(q)) {
                matched.add(t);
            }
        }
        root.put("tasks_matched", matched.size());
        matched.sort(Comparator.comparingLong((Task t) -> t.examplesSeen).reversed().thenComparing(t -> t.id));
        ArrayNode list = root.putArray("tasks");
        for (Task t : matched.subList(0, Math.min(Math.max(0, limit), matched.size()))) {
            ObjectNode n = list.addObject();
            n.put("task", t.id);
            n.put("kind", t.kind);
            n.put("metric", t.metric);
            n.put("examples_seen", t.examplesSeen);
            n.put("examples_learned", t.examplesLearned);
            putNumber(n, "value", t.value);
            putNumber(n, "value_window", t.window);
            n.put("drifts", t.drifts);
            n.put("meta_version", t.metaVersion);
            n.put("ts", t.ts);
        }
        return root;
    }

    /**
     * The curves and drift events of some tasks; unknown ids are left out.
     *
     * @param ids the tasks
     */
    public synchronized ObjectNode curves(List<String> ids) {
        ObjectNode root = mapper.createObjectNode();
        ArrayNode list = root.putArray("tasks");
        for (String id : ids) {
            Task t = tasks.get(id);
            if (t == null) {
                continue;
            }
            ObjectNode n = list.addObject();
            n.put("task", t.id);
            n.put("kind", t.kind);
            n.put("metric", t.metric);
            n.put("examples_seen", t.examplesSeen);
            ArrayNode pts = n.putArray("points");
            for (int i = 0; i < t.n; i++) {
                ArrayNode p = pts.addArray();
                p.add(t.x[i]);
                putNumber(p, t.cumulative[i]);
                putNumber(p, t.windowed[i]);
            }
            ArrayNode ev = n.putArray("drifts");
            t.events.forEach(e -> ev.add(e.deepCopy()));
        }
        return root;
    }

    private Task task(String id) {
        Task t = tasks.get(id);
        if (t == null) {
            if (tasks.size() >= MAX_TASKS) {
                tasks.values().stream().min(Comparator.comparingLong(o -> o.touched))
                        .ifPresent(old -> tasks.remove(old.id));
            }
            t = new Task(id);
            tasks.put(id, t);
        }
        t.touched = ++clock;
        return t;
    }

    private static double number(JsonNode n) {
        return n == null || !n.isNumber() ? Double.NaN : n.asDouble();
    }

    private static void putNumber(ArrayNode a, double v) {
        if (Double.isFinite(v)) {
            a.add(v);
        } else {
            a.addNull();
        }
    }

    private static void putNumber(ObjectNode o, String name, double v) {
        if (Double.isFinite(v)) {
            o.put(name, v);
        } else {
            o.putNull(name);
        }
    }
}
