package dev.metastream.app;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process, single-node Apache Kafka cluster in KRaft mode: one JVM-local server that is both the
 * broker and the (sole) controller, built from {@code kafka_2.13} / {@code kafka-server}.
 *
 * <p>The node listens on {@code 127.0.0.1} only. It is configured for a single node (replication factor 1
 * for internal topics, {@code min.insync.replicas=1}, no initial rebalance delay, no topic auto-creation) and
 * supports transactions, so {@code exactly_once_v2} Kafka Streams applications can run against it.
 *
 * <p>Typical use:
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start(null, 0, Map.of())) {
 *     kafka.createTopics(List.of(new NewTopic("in", 3, (short) 1)));
 *     String bootstrap = kafka.bootstrapServers();
 *     ...
 * }
 * }</pre>
 *
 * <p>Instances are thread-safe for {@link #bootstrapServers()} and {@link #createTopics(Collection)};
 * {@link #close()} is idempotent. {@link #stop()} and {@link #restart()} simulate an outage: the node goes away and
 * comes back on the same ports with the same data, as a restarted real broker would.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    private static final int NODE_ID = 1;
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String HOST = "127.0.0.1";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_BIND_ATTEMPTS = 3;

    private KafkaRaftServer server;
    private final Path dataDir;
    private final boolean deleteDataDirOnClose;
    private final String bootstrapServers;
    /** Client settings the node's own admin client needs (the admin user's credentials on a SASL node). */
    private final Map<String, String> adminSecurity;
    /** The node's full configuration, ports included, so {@link #restart()} comes back exactly as it was. */
    private final Map<String, String> props;
    private boolean closed;
    private boolean stopped;

    private EmbeddedKafka(KafkaRaftServer server, Path dataDir, boolean deleteDataDirOnClose, String bootstrapServers,
                          Map<String, String> adminSecurity, Map<String, String> props) {
        this.server = server;
        this.dataDir = dataDir;
        this.deleteDataDirOnClose = deleteDataDirOnClose;
        this.bootstrapServers = bootstrapServers;
        this.adminSecurity = adminSecurity;
        this.props = Map.copyOf(props);
    }

    /**
     * Users of a node that requires SASL/PLAIN authentication (see {@link #startWithSaslPlain}).
     *
     * @param users user name to password; clients authenticate as one of them
     */
    private record SaslPlain(Map<String, String> users) {
        /** The broker's own identity for inter-broker traffic and the node's admin client. */
        static final String ADMIN_USER = "embeddedadmin";

        String adminPassword() {
            return users.get(ADMIN_USER);
        }
    }

    /**
     * Formats the storage (if not formatted yet) and starts a combined broker+controller node; returns once an
     * {@link Admin} client can describe the cluster.
     *
     * @param dataDir          directory for the node's logs and metadata; {@code null} creates a temporary
     *                         directory that {@link #close()} deletes. An existing, already formatted directory
     *                         is reused (its topics and data survive restarts).
     * @param port             client (PLAINTEXT) port on 127.0.0.1; {@code 0} picks a free ephemeral port.
     *                         The controller listener always uses a free ephemeral port.
     * @param extraBrokerProps broker properties that override or extend the defaults (may be {@code null})
     * @return the running node
     * @throws IllegalStateException if the node cannot be formatted or started, or does not become ready
     */
    public static EmbeddedKafka start(Path dataDir, int port, Map<String, String> extraBrokerProps) {
        return start(dataDir, port, extraBrokerProps, null);
    }

    /**
     * Like {@link #start(Path, int, Map)} with a temporary data directory (deleted by {@link #close()}) made inside
     * {@code parent} instead of the system's temporary directory, on an ephemeral port: for instance in memory
     * ({@code /dev/shm}), so the node's log writes do not share a disk with what runs beside it.
     */
    public static EmbeddedKafka startTemporaryIn(Path parent) {
        return start(null, 0, Map.of(), null, parent);
    }

    /**
     * Like {@link #start(Path, int, Map)}, but the client listener is {@code SASL_PLAINTEXT} and requires SASL/PLAIN
     * authentication as one of {@code users}; inter-broker traffic authenticates too, as a generated admin user.
     * Clients need {@link #saslPlainClientSettings(String, String)}. Only the controller listener (an ephemeral port
     * on 127.0.0.1 that clients are never told about) stays plaintext.
     *
     * <pre>{@code
     * try (EmbeddedKafka kafka = EmbeddedKafka.startWithSaslPlain(null, Map.of("alice", "alice-secret"), Map.of())) {
     *     Properties p = new Properties();
     *     p.putAll(EmbeddedKafka.saslPlainClientSettings("alice", "alice-secret"));
     *     p.put("bootstrap.servers", kafka.bootstrapServers());
     *     ...
     * }
     * }</pre>
     *
     * @param dataDir          as for {@link #start(Path, int, Map)}
     * @param users            user name to password (at least one)
     * @param extraBrokerProps broker properties that override or extend the defaults (may be {@code null})
     * @return the running node
     */
    public static EmbeddedKafka startWithSaslPlain(Path dataDir, Map<String, String> users,
                                                   Map<String, String> extraBrokerProps) {
        if (users.isEmpty()) {
            throw new IllegalArgumentException("a SASL node needs at least one user");
        }
        Map<String, String> all = new HashMap<>(users);
        all.put(SaslPlain.ADMIN_USER, Uuid.randomUuid().toString());
        return start(dataDir, 0, extraBrokerProps, new SaslPlain(Map.copyOf(all)));
    }

    /**
     * The client settings for a SASL/PLAIN node: {@code security.protocol=SASL_PLAINTEXT},
     * {@code sasl.mechanism=PLAIN} and a {@code sasl.jaas.config} with the user's credentials.
     *
     * @param user     user name
     * @param password password
     * @return the three settings, to add to any Kafka client's (or Kafka Streams') configuration
     */
    public static Map<String, String> saslPlainClientSettings(String user, String password) {
        return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN", "sasl.jaas.config",
                plainLogin(user, password, Map.of()));
    }

    /** A PlainLoginModule JAAS line: the client identity and, on the broker side, the accepted users. */
    private static String plainLogin(String user, String password, Map<String, String> accepted) {
        StringBuilder b = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required")
                .append(" username=\"").append(jaasEscape(user)).append("\" password=\"").append(jaasEscape(password))
                .append('"');
        accepted.forEach((u, pw) -> b.append(" user_").append(u).append("=\"").append(jaasEscape(pw)).append('"'));
        return b.append(';').toString();
    }

    private static String jaasEscape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static EmbeddedKafka start(Path dataDir, int port, Map<String, String> extraBrokerProps, SaslPlain sasl) {
        return start(dataDir, port, extraBrokerProps, sasl, null);
    }

    private static EmbeddedKafka start(Path dataDir, int port, Map<String, String> extraBrokerProps, SaslPlain sasl,
                                       Path tempParent) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
        }
        long t0 = System.nanoTime();
        boolean temp = dataDir == null;
        Path dir;
        try {
            dir = !temp ? Files.createDirectories(dataDir) : tempParent == null
                    ? Files.createTempDirectory("metastream-kafka-")
                    : Files.createTempDirectory(tempParent, "metastream-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create Kafka data directory " + (!temp ? dataDir
                    : "in " + (tempParent == null ? "the temporary directory" : tempParent)), e);
        }
        Map<String, String> extra = extraBrokerProps == null ? Map.of() : extraBrokerProps;
        try {
            EmbeddedKafka kafka = startWithRetries(dir, temp, port, extra, sasl);
            LOG.info("Embedded Kafka ready at {} (data {}) in {} ms", kafka.bootstrapServers, dir,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            return kafka;
        } catch (RuntimeException | Error e) {
            if (temp) {
                deleteQuietly(dir);
            }
            throw e;
        }
    }

    private static EmbeddedKafka startWithRetries(Path dir, boolean temp, int port, Map<String, String> extra,
                                                  SaslPlain sasl) {
        for (int attempt = 1; ; attempt++) {
            int brokerPort = port == 0 ? freePort() : port;
            int controllerPort = freePort();
            Map<String, String> props = brokerProps(dir, brokerPort, controllerPort, sasl, extra);
            long t0 = System.nanoTime();
            KafkaConfig config = new KafkaConfig(props, false);
            long t1 = System.nanoTime();
            format(config, dir);
            long t2 = System.nanoTime();
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            try {
                server.startup();
                LOG.debug("Embedded Kafka: config {} ms, format {} ms, startup {} ms", (t1 - t0) / 1_000_000,
                        (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000);
            } catch (RuntimeException e) {
                shutdownQuietly(server);
                // An ephemeral port can be grabbed by someone else between probing and binding: retry.
                if (isBindFailure(e) && attempt < MAX_BIND_ATTEMPTS) {
                    LOG.warn("Embedded Kafka could not bind its ports ({}), retrying", e.toString());
                    continue;
                }
                throw new IllegalStateException("Embedded Kafka failed to start on ports " + brokerPort + "/"
                        + controllerPort + ": " + e.getMessage(), e);
            }
            String bootstrap = HOST + ":" + brokerPort;
            Map<String, String> adminSecurity = sasl == null ? Map.of()
                    : saslPlainClientSettings(SaslPlain.ADMIN_USER, sasl.adminPassword());
            EmbeddedKafka kafka = new EmbeddedKafka(server, dir, temp, bootstrap, adminSecurity, props);
            try {
                kafka.awaitReady();
            } catch (RuntimeException e) {
                kafka.close();
                throw e;
            }
            return kafka;
        }
    }

    /** The default configuration of a single combined node; {@code extra} entries win. */
    private static Map<String, String> brokerProps(Path dir, int brokerPort, int controllerPort, SaslPlain sasl,
                                                   Map<String, String> extra) {
        Map<String, String> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort + ","
                + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort);
        p.put("listener.security.protocol.map",
                BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        if (sasl != null) {
            // The client listener keeps its name and requires SASL/PLAIN; the broker talks to itself as the admin.
            p.put("listener.security.protocol.map",
                    BROKER_LISTENER + ":SASL_PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
            p.put("sasl.enabled.mechanisms", "PLAIN");
            p.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
            p.put("listener.name." + BROKER_LISTENER.toLowerCase(java.util.Locale.ROOT) + ".plain.sasl.jaas.config",
                    plainLogin(SaslPlain.ADMIN_USER, sasl.adminPassword(), sasl.users()));
        }
        p.put("log.dirs", logDir(dir).toString());
        p.put("metadata.log.dir", logDir(dir).toString());

        // One node: every internal topic has a single replica.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("num.partitions", "1");
        p.put("auto.create.topics.enable", "false");
        p.put("group.initial.rebalance.delay.ms", "0");

        // Small footprint and fast start/stop for an in-process node.
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("broker.heartbeat.interval.ms", "500");
        p.put("controlled.shutdown.enable", "true");
        p.put("server.max.startup.time.ms", Long.toString(READY_TIMEOUT.toMillis()));

        p.putAll(extra);
        return p;
    }

    /**
     * Whether a data directory holds a formatted node (one that {@link #start} would resume with its topics and data)
     * rather than nothing yet.
     *
     * @param dataDir a data directory as passed to {@link #start(Path, int, Map)}
     * @return true when the directory has been formatted by an earlier start
     */
    public static boolean isFormatted(Path dataDir) {
        return Files.isRegularFile(logDir(dataDir).resolve("meta.properties"));
    }

    /**
     * Whether a running node (of this or another process) holds a data directory: Kafka locks
     * {@code <log dir>/.lock} while it runs, and a second node on the directory would fail deep in its start-up.
     *
     * @param dataDir a data directory as passed to {@link #start(Path, int, Map)}
     * @return true when the directory's lock is held
     */
    public static boolean inUse(Path dataDir) {
        Path lock = logDir(dataDir).resolve(".lock");
        if (!Files.isRegularFile(lock)) {
            return false;
        }
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lock,
                java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.channels.FileLock l = ch.tryLock();
            if (l == null) {
                return true;
            }
            l.release();
            return false;
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return true; // held by a node of this JVM
        } catch (IOException e) {
            return false; // cannot tell: let the start say what is wrong
        }
    }

    private static Path logDir(Path dir) {
        return dir.resolve("kraft-logs").toAbsolutePath();
    }

    /** Formats the log directory as the {@code kafka-storage.sh format} tool would; a no-op if already formatted. */
    private static void format(KafkaConfig config, Path dir) {
        String logDir = logDir(dir).toString();
        // setIgnoreFormatted(true) still verifies the cluster id of an already formatted directory, so a
        // reused directory must be "re-formatted" with the cluster id it already has.
        String clusterId = existingClusterId(logDir(dir)).orElseGet(() -> Uuid.randomUuid().toString());
        Formatter formatter = new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(config.nodeId())
                .setClusterId(clusterId)
                .setControllerListenerName(CONTROLLER_LISTENER)
                .setMetadataLogDirectory(logDir)
                .setDirectories(List.of(logDir))
                // Static quorum (controller.quorum.voters), as a classic single-node setup.
                .setHasDynamicQuorum(false)
                // The node is a controller: it needs the bootstrap metadata snapshot (metadata.version etc.).
                .setWriteBootstrapSnapshot(true)
                // A reused data directory keeps its cluster id and data.
                .setIgnoreFormatted(true);
        try {
            formatter.run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka storage in " + logDir + ": " + e.getMessage(), e);
        }
    }

    /** The {@code cluster.id} recorded in {@code meta.properties} of a formatted log directory, if any. */
    private static Optional<String> existingClusterId(Path logDir) {
        Path meta = logDir.resolve("meta.properties");
        if (!Files.isRegularFile(meta)) {
            return Optional.empty();
        }
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(meta, StandardCharsets.UTF_8)) {
            props.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + meta, e);
        }
        return Optional.ofNullable(props.getProperty("cluster.id")).filter(id -> !id.isBlank());
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Exception last = null;
        try (Admin admin = admin()) {
            while (System.nanoTime() < deadline) {
                try {
                    Collection<?> nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(5_000))
                            .nodes().get(5, TimeUnit.SECONDS);
                    if (!nodes.isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for embedded Kafka", e);
                }
                sleep(50);
            }
        }
        throw new IllegalStateException("embedded Kafka at " + bootstrapServers + " not ready after "
                + READY_TIMEOUT.toSeconds() + " s", last);
    }

    /**
     * The address clients connect to.
     *
     * @return {@code 127.0.0.1:<port>}
     */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * The directory that holds this node's logs and metadata.
     *
     * @return the data directory (a temporary one if {@code null} was passed to {@link #start})
     */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * Deletes every topic whose name starts with {@code prefix} (an application's topics and its internal ones start
     * with its id), so that runs one after another on one node do not keep each other's logs: the broker removes the
     * files a minute later ({@code file.delete.delay.ms}).
     *
     * @return the topics deleted
     * @throws IllegalStateException if they cannot be listed or deleted within 30 s
     */
    public Set<String> deleteTopicsStartingWith(String prefix) {
        try (Admin admin = admin()) {
            Set<String> names = admin.listTopics().names().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .stream().filter(n -> n.startsWith(prefix)).collect(Collectors.toCollection(java.util.TreeSet::new));
            if (!names.isEmpty()) {
                admin.deleteTopics(names).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
            return names;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while deleting the topics of " + prefix, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot delete the topics of " + prefix + ": " + e.getMessage(), e);
        }
    }

    /**
     * Creates topics and waits until each exists with a leader for every partition. Topics that already exist
     * are left as they are.
     *
     * @param topics the topics to create (use replication factor 1, or {@link java.util.Optional#empty()})
     * @throws IllegalStateException if a topic cannot be created within 30 s
     */
    public void createTopics(Collection<NewTopic> topics) {
        if (topics.isEmpty()) {
            return;
        }
        try (Admin admin = admin()) {
            CreateTopicsResult result = admin.createTopics(topics);
            for (Map.Entry<String, KafkaFuture<Void>> e : result.values().entrySet()) {
                try {
                    e.getValue().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + e.getKey() + ": "
                                + ex.getCause().getMessage(), ex.getCause());
                    }
                }
            }
            awaitLeaders(admin, topics.stream().map(NewTopic::name).collect(Collectors.toSet()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out creating topics " + topics, e);
        }
    }

    /** Waits until the broker's metadata shows every partition of {@code names} with a leader. */
    private static void awaitLeaders(Admin admin, Set<String> names) throws InterruptedException {
        long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                Map<String, TopicDescription> descriptions = admin.describeTopics(names).allTopicNames()
                        .get(5, TimeUnit.SECONDS);
                boolean allLed = descriptions.values().stream()
                        .flatMap(d -> d.partitions().stream())
                        .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
                if (allLed) {
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                last = e; // typically UnknownTopicOrPartitionException while metadata propagates
            }
            sleep(20);
        }
        throw new IllegalStateException("topics " + names + " have no partition leaders after "
                + ADMIN_TIMEOUT.toSeconds() + " s", last);
    }

    private Admin admin() {
        Map<String, Object> conf = new HashMap<>();
        conf.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        conf.put(AdminClientConfig.CLIENT_ID_CONFIG, "metastream-embedded-kafka-admin");
        conf.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        conf.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        conf.putAll(adminSecurity);
        return Admin.create(conf);
    }

    /**
     * Stops the node as an outage would, keeping its data directory and ports for {@link #restart()}. Clients see
     * the broker disappear: connections close and requests time out until it is back. Idempotent.
     */
    public synchronized void stop() {
        if (closed) {
            throw new IllegalStateException("embedded Kafka at " + bootstrapServers + " is closed");
        }
        if (stopped) {
            return;
        }
        stopped = true;
        long t0 = System.nanoTime();
        shutdownQuietly(server);
        LOG.info("Embedded Kafka at {} stopped (data kept) in {} ms", bootstrapServers,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    /**
     * Starts a stopped node again on the same ports and data directory (its topics, offsets, transactions and
     * group state survive), and returns once it serves requests. A no-op when it is running.
     *
     * @throws IllegalStateException if it is closed, or cannot bind its ports again within 30 s
     */
    public synchronized void restart() {
        if (closed) {
            throw new IllegalStateException("embedded Kafka at " + bootstrapServers + " is closed");
        }
        if (!stopped) {
            return;
        }
        long t0 = System.nanoTime();
        long deadline = t0 + ADMIN_TIMEOUT.toNanos();
        while (true) {
            KafkaRaftServer next = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
            try {
                next.startup();
                server = next;
                break;
            } catch (RuntimeException e) {
                shutdownQuietly(next);
                // The old sockets may linger a moment after the shutdown: the ports are fixed, so wait for them.
                if (!isBindFailure(e) || System.nanoTime() > deadline) {
                    throw new IllegalStateException("Embedded Kafka failed to restart at " + bootstrapServers + ": "
                            + e.getMessage(), e);
                }
                LOG.warn("Embedded Kafka could not bind its ports again ({}), retrying", e.toString());
                sleep(500);
            }
        }
        stopped = false;
        awaitReady();
        LOG.info("Embedded Kafka at {} restarted in {} ms", bootstrapServers,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    /**
     * Shuts the node down (controlled shutdown, then waits for all its threads) and deletes the data directory
     * if it was a temporary one. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long t0 = System.nanoTime();
        if (!stopped) {
            shutdownQuietly(server);
        }
        if (deleteDataDirOnClose) {
            deleteQuietly(dataDir);
        }
        LOG.debug("Embedded Kafka at {} stopped in {} ms", bootstrapServers,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    private static void shutdownQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Error while shutting down embedded Kafka", e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            Utils.delete(dir.toFile());
        } catch (IOException e) {
            LOG.warn("Cannot delete {}: {}", dir, e.toString());
        }
    }

    private static boolean isBindFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BindException) {
                return true;
            }
            String m = c.getMessage();
            if (m != null && m.toLowerCase(java.util.Locale.ROOT).contains("failed to bind")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Finds a currently free TCP port on 127.0.0.1 by binding port 0.
     *
     * @return a port number that was free a moment ago
     */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port", e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
