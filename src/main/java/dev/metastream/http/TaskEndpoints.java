package dev.metastream.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.metastream.learn.LearnerEvents;
import dev.metastream.learn.MetaSnapshot;
import dev.metastream.learn.ModelExport;
import dev.metastream.learn.SharedState;
import dev.metastream.learn.StreamingLearner;
import dev.metastream.learn.TaskSpec;
import dev.metastream.learn.TaskState;
import dev.metastream.topology.ControlCommand;
import dev.metastream.topology.MetastreamTopology;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsNotStartedException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The endpoints that manage tasks, beside {@link HttpApi}'s own (which routes to {@link #route}):
 *
 * <ul>
 *   <li>{@code GET /tasks?offset=0&limit=100&q=&sort=task|examples}: every task of every instance (each instance
 *       reads its local active stores; this one asks the others through their {@code application.server}), sorted by
 *       task id (or by examples seen, the busiest first), filtered by a case-insensitive substring {@code q}, paged.
 *       Each task with its kind, counts ({@code examples_seen} scored, {@code examples_learned}), head version, drift
 *       count, its primary prequential figure ({@code accuracy}; {@code rmse} for regression; {@code subset_accuracy}
 *       for multi-label) cumulative and windowed, and every metric as on the metrics topic.</li>
 *   <li>{@code DELETE /tasks/{task}}: writes a {@code delete-task} command to the control topic, keyed by the task
 *       and on the partition that owns it; the owner's learner applies it inside its exactly-once transaction. 202
 *       with the request id and what will happen.</li>
 *   <li>{@code GET /models/{task}/export}, {@code POST /models/{task}/import}, {@code POST /models/meta/import}: the
 *       portable model format ({@code docs/model-format.md}).</li>
 * </ul>
 */
final class TaskEndpoints {
    private static final String JSON = "application/json";
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    private final HttpApi api;
    private volatile Producer<String, byte[]> producer;

    TaskEndpoints(HttpApi api) {
        this.api = api;
    }

    void producer(Producer<String, byte[]> producer) {
        this.producer = producer;
    }

    int route(HttpExchange ex, String method, String path) throws IOException {
        if (path.equals("/tasks")) {
            return api.requireGet(ex, method) ? list(ex) : 405;
        }
        if (path.startsWith("/tasks/") && path.length() > "/tasks/".length()) {
            String task = path.substring("/tasks/".length());
            if (!method.equals("DELETE")) {
                ex.getResponseHeaders().set("Allow", "DELETE");
                return api.error(ex, 405, "use DELETE /tasks/{task} to delete a task (GET /tasks lists them)");
            }
            return delete(ex, task);
        }
        if (path.endsWith("/export")) {
            String task = path.substring("/models/".length(), path.length() - "/export".length());
            if (task.isEmpty()) {
                return api.error(ex, 404, "use GET /models/{task}/export");
            }
            return api.requireGet(ex, method) ? export(ex, task) : 405;
        }
        String task = path.substring("/models/".length(), path.length() - "/import".length());
        if (task.isEmpty()) {
            return api.error(ex, 404, "use POST /models/{task}/import or POST /models/meta/import");
        }
        if (!method.equals("POST")) {
            ex.getResponseHeaders().set("Allow", "POST");
            return api.error(ex, 405, "use POST with an exported model (docs/model-format.md) as the body");
        }
        return importModel(ex, task);
    }

    // ------------------------------------------------------------------ GET /tasks

