package dev.metastream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metastream.learn.LearnerConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Fast checks of what the fault tests rely on: the event-time micro-batch mode learns a partial batch exactly when a
 * later record's timestamp says so (never on the wall clock), and a record whose {@code ts} is before 1970 is
 * dead-lettered instead of stopping the stream thread (a negative timestamp on the learner's metrics and snapshot
 * records made Kafka Streams throw, the thread was replaced, met the same record again, and so on forever).
 */
class FaultModesTopologyTest {
    private static final int DIM = 4;
    private TopologyTestDriver driver;
    private MetastreamMetrics metrics;
    private TestInputTopic<byte[], byte[]> examples;
    private TestOutputTopic<String, String> predictions;
    private TestOutputTopic<byte[], byte[]> deadLetter;

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private void open(Properties extra) {
        Properties p = new Properties();
        p.setProperty("input.dim", String.valueOf(DIM));
        p.setProperty("task.classes", "3");
        p.setProperty("model.trunk.layers", "8");
        p.setProperty("learner.batch.size", "4");
        p.setProperty("learner.batch.max.wait.ms", "100");
        p.setProperty("metrics.every.examples", "2");
        p.setProperty("snapshot.every.examples", "2");
        p.putAll(extra);
        LearnerConfig config = LearnerConfig.from(p);
        TopologyConfig topics = TopologyConfig.from(p);
        metrics = MetastreamMetrics.standalone();
        Properties s = new Properties();
        s.setProperty(StreamsConfig.APPLICATION_ID_CONFIG, "fault-modes");
        s.setProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        driver = new TopologyTestDriver(MetastreamTopology.build(config, topics, metrics), s,
                Instant.ofEpochMilli(0));
        examples = driver.createInputTopic(topics.examplesTopic(), new ByteArraySerializer(),
                new ByteArraySerializer());
        predictions = driver.createOutputTopic(topics.predictionsTopic(), new StringDeserializer(),
                new StringDeserializer());
        deadLetter = driver.createOutputTopic(topics.deadLetterTopic(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    private void send(String task, int y, long ts) {
        String json = "{\"task\":\"" + task + "\",\"x\":[0.5,-1,2,0.25],\"y\":" + y + "}";
        examples.pipeInput(task.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8), ts);
    }

    @Test
    void eventTimeModeLearnsAPartialBatchWhenALaterRecordClosesIt() {
        Properties p = new Properties();
        p.setProperty("learner.batch.max.wait.clock", "event-time");
        p.setProperty("meta.sync.enabled", "false");
        open(p);
        send("a", 0, 1_000);
        send("a", 1, 1_050);
        // Wall-clock time passing learns nothing in this mode.
        driver.advanceWallClockTime(Duration.ofSeconds(10));
        assertThat(metrics.learnedCount()).isZero();
        // 99 ms after the oldest buffered example: not yet.
        send("a", 2, 1_099);
        assertThat(metrics.learnedCount()).isZero();
        // 100 ms after it: the three buffered examples are learned before this one is predicted and buffered.
        send("a", 0, 1_100);
        assertThat(metrics.learnedCount()).isEqualTo(3);
        // The head learned the three examples one by one (task version 3), the trunk as one batch (learned count 3).
        assertThat(predictions.readValuesToList().get(3)).contains("\"task_version\":3");
        // A full batch is still learned at once.
        send("a", 1, 1_101);
        send("a", 2, 1_102);
        send("a", 0, 1_103);
        assertThat(metrics.learnedCount()).isEqualTo(7);
    }

    @Test
    void wallClockModeIsTheDefault() {
        open(new Properties());
        send("a", 0, 1_000);
        send("a", 1, 5_000);
        assertThat(metrics.learnedCount()).isZero();
        driver.advanceWallClockTime(Duration.ofMillis(100));
        assertThat(metrics.learnedCount()).isEqualTo(2);
    }

    @Test
    void aRecordDatedBefore1970GoesToTheDeadLetterTopic() {
        open(new Properties());
        for (int i = 0; i < 8; i++) {
            String json = "{\"task\":\"a\",\"x\":[0.5,-1,2,0.25],\"y\":1,\"ts\":-" + (i + 1) + "}";
            examples.pipeInput("a".getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8), 1_000L);
        }
        assertThat(deadLetter.readRecordsToList()).hasSize(8).allSatisfy(r -> assertThat(new String(
                r.headers().lastHeader(ParseProcessor.HEADER_REASON).value(), StandardCharsets.UTF_8))
                .isEqualTo("bad-field"));
        assertThat(predictions.isEmpty()).isTrue();
        // The stream goes on.
        for (int i = 0; i < 4; i++) {
            send("a", i % 3, 2_000 + i);
        }
        assertThat(metrics.learnedCount()).isEqualTo(4);
    }
}
