package dev.metastream.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metastream.topology.TopologyConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the dashboard: one consumer thread per instance reads the metrics, drift-events and dead-letter topics (every
 * partition, no consumer group, {@code read_committed}) into a {@link DashboardHistory}, and every
 * {@value #SAMPLE_MS} ms asks the {@link Dashboard} to sample this instance's throughput and lag.
 *
 * <p>Why a consumer rather than a hook in the processor: the topics hold what every instance published, committed
 * exactly once, so each instance's dashboard shows all tasks; and after a restart the history is rebuilt from the
 * topics. At start it reads back the last {@value #LOOKBACK_METRICS} records of each metrics partition and the last
 * {@value #LOOKBACK_EVENTS} of each drift and dead-letter partition (so curves and counts cover that span, not the
 * topics' whole retention), then follows what is new.
 */
public final class DashboardFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardFeed.class);
    /** Records read back per metrics partition at start. */
    public static final long LOOKBACK_METRICS = 20_000;
    /** Records read back per drift-events and dead-letter partition at start. */
    public static final long LOOKBACK_EVENTS = 5_000;
    /** Milliseconds between samples of throughput and lag. */
    public static final long SAMPLE_MS = 2_000;
    static final String REASON_HEADER = "metastream.error.reason";

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final TopologyConfig topics;
    private final Dashboard dashboard;
    private final DashboardHistory history;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Thread thread;
    private volatile boolean running = true;

    private DashboardFeed(Properties consumerProps, TopologyConfig topics, Dashboard dashboard) {
        this.consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.topics = topics;
        this.dashboard = dashboard;
        this.history = dashboard.history();
        this.thread = new Thread(this::loop, "metastream-dashboard-feed");
        thread.setDaemon(true);
    }

    /**
     * Starts the feed.
     *
     * @param streamsProps the instance's Kafka Streams properties (brokers and security settings are taken from it)
     * @param topics       topic names
     * @param dashboard    the dashboard to feed and to sample
     */
    public static DashboardFeed start(Properties streamsProps, TopologyConfig topics, Dashboard dashboard) {
        DashboardFeed f = new DashboardFeed(consumerProperties(streamsProps), topics, dashboard);
        f.thread.start();
        return f;
    }

    /**
     * The feed's consumer settings: every consumer key of the instance's settings (security included), the
     * {@code config.providers*} keys so {@code ${env:...}} placeholders resolve, then its own: no group (it assigns
     * partitions itself and commits nothing), committed records only.
     */
    static Properties consumerProperties(Properties streamsProps) {
        Properties c = new Properties();
        streamsProps.forEach((k, v) -> {
            String key = k.toString();
            if (ConsumerConfig.configNames().contains(key) || key.startsWith("config.providers")) {
                c.put(key, v);
            }
        });
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        c.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, streamsProps.getProperty("application.id", "metastream") + "-dashboard");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        // Never create a topic by asking for it: with topics.create=false a missing one is the operator's to make.
        c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        return c;
    }

    private void loop() {
        long nextSample = 0;
        boolean assigned = false;
        try {
            while (running) {
                long now = System.currentTimeMillis();
                if (now >= nextSample) {
                    dashboard.sample(now);
                    nextSample = now + SAMPLE_MS;
                }
                if (!assigned) {
                    assigned = assign();
                    if (!assigned) {
                        Thread.sleep(1_000);
                        continue;
                    }
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    take(r);
                }
            }
        } catch (WakeupException e) {
            // close() woke the consumer up: stop.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // The dashboard is a view: losing it must not take the instance down, but it must say why it stopped.
            LOG.warn("the dashboard feed stopped; the dashboard shows what it read until now: {}", e.toString());
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    /**
     * Assigns every partition of the three topics and seeks back; false while a topic is not there yet or the brokers
     * do not answer in time (a slow start is retried, not the end of the dashboard).
     */
    private boolean assign() {
        try {
            return assignNow();
        } catch (TimeoutException e) {
            LOG.debug("dashboard feed: brokers did not answer yet ({}); retrying", e.getMessage());
            consumer.unsubscribe();
            return false;
        }
    }

    private boolean assignNow() {
        List<TopicPartition> all = new ArrayList<>();
        for (String topic : List.of(topics.metricsTopic(), topics.driftTopic(), topics.deadLetterTopic())) {
            List<PartitionInfo> parts = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            if (parts == null || parts.isEmpty()) {
                return false;
            }
            parts.forEach(p -> all.add(new TopicPartition(p.topic(), p.partition())));
        }
        consumer.assign(all);
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(all);
        Map<TopicPartition, Long> end = consumer.endOffsets(all);
        for (TopicPartition tp : all) {
            long back = tp.topic().equals(topics.metricsTopic()) ? LOOKBACK_METRICS : LOOKBACK_EVENTS;
            consumer.seek(tp, Math.max(begin.get(tp), end.get(tp) - back));
        }
        return true;
    }

    private void take(ConsumerRecord<byte[], byte[]> r) {
        if (r.topic().equals(topics.deadLetterTopic())) {
            Header h = r.headers().lastHeader(REASON_HEADER);
            history.deadLetter(h == null ? null : new String(h.value(), StandardCharsets.UTF_8));
            return;
        }
        if (r.value() == null) {
            return;
        }
        JsonNode json;
        try {
            json = mapper.readTree(r.value());
        } catch (IOException e) {
            return; // not ours to judge: the dashboard shows what it can read
        }
        if (r.topic().equals(topics.metricsTopic())) {
            history.metrics(json);
        } else {
            history.drift(json);
        }
    }

    /** Stops the thread and closes the consumer. */
    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
