package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metastream.data.SyntheticStream;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker outage: the only broker stops for 30 s while the application (in-process, {@code exactly_once_v2},
 * production settings) is processing and a producer keeps sending, then comes back on the same ports with the same
 * data. The application must recover by itself, without being restarted, and lose nothing: every example gets
 * exactly one committed prediction and every task learns exactly what was produced for it.
 */
class BrokerOutageTest {
    private static final int EXAMPLES = 3_000;
    private static final int RATE_PER_SECOND = 100;
    private static final Duration OUTAGE = Duration.ofSeconds(30);
    private static final String APP_ID = "outage-test";
    private final ObjectMapper mapper = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void recoversFromA30SecondBrokerOutageWithoutLosingOrRepeatingAnything() throws Exception {
        SyntheticStream stream = new SyntheticStream(SyntheticStream.Config.defaults().withTasks(4).withSeed(5));
        Properties p = new Properties();
        p.setProperty("application.id", APP_ID);
        p.setProperty("processing.guarantee", "exactly_once_v2");
        p.setProperty("state.dir", tmp.resolve("state").toString());
        p.setProperty("input.dim", String.valueOf(stream.config().inputDim()));
        p.setProperty("task.classes", String.valueOf(stream.config().classes()));
        p.setProperty("model.trunk.layers", "32");
        p.setProperty("learner.batch.size", "16");
        p.setProperty("topics.partitions", "2");
        p.setProperty("meta.sync.interval.ms", "500");
        AppConfig config = AppConfig.of(p);
        String topic = config.topology().examplesTopic();

        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp.resolve("kafka"), 0, Map.of());
             MetastreamApp app = new MetastreamApp(config, kafka.bootstrapServers(), new SimpleMeterRegistry())) {
            app.ensureTopics();
            app.start();
            app.awaitRunning(Duration.ofSeconds(90));
            Map<String, Long> produced = new TreeMap<>();
            AtomicReference<Throwable> producerFailure = new AtomicReference<>();
            AtomicInteger sent = new AtomicInteger();
            Thread producer = new Thread(() -> {
                Properties pp = new Properties();
                pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
                pp.put(ProducerConfig.LINGER_MS_CONFIG, "5");
                // The producer rides out the outage too: its sends wait in its buffer until the broker is back.
                pp.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "180000");
                pp.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "180000");
                try (KafkaProducer<byte[], byte[]> pr = new KafkaProducer<>(pp, new ByteArraySerializer(),
                        new ByteArraySerializer())) {
                    long start = System.nanoTime();
                    for (int i = 0; i < EXAMPLES; i++) {
                        SyntheticStream.Example e = stream.next();
                        synchronized (produced) {
                            produced.merge(e.task(), 1L, Long::sum);
                        }
                        pr.send(new ProducerRecord<>(topic, e.task().getBytes(StandardCharsets.UTF_8),
                                SyntheticStream.toJson(e).getBytes(StandardCharsets.UTF_8)), (m, ex) -> {
                                    if (ex != null) {
                                        producerFailure.compareAndSet(null, ex);
                                    }
                                });
                        sent.incrementAndGet();
                        long wait = start + (long) ((i + 1) * 1e9 / RATE_PER_SECOND) - System.nanoTime();
                        if (wait > 0) {
                            Thread.sleep(wait / 1_000_000);
                        }
                    }
                    pr.flush();
                } catch (Throwable t) {
                    producerFailure.compareAndSet(null, t);
                }
            }, "outage-producer");

            try (FaultTestSupport.TopicReader out = new FaultTestSupport.TopicReader(kafka.bootstrapServers(),
                    List.of(config.topology().predictionsTopic()), true)) {
                producer.start();
                awaitCount(out, 500, Duration.ofSeconds(60), "before the outage");
                int beforeOutage = out.records.size();

                long down = System.nanoTime();
                kafka.stop();
                Thread.sleep(OUTAGE.toMillis());
                int duringOutage = out.records.size() - beforeOutage;
                long up = System.nanoTime();
                kafka.restart();
                long restarted = System.nanoTime();
                // Recovery: the first prediction committed after the broker is back.
                int atRestart = out.records.size();
                awaitCount(out, atRestart + 1, Duration.ofSeconds(120), "after the outage");
                long recovered = System.nanoTime();

                producer.join(180_000);
                assertThat(producerFailure.get()).as("producer failure").isNull();
                awaitCount(out, EXAMPLES, Duration.ofSeconds(120), "all examples");
                Thread.sleep(1_000); // a duplicate, if exactly-once were broken, would show up by now
                KafkaStreams streams = app.streams();
                assertThat(streams.state()).as("Kafka Streams state after the outage")
                        .isEqualTo(KafkaStreams.State.RUNNING);

                // Exactly one committed prediction per example.
                Map<String, Integer> perId = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : out.records) {
                    perId.merge(mapper.readTree(r.value()).path("id").asText(), 1, Integer::sum);
                }
                assertThat(perId).hasSize(EXAMPLES);
                assertThat(perId.values()).containsOnly(1);

                // Every task learned exactly what was produced for it (the wall-clock timer learns the last partial
                // batches, so wait for it to show in the committed stores).
                Map<String, Long> learned = new TreeMap<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!learned.equals(produced) && System.nanoTime() < deadline) {
                    learned.clear();
                    FaultTestSupport.readStores(kafka.bootstrapServers(), APP_ID).tasks()
                            .forEach((t, st) -> learned.put(t, st.learned()));
                    Thread.sleep(200);
                }
                assertThat(learned).isEqualTo(produced);
                System.out.printf("outage test: broker down %.1f s (stop + %d s), restart took %.1f s, first "
                                + "committed prediction %.1f s after the broker was back; %d committed during the "
                                + "outage; failed stream threads %.0f; %d examples, each predicted once and learned%n",
                        (up - down) / 1e9, OUTAGE.toSeconds(), (restarted - up) / 1e9,
                        (recovered - restarted) / 1e9, duringOutage, FaultTestSupport.failedStreamThreads(streams),
                        EXAMPLES);
            }
        }
    }

    private static void awaitCount(FaultTestSupport.TopicReader reader, int n, Duration timeout, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (reader.records.size() < n) {
            if (System.nanoTime() > deadline) {
                fail("only " + reader.records.size() + " of " + n + " committed predictions " + what);
            }
            Thread.sleep(50);
        }
    }
}
