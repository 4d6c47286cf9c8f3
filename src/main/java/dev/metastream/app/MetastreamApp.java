package dev.metastream.app;

import dev.metastream.http.DashboardFeed;
import dev.metastream.http.HttpApi;
import dev.metastream.http.HttpSettings;
import dev.metastream.http.Readiness;
import dev.metastream.topology.MetastreamMetrics;
import dev.metastream.topology.MetastreamTopology;
import dev.metastream.topology.StateRestoreMonitor;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One metastream instance: creates the topics it needs (when allowed), builds the topology and runs it in a
 * {@link KafkaStreams}. Start more instances with the same {@code application.id} to scale out.
 *
 * <p>Its meters: the learner's ({@link MetastreamMetrics}), Kafka Streams' and its clients' (Micrometer's Kafka Streams
 * binder), the JVM's, state restores ({@link StateRestoreMonitor}) and store sizes. With {@code http.port} set it
 * serves the {@link HttpApi}; {@code application.server} then defaults to {@code 127.0.0.1:<the bound port>}, and a
 * {@link DashboardFeed} reads the metrics, drift and dead-letter topics for the dashboard at {@code /}.
 */
public final class MetastreamApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetastreamApp.class);

    private final AppConfig config;
    private final String bootstrapServers;
    private final MetastreamMetrics metrics;
    private final MeterRegistry registry;
    private final HttpSettings http;
    private final StateRestoreMonitor restores;
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private final Topology topology;
    /** How often the Kafka Streams binder looks for new Kafka metrics (tasks and partitions come and go). */
    private static final Duration KAFKA_METRICS_REFRESH = Duration.ofSeconds(30);
    private volatile KafkaStreams streams;
    private KafkaStreamsMetrics kafkaMetrics;
    private ScheduledExecutorService kafkaMetricsRefresh;
    private HttpApi api;
    private org.apache.kafka.clients.producer.KafkaProducer<String, byte[]> controlProducer;
    private DashboardFeed dashboardFeed;
    private boolean closed;
    /** The last exception a stream or global thread died of: the reason given when Kafka Streams reaches ERROR. */
    private volatile Throwable lastFailure;
    private final CompletableFuture<String> failure = new CompletableFuture<>();

    /**
     * @param config           the configuration
     * @param bootstrapServers the brokers to use (the configured ones, or the embedded broker's)
     * @param registry         where the meters go; with the HTTP API on and no Prometheus registry in it, the meters
     *                         also go to a Prometheus registry of the instance's own, for /metrics
     */
    public MetastreamApp(AppConfig config, String bootstrapServers, MeterRegistry registry) {
        this.config = config;
        this.bootstrapServers = bootstrapServers;
        this.http = config.http();
        this.registry = http.enabled() && !hasPrometheus(registry)
                ? new CompositeMeterRegistry(Clock.SYSTEM, List.of(registry,
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)))
                : registry;
        this.metrics = new MetastreamMetrics(this.registry, http.topTasks());
        this.restores = new StateRestoreMonitor(this.registry);
        new JvmMemoryMetrics().bindTo(this.registry);
        gcMetrics.bindTo(this.registry);
        new JvmThreadMetrics().bindTo(this.registry);
        new ClassLoaderMetrics().bindTo(this.registry);
        new ProcessorMetrics().bindTo(this.registry);
        new UptimeMetrics().bindTo(this.registry);
        this.topology = MetastreamTopology.build(config.learner(), config.topology(), metrics);
    }

    /** An instance whose meters go to a Prometheus registry of its own (served on /metrics with the HTTP API). */
    public MetastreamApp(AppConfig config, String bootstrapServers) {
        this(config, bootstrapServers, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    private static boolean hasPrometheus(MeterRegistry r) {
        return r instanceof PrometheusMeterRegistry
                || r instanceof CompositeMeterRegistry c && c.getRegistries().stream().anyMatch(MetastreamApp::hasPrometheus);
    }

    /** Every meter of this instance. */
    public MeterRegistry registry() {
        return registry;
    }

    /** The state-restore monitor (restores in flight, restore times). */
    public StateRestoreMonitor restores() {
        return restores;
    }

    /** Liveness and readiness now. */
    public Readiness readiness() {
        return Readiness.of(streams, restores);
    }

    /** The HTTP API's port, or -1 without one (known after {@link #start()}). */
    public int httpPort() {
        return api == null ? -1 : api.port();
    }

    /** The learner's meters. */
    public MetastreamMetrics metrics() {
        return metrics;
    }

    /** The topology this instance runs. */
    public Topology topology() {
        return topology;
    }

    /** The running streams client (null before {@link #start()}). */
    public KafkaStreams streams() {
        return streams;
    }

    /** Creates missing topics and checks that the meta-updates topic has exactly one partition. */
    public void ensureTopics() {
        try (Admin a = Admin.create(adminProperties())) {
            ensureTopics(a);
        }
    }

    /**
     * Fails fast, with the address and the key to check, when the brokers cannot be reached; without it Kafka Streams
     * retries for a minute (and logs a warning per attempt) before it says {@code Timed out waiting for a node
     * assignment}. First a plain TCP connection to each address of {@code bootstrap.servers} (a closed port or an
     * unknown host is known within the timeout, with no client warnings); then an admin client's
     * {@code describeCluster}, so a listener that is not Kafka's or a protocol mismatch is reported too.
     *
     * @param timeout how long each step may take
     * @throws IllegalStateException with a one-line message naming {@code bootstrap.servers}
     */
    public void checkBrokers(Duration timeout) {
        List<String> refused = new java.util.ArrayList<>();
        boolean reached = false;
        for (String address : bootstrapServers.split(",")) {
            String a = address.trim();
            if (a.isEmpty()) {
                continue;
            }
            int colon = a.lastIndexOf(':');
            int port;
            try {
                port = colon > 0 ? Integer.parseInt(a.substring(colon + 1)) : -1;
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw new IllegalStateException("bootstrap.servers=" + bootstrapServers + ": '" + a
                        + "' is not host:port; write the brokers as host:port[,host:port...]");
            }
            String host = a.substring(0, colon).replace("[", "").replace("]", "");
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.connect(new java.net.InetSocketAddress(host, port), (int) timeout.toMillis());
                reached = true;
                break;
            } catch (java.net.UnknownHostException | java.nio.channels.UnresolvedAddressException e) {
                refused.add(a + " (unknown host)");
            } catch (java.net.SocketTimeoutException e) {
                refused.add(a + " (no answer within " + timeout.toSeconds() + " s)");
            } catch (IOException e) {
                refused.add(a + " (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
            }
        }
        if (!reached) {
            throw new IllegalStateException("cannot reach any broker of bootstrap.servers=" + bootstrapServers + ": "
                    + String.join(", ", refused) + "; start the brokers, or set bootstrap.servers to their address "
                    + "(empty = an embedded broker)");
        }
        Properties admin = adminProperties();
        admin.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(timeout.toMillis()));
        admin.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(timeout.toMillis()));
        try (Admin a = Admin.create(admin)) {
            a.describeCluster(new org.apache.kafka.clients.admin.DescribeClusterOptions()
                    .timeoutMs((int) timeout.toMillis())).nodes().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthenticationException auth) {
                throw authenticationFailed(auth);
            }
            throw new IllegalStateException("the brokers at bootstrap.servers=" + bootstrapServers + " accept "
                    + "connections but did not answer as Kafka within " + timeout.toSeconds() + " s ("
                    + e.getCause().getMessage() + "): check that bootstrap.servers names a Kafka listener and that "
                    + "security.protocol (" + config.all().getProperty("security.protocol", "PLAINTEXT")
                    + ") is the listener's", e.getCause());
        }
    }

    /**
     * The settings of the admin client that creates and checks topics: every admin client key of the configuration
     * (security included), {@code config.providers*} so {@code ${env:...}} placeholders resolve, then {@code admin.*}.
     */
    Properties adminProperties() {
        Properties admin = new Properties();
        Properties streamsProps = config.streamsProperties(bootstrapServers);
        streamsProps.forEach((k, v) -> {
            String key = k.toString();
            // config.providers*: ${env:...}-style placeholders in the security settings resolve here too.
            if (AdminClientConfig.configNames().contains(key) || key.startsWith("config.providers")) {
                admin.put(key, v);
            }
        });
        // admin.* settings win over the plain ones, as they do for Kafka Streams' own admin client.
        streamsProps.forEach((k, v) -> {
            String key = k.toString();
            if (key.startsWith("admin.") && AdminClientConfig.configNames().contains(key.substring(6))) {
                admin.put(key.substring(6), v);
            }
        });
        return admin;
    }

    /**
     * The settings of the producer the HTTP API writes control commands with: every producer key of the
     * configuration (security included), {@code config.providers*}, then {@code producer.*}; idempotent, acks=all.
     */
    Properties producerProperties() {
        Properties out = new Properties();
        Properties streamsProps = config.streamsProperties(bootstrapServers);
        java.util.Set<String> names = org.apache.kafka.clients.producer.ProducerConfig.configNames();
        streamsProps.forEach((k, v) -> {
            String key = k.toString();
            if ((names.contains(key) || key.startsWith("config.providers"))
                    && !key.equals(org.apache.kafka.clients.producer.ProducerConfig.TRANSACTIONAL_ID_CONFIG)) {
                out.put(key, v);
            }
        });
        streamsProps.forEach((k, v) -> {
            String key = k.toString();
            if (key.startsWith("producer.") && names.contains(key.substring(9))) {
                out.put(key.substring(9), v);
            }
        });
        out.put(org.apache.kafka.clients.producer.ProducerConfig.ACKS_CONFIG, "all");
        out.put(org.apache.kafka.clients.producer.ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        out.put(org.apache.kafka.clients.producer.ProducerConfig.CLIENT_ID_CONFIG,
                config.all().getProperty("application.id", "metastream") + "-control");
        return out;
    }

    private void ensureTopics(Admin a) {
        try {
            List<NewTopic> wanted = MetastreamTopology.topics(config.topology());
            if (Boolean.parseBoolean(config.all().getProperty("topics.create", "true"))) {
                for (NewTopic t : wanted) {
                    if (t.name().equals(config.topology().controlTopic())) {
                        // Partition i of the control topic must reach the learner task that reads partition i of the
                        // examples: same count, whatever topics.partitions says about an existing examples topic.
                        t = new NewTopic(t.name(), partitionCount(a, config.topology().examplesTopic()),
                                t.replicationFactor());
                    }
                    try {
                        a.createTopics(List.of(t)).all().get();
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof AuthenticationException auth) {
                            throw authenticationFailed(auth);
                        }
                        if (!(e.getCause() instanceof TopicExistsException)) {
                            throw new IllegalStateException("could not create topic " + t.name() + ": "
                                    + e.getCause().getMessage(), e.getCause());
                        }
                    }
                }
            }
            // Every topic's metadata (with a leader for each partition) before Kafka Streams starts: its global thread
            // fails at once when the shared-model topic it restores from has no partitions yet in its metadata.
            for (NewTopic t : wanted) {
                partitionCount(a, t.name());
            }
            String control = config.topology().controlTopic();
            String examples = config.topology().examplesTopic();
            int controlPartitions = partitionCount(a, control);
            int examplePartitions = partitionCount(a, examples);
            if (controlPartitions != examplePartitions) {
                throw new IllegalStateException("topic " + control + " (topic.control) has " + controlPartitions
                        + " partitions but " + examples + " has " + examplePartitions + ": control commands would not "
                        + "reach the partition that owns their task; recreate " + control + " with "
                        + examplePartitions + " partitions");
            }
            String metaUpdates = config.topology().metaUpdatesTopic();
            int partitions = partitionCount(a, metaUpdates);
            if (partitions != 1) {
                throw new IllegalStateException("topic " + metaUpdates + " has " + partitions
                        + " partitions; the shared-model aggregator needs exactly 1: recreate it with one partition");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthenticationException auth) {
                throw authenticationFailed(auth);
            }
            throw new IllegalStateException("could not check topics on " + bootstrapServers + ": "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    /** The error a user sees when the brokers reject the configured credentials: what failed and what to check. */
    private IllegalStateException authenticationFailed(AuthenticationException e) {
        String protocol = config.all().getProperty("security.protocol", "PLAINTEXT");
        String check = e instanceof SslAuthenticationException
                ? "ssl.truststore.location / ssl.truststore.password (and ssl.keystore.* for mutual TLS)"
                : "sasl.mechanism and the username and password in sasl.jaas.config";
        return new IllegalStateException("authentication with the brokers at " + bootstrapServers + " failed ("
                + "security.protocol=" + protocol + "): " + e.getMessage() + "; check " + check, e);
    }

    /**
     * Partitions of a topic, waiting briefly for a just-created topic's metadata, with a leader for every partition, to
     * reach the broker (after the wait, the count as it is).
     */
    private static int partitionCount(Admin admin, String topic) throws InterruptedException, ExecutionException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> d = admin.describeTopics(List.of(topic)).allTopicNames().get();
                List<org.apache.kafka.common.TopicPartitionInfo> parts = d.get(topic).partitions();
                boolean led = !parts.isEmpty() && parts.stream().allMatch(p -> p.leader() != null);
                if (led || System.nanoTime() > deadline) {
                    return parts.size();
                }
                Thread.sleep(100);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /** Starts the HTTP API (when configured), then processing. */
    public void start() {
        Properties props = config.streamsProperties(bootstrapServers);
        if (http.enabled()) {
            try {
                // First, so that the port is known when it is 0 (any free port) and can default application.server.
                api = HttpApi.start(http, config.learner(), config.topology(), registry, metrics, restores);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot serve HTTP on " + http.bindAddress() + ":" + http.port()
                        + " (http.port): " + e.getMessage(), e);
            }
            props.putIfAbsent(StreamsConfig.APPLICATION_SERVER_CONFIG, "127.0.0.1:" + api.port());
        }
        KafkaStreams s = new KafkaStreams(topology, props);
        s.setGlobalStateRestoreListener(restores);
        Counter threadFailures = Counter.builder("metastream.stream.thread.failures")
                .description("Stream threads that died on an exception and were replaced").register(registry);
        s.setUncaughtExceptionHandler(e -> {
            lastFailure = e;
            if (Thread.currentThread().getName().endsWith("-GlobalStreamThread")) {
                // The global thread cannot be replaced (asking to fails with a ClassCastException): without the
                // shared model nothing can be learned, so stop the client, and the state listener reports why.
                LOG.error("the global stream thread (shared model) failed; stopping", e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            }
            threadFailures.increment();
            LOG.error("stream thread failed; replacing it", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        s.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.ERROR) {
                String why = describe(lastFailure);
                LOG.error("Kafka Streams stopped in state ERROR (was {}): {}", before, why);
                failure.complete(why);
            }
        });
        kafkaMetricsRefresh = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "metastream-kafka-metrics");
            t.setDaemon(true);
            return t;
        });
        kafkaMetrics = new KafkaStreamsMetrics(s, List.of(), kafkaMetricsRefresh, KAFKA_METRICS_REFRESH);
        kafkaMetrics.bindTo(registry);
        for (String store : List.of(MetastreamTopology.TASK_STATE_STORE, MetastreamTopology.SHARED_STATE_STORE,
                MetastreamTopology.PENDING_STORE, MetastreamTopology.MEMORY_STORE,
                MetastreamTopology.REFERENCE_GRADIENT_STORE, MetastreamTopology.TASK_SNAPSHOT_STORE,
                MetastreamTopology.META_AGGREGATE_STORE, MetastreamTopology.META_MODEL_STORE)) {
            Gauge.builder("metastream.store.entries", s, k -> approximateEntries(k, store)).tag("store", store)
                    .description("Approximate entries in a state store over this instance's active partitions")
                    .register(registry);
        }
        Gauge.builder("metastream.memory.samples", s, k -> approximateEntries(k, MetastreamTopology.MEMORY_STORE))
                .description("Episodic-memory samples (gradient memory) held by this instance's active partitions")
                .register(registry);
        streams = s;
        if (api != null) {
            api.attach(s, HostInfo.buildFromEndpoint(props.getProperty(StreamsConfig.APPLICATION_SERVER_CONFIG)));
            controlProducer = new org.apache.kafka.clients.producer.KafkaProducer<>(producerProperties(),
                    new org.apache.kafka.common.serialization.StringSerializer(),
                    new org.apache.kafka.common.serialization.ByteArraySerializer());
            api.controlProducer(controlProducer);
            dashboardFeed = DashboardFeed.start(props, config.topology(), api.dashboard());
        }
        try {
            s.start();
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // The global thread failed while start() was still scheduling its periodic tasks, and the client shut its
            // executors down under it (SHUTDOWN_CLIENT, above): the same fatal error, seen earlier. Report it as the
            // state listener would, so the process stops with the cause whichever thread got there first.
            failure.complete(describe(lastFailure != null ? lastFailure : e));
            return;
        }
        LOG.info("metastream started: application.id={}, bootstrap.servers={}, processing.guarantee={}",
                config.all().getProperty("application.id"), bootstrapServers,
                config.all().getProperty("processing.guarantee"));
    }

    /**
     * Completes, with why, when Kafka Streams reaches ERROR: it then processes nothing until restarted, so a process
     * should stop (and say why) rather than stay up looking alive. Never completes otherwise.
     */
    public CompletableFuture<String> failure() {
        return failure;
    }

    /** A one-line reason: the failure's class and message, and its root cause's when that differs. */
    static String describe(Throwable t) {
        if (t == null) {
            return "no stream thread reported an exception (see the log above)";
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String top = t.getClass().getSimpleName() + ": " + t.getMessage();
        return root == t ? top : top + " (caused by " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }

    /** Waits until the streams client is RUNNING, or fails after the timeout. */
    public void awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("streams not RUNNING after " + timeout + ": " + streams.state());
            }
            if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                throw new IllegalStateException("streams stopped: " + streams.state());
            }
            Thread.sleep(50);
        }
    }

    /** RocksDB's estimate for a store over the local active partitions; NaN while it cannot be queried. */
    private static double approximateEntries(KafkaStreams s, String store) {
        if (s.state() != KafkaStreams.State.RUNNING) {
            return Double.NaN;
        }
        try {
            return s.store(StoreQueryParameters.fromNameAndType(store,
                    QueryableStoreTypes.<String, byte[]>keyValueStore())).approximateNumEntries();
        } catch (InvalidStateStoreException e) {
            return Double.NaN;
        }
    }

    @Override
    public void close() {
        close(false);
    }

    /**
     * Stops this instance and leaves the consumer group at once, so the other instances take its tasks over
     * without waiting for {@code session.timeout.ms} (scaling in). A plain {@link #close()} stays in the group, as
     * Kafka Streams does by default, so that a restart within the session timeout gets its tasks back without a
     * rebalance.
     */
    public void closeAndLeaveGroup() {
        close(true);
    }

    private synchronized void close(boolean leaveGroup) {
        if (closed) {
            return;
        }
        closed = true;
        if (dashboardFeed != null) {
            dashboardFeed.close();
        }
        if (api != null) {
            api.close();
        }
        if (controlProducer != null) {
            controlProducer.close(Duration.ofSeconds(5));
        }
        if (streams != null) {
            if (leaveGroup) {
                streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                        .withTimeout(Duration.ofSeconds(30)));
            } else {
                streams.close(Duration.ofSeconds(30));
            }
        }
        if (kafkaMetrics != null) {
            kafkaMetrics.close();
            kafkaMetricsRefresh.shutdownNow();
        }
        gcMetrics.close();
    }
}
