package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metastream.data.InputRecordParser;
import dev.metastream.data.RecordMutator;
import dev.metastream.topology.ParseProcessor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzed input through the real topology on the in-process broker ({@code exactly_once_v2}): 10,000 seeded mutants
 * of valid records ({@link RecordMutator}: truncations, wrong types for every field, arrays over {@code input.dim}
 * and over the record size limit, NaN/Infinity/1e999, nesting up to 10,000 levels, invalid UTF-8, empty and null
 * values, null keys, control characters, duplicate keys) interleaved with 2,500 valid records. The stream thread
 * never dies, every bad record reaches the dead-letter topic exactly once with a reason its mutation allows and its
 * source offset, the per-reason metric matches, and every good record is predicted once and learned.
 */
class FuzzedInputTest {
    private static final int BAD = 10_000;
    private static final int GOOD_EVERY = 4;
    private static final int DIM = 20;
    private static final int CLASSES = 3;
    private static final int MAX_BYTES = 65_536;
    private static final String APP_ID = "fuzz-test";
    private final ObjectMapper mapper = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void badRecordsGoToTheDeadLetterTopicAndGoodOnesAreAllLearned() throws Exception {
        Properties p = new Properties();
        p.setProperty("application.id", APP_ID);
        p.setProperty("processing.guarantee", "exactly_once_v2");
        p.setProperty("state.dir", tmp.resolve("state").toString());
        p.setProperty("input.dim", String.valueOf(DIM));
        p.setProperty("task.classes", String.valueOf(CLASSES));
        p.setProperty("input.max.record.bytes", String.valueOf(MAX_BYTES));
        p.setProperty("model.trunk.layers", "16");
        p.setProperty("learner.batch.size", "16");
        p.setProperty("topics.partitions", "2");
        AppConfig config = AppConfig.of(p);
        var topics = config.topology();

        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"), 0, Map.of());
             MetastreamApp app = new MetastreamApp(config, kafka.bootstrapServers(), new SimpleMeterRegistry())) {
            app.ensureTopics();
            app.start();
            app.awaitRunning(Duration.ofSeconds(90));
            long t0 = System.nanoTime();

            RecordMutator mutator = new RecordMutator(99, DIM, CLASSES, MAX_BYTES);
            List<Future<RecordMetadata>> badSent = new ArrayList<>();
            List<RecordMutator.Kind> badKinds = new ArrayList<>();
            Map<String, Long> goodPerTask = new TreeMap<>();
            int good = 0;
            Properties pp = new Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            pp.put(ProducerConfig.LINGER_MS_CONFIG, "20");
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                for (int i = 0; i < BAD; i++) {
                    RecordMutator.Mutant m = mutator.next();
                    badKinds.add(m.kind());
                    badSent.add(producer.send(new ProducerRecord<>(topics.examplesTopic(), m.key(), m.value())));
                    if (i % GOOD_EVERY == 0) {
                        String task = "fuzz-" + (good % 5);
                        String id = "good-" + good++;
                        goodPerTask.merge(task, 1L, Long::sum);
                        // Some good records have no key: the task in the value is enough.
                        byte[] key = good % 3 == 0 ? null : task.getBytes(StandardCharsets.UTF_8);
                        producer.send(new ProducerRecord<>(topics.examplesTopic(), key,
                                mutator.valid(task, id).getBytes(StandardCharsets.UTF_8)));
                    }
                }
                producer.flush();
            }
            // Where each bad record landed: the dead-letter headers must point back at exactly these.
            Map<String, RecordMutator.Kind> kindAt = new HashMap<>();
            for (int i = 0; i < BAD; i++) {
                RecordMetadata md = badSent.get(i).get();
                kindAt.put(md.partition() + "@" + md.offset(), badKinds.get(i));
            }
            long produced = System.nanoTime();

            boolean alwaysRunning = true;
            try (FaultTestSupport.TopicReader out = new FaultTestSupport.TopicReader(kafka.bootstrapServers(),
                    List.of(topics.predictionsTopic(), topics.deadLetterTopic()), true)) {
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (out.records.size() < BAD + good) {
                    alwaysRunning &= app.streams().state() == KafkaStreams.State.RUNNING;
                    if (System.nanoTime() > deadline) {
                        fail("only " + out.records.size() + " of " + (BAD + good) + " outputs after 120 s");
                    }
                    Thread.sleep(50);
                }
                Thread.sleep(500); // a duplicate would show up by now
                long done = System.nanoTime();

                // The stream thread never died and was never replaced.
                assertThat(alwaysRunning).as("Kafka Streams stayed RUNNING").isTrue();
                assertThat(app.streams().state()).isEqualTo(KafkaStreams.State.RUNNING);
                assertThat(FaultTestSupport.failedStreamThreads(app.streams())).as("failed stream threads").isZero();

                // Every bad record in the dead-letter topic once, with a reason its mutation allows.
                Map<String, Integer> deadLetters = new HashMap<>();
                Map<String, Integer> perReason = new TreeMap<>();
                Map<String, Integer> predictions = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : out.records) {
                    if (r.topic().equals(topics.predictionsTopic())) {
                        predictions.merge(mapper.readTree(r.value()).path("id").asText(), 1, Integer::sum);
                        continue;
                    }
                    String reason = FaultTestSupport.header(r, ParseProcessor.HEADER_REASON);
                    String at = FaultTestSupport.header(r, ParseProcessor.HEADER_PARTITION) + "@"
                            + FaultTestSupport.header(r, ParseProcessor.HEADER_OFFSET);
                    assertThat(FaultTestSupport.header(r, ParseProcessor.HEADER_MESSAGE)).isNotBlank();
                    assertThat(FaultTestSupport.header(r, ParseProcessor.HEADER_TOPIC))
                            .isEqualTo(topics.examplesTopic());
                    RecordMutator.Kind kind = kindAt.get(at);
                    assertThat(kind).as("dead letter from %s is one of the mutants", at).isNotNull();
                    assertThat(kind.reasons()).as("reason of the %s mutant at %s", kind, at).contains(reason);
                    deadLetters.merge(at, 1, Integer::sum);
                    perReason.merge(reason, 1, Integer::sum);
                }
                assertThat(deadLetters.keySet()).isEqualTo(kindAt.keySet());
                assertThat(deadLetters.values()).containsOnly(1);
                for (InputRecordParser.Reason reason : InputRecordParser.Reason.values()) {
                    assertThat(app.metrics().deadLetterCount(reason)).as("metric for %s", reason.code())
                            .isEqualTo(perReason.getOrDefault(reason.code(), 0).doubleValue());
                }

                // Every good record predicted once, and learned.
                assertThat(predictions).hasSize(good);
                assertThat(predictions.values()).containsOnly(1);
                assertThat(predictions.keySet()).allMatch(id -> id.startsWith("good-"));
                Map<String, Long> learned = new TreeMap<>();
                long learnDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!learned.equals(goodPerTask) && System.nanoTime() < learnDeadline) {
                    learned.clear();
                    FaultTestSupport.readStores(kafka.bootstrapServers(), APP_ID).tasks()
                            .forEach((t, st) -> learned.put(t, st.learned()));
                    Thread.sleep(200);
                }
                assertThat(learned).isEqualTo(goodPerTask);
                System.out.printf("fuzz test: %d bad + %d good records produced in %.1f s, all out in %.1f s more;"
                                + " dead letters by reason %s; stream threads failed: 0%n", BAD, good,
                        (produced - t0) / 1e9, (done - produced) / 1e9, perReason);
            }
        }
    }
}
