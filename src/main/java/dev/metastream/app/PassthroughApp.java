package dev.metastream.app;

import dev.metastream.topology.MetastreamMetrics;
import dev.metastream.topology.PassthroughTopology;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Runs {@link PassthroughTopology} for {@code bench}, with exactly the Kafka Streams properties metastream would run
 * with for the same configuration ({@link AppConfig#streamsProperties}: processing guarantee, threads, commit interval,
 * producer linger, record cache and any {@code --set}), so the two differ only in what the topology does.
 */
final class PassthroughApp implements AutoCloseable {
    private final AppConfig config;
    private final String bootstrapServers;
    private final MetastreamMetrics metrics = MetastreamMetrics.standalone();
    private KafkaStreams streams;

    PassthroughApp(AppConfig config, String bootstrapServers) {
        this.config = config;
        this.bootstrapServers = bootstrapServers;
    }

    /** Creates its topics (an existing one, e.g. an examples topic shared with a metastream run, is kept). */
    void ensureTopics() throws InterruptedException {
        Properties a = new Properties();
        a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(a)) {
            for (NewTopic t : PassthroughTopology.topics(config.topology())) {
                try {
                    admin.createTopics(List.of(t)).all().get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("could not create topic " + t.name(), e.getCause());
                    }
                }
            }
        }
    }

    void start() {
        streams = new KafkaStreams(PassthroughTopology.build(config.learner(), config.topology(), metrics),
                config.streamsProperties(bootstrapServers));
        streams.start();
    }

    /** The running client (null before {@link #start}), for its metrics. */
    KafkaStreams streams() {
        return streams;
    }

    /** Waits until the client is RUNNING; fails after the timeout or when it stops. */
    void awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline || streams.state() == KafkaStreams.State.ERROR
                    || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                throw new IllegalStateException("passthrough not RUNNING after " + timeout + ": " + streams.state());
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
