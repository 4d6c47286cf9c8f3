package dev.metastream.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metastream.topology.ParseProcessor;
import dev.metastream.topology.TopologyConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads metastream's output topics (read_committed, like any downstream consumer) and keeps a live summary:
 * prediction count, the latest metrics per task, drift events, the shared model's version, dead letters by reason.
 * Used by the demo and the benchmark to report what the application published, not what it meant to.
 */
public final class OutputWatcher implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final TopologyConfig topics;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Thread thread;
    private volatile boolean running = true;
    /** Predictions read. */
    public final AtomicLong predictions = new AtomicLong();
    /** Labelled predictions read. */
    public final AtomicLong labelledPredictions = new AtomicLong();
    /** Newest shared-model version read from the snapshots topic. */
    public final AtomicLong metaVersion = new AtomicLong();
    /** Task snapshots read. */
    public final AtomicLong taskSnapshots = new AtomicLong();
    /** Metrics records read. */
    public final AtomicLong metricsRecords = new AtomicLong();
    private final Map<String, JsonNode> latestMetrics = new ConcurrentHashMap<>();
    private final List<JsonNode> drifts = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, AtomicLong> deadLetters = new ConcurrentHashMap<>();
    /** Records read from any output topic: moves whenever the application publishes anything. */
    public final AtomicLong records = new AtomicLong();
    private volatile Throwable failure;

    /** Starts reading from the beginning of the output topics. */
    public OutputWatcher(String bootstrapServers, TopologyConfig topics, Map<String, Object> clientOverrides) {
        this.topics = topics;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "metastream-watcher-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.putAll(clientOverrides);
        consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topics.predictionsTopic(), topics.metricsTopic(), topics.driftTopic(),
                topics.snapshotsTopic(), topics.deadLetterTopic()));
        thread = new Thread(this::loop, "metastream-output-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    records.incrementAndGet();
                    accept(r);
                }
            }
        } catch (RuntimeException | Error e) {
            failure = e;
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /**
     * Why the reading thread stopped early.
     *
     * @return the exception that ended it, or {@code null} while it runs (or after a normal close)
     */
    public Throwable failure() {
        return failure;
    }

    private void accept(ConsumerRecord<String, byte[]> r) {
        String t = r.topic();
        if (t.equals(topics.deadLetterTopic())) {
            Header h = r.headers().lastHeader(ParseProcessor.HEADER_REASON);
            String reason = h == null ? "unknown" : new String(h.value(), StandardCharsets.UTF_8);
            deadLetters.computeIfAbsent(reason, k -> new AtomicLong()).incrementAndGet();
            return;
        }
        JsonNode n;
        try {
            n = mapper.readTree(r.value());
        } catch (Exception e) {
            return;
        }
        if (t.equals(topics.predictionsTopic())) {
            predictions.incrementAndGet();
            if (n.path("labelled").asBoolean()) {
                labelledPredictions.incrementAndGet();
            }
        } else if (t.equals(topics.metricsTopic())) {
            metricsRecords.incrementAndGet();
            latestMetrics.merge(n.path("task").asText(), n,
                    (old, neu) -> neu.path("examples_seen").asLong() >= old.path("examples_seen").asLong() ? neu : old);
        } else if (t.equals(topics.driftTopic())) {
            drifts.add(n);
        } else if (t.equals(topics.snapshotsTopic())) {
            if ("meta".equals(n.path("type").asText())) {
                metaVersion.accumulateAndGet(n.path("version").asLong(), Math::max);
            } else {
                taskSnapshots.incrementAndGet();
            }
        }
    }

    /** The newest metrics record of each task, by task id. */
    public Map<String, JsonNode> latestMetrics() {
        return new TreeMap<>(latestMetrics);
    }

    /** Drift events read so far. */
    public List<JsonNode> drifts() {
        synchronized (drifts) {
            return List.copyOf(drifts);
        }
    }

    /** Dead-letter records read, by reason. */
    public Map<String, Long> deadLetters() {
        Map<String, Long> m = new TreeMap<>();
        deadLetters.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
    }
}
