package dev.metastream.topology;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metastream.data.InputRecordParser;
import dev.metastream.learn.Instance;
import dev.metastream.learn.LearnerConfig;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The engine's ceiling for {@code bench}: metastream's topology with the learner taken out. Examples are parsed by the
 * same {@link ParseProcessor} and {@link InputRecordParser}, bad ones go to the dead-letter topic with the same reason
 * headers (and are counted by the same meter), valid ones are repartitioned by task under the same name
 * ({@link MetastreamTopology#REPARTITION_NAME}, skipped when {@code input.partitioned.by.task=true}) and each becomes
 * one small prediction-shaped JSON record on the predictions topic, keyed by task and stamped, as Kafka Streams does
 * by default, with the input record's timestamp. No state stores, no control topic, no shared model: whatever
 * metastream costs beyond this is the learner's and its state's.
 */
public final class PassthroughTopology {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PassthroughTopology() {}

    /**
     * Builds the topology.
     *
     * @param config  the learner configuration (the parser reads {@code input.dim} and the task kinds from it)
     * @param topics  topic names: reads {@code examplesTopic}, writes {@code predictionsTopic} and
     *                {@code deadLetterTopic}
     * @param metrics where the parser counts rejected records
     */
    public static Topology build(LearnerConfig config, TopologyConfig topics, MetastreamMetrics metrics) {
        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, Instance> valid = MetastreamTopology.examplesByTask(builder, config, topics, metrics);
        valid.mapValues(PassthroughTopology::output, Named.as("passthrough-output"))
                .to(topics.predictionsTopic(), Produced.with(Serdes.String(), Serdes.ByteArray())
                        .withName("predictions-sink"));
        return builder.build();
    }

    /**
     * The output of one example: the fields of a prediction record that do not need a model ({@code task},
     * {@code id}, {@code labelled}, {@code ts}), so that a reader of metastream's predictions can read these too.
     */
    static byte[] output(Instance in) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("task", in.task());
        n.put("id", in.id());
        n.put("labelled", in.labelled());
        n.put("ts", in.timestamp());
        try {
            return MAPPER.writeValueAsBytes(n);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The topics it reads and writes, configured as {@link MetastreamTopology#topics} configures them. */
    public static List<NewTopic> topics(TopologyConfig t) {
        int p = t.partitions();
        short rf = t.replicationFactor();
        return List.of(new NewTopic(t.examplesTopic(), p, rf), new NewTopic(t.predictionsTopic(), p, rf),
                new NewTopic(t.deadLetterTopic(), p, rf).configs(Map.of(
                        TopicConfig.RETENTION_MS_CONFIG, String.valueOf(14L * 24 * 3600 * 1000))));
    }
}
