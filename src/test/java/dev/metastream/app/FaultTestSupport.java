package dev.metastream.app;

import dev.metastream.learn.SharedState;
import dev.metastream.learn.TaskState;
import dev.metastream.topology.MetastreamTopology;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * What the fault tests share: a background reader of a topic, the final contents of the learner's stores read
 * back from their changelog topics, and the partition the default partitioner gives a task.
 */
final class FaultTestSupport {
    private FaultTestSupport() {}

    /** The partition Kafka's default partitioner (and so Kafka Streams' repartition) gives a task id key. */
    static int partitionOf(String task, int partitions) {
        return Utils.toPositive(Utils.murmur2(task.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** A consumer of one or more topics, from the beginning, polled on its own thread until closed. */
    static final class TopicReader implements AutoCloseable {
        final List<ConsumerRecord<byte[], byte[]>> records = new CopyOnWriteArrayList<>();
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Thread thread;
        private volatile boolean running = true;

        /**
         * @param committed read_committed (what a downstream consumer sees) or read_uncommitted (every write,
         *                  aborted ones included: progress, not results)
         */
        TopicReader(String bootstrap, List<String> topics, boolean committed) {
            Properties c = new Properties();
            c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, committed ? "read_committed" : "read_uncommitted");
            consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> parts = new ArrayList<>();
            for (String t : topics) {
                consumer.partitionsFor(t, Duration.ofSeconds(30)).forEach(p -> parts.add(
                        new TopicPartition(t, p.partition())));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            thread = new Thread(() -> {
                while (running) {
                    try {
                        consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                    } catch (org.apache.kafka.common.errors.WakeupException e) {
                        return;
                    }
                }
            }, "test-reader-" + String.join(",", topics));
            thread.setDaemon(true);
            thread.start();
        }

        /** Records seen so far that match. */
        long count(Predicate<ConsumerRecord<byte[], byte[]>> filter) {
            return records.stream().filter(filter).count();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            consumer.wakeup();
            thread.join(10_000);
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** The learner stores' final contents, as the changelogs hold them after the last commit. */
    record Stores(Map<String, TaskState> tasks, Map<String, Integer> taskPartition,
                  Map<Integer, SharedState> shared) {}

    /**
     * Reads the {@code task-state} and {@code shared-state} changelogs to their ends, read_committed: the last value
     * of each key is what the store held at the application's last commit.
     */
    static Stores readStores(String bootstrap, String applicationId) {
        Map<String, TaskState> tasks = new HashMap<>();
        Map<String, Integer> taskPartition = new HashMap<>();
        Map<Integer, SharedState> shared = new HashMap<>();
        readToEnd(bootstrap, changelog(applicationId, MetastreamTopology.TASK_STATE_STORE), r -> {
            if (r.value() != null) {
                TaskState st = TaskState.fromBytes(r.value());
                tasks.put(st.task(), st);
                taskPartition.put(st.task(), r.partition());
            }
        });
        readToEnd(bootstrap, changelog(applicationId, MetastreamTopology.SHARED_STATE_STORE), r -> {
            // The store also holds the memory-task registry's entries, under other keys.
            if (r.value() != null && MetastreamTopology.SHARED_STATE_KEY.equals(
                    new String(r.key(), java.nio.charset.StandardCharsets.UTF_8))) {
                shared.put(r.partition(), SharedState.fromBytes(r.value()));
            }
        });
        return new Stores(tasks, taskPartition, shared);
    }

    static String changelog(String applicationId, String store) {
        return applicationId + "-" + store + "-changelog";
    }

    private static void readToEnd(String bootstrap, String topic,
                                  java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> visitor) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            // With read_committed, the end offsets are the last stable offsets: everything committed.
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end " + end);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(visitor);
            }
        }
    }

    static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** Kafka Streams' own count of stream threads that died since the client started. */
    static double failedStreamThreads(org.apache.kafka.streams.KafkaStreams streams) {
        return streams.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals("failed-stream-threads"))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
                .sum();
    }
}
