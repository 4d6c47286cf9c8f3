package dev.metastream.learn;

import dev.metastream.drift.DriftDetector;
import dev.metastream.eval.PrequentialMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The continual meta-learner of one partition: test-then-train over a stream of task-labelled examples, with per-task
 * heads on a shared trunk, a Reptile-learned head initialisation, and a gradient memory (A-GEM or GEM) that keeps one
 * task's updates from undoing what other tasks learned.
 *
 * <p>Each labelled example is scored when it arrives ({@link #observe}) and buffered; the buffer is learned as one
 * micro-batch when it is full or when the caller's timer says so ({@link #learnPending}). Every piece of state lives
 * in the {@link LearnerStore}; the learner itself only caches task states it has just written, so it can be dropped
 * and rebuilt from the store at any point between calls.
 *
 * <p>Shared-model synchronisation with other partitions is the caller's job: {@link #drainMetaUpdate} gives the delta
 * to publish, {@link #rebase} takes a newer global version.
 *
 * <pre>{@code
 * StreamingLearner learner = new StreamingLearner(LearnerConfig.defaults(), new InMemoryLearnerStore(),
 *     "in-process", LearnerEvents.NONE);
 * Prediction p = learner.observe(instance);   // predicted first, then buffered for learning
 * learner.learnPending(now);                   // learn what is buffered
 * }</pre>
 */
public final class StreamingLearner {
    /** Examples the slow error average spans (the baseline a drift must rise above). */
    static final int ERROR_HORIZON = 500;
    private final LearnerConfig config;
    private final LearnerStore store;
    private final String source;
    private final LearnerEvents events;
    private final Trunk trunk;
    private final Optimizer optimizer;
    private final int hidden;
    private final long metricsEvery;
    private final long snapshotEvery;
    private final Map<String, TaskState> taskCache;
    private final float[] hScratch;
    private SharedState shared;
    private final List<PendingExample> pending = new ArrayList<>();

    /**
     * Opens a learner over a store, resuming whatever the store holds.
     *
     * @param config learner configuration
     * @param store  where state lives
     * @param source name of this partition, carried by its meta-updates
     * @param events receiver of drift events, metrics and task snapshots
     */
    public StreamingLearner(LearnerConfig config, LearnerStore store, String source, LearnerEvents events) {
        this.config = config;
        this.store = store;
        this.source = source;
        this.events = events;
        this.trunk = new Trunk(config.trunk());
        this.optimizer = Optimizer.create(config.optimizer(), config.momentum(), config.adamBeta1(), config.adamBeta2(),
                config.adamEpsilon());
        this.hidden = config.trunk().outputDim();
        this.metricsEvery = config.metricsEveryExamples();
        this.snapshotEvery = config.snapshotEveryExamples();
        this.hScratch = new float[hidden];
        int cacheSize = config.taskCacheSize();
        this.taskCache = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, TaskState> eldest) {
                return size() > cacheSize;
            }
        };
        SharedState s = store.shared();
        this.shared = s != null ? s : SharedState.initial(config, optimizer);
        pending.addAll(store.pending());
    }

    /** The configuration. */
    public LearnerConfig config() {
        return config;
    }

    /** This partition's shared state (read-only use). */
    public SharedState shared() {
        return shared;
    }

    /** Number of labelled examples buffered and not yet learned. */
    public int pendingCount() {
        return pending.size();
    }

    /** Scores an example with the task's current model without learning from it. */
    public Prediction score(Instance in) {
        return score(config, trunk, hScratch, shared, taskOrNull(in.task()), in);
    }

    /**
     * Scores an example exactly as {@link #score(Instance)} would on a learner whose store holds these states, with
     * no learner, store or Kafka: for serving predictions from states read elsewhere (interactive queries). Safe to
     * call from any thread; it reads the states and writes nothing.
     *
     * <pre>{@code
     * Prediction p = StreamingLearner.score(config, SharedState.fromBytes(sharedBytes),
     *     taskBytes == null ? null : TaskState.fromBytes(taskBytes), instance);
     * }</pre>
     *
     * @param config the learner configuration the states were written with
     * @param shared the partition's shared state, or null when the partition has not learned yet (version 0)
     * @param task   the task's state, or null when the task is new (its head starts from the meta initialisation)
     * @param in     the example
     */
    public static Prediction score(LearnerConfig config, SharedState shared, TaskState task, Instance in) {
        SharedState s = shared != null ? shared : SharedState.initial(config, Optimizer.create(config.optimizer(),
                config.momentum(), config.adamBeta1(), config.adamBeta2(), config.adamEpsilon()));
        return score(config, new Trunk(config.trunk()), new float[config.trunk().outputDim()], s, task, in);
    }

    private static Prediction score(LearnerConfig config, Trunk trunk, float[] h, SharedState shared, TaskState state,
                                    Instance in) {
        TaskSpec spec = config.taskSpec(in.task());
        float[] head = state != null ? state.head : newHead(config, shared, in.task(), spec);
        trunk.forward(shared.trunk, in.x(), h);
        int out = spec.outputs();
        float[] z = new float[out];
        Head.forward(head, h.length, out, h, z);
        float[] y = new float[out];
        spec.loss().output(z, y);
        return new Prediction(in, spec, y, shared.baseVersion, state != null ? state.updates : 0);
    }

    /**
     * Scores many examples with the current models without learning or changing any state: the outputs
     * {@link #score} would give, computed with the trunk forward of the whole list as one ND4J matrix product (heads as
     * loops). Used to score held-out test sets; the matrix product may round differently from the single-example path
     * in the last float bits.
     *
     * @return one output per example, in order (as {@link Prediction#output()})
     */
    public float[][] scoreBatch(List<Instance> ins) {
        float[][] outs = new float[ins.size()][];
        if (ins.isEmpty()) {
            return outs;
        }
        float[][] xs = new float[ins.size()][];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = ins.get(i).x();
        }
        float[][] hs = trunk.forwardBatch(shared.trunk, xs).output();
        Map<String, float[]> heads = new java.util.HashMap<>();
        for (int i = 0; i < xs.length; i++) {
            String task = ins.get(i).task();
            TaskSpec spec = config.taskSpec(task);
            float[] head = heads.computeIfAbsent(task, t -> {
                TaskState state = taskOrNull(t);
                return state != null ? state.head : newHead(t, spec);
            });
            int out = spec.outputs();
            float[] z = new float[out];
            Head.forward(head, hidden, out, hs[i], z);
            float[] y = new float[out];
            spec.loss().output(z, y);
            outs[i] = y;
        }
        return outs;
    }

    /**
     * Test-then-train: scores the example with the model as it is, then, when it is labelled, buffers it for learning
     * and learns the buffer if it is full.
     *
     * @return the prediction made before learning
     */
    public Prediction observe(Instance in) {
        Prediction p = score(in);
        if (in.labelled()) {
            PendingExample pe = new PendingExample(in, p.output());
            store.putPending(pending.size(), pe);
            pending.add(pe);
            if (pending.size() >= config.batchSize()) {
                learnPending(in.timestamp());
            }
        }
        return p;
    }

    /**
     * Event-time flush of a partial micro-batch: learns the buffer when its oldest example's timestamp is
     * {@code maxWaitMs} or more before {@code eventTime}. Called with each arriving record's timestamp before that
     * record is observed, batch boundaries depend on the input alone, so a replay makes the same batches.
     *
     * @return number of examples learned (0 when the buffer is empty or not old enough)
     */
    public int learnPendingIfOlder(long eventTime, long maxWaitMs) {
        if (pending.isEmpty() || eventTime - pending.get(0).instance().timestamp() < maxWaitMs) {
            return 0;
        }
        return learnPending(eventTime);
    }

    /**
     * Learns the buffered micro-batch: scores it into the prequential metrics and drift detectors, computes the
     * gradients of heads and trunk, projects the trunk gradient against other tasks' memories, applies the updates,
     * refreshes the episodic memories and moves the meta initialisation (Reptile).
     *
     * @param now timestamp for the events this emits
     * @return number of examples learned
     */
    public int learnPending(long now) {
        if (pending.isEmpty()) {
            return 0;
        }
        List<PendingExample> batch = List.copyOf(pending);
        int n = batch.size();
        Map<String, TaskState> states = new TreeMap<>();
        Map<String, Integer> perTask = new TreeMap<>();
        for (PendingExample pe : batch) {
            String task = pe.instance().task();
            states.computeIfAbsent(task, this::taskOrCreate);
            perTask.merge(task, 1, Integer::sum);
        }

        // 1. Prequential bookkeeping with the predictions made at arrival, and drift reactions.
        for (PendingExample pe : batch) {
            TaskState st = states.get(pe.instance().task());
            double error = observeMetrics(st, config.taskSpec(st.task), pe);
            st.observed++;
            st.detector.update(error);
            if (st.detector.driftDetected() && errorRose(st)) {
                react(st, pe.instance().timestamp());
            }
            // Slow average of the error (a running mean over the first ERROR_HORIZON examples, then an EWMA).
            st.errorAverage += (error - st.errorAverage) / Math.min(st.observed, ERROR_HORIZON);
        }

        // 2. Forward and backward: trunk on the whole batch (ND4J), heads per example (plain loops, they are small).
        // Experience replay adds memory samples of other tasks to the trunk's batch; their heads learn from them too.
        List<Replayed> replay = config.memoryStrategy() == LearnerConfig.MemoryStrategy.REPLAY
                ? replaySamples(states.keySet()) : List.of();
        int total = n + replay.size();
        float[][] xs = new float[total][];
        for (int i = 0; i < n; i++) {
            xs[i] = batch.get(i).instance().x();
        }
        for (int i = 0; i < replay.size(); i++) {
            xs[n + i] = replay.get(i).sample().x();
        }
        Trunk.Batch fwd = trunk.forwardBatch(shared.trunk, xs);
        float[][] hs = fwd.output();
        float[][] dH = new float[total][hidden];
        Map<String, float[]> headGrads = new TreeMap<>();
        Map<String, float[]> replayHeadGrads = replayGradients(replay, hs, dH, n, total);
        for (int i = 0; i < n; i++) {
            Instance in = batch.get(i).instance();
            TaskState st = states.get(in.task());
            TaskSpec spec = config.taskSpec(in.task());
            int out = spec.outputs();
            float[] z = new float[out];
            Head.forward(st.head, hidden, out, hs[i], z);
            float[] dz = new float[out];
            spec.loss().gradient(z, in.target(), dz);
            float scaleTask = 1f / perTask.get(in.task());
            // The batch's mean loss, whatever was replayed with it: a joint mean over batch and replay would shrink
            // the new task's step by n/total (10/74 with the defaults) and it would hardly learn.
            float scaleBatch = 1f / n;
            float[] dzTask = dz.clone();
            for (int k = 0; k < out; k++) {
                dzTask[k] *= scaleTask;
                dz[k] *= scaleBatch;
            }
            float[] gHead = headGrads.computeIfAbsent(in.task(), t -> new float[st.head.length]);
            Head.backward(st.head, hidden, out, hs[i], dzTask, gHead, null);
            Head.backward(st.head, hidden, out, hs[i], dz, new float[st.head.length], dH[i]);
        }
        float[] gTrunk = new float[shared.trunk.length];
        if (gTrunk.length > 0) {
            trunk.backwardBatch(shared.trunk, fwd, dH, gTrunk);
        }

        // 3. Gradient memory: keep the trunk step from increasing other tasks' memory losses.
        if (gTrunk.length > 0 && (config.memoryStrategy() == LearnerConfig.MemoryStrategy.AGEM
                || config.memoryStrategy() == LearnerConfig.MemoryStrategy.GEM)) {
            List<float[]> refs = referenceGradients(states.keySet());
            boolean projected = false;
            if (!refs.isEmpty()) {
                if (config.memoryStrategy() == LearnerConfig.MemoryStrategy.AGEM) {
                    float[] mean = new float[gTrunk.length];
                    for (float[] r : refs) {
                        for (int j = 0; j < mean.length; j++) {
                            mean[j] += r[j] / refs.size();
                        }
                    }
                    projected = AGemProjection.project(gTrunk, mean);
                } else {
                    projected = GemProjection.project(gTrunk, refs.toArray(new float[0][]));
                }
            }
            if (projected) {
                shared.projections++;
            }
        }

        // 4. Apply the updates, clipped; a gradient that is still not finite is skipped, never applied, so one
        // pathological batch cannot poison the stored model.
        boolean trunkOk = clip(gTrunk, config.clipNorm());
        if (!trunkOk) {
            shared.skippedUpdates++;
        }
        if (trunkOk && gTrunk.length > 0 && config.trunkLearningRate() > 0) {
            optimizer.step(shared.trunk, gTrunk, shared.trunkOptimizerState, config.trunkLearningRate(),
                    ++shared.trunkStep);
        }
        for (Map.Entry<String, TaskState> e : states.entrySet()) {
            TaskState st = e.getValue();
            float[] g = headGrads.get(e.getKey());
            float[] init = shared.headInit.get(st.shapeKey);
            if (config.proximal() > 0 && init != null) {
                for (int j = 0; j < g.length; j++) {
                    g[j] += config.proximal() * (st.head[j] - init[j]);
                }
            }
            int count = perTask.get(e.getKey());
            if (clip(g, config.clipNorm())) {
                optimizer.step(st.head, g, st.optimizerState, config.headLearningRate() * st.learningRateMultiplier,
                        ++st.optimizerStep);
            } else {
                shared.skippedUpdates++;
            }
            st.updates++;
            st.learned += count;
            if (st.boostRemaining > 0) {
                st.boostRemaining = Math.max(0, st.boostRemaining - count);
                if (st.boostRemaining == 0) {
                    st.learningRateMultiplier = 1f;
                }
            }
        }

        // Replayed tasks' heads take their step on the replayed samples; they learned nothing new, so their counters
        // (updates, learned) stay as they are.
        for (Replayed r : replay) {
            float[] g = replayHeadGrads.remove(r.state().task);
            if (g == null) {
                continue; // this task's step is already taken
            }
            TaskState st = r.state();
            if (clip(g, config.clipNorm())) {
                optimizer.step(st.head, g, st.optimizerState, config.headLearningRate() * st.learningRateMultiplier,
                        ++st.optimizerStep);
            } else {
                shared.skippedUpdates++;
            }
            store.putTask(st);
            taskCache.put(st.task, st);
        }

        // 5. Episodic memory: reservoir sampling per task, with random bits derived from (task, count) so a replay after
        // a crash makes the same choices.
        if (config.memoryStrategy() != LearnerConfig.MemoryStrategy.NONE) {
            for (PendingExample pe : batch) {
                Instance in = pe.instance();
                TaskState st = states.get(in.task());
                long seen = st.memorySeen++;
                int slot = Reservoir.slot(seen, config.memoryPerTask(), Seeds.of(in.task(), seen ^ config.seed()));
                if (slot >= 0) {
                    store.putMemorySample(in.task(), slot, new MemorySample(in.x(), in.target()));
                }
                if (seen == 0 && !shared.memoryTasks.contains(in.task())) {
                    shared.memoryTasks.add(in.task());
                }
            }
        }

        // 6. Reptile: move each head shape's initialisation toward the heads adapted in this batch.
        if (config.metaEnabled() && config.metaStepSize() > 0) {
            Map<String, float[]> sums = new TreeMap<>();
            Map<String, Integer> counts = new TreeMap<>();
            for (TaskState st : states.values()) {
                float[] init = shared.headInit.get(st.shapeKey);
                if (init == null) {
                    continue;
                }
                float[] s = sums.computeIfAbsent(st.shapeKey, k -> new float[init.length]);
                for (int j = 0; j < s.length; j++) {
                    s[j] += st.head[j] - init[j];
                }
                counts.merge(st.shapeKey, 1, Integer::sum);
            }
            sums.forEach((shape, s) -> {
                float[] init = shared.headInit.get(shape);
                float step = config.metaStepSize() / counts.get(shape);
                for (int j = 0; j < init.length; j++) {
                    init[j] += step * s[j];
                }
            });
        }

        // 7. Persist, publish snapshots, clear the buffer.
        for (TaskState st : states.values()) {
            // After the update, so a report's examples_learned includes this batch.
            if (st.observed - st.lastMetricsObserved >= metricsEvery) {
                emitMetrics(st, now);
                // Anchor the count cadence at multiples of metrics.every.examples, whatever the batch boundaries.
                st.lastMetricsObserved = st.observed - st.observed % metricsEvery;
            }
            if (st.learned - st.lastSnapshotLearned >= snapshotEvery) {
                st.lastSnapshotLearned = st.learned;
                events.taskSnapshot(snapshotOf(st, now));
            }
            store.putTask(st);
            taskCache.put(st.task, st);
        }
        shared.batches++;
        shared.learned += n;
        shared.learnedSincePublish += n;
        store.putShared(shared);
        store.clearPending(n);
        pending.clear();
        return n;
    }

    /**
     * The shared-model delta learned since the last call, against the global version this partition is based on, or
     * null when nothing was learned. The caller publishes it; the local base moves to the current parameters.
     */
    public MetaUpdate drainMetaUpdate(long now) {
        if (shared.learnedSincePublish == 0) {
            return null;
        }
        float[] dTrunk = new float[shared.trunk.length];
        for (int i = 0; i < dTrunk.length; i++) {
            dTrunk[i] = shared.trunk[i] - shared.trunkBase[i];
        }
        Map<String, float[]> dInit = new TreeMap<>();
        shared.headInit.forEach((shape, p) -> {
            float[] base = shared.headInitBase.get(shape);
            float[] d = new float[p.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = p[i] - base[i];
            }
            dInit.put(shape, d);
        });
        MetaUpdate u = new MetaUpdate(source, shared.baseVersion, dTrunk, dInit, shared.learnedSincePublish, now);
        shared.trunkBase = shared.trunk.clone();
        shared.headInitBase = Codec.deepCopy(shared.headInit);
        shared.learnedSincePublish = 0;
        shared.publishedUpdates++;
        store.putShared(shared);
        return u;
    }

    /**
     * Moves onto a newer global version, keeping what this partition learned since it last published:
     * {@code local = global + (local - base)}.
     *
     * @return whether the version was newer and was taken
     */
    public boolean rebase(MetaSnapshot global) {
        if (global == null || global.version() <= shared.baseVersion || global.trunk().length != shared.trunk.length) {
            return false;
        }
        for (int i = 0; i < shared.trunk.length; i++) {
            shared.trunk[i] = global.trunk()[i] + (shared.trunk[i] - shared.trunkBase[i]);
        }
        shared.trunkBase = global.trunk().clone();
        global.headInit().forEach((shape, g) -> {
            float[] local = shared.headInit.get(shape);
            float[] base = shared.headInitBase.get(shape);
            if (local != null && local.length == g.length) {
                for (int i = 0; i < local.length; i++) {
                    local[i] = g[i] + (local[i] - base[i]);
                }
                shared.headInitBase.put(shape, g.clone());
            }
        });
        shared.lastStaleness = global.version() - shared.baseVersion - 1;
        shared.baseVersion = global.version();
        store.putShared(shared);
        return true;
    }

    /** Emits metrics for every task that scored examples since its last report. */
    public void emitDueMetrics(long now) {
        List<TaskState> due = new ArrayList<>();
        store.forEachTask(st -> {
            if (st.observed > st.lastMetricsObserved) {
                due.add(st);
            }
        });
        for (TaskState st : due) {
            TaskState live = taskCache.getOrDefault(st.task, st);
            emitMetrics(live, now);
            store.putTask(live);
        }
    }

    /** A task's current state, or null when it has not learned yet. */
    public TaskState task(String task) {
        return taskOrNull(task);
    }

    /** The latest snapshot of a task's model part, or null when it has not learned yet. */
    public LearnerEvents.TaskSnapshot taskSnapshot(String task, long now) {
        TaskState st = taskOrNull(task);
        return st == null ? null : snapshotOf(st, now);
    }

    private LearnerEvents.TaskSnapshot snapshotOf(TaskState st, long now) {
        return new LearnerEvents.TaskSnapshot(st.task, st.updates, shared.baseVersion, st.learned, config.digest(), now,
                config.taskSpec(st.task), hidden, st.head.clone());
    }

    private void emitMetrics(TaskState st, long now) {
        st.lastMetricsObserved = st.observed;
        events.metrics(new LearnerEvents.TaskMetrics(st.task, config.taskSpec(st.task).kind().name().toLowerCase(),
                st.observed, st.learned, decimal(config.headLearningRate() * st.learningRateMultiplier),
                st.metrics.snapshot(),
                shared.baseVersion, st.drifts, now));
    }

    /** A float as the decimal it was written as (0.05f is reported as 0.05, not 0.05000000074505806). */
    private static double decimal(float f) {
        return Double.parseDouble(Float.toString(f));
    }

    /** Scales g to at most maxNorm in L2; false (and g untouched) when g is not finite. */
    static boolean clip(float[] g, float maxNorm) {
        double sq = 0;
        for (float v : g) {
            sq += (double) v * v;
        }
        if (!Double.isFinite(sq)) {
            return false;
        }
        double norm = Math.sqrt(sq);
        if (norm > maxNorm) {
            float scale = (float) (maxNorm / norm);
            for (int i = 0; i < g.length; i++) {
                g[i] *= scale;
            }
        }
        return true;
    }

    /**
     * Two-sided detectors (ADWIN) also fire when a task's error falls because it is learning, and on small rises as
     * the shared model moves; neither is a drift to react to. A detection counts when the detector's recent estimate
     * is {@code drift.min.rise} above the task's slow error average, and not within the cooldown of the last one.
     */
    private boolean errorRose(TaskState st) {
        if (st.drifts > 0 && st.observed - st.lastDriftObserved < config.driftCooldownExamples()) {
            return false;
        }
        Double recent = st.detector.statistics().get("estimation");
        return recent == null || recent > st.errorAverage * (1 + config.driftMinRise());
    }

    private void react(TaskState st, long timestamp) {
        st.drifts++;
        st.lastDriftObserved = st.observed;
        String reaction = switch (config.driftReaction()) {
            case NONE -> "none";
            case RESET_HEAD -> {
                float[] init = shared.headInit.get(st.shapeKey);
                st.head = init != null && config.metaEnabled() ? init.clone() : newHead(st.task, config.taskSpec(st.task));
                st.optimizerState = new float[optimizer.stateSize(st.head.length)];
                st.optimizerStep = 0;
                yield "reset-head";
            }
            case BOOST_LR -> {
                st.learningRateMultiplier = config.driftBoostFactor();
                st.boostRemaining = config.driftBoostExamples();
                yield "boost-lr";
            }
        };
        events.drift(new LearnerEvents.DriftEvent(st.task, st.detector.name(), "prequential-error", st.observed,
                st.detector.statistics(), reaction, timestamp));
    }

    private static double observeMetrics(TaskState st, TaskSpec spec, PendingExample pe) {
        float[] t = pe.instance().target();
        float[] out = pe.output();
        return switch (spec.kind()) {
            case CLASSIFICATION -> st.metrics.observeClassification(Prediction.argmax(t), out);
            case BINARY -> st.metrics.observeBinary(t[0] >= 0.5f ? 1 : 0, out[0]);
            case REGRESSION -> st.metrics.observeRegression(t[0], out[0]);
            case MULTILABEL -> {
                int[] y = new int[t.length];
                for (int i = 0; i < t.length; i++) {
                    y[i] = t[i] >= 0.5f ? 1 : 0;
                }
                yield st.metrics.observeMultiLabel(y, out);
            }
        };
    }

    /** A memory sample replayed into a batch, with its task's state. */
    private record Replayed(TaskState state, MemorySample sample) {}

    /**
     * Experience replay's extra examples: {@code memory.samples.per.task} samples from each of up to
     * {@code memory.tasks.per.step} other tasks' episodic memories, the tasks and the starting slots chosen by random
     * bits derived from (seed, batch counter), so a replay after a crash makes the same choices.
     */
    private List<Replayed> replaySamples(java.util.Set<String> batchTasks) {
        List<String> candidates = new ArrayList<>();
        for (String t : shared.memoryTasks) {
            if (!batchTasks.contains(t)) {
                candidates.add(t);
            }
        }
        int k = Math.min(config.memoryTasksPerStep(), candidates.size());
        List<Replayed> out = new ArrayList<>();
        long bits = Seeds.mix(config.seed() ^ 0x7265_706cL, shared.batches);
        for (int i = 0; i < k; i++) {
            bits = Seeds.mix(bits, i);
            int j = i + (int) Math.floorMod(bits, (long) (candidates.size() - i));
            String chosen = candidates.get(j);
            candidates.set(j, candidates.get(i));
            candidates.set(i, chosen);
            TaskState st = taskOrNull(chosen);
            List<MemorySample> mem = store.memory(chosen);
            if (st == null || mem.isEmpty()) {
                continue;
            }
            int m = Math.min(config.memorySamplesPerTask(), mem.size());
            int start = (int) Math.floorMod(Seeds.mix(bits, 0x736c6f74L), (long) mem.size());
            for (int s = 0; s < m; s++) {
                out.add(new Replayed(st, mem.get((start + s) % mem.size())));
            }
        }
        return out;
    }

    /**
     * Backward through the heads of the replayed rows {@code [n, total)}: writes their dLoss/dH (scaled by
     * 1/(total-n): the replayed mean loss is added to the batch's mean loss, as in Chaudhry et al. 2019, "On Tiny
     * Episodic Memories in Continual Learning") and returns each replayed task's head gradient (mean over its replayed
     * samples).
     */
    private Map<String, float[]> replayGradients(List<Replayed> replay, float[][] hs, float[][] dH, int n, int total) {
        Map<String, float[]> grads = new TreeMap<>();
        if (replay.isEmpty()) {
            return grads;
        }
        Map<String, Integer> counts = new TreeMap<>();
        for (Replayed r : replay) {
            counts.merge(r.state().task, 1, Integer::sum);
        }
        for (int i = 0; i < replay.size(); i++) {
            TaskState st = replay.get(i).state();
            TaskSpec spec = config.taskSpec(st.task);
            int out = spec.outputs();
            float[] h = hs[n + i];
            float[] z = new float[out];
            Head.forward(st.head, hidden, out, h, z);
            float[] dz = new float[out];
            spec.loss().gradient(z, replay.get(i).sample().target(), dz);
            float[] dzTask = dz.clone();
            float scaleTask = 1f / counts.get(st.task);
            for (int c = 0; c < out; c++) {
                dzTask[c] *= scaleTask;
                dz[c] /= total - n;
            }
            float[] gHead = grads.computeIfAbsent(st.task, t -> new float[st.head.length]);
            Head.backward(st.head, hidden, out, h, dzTask, gHead, null);
            Head.backward(st.head, hidden, out, h, dz, new float[st.head.length], dH[n + i]);
        }
        return grads;
    }

    /** Reference gradients of up to {@code memory.tasks.per.step} other tasks, recomputed when stale. */
    private List<float[]> referenceGradients(java.util.Set<String> batchTasks) {
        List<String> candidates = new ArrayList<>();
        for (String t : shared.memoryTasks) {
            if (!batchTasks.contains(t)) {
                candidates.add(t);
            }
        }
        int k = Math.min(config.memoryTasksPerStep(), candidates.size());
        List<float[]> refs = new ArrayList<>(k);
        long bits = Seeds.mix(config.seed(), shared.batches);
        for (int i = 0; i < k; i++) {
            bits = Seeds.mix(bits, i);
            int j = i + (int) Math.floorMod(bits, (long) (candidates.size() - i));
            String chosen = candidates.get(j);
            candidates.set(j, candidates.get(i));
            candidates.set(i, chosen);
            ReferenceGradient ref = store.referenceGradient(chosen);
            if (ref == null || shared.batches - ref.batch() >= config.memoryRefreshBatches()) {
                ref = computeReference(chosen);
                if (ref == null) {
                    continue;
                }
                store.putReferenceGradient(chosen, ref);
            }
            refs.add(ref.gradient());
        }
        return refs;
    }

    private ReferenceGradient computeReference(String task) {
        List<MemorySample> mem = store.memory(task);
        TaskState st = taskOrNull(task);
        if (mem.isEmpty() || st == null) {
            return null;
        }
        int m = Math.min(config.memorySamplesPerTask(), mem.size());
        int start = (int) ((shared.batches * m) % mem.size());
        float[][] xs = new float[m][];
        float[][] ts = new float[m][];
        for (int i = 0; i < m; i++) {
            MemorySample s = mem.get((start + i) % mem.size());
            xs[i] = s.x();
            ts[i] = s.target();
        }
        TaskSpec spec = config.taskSpec(task);
        int out = spec.outputs();
        Trunk.Batch fwd = trunk.forwardBatch(shared.trunk, xs);
        float[][] hs = fwd.output();
        float[][] dH = new float[m][hidden];
        float[] z = new float[out];
        float[] dz = new float[out];
        float[] scratch = new float[st.head.length];
        for (int i = 0; i < m; i++) {
            Head.forward(st.head, hidden, out, hs[i], z);
            spec.loss().gradient(z, ts[i], dz);
            for (int k = 0; k < out; k++) {
                dz[k] /= m;
            }
            Head.backward(st.head, hidden, out, hs[i], dz, scratch, dH[i]);
        }
        float[] g = new float[shared.trunk.length];
        trunk.backwardBatch(shared.trunk, fwd, dH, g);
        return new ReferenceGradient(g, shared.batches, m);
    }

    private TaskState taskOrNull(String task) {
        TaskState st = taskCache.get(task);
        if (st == null) {
            st = store.task(task);
            if (st != null) {
                taskCache.put(task, st);
            }
        }
        return st;
    }

    private TaskState taskOrCreate(String task) {
        TaskState st = taskOrNull(task);
        if (st != null) {
            return st;
        }
        TaskSpec spec = config.taskSpec(task);
        st = new TaskState(task, spec.shapeKey());
        st.head = newHead(task, spec);
        st.optimizerState = new float[optimizer.stateSize(st.head.length)];
        st.initMetaVersion = shared.baseVersion;
        st.metrics = PrequentialMetrics.detailed(metricsKind(spec.kind()), config.metricsWindow(), spec.outputs());
        st.detector = DriftDetector.create(config.driftDetector(), config.driftParams());
        return st;
    }

    /** A new task's head: the meta-learned initialisation, or a seeded random one when meta-learning is off. */
    private float[] newHead(String task, TaskSpec spec) {
        return newHead(config, shared, task, spec);
    }

    private static float[] newHead(LearnerConfig config, SharedState shared, String task, TaskSpec spec) {
        float[] init = shared.headInit.get(spec.shapeKey());
        if (config.metaEnabled() && init != null) {
            return init.clone();
        }
        return Head.initialParameters(config.trunk().outputDim(), spec.outputs(), Seeds.of(task, config.seed()));
    }

    private static PrequentialMetrics.Kind metricsKind(TaskKind kind) {
        return switch (kind) {
            case CLASSIFICATION -> PrequentialMetrics.Kind.CLASSIFICATION;
            case BINARY -> PrequentialMetrics.Kind.BINARY;
            case REGRESSION -> PrequentialMetrics.Kind.REGRESSION;
            case MULTILABEL -> PrequentialMetrics.Kind.MULTILABEL;
        };
    }
}
