package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metastream.data.SyntheticStream;
import dev.metastream.topology.ParseProcessor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole product on a real in-process KRaft broker with exactly_once_v2: thousands of examples over several tasks
 * and three partitions in; predictions, snapshots, metrics, drift events and dead letters out, read back
 * read_committed as a downstream consumer would.
 */
class EndToEndTest {
    private static final int TASKS = 4;
    private static final int EXAMPLES = 12_000;
    private static final long DRIFT_AT = 5_000;
    private static final int UNLABELLED = 200;
    private final ObjectMapper mapper = new ObjectMapper();

    @TempDir
    Path stateDir;

    @Test
    void learnsFromAStreamOnARealBrokerWithExactlyOnce() throws Exception {
        SyntheticStream stream = new SyntheticStream(SyntheticStream.Config.defaults().withTasks(TASKS).withSeed(11)
                .withDriftAt(DRIFT_AT).withDriftTask("task-0"));
        Properties p = new Properties();
        p.setProperty("application.id", "metastream-e2e");
        p.setProperty("processing.guarantee", "exactly_once_v2");
        p.setProperty("state.dir", stateDir.toString());
        p.setProperty("input.dim", String.valueOf(stream.config().inputDim()));
        p.setProperty("task.classes", String.valueOf(stream.config().classes()));
        p.setProperty("model.trunk.layers", "32");
        p.setProperty("learner.batch.size", "16");
        p.setProperty("metrics.every.examples", "250");
        p.setProperty("snapshot.every.examples", "500");
        p.setProperty("metrics.interval.ms", "1000");
        p.setProperty("meta.sync.interval.ms", "500");
        p.setProperty("topics.partitions", "3");
        AppConfig config = AppConfig.of(p);

        try (EmbeddedKafka broker = EmbeddedKafka.start(null, 0, Map.of());
             MetastreamApp app = new MetastreamApp(config, broker.bootstrapServers(), new SimpleMeterRegistry())) {
            app.ensureTopics();
            app.start();
            app.awaitRunning(Duration.ofSeconds(60));

            Map<String, Integer> labels = new HashMap<>();
            Map<String, String> taskOf = new HashMap<>();
            int bad = 0;
            Properties pp = new Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            pp.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                for (int i = 0; i < EXAMPLES; i++) {
                    SyntheticStream.Example e = stream.next();
                    labels.put(e.id(), e.y());
                    taskOf.put(e.id(), e.task());
                    send(producer, config, e.task(), SyntheticStream.toJson(e));
                    if (i % 1000 == 999) {
                        // One malformed record in a thousand: the stream must go on past it.
                        send(producer, config, e.task(), i % 2000 == 999 ? "{\"task\": \"t\", \"x\": [1]}" : "{oops");
                        bad++;
                    }
                }
                for (int i = 0; i < UNLABELLED; i++) {
                    SyntheticStream.Example e = stream.next();
                    String json = SyntheticStream.toJson(e).replaceAll(",\"y\":\\d+", "");
                    send(producer, config, e.task(), json);
                }
            }

            Outputs out = readOutputs(broker.bootstrapServers(), config, EXAMPLES + UNLABELLED, bad);

            // Nothing lost, nothing twice: one prediction per good record, under exactly-once.
            assertThat(out.predictions).hasSize(EXAMPLES + UNLABELLED);
            Set<String> ids = new HashSet<>();
            out.predictions.forEach(n -> ids.add(n.path("id").asText()));
            assertThat(ids).hasSize(EXAMPLES + UNLABELLED);
            assertThat(out.deadLetterReasons).hasSize(bad)
                    .containsOnly("wrong-dimension", "not-json");

            // Accuracy above chance (1/3) and rising, on the tasks that did not drift.
            List<Boolean> hits = new ArrayList<>();
            for (JsonNode n : out.predictions) {
                String id = n.path("id").asText();
                if (labels.containsKey(id) && !taskOf.get(id).equals("task-0")) {
                    hits.add(n.path("prediction").asInt() == labels.get(id));
                }
            }
            double early = accuracy(hits.subList(0, 600));
            double late = accuracy(hits.subList(hits.size() - 3000, hits.size()));
            System.out.printf("e2e: accuracy first 600 = %.3f, last 3000 = %.3f (chance 0.333)%n", early, late);
            assertThat(late).isGreaterThan(0.6).isGreaterThan(early + 0.1);

            // Snapshots: every task's head, and versions of the shared model from the aggregator.
            assertThat(out.taskSnapshotKeys).containsAll(List.of("task-0", "task-1", "task-2", "task-3"));
            assertThat(out.metaVersion).isGreaterThan(0);
            // Metrics per task, and the drift the stream contains (task-0 changes concept at example 5,000).
            assertThat(out.metricsTasks).containsAll(List.of("task-0", "task-1", "task-2", "task-3"));
            // An error-detector event (not a domain-shift record, which shares the topic) for task-0, after its change:
            // a quarter of the stream is task-0's, so its change comes near its 1,250th example.
            assertThat(out.driftEvents).as("error-detector drift events").anySatisfy(n -> {
                assertThat(n.path("task").asText()).isEqualTo("task-0");
                assertThat(n.path("signal").asText()).isEqualTo("prequential-error");
                assertThat(n.path("position").asLong()).isGreaterThan(DRIFT_AT * 9 / 10 / TASKS);
            });
            System.out.printf("e2e: drift events %s, meta version %d, dead letters %d%n", out.driftTasks,
                    out.metaVersion, out.deadLetterReasons.size());
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, AppConfig config, String task, String json) {
        producer.send(new ProducerRecord<>(config.topology().examplesTopic(), task.getBytes(StandardCharsets.UTF_8),
                json.getBytes(StandardCharsets.UTF_8)));
    }

