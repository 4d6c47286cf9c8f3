package dev.metastream.app;

import dev.metastream.topology.MetastreamMetrics;
import dev.metastream.topology.MetastreamTopology;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One metastream instance: creates the topics it needs (when allowed), builds the topology and runs it in a
 * {@link KafkaStreams}. Start more instances with the same {@code application.id} to scale out.
 */
public final class MetastreamApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetastreamApp.class);

    private final AppConfig config;
    private final String bootstrapServers;
    private final MetastreamMetrics metrics;
    private final Topology topology;
    private KafkaStreams streams;

    /**
     * @param config           the configuration
     * @param bootstrapServers the brokers to use (the configured ones, or the embedded broker's)
     * @param registry         where the learner's meters go
     */
    public MetastreamApp(AppConfig config, String bootstrapServers, MeterRegistry registry) {
        this.config = config;
        this.bootstrapServers = bootstrapServers;
        this.metrics = new MetastreamMetrics(registry);
        this.topology = MetastreamTopology.build(config.learner(), config.topology(), metrics);
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

    private void ensureTopics(Admin a) {
        try {
            List<NewTopic> wanted = MetastreamTopology.topics(config.topology());
            if (Boolean.parseBoolean(config.all().getProperty("topics.create", "true"))) {
                for (NewTopic t : wanted) {
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

    /** Partitions of a topic, waiting briefly for a just-created topic's metadata to reach the broker. */
    private static int partitionCount(Admin admin, String topic) throws InterruptedException, ExecutionException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> d = admin.describeTopics(List.of(topic)).allTopicNames().get();
                return d.get(topic).partitions().size();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /** Starts processing. */
    public void start() {
        streams = new KafkaStreams(topology, config.streamsProperties(bootstrapServers));
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("stream thread failed; replacing it", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.start();
        LOG.info("metastream started: application.id={}, bootstrap.servers={}, processing.guarantee={}",
                config.all().getProperty("application.id"), bootstrapServers,
                config.all().getProperty("processing.guarantee"));
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

    @Override
    public void close() {
        if (streams != null) {
            streams.close(Duration.ofSeconds(30));
        }
    }
}
