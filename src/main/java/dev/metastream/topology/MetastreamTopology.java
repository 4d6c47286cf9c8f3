package dev.metastream.topology;

import dev.metastream.data.InputRecordParser;
import dev.metastream.learn.Instance;
import dev.metastream.learn.LearnerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.RecordContext;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The metastream topology. Three sub-topologies and one global store:
 * <ol>
 *   <li>parse: examples → parsed and keyed by task (repartitioned so each task lives on one partition) or, when bad,
 *       to the dead-letter topic;</li>
 *   <li>learn: per partition, predict-then-learn with the stores below; outputs routed by topic;</li>
 *   <li>aggregate: the single meta-model aggregator over the one-partition meta-updates topic;</li>
 * </ol>
 * and the global {@value #META_MODEL_STORE} store every instance reads the newest shared model from.
 */
public final class MetastreamTopology {
    /** Per-task heads, optimiser state, metrics and drift detectors. */
    public static final String TASK_STATE_STORE = "task-state";
    /** Per-partition shared trunk, meta initialisation and bases. */
    public static final String SHARED_STATE_STORE = "shared-state";
    /** The micro-batch waiting to be learned. */
    public static final String PENDING_STORE = "pending-examples";
    /** Per-task episodic memory (reservoir samples). */
    public static final String MEMORY_STORE = "episodic-memory";
    /** Per-task reference gradients of the gradient memory. */
    public static final String REFERENCE_GRADIENT_STORE = "reference-gradients";
    /** Per-task domain-shift monitors (reference and recent histograms), written after every record. */
    public static final String SHIFT_MONITOR_STORE = "shift-monitors";
    /** Per-task latest snapshot JSON, exactly as published on the snapshots topic (served by {@code GET /models}). */
    public static final String TASK_SNAPSHOT_STORE = "task-snapshots";
    /** Key of a partition's shared state in {@value #SHARED_STATE_STORE}. */
    public static final String SHARED_STATE_KEY = "shared";
    /** The aggregator's current shared model. */
    public static final String META_AGGREGATE_STORE = "meta-aggregate";
    /** Global store: the newest shared model, on every instance. */
    public static final String META_MODEL_STORE = "meta-model";
    /** Key of the shared model in stores and topics. */
    public static final String META_KEY = "meta";
    /** Name of the repartition topic (prefixed by the application id, suffixed by Kafka Streams). */
    public static final String REPARTITION_NAME = "examples-by-task";

    private MetastreamTopology() {}

    /**
     * The front of the topology, shared with {@link PassthroughTopology} so that the engine's ceiling measures the same
     * hops: the examples topic parsed (a bad record to the dead-letter topic with its reason, counted), then
     * repartitioned by task unless the input is already keyed by task.
     */
    static KStream<String, Instance> examplesByTask(StreamsBuilder builder, LearnerConfig config, TopologyConfig topics,
                                                    MetastreamMetrics metrics) {
        InputRecordParser parser = new InputRecordParser(config, topics.maxRecordBytes());
        KStream<byte[], byte[]> raw = builder.stream(topics.examplesTopic(),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("examples-source"));
        Map<String, KStream<String, ParseProcessor.Parsed>> routes = raw
                .process(() -> new ParseProcessor(parser, metrics, topics.partitionedByTask()), Named.as("parse"))
                .split(Named.as("route-"))
                .branch((k, v) -> v.valid(), Branched.as("valid"))
                .defaultBranch(Branched.as("invalid"));
        routes.get("route-invalid")
                .map((k, v) -> KeyValue.pair(v.key(), v.value()), Named.as("dead-letter-unwrap"))
                .to(topics.deadLetterTopic(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray())
                        .withName("dead-letter-sink"));
        KStream<String, Instance> valid = routes.get("route-valid")
                .mapValues(ParseProcessor.Parsed::instance, Named.as("instance"));
        if (!topics.partitionedByTask()) {
            // The task may come from the value, so the input's partitioning says nothing: co-locate each task.
            valid = valid.repartition(Repartitioned.<String, Instance>as(REPARTITION_NAME)
                    .withKeySerde(Serdes.String()).withValueSerde(InstanceSerde.serde()));
        }
        return valid;
    }

    /** Builds the topology. */
    public static Topology build(LearnerConfig config, TopologyConfig topics, MetastreamMetrics metrics) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(META_MODEL_STORE), Serdes.String(),
                        Serdes.ByteArray()).withLoggingDisabled(),
                topics.metaModelTopic(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("meta-model-source"),
                MetaModelUpdater::new);
        // The learner writes its states behind, before each commit (PreCommitHooks): the stores it writes then run
        // its hook before Kafka Streams flushes them.
        PreCommitHooks hooks = new PreCommitHooks();
        for (String name : List.of(TASK_STATE_STORE, SHARED_STATE_STORE)) {
            builder.addStateStore(hooks.wrap(store(name)));
        }
        for (String name : List.of(PENDING_STORE, MEMORY_STORE, REFERENCE_GRADIENT_STORE, SHIFT_MONITOR_STORE,
                TASK_SNAPSHOT_STORE, META_AGGREGATE_STORE)) {
            builder.addStateStore(store(name));
        }

        KStream<String, Instance> valid = examplesByTask(builder, config, topics, metrics);
        // Control commands (DELETE /tasks/{id}, imports) reach the learner of their task's partition through the same
        // stream as its examples: one processor, one transaction, the partition's order.
        KStream<String, Object> control = builder.stream(topics.controlTopic(),
                        Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("control-source"))
                .mapValues((k, v) -> (Object) ControlCommand.parse(k, v), Named.as("control-parse"));
        @SuppressWarnings({"unchecked", "rawtypes"})
        KStream<String, Object> examples = (KStream) valid;
        examples.merge(control, Named.as("learner-input"))
                .process(() -> new LearnerProcessor(config, topics, metrics, hooks), Named.as("learner"),
                        TASK_STATE_STORE, SHARED_STATE_STORE, PENDING_STORE, MEMORY_STORE, REFERENCE_GRADIENT_STORE,
                        SHIFT_MONITOR_STORE, TASK_SNAPSHOT_STORE)
                .to(new OutputTopic(), Produced.with(Serdes.String(), Output.serde())
                        .withName("learner-outputs"));

        builder.stream(topics.metaUpdatesTopic(), Consumed.with(Serdes.String(), Serdes.ByteArray())
                        .withName("meta-updates-source"))
                .process(() -> new MetaAggregatorProcessor(config, topics, metrics), Named.as("meta-aggregator"),
                        META_AGGREGATE_STORE)
                .to(new OutputTopic(), Produced.with(Serdes.String(), Output.serde())
                        .withName("meta-outputs"));
        return builder.build();
    }

    /**
     * Routes each output record to {@link Output#topic()}. A named class rather than a lambda so that
     * {@code describe()} prints a stable name instead of a per-run lambda class and identity hash.
     */
    static final class OutputTopic implements TopicNameExtractor<String, Output> {
        @Override
        public String extract(String key, Output value, RecordContext recordContext) {
            return value.topic();
        }

        @Override
        public String toString() {
            return "Output.topic()";
        }
    }

    private static StoreBuilder<KeyValueStore<String, byte[]>> store(String name) {
        // Caching folds the many writes of one commit interval (a task's state, the shared trunk) into one changelog
        // record per key at the commit.
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.ByteArray())
                .withCachingEnabled()
                .withLoggingEnabled(Map.of());
    }

    /** The topics the application reads and writes (not the internal ones Kafka Streams manages). */
    public static List<NewTopic> topics(TopologyConfig t) {
        int p = t.partitions();
        short rf = t.replicationFactor();
        List<NewTopic> out = new ArrayList<>();
        out.add(new NewTopic(t.examplesTopic(), p, rf));
        out.add(new NewTopic(t.predictionsTopic(), p, rf));
        out.add(new NewTopic(t.snapshotsTopic(), p, rf).configs(Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
        out.add(new NewTopic(t.metricsTopic(), p, rf));
        out.add(new NewTopic(t.driftTopic(), p, rf));
        out.add(new NewTopic(t.deadLetterTopic(), p, rf).configs(Map.of(
                TopicConfig.RETENTION_MS_CONFIG, String.valueOf(14L * 24 * 3600 * 1000))));
        // One partition: the aggregator must see every delta in one order.
        out.add(new NewTopic(t.metaUpdatesTopic(), 1, rf));
        out.add(new NewTopic(t.metaModelTopic(), 1, rf).configs(Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
        // As many partitions as the examples topic (the application checks at start), so partition i of each is read
        // by the same learner task.
        out.add(new NewTopic(t.controlTopic(), p, rf));
        return out;
    }
}
