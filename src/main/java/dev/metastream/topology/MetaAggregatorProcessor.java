package dev.metastream.topology;

import dev.metastream.learn.LearnerConfig;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import dev.metastream.learn.MetaSnapshot;
import dev.metastream.learn.MetaUpdate;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The single aggregator of the shared model. The meta-updates topic has one partition, so exactly one instance runs
 * this processor at a time; it folds each partition's delta into the current version (kept in a changelogged store),
 * and publishes every new version twice: binary on the meta-model topic (read back by all instances through a global
 * store) and as JSON under key {@code meta} on the snapshots topic.
 */
public final class MetaAggregatorProcessor implements Processor<String, byte[], String, Output> {
    private static final String SOURCES_KEY = "sources";
    /**
     * Source prefix of a shared-model import ({@code POST /models/meta/import}, sent by the learner partition that
     * received the control command): its "deltas" are the imported parameters themselves, which replace the shared
     * model's; the import is not a contributing partition.
     */
    public static final String IMPORT_SOURCE_PREFIX = "import:";
    private final LearnerConfig config;
    private final TopologyConfig topics;
    private final OutputRecords records;
    private final MetastreamMetrics metrics;
    private ProcessorContext<String, Output> context;
    private KeyValueStore<String, byte[]> store;

    /**
     * @param config  learner configuration (for the seeded version 0)
     * @param topics  topic names
     * @param metrics meters
     */
    public MetaAggregatorProcessor(LearnerConfig config, TopologyConfig topics, MetastreamMetrics metrics) {
        this.config = config;
        this.topics = topics;
        this.records = new OutputRecords(config);
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Output> context) {
        this.context = context;
        this.store = context.getStateStore(MetastreamTopology.META_AGGREGATE_STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        MetaUpdate update;
        try {
            update = MetaUpdate.fromBytes(record.value());
        } catch (RuntimeException e) {
            // Only this application writes the topic; a record it cannot read is skipped, not fatal.
            return;
        }
        byte[] current = store.get(MetastreamTopology.META_KEY);
        MetaSnapshot base = current == null ? MetaSnapshot.initial(config) : MetaSnapshot.fromBytes(current);
        if (update.source().startsWith(IMPORT_SOURCE_PREFIX)) {
            java.util.Map<String, float[]> init = new java.util.TreeMap<>(base.headInit());
            update.headInitDelta().forEach((shape, p) -> {
                if (init.containsKey(shape) && init.get(shape).length == p.length) {
                    init.put(shape, p.clone());
                }
            });
            boolean fits = update.trunkDelta().length == base.trunk().length;
            MetaSnapshot imported = new MetaSnapshot(base.version() + 1,
                    fits ? update.trunkDelta().clone() : base.trunk(), init, base.examplesSeen(),
                    base.updatesApplied() + 1, 0, base.configDigest(), record.timestamp());
            publish(imported, record.timestamp());
            return;
        }
        // The partitions that have contributed, kept beside the model so the mean survives a restart.
        byte[] known = store.get(SOURCES_KEY);
        Set<String> sources = new TreeSet<>();
        if (known != null) {
            sources.addAll(Arrays.asList(new String(known, StandardCharsets.UTF_8).split("\n")));
        }
        if (sources.add(update.source())) {
            store.put(SOURCES_KEY, String.join("\n", sources).getBytes(StandardCharsets.UTF_8));
        }
        float scale = config.meta().average() ? 1f / sources.size() : 1f;
        publish(base.apply(update, record.timestamp(), scale), record.timestamp());
    }

    private void publish(MetaSnapshot next, long timestamp) {
        byte[] bytes = next.toBytes();
        store.put(MetastreamTopology.META_KEY, bytes);
        metrics.metaVersion(next.version(), next.lastStaleness());
        context.forward(new Record<>(MetastreamTopology.META_KEY, new Output(topics.metaModelTopic(), bytes),
                timestamp));
        context.forward(new Record<>(MetastreamTopology.META_KEY,
                new Output(topics.snapshotsTopic(), records.metaSnapshot(next)), timestamp));
    }
}
