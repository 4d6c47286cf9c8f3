package dev.metastream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metastream.data.InputRecordParser;
import dev.metastream.learn.LearnerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PassthroughTopology}: one output per valid example, keyed by task and stamped with the input's timestamp;
 * bad records to the dead-letter topic with metastream's reason headers and meter; the repartition by task only when
 * the input is not keyed by task.
 */
class PassthroughTopologyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path stateDir;

    private static LearnerConfig learner() {
        Properties lp = new Properties();
        lp.setProperty("input.dim", "3");
        lp.setProperty("task.classes", "2");
        return LearnerConfig.from(lp);
    }

    private Properties streams() {
        Properties sp = new Properties();
        sp.setProperty(StreamsConfig.APPLICATION_ID_CONFIG, "passthrough");
        sp.setProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        sp.setProperty(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        return sp;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void writesOnePredictionShapedRecordPerValidExampleAndDeadLettersTheRest() throws Exception {
        TopologyConfig topics = TopologyConfig.defaults();
        MetastreamMetrics metrics = MetastreamMetrics.standalone();
        Topology topology = PassthroughTopology.build(learner(), topics, metrics);
        assertThat(topology.describe().toString()).contains(MetastreamTopology.REPARTITION_NAME)
                .doesNotContain("learner");
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, streams())) {
            var in = driver.createInputTopic(topics.examplesTopic(), new ByteArraySerializer(),
                    new ByteArraySerializer());
            var out = driver.createOutputTopic(topics.predictionsTopic(), new StringDeserializer(),
                    new ByteArrayDeserializer());
            var dead = driver.createOutputTopic(topics.deadLetterTopic(), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            in.pipeInput(null, utf8("{\"task\":\"a\",\"id\":\"r1\",\"x\":[1,0,0],\"y\":1}"), T0);
            in.pipeInput(utf8("b"), utf8("{\"x\":[0,1,0]}"), T0.plusMillis(7)); // task from the key, unlabelled
            in.pipeInput(null, utf8("not json"), T0.plusMillis(8));
            in.pipeInput(null, utf8("{\"task\":\"a\",\"x\":[1,0],\"y\":1}"), T0.plusMillis(9)); // wrong dimension

            List<TestRecord<String, byte[]>> outputs = out.readRecordsToList();
            assertThat(outputs).extracting(TestRecord::key).containsExactly("a", "b");
            assertThat(outputs).extracting(TestRecord::getRecordTime).containsExactly(T0, T0.plusMillis(7));
            JsonNode first = JSON.readTree(outputs.get(0).value());
            assertThat(first.path("task").asText()).isEqualTo("a");
            assertThat(first.path("id").asText()).isEqualTo("r1");
            assertThat(first.path("labelled").asBoolean()).isTrue();
            assertThat(JSON.readTree(outputs.get(1).value()).path("labelled").asBoolean()).isFalse();

            assertThat(dead.readRecordsToList()).extracting(r -> new String(
                    r.headers().lastHeader(ParseProcessor.HEADER_REASON).value(), StandardCharsets.UTF_8))
                    .containsExactly("not-json", "wrong-dimension");
            assertThat(metrics.deadLetterCount(InputRecordParser.Reason.NOT_JSON)).isEqualTo(1);
            assertThat(metrics.deadLetterCount(InputRecordParser.Reason.WRONG_DIMENSION)).isEqualTo(1);
        }
    }

    @Test
    void inputKeyedByTaskSkipsTheRepartitionAndRefusesOtherKeys() {
        Properties tp = new Properties();
        tp.setProperty("input.partitioned.by.task", "true");
        TopologyConfig topics = TopologyConfig.from(tp);
        MetastreamMetrics metrics = MetastreamMetrics.standalone();
        Topology topology = PassthroughTopology.build(learner(), topics, metrics);
        assertThat(topology.describe().toString()).doesNotContain("repartition");
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, streams())) {
            var in = driver.createInputTopic(topics.examplesTopic(), new ByteArraySerializer(),
                    new ByteArraySerializer());
            var out = driver.createOutputTopic(topics.predictionsTopic(), new StringDeserializer(),
                    new ByteArrayDeserializer());
            var dead = driver.createOutputTopic(topics.deadLetterTopic(), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            byte[] value = utf8("{\"task\":\"a\",\"x\":[1,0,0],\"y\":1}");
            in.pipeInput(utf8("a"), value);
            in.pipeInput(utf8("b"), value);
            assertThat(out.readKeyValuesToList()).hasSize(1).allSatisfy(kv -> assertThat(kv.key).isEqualTo("a"));
            assertThat(dead.getQueueSize()).isEqualTo(1);
            assertThat(metrics.deadLetterCount(InputRecordParser.Reason.KEY_MISMATCH)).isEqualTo(1);
        }
    }

    @Test
    void createsItsThreeTopicsWithTheConfiguredPartitions() {
        Properties tp = new Properties();
        tp.setProperty("topics.partitions", "3");
        assertThat(PassthroughTopology.topics(TopologyConfig.from(tp))).hasSize(3)
                .allSatisfy(t -> assertThat(t.numPartitions()).isEqualTo(3));
    }

    /**
     * {@code bench --latency} takes receive time minus an output's timestamp as the latency of both applications:
     * that needs metastream's predictions, like the passthrough's outputs, to carry their input's timestamp through
     * the repartition.
     */
    @Test
    void metastreamsPredictionsCarryTheirInputsTimestampToo() {
        TopologyConfig topics = TopologyConfig.defaults();
        Properties lp = new Properties();
        lp.setProperty("input.dim", "3");
        lp.setProperty("task.classes", "2");
        lp.setProperty("model.trunk.layers", "4");
        Topology topology = MetastreamTopology.build(LearnerConfig.from(lp), topics, MetastreamMetrics.standalone());
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, streams())) {
            var in = driver.createInputTopic(topics.examplesTopic(), new ByteArraySerializer(),
                    new ByteArraySerializer());
            var out = driver.createOutputTopic(topics.predictionsTopic(), new StringDeserializer(),
                    new ByteArrayDeserializer());
            in.pipeInput(null, utf8("{\"task\":\"a\",\"x\":[1,0,0],\"y\":1}"), T0.plusMillis(123));
            in.pipeInput(null, utf8("{\"task\":\"b\",\"x\":[0,1,0]}"), T0.plusMillis(456));
            assertThat(out.readRecordsToList()).extracting(TestRecord::getRecordTime)
                    .containsExactly(T0.plusMillis(123), T0.plusMillis(456));
        }
    }
}
