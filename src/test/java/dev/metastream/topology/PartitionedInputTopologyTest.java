package dev.metastream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metastream.data.InputRecordParser;
import dev.metastream.learn.LearnerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code input.partitioned.by.task=true}: no repartition topic, and a record keyed by anything but its task is refused. */
class PartitionedInputTopologyTest {
    @TempDir
    Path stateDir;

    @Test
    void skipsTheRepartitionAndRefusesRecordsNotKeyedByTheirTask() {
        Properties lp = new Properties();
        lp.setProperty("input.dim", "3");
        lp.setProperty("task.classes", "2");
        lp.setProperty("model.trunk.layers", "4");
        Properties tp = new Properties();
        tp.setProperty("input.partitioned.by.task", "true");
        TopologyConfig topics = TopologyConfig.from(tp);
        MetastreamMetrics metrics = MetastreamMetrics.standalone();
        Topology topology = MetastreamTopology.build(LearnerConfig.from(lp), topics, metrics);
        assertThat(topology.describe().toString()).doesNotContain("repartition");

        Properties sp = new Properties();
        sp.setProperty(StreamsConfig.APPLICATION_ID_CONFIG, "partitioned");
        sp.setProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        sp.setProperty(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, sp)) {
            var in = driver.createInputTopic(topics.examplesTopic(), new ByteArraySerializer(), new ByteArraySerializer());
            var predictions = driver.createOutputTopic(topics.predictionsTopic(), new StringDeserializer(),
                    new ByteArrayDeserializer());
            var dead = driver.createOutputTopic(topics.deadLetterTopic(), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            byte[] value = "{\"task\":\"a\",\"x\":[1,0,0],\"y\":1}".getBytes(StandardCharsets.UTF_8);
            in.pipeInput("a".getBytes(StandardCharsets.UTF_8), value);
            in.pipeInput("b".getBytes(StandardCharsets.UTF_8), value);
            in.pipeInput(null, value);
            assertThat(predictions.readKeyValuesToList()).hasSize(1).allSatisfy(kv -> assertThat(kv.key).isEqualTo("a"));
            assertThat(dead.readRecordsToList()).hasSize(2).allSatisfy(r -> assertThat(new String(
                    r.headers().lastHeader(ParseProcessor.HEADER_REASON).value(), StandardCharsets.UTF_8))
                    .isEqualTo("key-mismatch"));
            assertThat(metrics.deadLetterCount(InputRecordParser.Reason.KEY_MISMATCH)).isEqualTo(2);
        }
    }
}
