package dev.metastream.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.metastream.data.InputRecordParser;
import dev.metastream.learn.Instance;
import dev.metastream.learn.LearnerConfig;
import dev.metastream.learn.MetaSnapshot;
import dev.metastream.learn.Prediction;
import dev.metastream.learn.SharedState;
import dev.metastream.learn.StreamingLearner;
import dev.metastream.learn.TaskState;
import dev.metastream.shift.ShiftMonitor;
import dev.metastream.shift.ShiftReport;
import dev.metastream.topology.MetastreamMetrics;
import dev.metastream.topology.MetastreamTopology;
import dev.metastream.topology.OutputRecords;
import dev.metastream.topology.StateRestoreMonitor;
import dev.metastream.topology.TopologyConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The instance's HTTP API on the JDK's built-in server ({@code com.sun.net.httpserver}), served by
 * {@code http.threads} request threads of its own (they read stores and forward requests; they never run stream
 * work).
 *
 * <table>
 *   <caption>Endpoints</caption>
 *   <tr><th>endpoint</th><th>answer</th></tr>
 *   <tr><td>{@code GET /health/live}</td><td>200 unless the streams client is in ERROR (never needs the token)</td></tr>
 *   <tr><td>{@code GET /health/ready}</td><td>200 when every stream thread is RUNNING and no store is restoring, else
 *       503 ({@link Readiness})</td></tr>
 *   <tr><td>{@code GET /metrics}</td><td>Prometheus text format</td></tr>
 *   <tr><td>{@code POST /predict}</td><td>scores one input record (the topic's JSON) with its task's current model:
 *       locally when this instance owns the task's partition, else forwarded to the owner's
 *       {@code application.server}; the prediction topic's JSON</td></tr>
 *   <tr><td>{@code GET /models/meta}</td><td>the newest shared-model snapshot (the snapshot topic's JSON)</td></tr>
 *   <tr><td>{@code GET /models/{task}}</td><td>the task's latest published snapshot (the snapshot topic's JSON),
 *       from its owner, or one made from its current state when none is published yet; 404 for an unknown task</td></tr>
 *   <tr><td>{@code GET /drift/{task}}</td><td>the latest check of the task's label-free domain-shift monitor (windows
 *       compared, every signal's test, score and threshold, the features that moved), from its owner; 404 for a task
 *       with no monitor</td></tr>
 *   <tr><td>{@code GET /tasks}</td><td>the tasks of every instance with their counts and figures, paged
 *       ({@link TaskEndpoints})</td></tr>
 *   <tr><td>{@code DELETE /tasks/{task}}</td><td>202: a delete command goes to the control topic, applied by the
 *       task's owner exactly once ({@link TaskEndpoints})</td></tr>
 *   <tr><td>{@code GET /models/{task}/export}, {@code GET /models/meta/export}</td><td>the task's model, or the
 *       shared model, in the portable format of {@code docs/model-format.md} ({@link TaskEndpoints})</td></tr>
 *   <tr><td>{@code POST /models/{task}/import}, {@code POST /models/meta/import}</td><td>202: seeds a task or the
 *       shared model from that format, through the control topic ({@link TaskEndpoints})</td></tr>
 *   <tr><td>{@code GET /}, {@code GET /dashboard/...}</td><td>the live dashboard, its charting library and its data
 *       ({@link Dashboard}; the page and the library need no token, the data does)</td></tr>
 * </table>
 *
 * <p>{@code POST /predict} never learns: a {@code y} in its body is ignored and the answer says
 * {@code "labelled": false}.
 *
 * <p>With a token set ({@code http.auth.token} or {@code METASTREAM_HTTP_TOKEN}), every endpoint except liveness needs
 * {@code Authorization: Bearer <token>}; otherwise 401 with {@code WWW-Authenticate: Bearer}. Forwarded requests carry
 * the caller's header on. The request log (DEBUG, logger {@code dev.metastream.http.HttpApi}) has method, path, status
 * and time, never headers or bodies.
 *
 * <pre>{@code
 * HttpApi api = HttpApi.start(settings, learnerConfig, topologyConfig, registry, metrics, restores);
 * ... streams = new KafkaStreams(topology, props with application.server=host:api.port()) ...
 * api.attach(streams, new HostInfo(host, api.port()));
 * }</pre>
 */
public final class HttpApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    /** Set on forwarded requests: the receiver must own the task or answer 503, never forward again. */
    static final String FORWARDED_HEADER = "X-Metastream-Forwarded-By";
    /** Set on /predict and /models answers: the instance whose stores answered. */
    public static final String SERVED_BY_HEADER = "X-Metastream-Served-By";
    private static final String JSON = "application/json";

    final HttpSettings settings;
    final LearnerConfig config;
    final TopologyConfig topics;
    private final MeterRegistry registry;
    private final MetastreamMetrics metrics;
    private final StateRestoreMonitor restores;
    private final BearerAuth auth;
    final OutputRecords records;
    private final InputRecordParser parser;
    final ObjectMapper mapper = new ObjectMapper();
    private final HttpServer server;
    private final ExecutorService executor;
    final HttpClient client;
    private final Dashboard dashboard;
    volatile KafkaStreams streams;
    volatile HostInfo self;
    private final TaskEndpoints tasks;

    private HttpApi(HttpSettings settings, LearnerConfig config, TopologyConfig topics, MeterRegistry registry,
                    MetastreamMetrics metrics, StateRestoreMonitor restores) throws IOException {
        this.settings = settings;
        this.config = config;
        this.topics = topics;
        this.registry = registry;
        this.metrics = metrics;
        this.restores = restores;
        this.auth = new BearerAuth(settings.token());
        this.records = new OutputRecords(config);
        this.parser = new InputRecordParser(config, topics.maxRecordBytes());
        this.dashboard = new Dashboard(() -> streams, registry);
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(settings.threads(), r -> {
            Thread t = new Thread(r, "metastream-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(settings.forwardTimeoutMs()))
                .version(HttpClient.Version.HTTP_1_1).build(); // its own threads: request threads wait on it
        this.server = HttpServer.create(new InetSocketAddress(settings.bindAddress(), settings.port()), 64);
        this.tasks = new TaskEndpoints(this);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
    }

    /**
     * Binds and starts the server. Until {@link #attach} every endpoint but liveness answers 503.
     *
     * @param settings the http.* settings (port 0 = any free port)
     * @param config   learner configuration (to parse and score records)
     * @param topics   topology configuration (record size limit)
     * @param registry the meters /metrics serves: a {@link PrometheusMeterRegistry}, or a composite holding one
     * @param metrics  the learner's meters in {@code registry}: a scrape waits out a re-ranking of the busiest tasks
     * @param restores the restore monitor readiness consults
     */
    public static HttpApi start(HttpSettings settings, LearnerConfig config, TopologyConfig topics,
                                MeterRegistry registry, MetastreamMetrics metrics, StateRestoreMonitor restores)
            throws IOException {
        HttpApi api = new HttpApi(settings, config, topics, registry, metrics, restores);
        api.server.start();
        LOG.info("HTTP API on port {} (bind {}, {} threads, {})", api.port(), settings.bindAddress(),
                settings.threads(), api.auth.required() ? "bearer token required" : "no authentication");
        return api;
    }

    /** The port the server listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * Serves from a streams client.
     *
     * @param streams the client (created with {@code application.server} = {@code self})
     * @param self    this instance's advertised host and port
     */
    public void attach(KafkaStreams streams, HostInfo self) {
        this.self = self;
        this.streams = streams;
    }

    /**
     * Lets the API write control commands ({@code DELETE /tasks/{task}}, imports); without one those endpoints answer
     * 503. The API does not close it.
     *
     * @param producer a producer of the application's cluster (String keys, byte-array values)
     */
    public void controlProducer(org.apache.kafka.clients.producer.Producer<String, byte[]> producer) {
        tasks.producer(producer);
    }

    /** The dashboard served at {@code /} (feed its history with a {@link DashboardFeed}). */
    public Dashboard dashboard() {
        return dashboard;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // ------------------------------------------------------------------ dispatch

    private void handle(HttpExchange ex) {
        long t0 = System.nanoTime();
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getPath();
        int status;
        try (ex) {
            status = route(ex, method, path);
        } catch (RuntimeException | IOException e) {
            // The exception's text never holds the token: it is only ever compared, never formatted.
            LOG.warn("{} {} failed: {}", method, path, e.toString());
            status = 500;
            try {
                error(ex, 500, "internal error: " + e.getClass().getSimpleName());
            } catch (IOException | RuntimeException ignored) {
                // The response may already have started; nothing more to tell the client.
            }
        }
        LOG.debug("{} {} -> {} in {} ms", method, path, status, (System.nanoTime() - t0) / 1_000_000);
    }

    private int route(HttpExchange ex, String method, String path) throws IOException {
        if (path.equals("/health/live")) {
            return requireGet(ex, method) ? health(ex, true) : 405;
        }
        if (Dashboard.isOpen(path)) {
            return requireGet(ex, method) ? dashboard.handle(ex, path) : 405;
        }
        if (!auth.allows(ex.getRequestHeaders().getFirst("Authorization"))) {
            boolean sent = ex.getRequestHeaders().containsKey("Authorization");
            ex.getResponseHeaders().set("WWW-Authenticate", sent
                    ? "Bearer realm=\"metastream\", error=\"invalid_token\"" : "Bearer realm=\"metastream\"");
            return error(ex, 401, sent ? "invalid bearer token" : "this endpoint needs Authorization: Bearer <token>");
        }
        if (path.equals("/health/ready")) {
            return requireGet(ex, method) ? health(ex, false) : 405;
        }
        if (Dashboard.isData(path)) {
            return requireGet(ex, method) ? dashboard.handle(ex, path) : 405;
        }
        if (path.equals("/metrics")) {
            return requireGet(ex, method) ? metrics(ex) : 405;
        }
        if (path.equals("/predict")) {
            if (!method.equals("POST")) {
                ex.getResponseHeaders().set("Allow", "POST");
                return error(ex, 405, "use POST with one input record as the body");
            }
            return predict(ex);
        }
        if (path.equals("/tasks") || path.startsWith("/tasks/")) {
            return tasks.route(ex, method, path);
        }
        if (path.startsWith("/models/") && (path.endsWith("/export") || path.endsWith("/import"))) {
            return tasks.route(ex, method, path);
        }
        if (path.equals("/models/" + MetastreamTopology.META_KEY)) {
            return requireGet(ex, method) ? meta(ex) : 405;
        }
        if (path.startsWith("/models/") && path.length() > "/models/".length()) {
            return requireGet(ex, method) ? taskModel(ex, path.substring("/models/".length())) : 405;
        }
        if (path.startsWith("/drift/") && path.length() > "/drift/".length()) {
            return requireGet(ex, method) ? driftReport(ex, path.substring("/drift/".length())) : 405;
        }
        return error(ex, 404, "no such endpoint: " + path + " (try /health/live, /health/ready, /metrics, POST /predict,"
                + " /models/meta, /models/{task}, /drift/{task}, /tasks)");
    }

    boolean requireGet(HttpExchange ex, String method) throws IOException {
        if (method.equals("GET") || method.equals("HEAD")) {
            return true;
        }
        ex.getResponseHeaders().set("Allow", "GET");
        error(ex, 405, "use GET");
        return false;
    }

    // ------------------------------------------------------------------ endpoints

    private int health(HttpExchange ex, boolean liveness) throws IOException {
        Readiness r = Readiness.of(streams, restores);
        boolean ok = liveness ? r.live() : r.ready();
        ObjectNode n = mapper.createObjectNode();
        n.put("status", ok ? "UP" : "DOWN");
        n.put("state", r.state());
        if (!liveness) {
            ObjectNode threads = n.putObject("threads");
            r.threads().forEach(threads::put);
            n.put("restoring", r.restoring());
        }
        return send(ex, ok ? 200 : 503, JSON, mapper.writeValueAsBytes(n));
    }

    private int metrics(HttpExchange ex) throws IOException {
        PrometheusMeterRegistry prometheus = prometheus(registry);
        if (prometheus == null) {
            return error(ex, 501, "this instance's meters are not in a Prometheus registry");
        }
        return send(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                metrics.whileTaskSeriesStable(prometheus::scrape).getBytes(StandardCharsets.UTF_8));
    }

    private static PrometheusMeterRegistry prometheus(MeterRegistry r) {
        if (r instanceof PrometheusMeterRegistry p) {
            return p;
        }
        if (r instanceof CompositeMeterRegistry c) {
            for (MeterRegistry m : c.getRegistries()) {
                PrometheusMeterRegistry p = prometheus(m);
                if (p != null) {
                    return p;
                }
            }
        }
        return null;
    }

    private int predict(HttpExchange ex) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(topics.maxRecordBytes() + 1);
        }
        InputRecordParser.Result parsed = parser.parse(null, body, System.currentTimeMillis());
        if (!parsed.ok()) {
            ObjectNode n = mapper.createObjectNode();
            n.put("error", parsed.message());
            n.put("reason", parsed.reason().code());
            return send(ex, 400, JSON, mapper.writeValueAsBytes(n));
        }
        // Scoring only: the request is never learned from, so it is not reported as labelled even when it has a "y".
        Instance instance = new Instance(parsed.instance().task(), parsed.instance().x(), null,
                parsed.instance().id(), parsed.instance().timestamp());
        return owned(ex, instance.task(), body, (s, partition) -> {
            byte[] task = partitionStore(s, MetastreamTopology.TASK_STATE_STORE, partition).get(instance.task());
            byte[] shared = partitionStore(s, MetastreamTopology.SHARED_STATE_STORE, partition)
                    .get(MetastreamTopology.SHARED_STATE_KEY);
            Prediction p = StreamingLearner.score(config, shared == null ? null : SharedState.fromBytes(shared),
                    task == null ? null : TaskState.fromBytes(task), instance);
            return records.prediction(p);
        }, "");
    }

    private int taskModel(HttpExchange ex, String task) throws IOException {
        return owned(ex, task, null, (s, partition) -> {
            byte[] published = partitionStore(s, MetastreamTopology.TASK_SNAPSHOT_STORE, partition).get(task);
            // A known task with no snapshot published yet (one goes out every snapshot.every.examples) answers with
            // one made from its current state; only an unknown task is a 404.
            return published != null ? published : tasks.currentSnapshot(s, partition, task);
        }, unknownTask(task));
    }

    /**
     * {@code GET /drift/{task}}: the latest check of the task's domain-shift monitor (windows compared, every signal's
     * test, score and threshold, the features that moved), from the instance that owns the task.
     */
    private int driftReport(HttpExchange ex, String task) throws IOException {
        return owned(ex, task, null, (s, partition) -> {
            byte[] monitor = partitionStore(s, MetastreamTopology.SHIFT_MONITOR_STORE, partition).get(task);
            if (monitor == null) {
                return null;
            }
            ShiftMonitor m = ShiftMonitor.fromBytes(monitor);
            ObjectNode n = mapper.createObjectNode();
            n.put("task", task);
            n.put("examples_monitored", m.position());
            ShiftReport latest = m.latest();
            if (latest == null) {
                n.putNull("latest");
            } else {
                n.set("latest", records.shiftReport(latest));
            }
            try {
                return mapper.writeValueAsBytes(n);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "no domain-shift monitor for task " + task + ": the task has sent no record (or it was deleted), or "
                + "shift.monitor=false; GET /tasks lists the tasks");
    }

    /** The 404 message for a task no instance holds. */
    static String unknownTask(String task) {
        return "unknown task " + task + ": no labelled example of it has been learned (or it was deleted); "
                + "GET /tasks lists the tasks";
    }

    private int meta(HttpExchange ex) throws IOException {
        KafkaStreams s = streams;
        if (s == null) {
            return unavailable(ex, "the streams client is not started yet");
        }
        byte[] bytes;
        try {
            ReadOnlyKeyValueStore<String, byte[]> store = s.store(StoreQueryParameters.fromNameAndType(
                    MetastreamTopology.META_MODEL_STORE, QueryableStoreTypes.<String, byte[]>keyValueStore()));
            bytes = store.get(MetastreamTopology.META_KEY);
        } catch (InvalidStateStoreException e) {
            return unavailable(ex, "the shared-model store is not queryable now (" + s.state() + ")");
        }
        if (bytes == null) {
            return error(ex, 404, "no shared-model version has been published yet");
        }
        servedBy(ex);
        return send(ex, 200, JSON, records.metaSnapshot(MetaSnapshot.fromBytes(bytes)));
    }

    // ------------------------------------------------------------------ routing to the owner

    /** Reads from the local stores of one partition; returns the JSON answer, or null for 404. */
    @FunctionalInterface
    interface LocalRead {
        byte[] read(KafkaStreams streams, int partition);
    }

    /**
     * Answers from the instance that owns the task's partition: locally, or by forwarding the request (body as
     * given) to the owner's {@code application.server}.
     */
    int owned(HttpExchange ex, String task, byte[] body, LocalRead local, String notFound)
            throws IOException {
        KafkaStreams s = streams;
        HostInfo me = self;
        if (s == null || me == null) {
            return unavailable(ex, "the streams client is not started yet");
        }
        KeyQueryMetadata md;
        try {
            md = s.queryMetadataForKey(MetastreamTopology.TASK_STATE_STORE, task, Serdes.String().serializer());
        } catch (IllegalStateException e) {
            return unavailable(ex, "task ownership is unknown now (" + s.state() + ")");
        }
        if (md == null || md.equals(KeyQueryMetadata.NOT_AVAILABLE) || md.activeHost().port() < 0) {
            return unavailable(ex, "no instance owns task " + task + " right now (rebalancing); retry");
        }
        if (!md.activeHost().equals(me)) {
            if (ex.getRequestHeaders().containsKey(FORWARDED_HEADER)) {
                return unavailable(ex, "task " + task + " moved to " + md.activeHost() + " while the request was "
                        + "forwarded; retry");
            }
            return forward(ex, md.activeHost(), body);
        }
        byte[] answer;
        try {
            answer = local.read(s, md.partition());
        } catch (InvalidStateStoreException e) {
            return unavailable(ex, "the stores of partition " + md.partition() + " are not queryable now ("
                    + s.state() + "); retry");
        }
        if (answer == null) {
            return error(ex, 404, notFound);
        }
        servedBy(ex);
        ex.getResponseHeaders().set("X-Metastream-Partition", String.valueOf(md.partition()));
        return send(ex, 200, JSON, answer);
    }

    static ReadOnlyKeyValueStore<String, byte[]> partitionStore(KafkaStreams s, String store, int partition) {
        return s.store(StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.<String, byte[]>keyValueStore())
                .withPartition(partition));
    }

    private int forward(HttpExchange ex, HostInfo owner, byte[] body) throws IOException {
        URI uri = URI.create("http://" + owner.host() + ":" + owner.port() + ex.getRequestURI().getRawPath());
        HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(settings.forwardTimeoutMs()))
                .header(FORWARDED_HEADER, self.host() + ":" + self.port());
        String authorization = ex.getRequestHeaders().getFirst("Authorization");
        if (authorization != null) {
            req.header("Authorization", authorization);
        }
        if (body != null) {
            req.header("Content-Type", JSON).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        } else {
            req.GET();
        }
        HttpResponse<byte[]> resp;
        try {
            resp = client.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            return error(ex, 504, "the owner " + owner + " did not answer within http.forward.timeout.ms="
                    + settings.forwardTimeoutMs());
        } catch (IOException e) {
            return error(ex, 502, "could not reach the owner " + owner + ": " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unavailable(ex, "interrupted while forwarding");
        }
        for (String h : new String[] {SERVED_BY_HEADER, "X-Metastream-Partition", "Retry-After", "Content-Type"}) {
            resp.headers().firstValue(h).ifPresent(v -> ex.getResponseHeaders().set(h, v));
        }
        return send(ex, resp.statusCode(), null, resp.body());
    }

    // ------------------------------------------------------------------ responses

    void servedBy(HttpExchange ex) {
        ex.getResponseHeaders().set(SERVED_BY_HEADER, self.host() + ":" + self.port());
    }

    int unavailable(HttpExchange ex, String message) throws IOException {
        ex.getResponseHeaders().set("Retry-After", "1");
        return error(ex, 503, message);
    }

    int error(HttpExchange ex, int status, String message) throws IOException {
        return send(ex, status, JSON, mapper.writeValueAsBytes(Map.of("error", message, "status", status)));
    }

    static int send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        if (contentType != null) {
            ex.getResponseHeaders().set("Content-Type", contentType);
        }
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            ex.getResponseBody().write(body);
        }
        return status;
    }
}
