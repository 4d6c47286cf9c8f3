package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metastream.data.Scenario;
import dev.metastream.data.ScenarioSpec;
import dev.metastream.data.Scenarios;
import dev.metastream.learn.Instance;
import dev.metastream.topology.OutputRecords;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Label-free domain-shift monitoring through Kafka on a real in-process broker, under exactly-once: two tasks send
 * records that carry no label at all; one task's inputs move every 1,500 records (the hyperplane generator's
 * {@code shift-every}), the other's never do. The moving task's shifts reach the drift-events topic (signal
 * {@code inputs}, {@code inputs-mmd}, ...), within 1,000 records of each shift and never before the first; the steady
 * task raises none; {@code GET /drift/{task}} serves the latest check and Prometheus counts the shifts.
 *
 * <p>Nothing here waits on a clock to decide a result: the test reads until every record's prediction is committed,
 * then the drift-events topic to its committed end (its records commit in the same transactions as the predictions).
 */
class DomainShiftKafkaTest {
    private static final int PER_TASK = 4_500;
    private static final int SHIFT_EVERY = 1_500;
    private final ObjectMapper mapper = new ObjectMapper();

    @TempDir
    Path stateDir;

    @Test
    void findsInputShiftsOnRecordsWithoutLabels() throws Exception {
        Properties p = new Properties();
        p.setProperty("application.id", "metastream-shift");
        p.setProperty("processing.guarantee", "exactly_once_v2");
        p.setProperty("state.dir", stateDir.toString());
        p.setProperty("input.dim", "10");
        p.setProperty("task.classes", "2");
        p.setProperty("model.trunk.layers", "8");
        p.setProperty("topics.partitions", "2");
        p.setProperty("http.port", "0");
        AppConfig config = AppConfig.of(p);

        List<String> values = new ArrayList<>();
        List<Instance> moving = stream("hyperplane:shift-every=" + SHIFT_EVERY, 1);
        List<Instance> steady = stream("hyperplane", 2);
        for (int i = 0; i < PER_TASK; i++) {
            values.add(unlabelled("moving", moving.get(i)));
            values.add(unlabelled("steady", steady.get(i)));
        }

        try (EmbeddedKafka broker = EmbeddedKafka.start(null, 0, Map.of());
             MetastreamApp app = new MetastreamApp(config, broker.bootstrapServers())) {
            app.ensureTopics();
            app.start();
            app.awaitRunning(Duration.ofSeconds(120));
            produce(broker.bootstrapServers(), config.topology().examplesTopic(), values);

            Map<String, TreeSet<Long>> shifts = readShifts(broker.bootstrapServers(), config, values.size());

            // Nothing was learned: no record had a label.
            assertThat(app.metrics().learnedCount()).isZero();
            assertThat(shifts).doesNotContainKey("steady");
            TreeSet<Long> found = shifts.get("moving");
            assertThat(found).as("checks that found a shift on the moving task").isNotNull();
            for (long at = SHIFT_EVERY; at < PER_TASK; at += SHIFT_EVERY) {
                long from = at;
                assertThat(found.stream().anyMatch(pos -> pos > from && pos <= from + 1000))
                        .as("a shift found within 1,000 records of %d; found at %s", at, found).isTrue();
            }
            assertThat(found.first()).as("no alarm before the first shift").isGreaterThan(SHIFT_EVERY);

            HttpCalls http = new HttpCalls(null);
            HttpResponse<String> report = http.get(app.httpPort(), "/drift/moving");
            assertThat(report.statusCode()).isEqualTo(200);
            JsonNode r = mapper.readTree(report.body());
            assertThat(r.path("examples_monitored").asLong()).isEqualTo(PER_TASK);
            assertThat(r.path("latest").path("signals").size()).isPositive();
            assertThat(r.path("latest").path("recent").path("to").asLong()).isLessThanOrEqualTo(PER_TASK);
            assertThat(http.get(app.httpPort(), "/drift/nobody").statusCode()).isEqualTo(404);

            String metrics = http.get(app.httpPort(), "/metrics").body();
            assertThat(metrics.lines().filter(l -> l.startsWith("metastream_domain_shift_events_total"))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum())
                    .isEqualTo(app.metrics().shiftCount()).isGreaterThanOrEqualTo(2);
        }
    }

    private static List<Instance> stream(String source, long seed) {
        Scenario s = Scenarios.build(ScenarioSpec.of(source, PER_TASK, 0, seed));
        return s.tasks().get(0).train();
    }

    private String unlabelled(String task, Instance in) throws Exception {
        Map<String, Object> v = new TreeMap<>();
        v.put("task", task);
        List<Float> x = new ArrayList<>();
        for (float f : in.x()) {
            x.add(f);
        }
        v.put("x", x);
        return mapper.writeValueAsString(v);
    }

    private static void produce(String bootstrap, String topic, List<String> values) {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(),
                new StringSerializer())) {
            for (String v : values) {
                JsonNode n;
                try {
                    n = new ObjectMapper().readTree(v);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                producer.send(new ProducerRecord<>(topic, n.path("task").asText(), v));
            }
            producer.flush();
        }
    }

    /**
     * Reads, read_committed, until every record's prediction is visible, then the drift-events topic to its committed
     * end; returns the positions of the checks that found a shift, per task.
     */
    private Map<String, TreeSet<Long>> readShifts(String bootstrap, AppConfig config, int records) throws Exception {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "shift-reader");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        var t = config.topology();
        Map<String, TreeSet<Long>> shifts = new HashMap<>();
        int predictions = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(t.predictionsTopic(), t.driftTopic()));
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            boolean drained = false;
            while (!drained) {
                assertThat(System.nanoTime()).as("every prediction committed within 5 minutes (%d of %d)",
                        predictions, records).isLessThan(deadline);
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.topic().equals(t.predictionsTopic())) {
                        predictions++;
                        continue;
                    }
                    JsonNode n = mapper.readTree(r.value());
                    if (n.path("detector").asText().equals(OutputRecords.SHIFT_DETECTOR)) {
                        shifts.computeIfAbsent(n.path("task").asText(), k -> new TreeSet<>())
                                .add(n.path("position").asLong());
                    }
                }
                if (predictions >= records) {
                    // The drift records of those transactions are committed too: read up to the committed end.
                    Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment().stream()
                            .filter(tp -> tp.topic().equals(t.driftTopic())).toList());
                    drained = end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
                }
            }
            assertThat(predictions).isEqualTo(records);
        }
        return shifts;
    }
}
