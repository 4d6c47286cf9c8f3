package dev.metastream.topology;

import java.util.List;
import java.util.Properties;

/**
 * Topic names and timers of the topology. Like {@link dev.metastream.learn.LearnerConfig}, every key is listed with
 * its default in {@link #KEYS} and in {@code config/application.properties}.
 *
 * @param examplesTopic       input topic of labelled and unlabelled examples
 * @param predictionsTopic    one prediction per example
 * @param snapshotsTopic      compacted model snapshots (key {@code meta} and one key per task)
 * @param metricsTopic        per-task prequential metrics
 * @param driftTopic          drift events
 * @param deadLetterTopic     rejected input with its reason in headers
 * @param metaUpdatesTopic    partition deltas to the shared model (one partition: one aggregator)
 * @param metaModelTopic      compacted binary shared-model versions, read by every instance as a global store
 * @param controlTopic        commands to the learner partitions (delete a task, import a model), keyed by task id so
 *                            each reaches the partition that owns its task; as many partitions as the examples topic
 * @param maxRecordBytes      largest accepted input value
 * @param metaSyncIntervalMs  how often a partition publishes its delta and rebases on the newest shared model
 * @param metricsIntervalMs   how often per-task metrics are published regardless of example counts
 * @param stateFlushIntervalMs how often the learner writes the task and shared states changed since it last did, besides
 *                            before every commit ({@code learner.state.flush.interval.ms})
 * @param partitions          partitions of the topics the application creates (examples and outputs)
 * @param replicationFactor   replication factor of the topics the application creates
 * @param partitionedByTask   the input is keyed by task id (default partitioner), so no repartition is needed
 * @param eventTimeBatches    partial micro-batches are learned on event time, checked as each record arrives
 *                            ({@code learner.batch.max.wait.clock=event-time}), instead of by a wall-clock timer
 * @param metaSyncEnabled     partitions publish shared-model deltas and rebase on the global version
 *                            ({@code meta.sync.enabled}); off, each partition's shared model stays its own
 */
