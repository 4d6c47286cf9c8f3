package dev.metastream.topology;

import dev.metastream.learn.Instance;
import dev.metastream.learn.LearnerConfig;
import dev.metastream.learn.LearnerEvents;
import dev.metastream.learn.MetaSnapshot;
import dev.metastream.learn.MetaUpdate;
import dev.metastream.learn.Prediction;
import dev.metastream.learn.StreamingLearner;
import dev.metastream.learn.TaskKind;
import java.time.Duration;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Runs a {@link StreamingLearner} for one partition of the examples-by-task stream: predicts each example before
 * learning from it, learns in micro-batches (when the batch is full, or when a partial batch has waited
 * {@code learner.batch.max.wait.ms} on the wall clock or, with {@code learner.batch.max.wait.clock=event-time}, in
 * event time), and on timers publishes its shared-model delta, rebases on the newest global shared model (unless
 * {@code meta.sync.enabled=false}), and publishes metrics.
 *
 * <p>All its state is in the stores named in {@link MetastreamTopology}; the learner object is rebuilt from them
 * in {@link #init}, so a crash, a rebalance or a restore loses nothing.
 *
 * <p>Its input values are {@link Instance}s (examples) and {@link ControlCommand}s from the control topic (delete a
 * task, import a model), merged into one stream so a command is applied in order with the partition's examples and
 * in the same exactly-once transaction.
 */
public final class LearnerProcessor implements Processor<String, Object, String, Output> {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LearnerProcessor.class);
    private final LearnerConfig config;
    private final TopologyConfig topics;
    private final OutputRecords records;
    private final MetastreamMetrics metrics;
    private final PreCommitHooks hooks;
    private ProcessorContext<String, Output> context;
    private StreamingLearner learner;
    /** A rebase waits for the first record or sync because examples were pending at init (see init). */
    private boolean rebaseDue;
    private KeyValueStore<String, ?> metaModel;
    private KeyValueStore<String, byte[]> snapshots;
    /** Buffered examples by task kind, so the learned counters can be tagged by kind when the batch is learned. */
    private final int[] pendingByKind = new int[TaskKind.values().length];
    private final java.util.List<Cancellable> punctuations = new java.util.ArrayList<>();
    private final Events events = new Events();
    private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER =
            new com.fasterxml.jackson.databind.ObjectMapper();
    private static final com.fasterxml.jackson.core.type.TypeReference<java.util.Map<String, Object>> MAP =
            new com.fasterxml.jackson.core.type.TypeReference<>() {};

    /**
     * @param config  learner configuration
     * @param topics  topic names and timers
     * @param metrics meters
     * @param hooks   where the learner's flush is registered to run before each commit of its task's stores
     */
    public LearnerProcessor(LearnerConfig config, TopologyConfig topics, MetastreamMetrics metrics,
                            PreCommitHooks hooks) {
        this.config = config;
        this.topics = topics;
        this.records = new OutputRecords(config);
        this.metrics = metrics;
        this.hooks = hooks;
    }

    @Override
    public void init(ProcessorContext<String, Output> context) {
        this.context = context;
        KafkaLearnerStore store = new KafkaLearnerStore(context.getStateStore(MetastreamTopology.TASK_STATE_STORE),
                context.getStateStore(MetastreamTopology.SHARED_STATE_STORE),
                context.getStateStore(MetastreamTopology.PENDING_STORE),
                context.getStateStore(MetastreamTopology.MEMORY_STORE),
                context.getStateStore(MetastreamTopology.REFERENCE_GRADIENT_STORE),
                context.getStateStore(MetastreamTopology.SHIFT_MONITOR_STORE));
        metaModel = context.getStateStore(MetastreamTopology.META_MODEL_STORE);
        snapshots = context.getStateStore(MetastreamTopology.TASK_SNAPSHOT_STORE);
        learner = new StreamingLearner(config, store, "learner-" + context.taskId(), events);
        learner.pendingExamples().forEach(pe -> pendingByKind[config.taskSpec(pe.instance().task()).kind().ordinal()]++);
        // The learner writes its task and shared states behind: once per commit, just before it.
        hooks.register(context.taskId(), learner::flush);
        if (topics.metaSyncEnabled()) {
            // Rebasing learns the pending micro-batch first, and learning it publishes snapshots and metrics, which a
            // processor may not forward from init: with examples pending (a restart, or a partition moved here) the
            // first rebase waits for the first record or sync punctuation.
            if (learner.pendingCount() == 0) {
                rebase();
            } else {
                rebaseDue = true;
            }
            punctuations.add(context.schedule(Duration.ofMillis(topics.metaSyncIntervalMs()),
                    PunctuationType.WALL_CLOCK_TIME, this::syncMeta));
        }
        if (!topics.eventTimeBatches()) {
            punctuations.add(context.schedule(Duration.ofMillis(Math.max(1, config.batchMaxWaitMs())),
                    PunctuationType.WALL_CLOCK_TIME, this::learnPending));
        }
        punctuations.add(context.schedule(Duration.ofMillis(topics.metricsIntervalMs()),
                PunctuationType.WALL_CLOCK_TIME, this::emitMetrics));
        // Interactive queries read the stores: the states are written at least this often, not only at commits.
        punctuations.add(context.schedule(Duration.ofMillis(topics.stateFlushIntervalMs()),
                PunctuationType.WALL_CLOCK_TIME, now -> learner.flush()));
    }

    @Override
    public void process(Record<String, Object> record) {
        if (rebaseDue) {
            rebase();
        }
        if (record.value() instanceof ControlCommand command) {
            control(command, record.timestamp());
            return;
        }
        Instance in = (Instance) record.value();
        TaskKind kind = config.taskSpec(in.task()).kind();
        if (topics.eventTimeBatches()) {
            // Before observing: the partial batch this record's timestamp closes is learned first, as in a replay.
            long start = System.nanoTime();
            int n = learner.learnPendingIfOlder(in.timestamp(), config.batchMaxWaitMs());
            if (n > 0) {
                learned(n, System.nanoTime() - start);
            }
        }
        int before = learner.pendingCount();
        Prediction p;
        if (in.labelled()) {
            pendingByKind[kind.ordinal()]++;
            long start = System.nanoTime();
            p = learner.observe(in);
            if (learner.pendingCount() < before + 1) {
                learned(before + 1, System.nanoTime() - start);
            }
        } else {
            // Scored, never learned; its inputs and prediction still reach the task's domain-shift monitor.
            p = learner.observe(in);
        }
        metrics.scored(kind);
        context.forward(new Record<>(in.task(), new Output(topics.predictionsTopic(), records.prediction(p)),
                record.timestamp()));
    }

    /** Applies one control command; an invalid one is logged and skipped. */
    private void control(ControlCommand c, long timestamp) {
        if (!c.valid()) {
            LOG.warn("skipping control record for {} on {}: {}", c.task(), context.taskId(), c.error());
            return;
        }
        long start = System.nanoTime();
        int buffered = learner.pendingCount();
        switch (c.command()) {
            case ControlCommand.DELETE_TASK -> {
                boolean existed = learner.resetTask(c.task(), timestamp);
                countFlushed(buffered, start);
                boolean hadSnapshot = snapshots.get(c.task()) != null;
                snapshots.delete(c.task());
                if (hadSnapshot) {
                    // A tombstone: compaction then drops the task's snapshots from the topic too.
                    context.forward(new Record<>(c.task(), new Output(topics.snapshotsTopic(), null), timestamp));
                }
                LOG.info("task {} {} (request {}, partition {})", c.task(),
                        existed ? "deleted" : "was not known here; nothing to delete", c.requestId(), context.taskId());
            }
            case ControlCommand.IMPORT_TASK -> {
                java.util.Map<String, Object> model = MAPPER.convertValue(c.model(), MAP);
                try {
                    learner.importTask(c.task(), model, timestamp);
                } catch (IllegalArgumentException e) {
                    countFlushed(buffered, start);
                    LOG.warn("import of task {} skipped (request {}): {}", c.task(), c.requestId(), e.getMessage());
                    return;
                }
                countFlushed(buffered, start);
                // The task's published snapshot is now the imported model's.
                events.taskSnapshot(learner.taskSnapshot(c.task(), timestamp));
                LOG.info("task {} imported (request {}, partition {})", c.task(), c.requestId(), context.taskId());
            }
            case ControlCommand.IMPORT_META -> {
                java.util.Map<String, Object> model = MAPPER.convertValue(c.model(), MAP);
                MetaSnapshot imported;
                try {
                    dev.metastream.learn.ModelExport.checkHeader(model, "meta");
                    imported = dev.metastream.learn.ModelExport.importMeta(config, model, 0, timestamp);
                } catch (IllegalArgumentException e) {
                    LOG.warn("import of the shared model skipped (request {}): {}", c.requestId(), e.getMessage());
                    return;
                }
                // To the single aggregator, which replaces the shared model by it (an "import:" source, see
                // MetaAggregatorProcessor); every partition then rebases on the new version.
                MetaUpdate u = new MetaUpdate(MetaAggregatorProcessor.IMPORT_SOURCE_PREFIX + c.requestId(), -1,
                        imported.trunk(), imported.headInit(), 0, timestamp);
                context.forward(new Record<>(u.source(), new Output(topics.metaUpdatesTopic(), u.toBytes()),
                        timestamp));
                LOG.info("shared model import sent to the aggregator (request {})", c.requestId());
            }
            default -> LOG.warn("control command {} for {} is not supported by this build; skipped", c.command(),
                    c.task());
        }
    }

    private void learnPending(long now) {
        long start = System.nanoTime();
        int n = learner.learnPending(now);
        if (n > 0) {
            learned(n, System.nanoTime() - start);
        }
    }

    /** A batch of n was learned: everything buffered (a batch is always the whole buffer). */
    private void learned(int n, long nanos) {
        for (TaskKind k : TaskKind.values()) {
            if (pendingByKind[k.ordinal()] > 0) {
                metrics.learned(k, pendingByKind[k.ordinal()]);
                pendingByKind[k.ordinal()] = 0;
            }
        }
        metrics.batchLatency().record(Duration.ofNanos(nanos));
    }

    /** The learner learns its partial batch before any shared write; those examples count as learned too. */
    private void countFlushed(int buffered, long start) {
        if (buffered > 0 && learner.pendingCount() == 0) {
            learned(buffered, System.nanoTime() - start);
        }
    }

    private void emitMetrics(long now) {
        learner.emitDueMetrics(now);
        // The busiest-task gauges re-rank here, on a stream thread, rather than on a thread of their own.
        metrics.rankTasks(now, topics.metricsIntervalMs());
    }

    /** Publishes this partition's delta, then takes the newest global version. */
    private void syncMeta(long now) {
        long start = System.nanoTime();
        int buffered = learner.pendingCount();
        MetaUpdate u = learner.drainMetaUpdate(now);
        countFlushed(buffered, start);
        if (u != null) {
            context.forward(new Record<>(u.source(), new Output(topics.metaUpdatesTopic(), u.toBytes()), now));
            metrics.metaUpdate();
        }
        rebase();
    }

    private void rebase() {
        rebaseDue = false;
        Object raw = metaModel.get(MetastreamTopology.META_KEY);
        byte[] bytes = raw instanceof ValueAndTimestamp<?> vt ? (byte[]) vt.value() : (byte[]) raw;
        if (bytes == null) {
            return;
        }
        MetaSnapshot global = MetaSnapshot.fromBytes(bytes);
        long start = System.nanoTime();
        int buffered = learner.pendingCount();
        boolean rebased = learner.rebase(global);
        countFlushed(buffered, start);
        if (rebased) {
            // Versions published by others since this partition's last rebase: how stale its shared model was.
            metrics.metaVersion(global.version(), learner.shared().lastStaleness());
        }
    }

    @Override
    public void close() {
        punctuations.forEach(Cancellable::cancel);
        if (learner != null) {
            // A clean close commits after closing the processors: what the learner holds goes with that commit.
            learner.flush();
            hooks.remove(context.taskId());
        }
    }

    /** Routes the learner's events to their topics. */
    private final class Events implements LearnerEvents {
        @Override
        public void drift(DriftEvent event) {
            metrics.drift(event.task());
            if (StreamingLearner.NON_FINITE_DETECTOR.equals(event.detector())) {
                metrics.nonFiniteRestart();
            }
            context.forward(new Record<>(event.task(), new Output(topics.driftTopic(), records.drift(event)),
                    event.timestamp()));
        }

        @Override
        public void domainShift(ShiftEvent event) {
            metrics.domainShift(event.task());
            for (byte[] json : records.domainShift(event)) {
                context.forward(new Record<>(event.task(), new Output(topics.driftTopic(), json), event.timestamp()));
            }
        }

        @Override
        public void shiftChecked(String task, dev.metastream.shift.ShiftReport report) {
            metrics.shiftChecked(task, report);
        }

        @Override
        public void metrics(TaskMetrics m) {
            metrics.taskMetrics(m);
            context.forward(new Record<>(m.task(), new Output(topics.metricsTopic(), records.metrics(m)),
                    m.timestamp()));
        }

        @Override
        public void taskSnapshot(TaskSnapshot s) {
            byte[] json = records.taskSnapshot(s);
            // Kept per task so GET /models/{task} serves exactly the record last published, from the owning instance.
            snapshots.put(s.task(), json);
            context.forward(new Record<>(s.task(), new Output(topics.snapshotsTopic(), json), s.createdAt()));
        }
    }
}
