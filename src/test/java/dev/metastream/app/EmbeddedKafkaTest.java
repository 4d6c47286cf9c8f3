package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class EmbeddedKafkaTest {

    @Test
    void producesAndConsumesIdempotentlyAndTransactionally() throws Exception {
        Path dataDir;
        long t0 = System.nanoTime();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(null, 0, Map.of())) {
            long startMs = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("EmbeddedKafka ready in " + startMs + " ms at " + kafka.bootstrapServers());
            dataDir = kafka.dataDir();
            assertThat(dataDir).isDirectory();
            assertThat(kafka.bootstrapServers()).startsWith("127.0.0.1:");

            kafka.createTopics(List.of(new NewTopic("events", 3, (short) 1)));
            kafka.createTopics(List.of(new NewTopic("events", 3, (short) 1))); // exists: ignored
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrapServers()))) {
                assertThat(admin.describeTopics(Set.of("events")).allTopicNames().get().get("events")
                        .partitions()).hasSize(3);
            }

            try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps(kafka, null))) {
                for (int i = 0; i < 100; i++) {
                    producer.send(new ProducerRecord<>("events", "k" + (i % 7), "v" + i));
                }
                producer.flush();
            }

            try (KafkaProducer<String, String> tx = new KafkaProducer<>(producerProps(kafka, "tx-test"))) {
                tx.initTransactions();
                tx.beginTransaction();
                tx.send(new ProducerRecord<>("events", "tx", "committed"));
                tx.commitTransaction();
                tx.beginTransaction();
                tx.send(new ProducerRecord<>("events", "tx", "aborted"));
                tx.flush();
                tx.abortTransaction();
            }

            List<ConsumerRecord<String, String>> records = consumeAll(kafka, "events", 101);
            assertThat(records).hasSize(101);
            List<String> values = records.stream().map(ConsumerRecord::value).toList();
            for (int i = 0; i < 100; i++) {
                assertThat(values).contains("v" + i);
            }
            assertThat(values).contains("committed").doesNotContain("aborted");
            assertThat(records.stream().map(ConsumerRecord::partition).distinct()).hasSize(3);
        }
        assertThat(dataDir).doesNotExist();
    }

    @Test
    void startsOnFixedPortWithPersistentDataDir(@TempDir Path tmp) throws Exception {
        int port = EmbeddedKafka.freePort();
        Path dir = tmp.resolve("kafka");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, port, Map.of("num.partitions", "2"))) {
            assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + port);
            kafka.createTopics(List.of(new NewTopic("fixed", java.util.Optional.empty(), java.util.Optional.empty())));
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps(kafka, null))) {
                producer.send(new ProducerRecord<>("fixed", "a", "1")).get();
            }
        }
        assertThat(dir).isDirectory(); // caller-owned directory is kept

        // Restart on the same directory: the record survives.
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, port, Map.of())) {
            List<ConsumerRecord<String, String>> records = consumeAll(kafka, "fixed", 1);
            assertThat(records).extracting(ConsumerRecord::value).containsExactly("1");
        }
        assertThat(Files.exists(dir)).isTrue();
    }

    @Test
    void aTemporaryNodeInAGivenDirectoryKeepsItsLogThereDeletesTopicsByPrefixAndRemovesIt(@TempDir Path parent) throws Exception {
        Path dir;
        try (EmbeddedKafka kafka = EmbeddedKafka.startTemporaryIn(parent)) {
            dir = kafka.dataDir();
            assertThat(dir.getParent()).isEqualTo(parent);
            kafka.createTopics(List.of(new NewTopic("here", java.util.Optional.empty(), java.util.Optional.empty())));
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps(kafka, null))) {
                producer.send(new ProducerRecord<>("here", "a", "1")).get();
            }
            try (var files = Files.walk(dir)) {
                assertThat(files.anyMatch(f -> f.getFileName().toString().startsWith("here-"))).isTrue();
            }
            kafka.createTopics(List.of(new NewTopic("here-too", java.util.Optional.empty(), java.util.Optional.empty()),
                    new NewTopic("there", java.util.Optional.empty(), java.util.Optional.empty())));
            assertThat(kafka.deleteTopicsStartingWith("here")).containsExactly("here", "here-too");
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                    Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()))) {
                assertThat(admin.listTopics().names().get()).contains("there").doesNotContain("here", "here-too");
            }
        }
        assertThat(dir).doesNotExist();
    }

    private static Map<String, Object> producerProps(EmbeddedKafka kafka, String transactionalId) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        if (transactionalId != null) {
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        }
        return p;
    }

    static List<ConsumerRecord<String, String>> consumeAll(EmbeddedKafka kafka, String topic, int expected) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            // A short extra poll to catch anything unexpected beyond the expected count.
            consumer.poll(Duration.ofMillis(300)).forEach(out::add);
        }
        return out;
    }
}