    private static double accuracy(List<Boolean> hits) {
        return hits.stream().filter(b -> b).count() / (double) hits.size();
    }

    /** What a read_committed consumer sees on the output topics. */
    private static final class Outputs {
        final List<JsonNode> predictions = new ArrayList<>();
        final List<String> deadLetterReasons = new ArrayList<>();
        final Set<String> taskSnapshotKeys = new HashSet<>();
        final Set<String> metricsTasks = new HashSet<>();
        final List<String> driftTasks = new ArrayList<>();
        final List<JsonNode> driftEvents = new ArrayList<>();
        long metaVersion;
    }

    private Outputs readOutputs(String bootstrap, AppConfig config, int predictions, int deadLetters)
            throws Exception {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "e2e-reader");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        var t = config.topology();
        Outputs out = new Outputs();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.subscribe(List.of(t.predictionsTopic(), t.deadLetterTopic(), t.snapshotsTopic(),
                    t.metricsTopic(), t.driftTopic()));
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            long quietUntil = 0;
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.topic().equals(t.deadLetterTopic())) {
                        out.deadLetterReasons.add(new String(
                                r.headers().lastHeader(ParseProcessor.HEADER_REASON).value(), StandardCharsets.UTF_8));
                        continue;
                    }
                    JsonNode n = mapper.readTree(r.value());
                    if (r.topic().equals(t.predictionsTopic())) {
                        out.predictions.add(n);
                    } else if (r.topic().equals(t.snapshotsTopic())) {
                        if (r.key().equals("meta")) {
                            out.metaVersion = Math.max(out.metaVersion, n.path("version").asLong());
                        } else {
                            out.taskSnapshotKeys.add(r.key());
                        }
                    } else if (r.topic().equals(t.metricsTopic())) {
                        out.metricsTasks.add(n.path("task").asText());
                    } else if (r.topic().equals(t.driftTopic())) {
                        out.driftTasks.add(n.path("task").asText());
                        out.driftEvents.add(n);
                    }
                }
                boolean complete = out.predictions.size() >= predictions && out.deadLetterReasons.size() >= deadLetters
                        && out.metaVersion > 0;
                if (complete && quietUntil == 0) {
                    // Keep reading a little: a duplicate, if exactly-once were broken, would arrive now.
                    quietUntil = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                }
                if (quietUntil != 0 && System.nanoTime() > quietUntil) {
                    break;
                }
            }
        }
        return out;
    }
}