public record TopologyConfig(String examplesTopic, String predictionsTopic, String snapshotsTopic,
                             String metricsTopic, String driftTopic, String deadLetterTopic, String metaUpdatesTopic,
                             String metaModelTopic, String controlTopic, int maxRecordBytes, long metaSyncIntervalMs,
                             long metricsIntervalMs, long stateFlushIntervalMs, int partitions, short replicationFactor,
                             boolean partitionedByTask, boolean eventTimeBatches, boolean metaSyncEnabled) {

    /** One documented key. */
    public record Key(String name, String defaultValue, String doc) {}

    /** Every topology key with its default. */
    public static final List<Key> KEYS = List.of(
            new Key("topic.examples", "metastream.examples", "Input topic: JSON examples (see topology/records.md)."),
            new Key("topic.predictions", "metastream.predictions", "One prediction per input example, made before learning from it."),
            new Key("topic.model.snapshots", "metastream.model-snapshots", "Compacted model snapshots: key 'meta' for the shared part, key = task id for a task's head."),
            new Key("topic.metrics", "metastream.metrics", "Per-task prequential metrics."),
            new Key("topic.drift.events", "metastream.drift-events", "Drift detections."),
            new Key("topic.dead.letter", "metastream.dead-letter", "Rejected input records, original bytes, reason in headers."),
            new Key("topic.meta.updates", "metastream.meta-updates", "Shared-model deltas from each partition to the single aggregator (1 partition)."),
            new Key("topic.meta.model", "metastream.meta-model", "Compacted binary shared-model versions, read back by every instance through a global store."),
            new Key("topic.control", "metastream.control", "Commands to the learner partitions (DELETE /tasks/{id}, model imports), keyed by task id; created with as many partitions as the examples topic, which it must keep."),
            new Key("input.max.record.bytes", "1000000", "Largest accepted input record value in bytes; larger ones go to the dead-letter topic."),
            new Key("meta.sync.interval.ms", "1000", "How often each partition publishes its shared-model delta and rebases on the newest version."),
            new Key("meta.sync.enabled", "true", "false: partitions never publish shared-model deltas nor rebase, so each partition's trunk and head initialisation stay its own and no 'meta' snapshot is published. Which global version a partition rebases on depends on timing; turning the sync off (sensible with one learner partition, where the sync round trip is the identity up to float rounding) makes a run's model trajectory a function of its input alone (see docs/operations.md)."),
            new Key("learner.batch.max.wait.clock", "wall-clock", "Clock of learner.batch.max.wait.ms. wall-clock: a timer learns a partial micro-batch, so batch boundaries depend on timing. event-time: a partial batch is learned when a record arrives whose timestamp is learner.batch.max.wait.ms or more past the oldest buffered example's, so boundaries depend only on the input; a partial batch then waits for the partition's next record."),
            new Key("metrics.interval.ms", "10000", "How often per-task metrics are published for tasks that saw examples since their last report."),
            new Key("learner.state.flush.interval.ms", "1000", "How often the learner writes the task and shared states that changed since it last wrote them, besides just before every commit (which is what keeps them exactly once). Interactive queries (/predict, /tasks) read the states as of the last write: lower this for fresher reads. Each write stores every changed state once (tens of KB a task), so writing at every micro-batch's end, as before this key, cost more than any other part of learning."),
            new Key("topics.partitions", "6", "Partitions of the examples and output topics the application creates when missing."),
            new Key("topics.replication.factor", "1", "Replication factor of the topics the application creates when missing."),
            new Key("input.partitioned.by.task", "false", "true when every input record's key is its task id (UTF-8) and the topic uses the default partitioner: the repartition by task is skipped, and a record whose key differs from its task goes to the dead-letter topic (key-mismatch)."));

    /** Reads the keys; absent ones take their defaults. */
    public static TopologyConfig from(Properties p) {
        java.util.function.Function<String, String> get = k -> {
            String v = p.getProperty(k);
            if (v == null) {
                v = KEYS.stream().filter(x -> x.name().equals(k)).findFirst().orElseThrow().defaultValue();
            }
            return v.trim();
        };
        return new TopologyConfig(get.apply("topic.examples"), get.apply("topic.predictions"),
                get.apply("topic.model.snapshots"), get.apply("topic.metrics"), get.apply("topic.drift.events"),
                get.apply("topic.dead.letter"), get.apply("topic.meta.updates"), get.apply("topic.meta.model"),
                get.apply("topic.control"),
                positive(get, "input.max.record.bytes"), positive(get, "meta.sync.interval.ms"),
                positive(get, "metrics.interval.ms"), positive(get, "learner.state.flush.interval.ms"),
                positive(get, "topics.partitions"),
                (short) positive(get, "topics.replication.factor"),
                Boolean.parseBoolean(get.apply("input.partitioned.by.task")),
                eventTime(get.apply("learner.batch.max.wait.clock")), bool(get, "meta.sync.enabled"));
    }

    /** The defaults. */
    public static TopologyConfig defaults() {
        return from(new Properties());
    }

    private static boolean eventTime(String clock) {
        return switch (clock) {
            case "wall-clock" -> false;
            case "event-time" -> true;
            default -> throw new IllegalArgumentException("learner.batch.max.wait.clock=" + clock
                    + " is not known: use wall-clock or event-time");
        };
    }

    private static boolean bool(java.util.function.Function<String, String> get, String key) {
        String v = get.apply(key);
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException(key + "=" + v + " must be true or false");
        }
        return Boolean.parseBoolean(v);
    }

    private static int positive(java.util.function.Function<String, String> get, String key) {
        try {
            int v = Integer.parseInt(get.apply(key));
            if (v <= 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + "=" + get.apply(key) + " must be a positive whole number");
        }
    }
}