    private int list(HttpExchange ex) throws IOException {
        Map<String, String> query = query(ex.getRequestURI());
        // An instance asked by another answers its own first offset + limit tasks, however many that is.
        boolean localOnly = query.containsKey("local") || ex.getRequestHeaders().containsKey(HttpApi.FORWARDED_HEADER);
        int offset;
        int limit;
        try {
            offset = intParam(query, "offset", 0, 0, Integer.MAX_VALUE / 2);
            limit = intParam(query, "limit", DEFAULT_LIMIT, 1, localOnly ? Integer.MAX_VALUE / 2 : MAX_LIMIT);
        } catch (IllegalArgumentException e) {
            return api.error(ex, 400, e.getMessage());
        }
        String q = query.getOrDefault("q", "");
        String sort = query.getOrDefault("sort", "task");
        if (!sort.equals("task") && !sort.equals("examples")) {
            return api.error(ex, 400, "sort=" + sort + " is not known: use sort=task (by id) or sort=examples "
                    + "(busiest first)");
        }
        KafkaStreams s = api.streams;
        HostInfo me = api.self;
        if (s == null || me == null) {
            return api.unavailable(ex, "the streams client is not started yet");
        }
        Comparator<JsonNode> order = sort.equals("task")
                ? Comparator.comparing((JsonNode n) -> n.path("task").asText())
                : Comparator.comparingLong((JsonNode n) -> -n.path("examples_seen").asLong())
                        .thenComparing(n -> n.path("task").asText());
        List<JsonNode> tasks = new ArrayList<>();
        long total;
        try {
            total = local(s, q, offset + limit, order, tasks);
        } catch (InvalidStateStoreException e) {
            return api.unavailable(ex, "this instance's task stores are not queryable now (" + s.state() + "); retry");
        }
        int instances = 1;
        if (!localOnly) {
            List<HostInfo> others = new ArrayList<>();
            try {
                for (StreamsMetadata m : s.streamsMetadataForStore(MetastreamTopology.TASK_STATE_STORE)) {
                    if (!m.hostInfo().equals(me) && !others.contains(m.hostInfo())) {
                        others.add(m.hostInfo());
                    }
                }
            } catch (StreamsNotStartedException | IllegalStateException e) {
                return api.unavailable(ex, "instance metadata is unknown now (" + s.state() + "); retry");
            }
            for (HostInfo other : others) {
                String uri = "http://" + other.host() + ":" + other.port() + "/tasks?local=true&offset=0&limit="
                        + (offset + limit) + "&sort=" + sort + "&q="
                        + URLEncoder.encode(q, StandardCharsets.UTF_8);
                HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(uri))
                        .timeout(Duration.ofMillis(api.settings.forwardTimeoutMs()))
                        .header(HttpApi.FORWARDED_HEADER, me.host() + ":" + me.port()).GET();
                String authorization = ex.getRequestHeaders().getFirst("Authorization");
                if (authorization != null) {
                    req.header("Authorization", authorization);
                }
                HttpResponse<byte[]> resp;
                try {
                    resp = api.client.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
                } catch (IOException e) {
                    return api.unavailable(ex, "instance " + other + " did not answer its task list ("
                            + e.getClass().getSimpleName() + "); retry");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return api.unavailable(ex, "interrupted while asking " + other);
                }
                if (resp.statusCode() != 200) {
                    return api.unavailable(ex, "instance " + other + " answered " + resp.statusCode()
                            + " for its task list; retry");
                }
                JsonNode n = api.mapper.readTree(resp.body());
                total += n.path("total").asLong();
                n.path("tasks").forEach(tasks::add);
                instances++;
            }
        }
        tasks.sort(order);
        ObjectNode out = api.mapper.createObjectNode();
        out.put("offset", localOnly ? 0 : offset);
        out.put("limit", limit);
        out.put("total", total);
        out.put("instances", instances);
        if (!q.isEmpty()) {
            out.put("q", q);
        }
        out.put("sort", sort);
        ArrayNode page = out.putArray("tasks");
        int from = localOnly ? 0 : offset;
        int to = localOnly ? tasks.size() : Math.min(tasks.size(), offset + limit);
        for (int i = from; i < to; i++) {
            page.add(tasks.get(i));
        }
        return HttpApi.send(ex, 200, JSON, api.mapper.writeValueAsBytes(out));
    }

    /**
     * This instance's tasks matching {@code q} (every active partition it holds), the first {@code keep} in order
     * added to {@code out}.
     *
     * @return how many tasks match on this instance
     */
    private long local(KafkaStreams s, String q, int keep, Comparator<JsonNode> order, List<JsonNode> out) {
        ReadOnlyKeyValueStore<String, byte[]> store = s.store(StoreQueryParameters.fromNameAndType(
                MetastreamTopology.TASK_STATE_STORE, QueryableStoreTypes.<String, byte[]>keyValueStore()));
        String needle = q.toLowerCase(Locale.ROOT);
        List<JsonNode> matching = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                if (needle.isEmpty() || kv.key.toLowerCase(Locale.ROOT).contains(needle)) {
                    matching.add(summary(TaskState.fromBytes(kv.value)));
                }
            }
        }
        matching.sort(order);
        out.addAll(matching.subList(0, Math.min(keep, matching.size())));
        return matching.size();
    }

    /** One task's line of {@code GET /tasks}. */
    private ObjectNode summary(TaskState st) {
        TaskSpec spec = api.config.taskSpec(st.task());
        String kind = spec.kind().name().toLowerCase(Locale.ROOT);
        ObjectNode n = api.mapper.createObjectNode();
        n.put("task", st.task());
        n.put("kind", kind);
        n.put("examples_seen", st.observed());
        n.put("examples_learned", st.learned());
        n.put("version", st.updates());
        n.put("drifts", st.drifts());
        Map<String, Double> values = st.metrics().snapshot();
        String metric = spec.kind().headlineMetric();
        n.put("metric", metric);
        finite(n, "value", values.get(metric));
        finite(n, "value_window", values.get(metric + "_window"));
        ObjectNode all = n.putObject("metrics");
        values.forEach((k, v) -> finite(all, k, v));
        if (api.self != null) {
            n.put("served_by", api.self.host() + ":" + api.self.port());
        }
        return n;
    }

    private static void finite(ObjectNode n, String key, Double v) {
        if (v == null || !Double.isFinite(v)) {
            n.putNull(key);
        } else {
            n.put(key, v);
        }
    }

    // ------------------------------------------------------------------ GET /models/{task} without a snapshot

    /** A snapshot record made from the task's current state, or null when the partition does not hold the task. */
    byte[] currentSnapshot(KafkaStreams s, int partition, String task) {
        byte[] state = HttpApi.partitionStore(s, MetastreamTopology.TASK_STATE_STORE, partition).get(task);
        if (state == null) {
            return null;
        }
        byte[] shared = HttpApi.partitionStore(s, MetastreamTopology.SHARED_STATE_STORE, partition)
                .get(MetastreamTopology.SHARED_STATE_KEY);
        SharedState sharedState = shared == null ? null : SharedState.fromBytes(shared);
        long metaVersion = sharedState == null ? 0 : sharedState.baseVersion();
        TaskState st = StreamingLearner.withCurrentHead(api.config, sharedState, TaskState.fromBytes(state));
        TaskSpec spec = api.config.taskSpec(task);
        return api.records.taskSnapshot(new LearnerEvents.TaskSnapshot(task, st.updates(), metaVersion, st.learned(),
                api.config.digest(), System.currentTimeMillis(), spec, st.head().length / spec.outputs() - 1,
                st.head().clone()));
    }

    // ------------------------------------------------------------------ DELETE /tasks/{task}

    private int delete(HttpExchange ex, String task) throws IOException {
        if (task.equals(MetastreamTopology.META_KEY)) {
            return api.error(ex, 400, "the shared model cannot be deleted; POST /models/meta/import replaces it");
        }
        ObjectNode n = send(ex, ControlCommand.DELETE_TASK, task, null);
        if (n == null) {
            return 503;
        }
        n.put("what_happens", "the learner partition that owns task " + task + " learns its buffered micro-batch, "
                + "then deletes the task's state, episodic memory, reference gradient and latest snapshot (a tombstone "
                + "goes to the snapshots topic), in one exactly-once transaction; GET /models/" + task
                + " then answers 404 and GET /tasks no longer lists it. An example of the task arriving later starts "
                + "it again from the current meta initialisation. The shared model keeps what the task taught it.");
        return HttpApi.send(ex, 202, JSON, api.mapper.writeValueAsBytes(n));
    }

    /**
     * Writes one command to the control topic, on the partition that owns {@code task}, and waits for the broker's
     * acknowledgement. On failure it has answered (503) and returns null; else the start of the 202 answer.
     */
    private ObjectNode send(HttpExchange ex, String command, String task, JsonNode model) throws IOException {
        Producer<String, byte[]> p = producer;
        KafkaStreams s = api.streams;
        if (p == null || s == null) {
            api.unavailable(ex, "this instance cannot write control commands (no producer or not started yet)");
            return null;
        }
        KeyQueryMetadata md;
        try {
            md = s.queryMetadataForKey(MetastreamTopology.TASK_STATE_STORE, task, Serdes.String().serializer());
        } catch (IllegalStateException e) {
            api.unavailable(ex, "task ownership is unknown now (" + s.state() + "); retry");
            return null;
        }
        if (md == null || md.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            api.unavailable(ex, "no instance owns task " + task + " right now (rebalancing); retry");
            return null;
        }
        String id = UUID.randomUUID().toString();
        long now = System.currentTimeMillis();
        ControlCommand c = ControlCommand.of(command, task, id, now, model);
        RecordMetadata written;
        try {
            written = p.send(new ProducerRecord<>(api.topics.controlTopic(), md.partition(), task, c.toBytes()))
                    .get(Math.max(5_000, api.settings.forwardTimeoutMs()), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            api.unavailable(ex, "could not write the command to " + api.topics.controlTopic() + " (topic.control): "
                    + cause.getClass().getSimpleName() + ": " + cause.getMessage() + "; retry");
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            api.unavailable(ex, "interrupted while writing the command");
            return null;
        }
        ObjectNode n = api.mapper.createObjectNode();
        n.put("status", 202);
        n.put("command", command);
        n.put("task", task);
        n.put("request_id", id);
        n.put("control_topic", written.topic());
        n.put("partition", written.partition());
        n.put("offset", written.offset());
        if (md.activeHost() != null && md.activeHost().port() >= 0) {
            n.put("owner", md.activeHost().host() + ":" + md.activeHost().port());
        }
        return n;
    }

    // ------------------------------------------------------------------ export and import

    private static final com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>> MAP =
            new com.fasterxml.jackson.core.type.TypeReference<>() {};

    private int export(HttpExchange ex, String task) throws IOException {
        if (task.equals(MetastreamTopology.META_KEY)) {
            KafkaStreams s = api.streams;
            if (s == null || api.self == null) {
                return api.unavailable(ex, "the streams client is not started yet");
            }
            byte[] bytes;
            try {
                bytes = s.store(StoreQueryParameters.fromNameAndType(MetastreamTopology.META_MODEL_STORE,
                        QueryableStoreTypes.<String, byte[]>keyValueStore())).get(MetastreamTopology.META_KEY);
            } catch (InvalidStateStoreException e) {
                return api.unavailable(ex, "the shared-model store is not queryable now (" + s.state() + ")");
            }
            MetaSnapshot snapshot = bytes != null ? MetaSnapshot.fromBytes(bytes) : MetaSnapshot.initial(api.config);
            api.servedBy(ex);
            return HttpApi.send(ex, 200, JSON, api.mapper.writeValueAsBytes(
                    ModelExport.meta(api.config, snapshot, provenance(-1))));
        }
        return api.owned(ex, task, null, (s, partition) -> {
            byte[] state = HttpApi.partitionStore(s, MetastreamTopology.TASK_STATE_STORE, partition).get(task);
            if (state == null) {
                return null;
            }
            byte[] shared = HttpApi.partitionStore(s, MetastreamTopology.SHARED_STATE_STORE, partition)
                    .get(MetastreamTopology.SHARED_STATE_KEY);
            try {
                return api.mapper.writeValueAsBytes(ModelExport.task(api.config,
                        shared == null ? null : SharedState.fromBytes(shared), TaskState.fromBytes(state),
                        provenance(partition)));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, HttpApi.unknownTask(task));
    }

    private Map<String, Object> provenance(int partition) {
        Map<String, Object> p = new LinkedHashMap<>();
        HostInfo me = api.self;
        p.put("source", "metastream " + (me == null ? "?" : me.host() + ":" + me.port())
                + (partition >= 0 ? " partition " + partition : "") + " (" + api.topics.examplesTopic() + ")");
        p.put("exported_at", System.currentTimeMillis());
        return p;
    }

    private int importModel(HttpExchange ex, String task) throws IOException {
        byte[] raw = body(ex, api.topics.maxRecordBytes());
        if (raw.length > api.topics.maxRecordBytes()) {
            return api.error(ex, 413, "the model is over input.max.record.bytes=" + api.topics.maxRecordBytes()
                    + " bytes; raise it (and the broker's max.message.bytes for topic.control)");
        }
        JsonNode model;
        Map<String, Object> parsed;
        try {
            model = api.mapper.readTree(raw);
            parsed = api.mapper.convertValue(model, MAP);
        } catch (IOException | IllegalArgumentException e) {
            return api.error(ex, 400, "the body must be an exported model (JSON object, docs/model-format.md): "
                    + e.getMessage());
        }
        if (parsed == null) {
            return api.error(ex, 400, "the body must be an exported model (JSON object, docs/model-format.md)");
        }
        boolean meta = task.equals(MetastreamTopology.META_KEY);
        try {
            if (meta) {
                ModelExport.checkHeader(parsed, "meta");
                ModelExport.importMeta(api.config, parsed, 0, 0);
            } else {
                ModelExport.checkTask(api.config, task, parsed);
            }
        } catch (IllegalArgumentException | ClassCastException e) {
            return api.error(ex, 400, "cannot import this model: " + e.getMessage());
        }
        ObjectNode n = send(ex, meta ? ControlCommand.IMPORT_META : ControlCommand.IMPORT_TASK, task, model);
        if (n == null) {
            return 503;
        }
        n.put("what_happens", meta
                ? "the learner partition of key meta hands the model to the shared-model aggregator, which publishes "
                        + "it as the next shared-model version (trunk and head initialisations replaced); every "
                        + "partition rebases on it at its next meta.sync.interval.ms, keeping what it learned since "
                        + "its last publication"
                : "the learner partition that owns task " + task + " learns its buffered micro-batch, replaces the "
                        + "task by the imported model (head, linear expert, mixture weights, previous label, label "
                        + "frequencies; counters and metrics from zero) and publishes its snapshot, in one "
                        + "exactly-once transaction");
        return HttpApi.send(ex, 202, JSON, api.mapper.writeValueAsBytes(n));
    }

    static byte[] body(HttpExchange ex, int max) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            return in.readNBytes(max + 1);
        }
    }

    // ------------------------------------------------------------------ query strings

    static Map<String, String> query(URI uri) {
        Map<String, String> out = new LinkedHashMap<>();
        String raw = uri.getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    private static int intParam(Map<String, String> q, String name, int dflt, int min, int max) {
        String v = q.get(name);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + v + " must be a whole number from " + min + " to " + max);
        }
    }
}
