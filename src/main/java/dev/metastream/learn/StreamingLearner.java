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
 * in the {@link LearnerStore}. Task and shared states are written behind: the learner keeps the states changed since
 * its last {@link #flush} and writes each once there, so it can be dropped and rebuilt from the store at any point
 * after a flush. A Kafka Streams processor flushes before each commit; a state changes with every example of its task,
 * and writing it every micro-batch (tens of KB) was the learner's largest single cost.
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
    /** Examples the fast error average spans (the recent error a detection must show). */
    static final int RECENT_HORIZON = 50;
    private final LearnerConfig config;
    private final ModelConfig model;
    private final LearnerStore store;
    private final String source;
    private final LearnerEvents events;
    private final Trunk trunk;
    /** Steps the shared trunk ({@code optimizer.momentum}). */
    private final Optimizer optimizer;
    /** Steps the per-task heads ({@code optimizer.head.momentum}): its state is each task's {@code optimizerState}. */
    private final Optimizer headOptimizer;
    /**
     * Counts the moves of the head initialisations (each micro-batch's meta step, each rebase on a global version):
     * a young head ({@link HeadSteps}) built at an older count is rebuilt at its next use.
     */
    private long initEpoch;
    private final MemoryStrategy memory;
    private final MetaLearner metaLearner;
    private final TransferReaction transfer;
    private final int hidden;
    private final long metricsEvery;
    private final long snapshotEvery;
    private final Map<String, TaskState> taskCache;
    /** The task cache's share of the heap: at most maxMemory / this. */
    private static final long TASK_CACHE_HEAP_SHARE = 8;
    /**
     * Heap bytes one cached task state is taken to hold: four times its binary form (the largest of the first state a
     * batch writes and every {@value #HEAP_ESTIMATE_EVERY}th after; a state's heap form, with object headers and the
     * metrics' window, is about that), 0 before.
     */
    private long taskHeapEstimate;
    /**
     * States read from the store whose tasks were not read recently ({@link #recentReads}): held for the batch that
     * reads them (a replayed task is read more than once in a batch) and a little longer, then dropped young instead of
     * entering {@link #taskCache}, where a task that does not come back would be promoted and collected from the old
     * generation. With a million tasks of a few examples each, that cache held states that were almost never read again.
     */
    private final Map<String, TaskState> recentlyRead;
    /** The task cache's admission test: a state read from the store enters the cache when its task was read lately. */
    private final RecentTasks recentReads;
    /** Task states written, for sampling {@link #taskHeapEstimate} every {@value #HEAP_ESTIMATE_EVERY}th. */
    private long statesWritten;
    private static final int HEAP_ESTIMATE_EVERY = 1024;
    /** The partition's tasks that keep a memory: entries in the store, their count in {@link #shared}. */
    private final MemoryTasks memoryTasks;
    /** Tasks that learned since the last micro-batch: their metrics and snapshots are due at its end. */
    private final Map<String, TaskState> dirty = new LinkedHashMap<>();
    /**
     * States changed since the last {@link #flush}, written there, and read before the store's (an evicted state may
     * be newer than its stored form). Bounded as the task cache is: past the bound the learner flushes by itself.
     */
    private final Map<String, TaskState> unflushed = new LinkedHashMap<>();
    /** Whether the shared state changed since the last flush. */
    private boolean sharedUnflushed;
    /** Whether the micro-batch buffer changed since the last flush (its rows are written there). */
    private boolean pendingUnflushed;
    /** {@link LearnerConfig#digest()}, a SHA-256 of every setting: computed once, not for every task snapshot. */
    private final String configDigest;
    /** Label-free monitors of every task's inputs, predictions and labels. */
    private final ShiftMonitoring shiftMonitoring;
    private SharedState shared;
    private final BayesianHead bayesianHead;
    /** The SGD heads' per-parameter learning rates ({@code meta.learning.rates}), the head step's gradient transform. */
    private final LearnedRates learnedRates;
    private final List<PendingRow> pending = new ArrayList<>();
    /** True while the pending examples are re-learned after a restart: their events were published before it. */
    private boolean recovering;
    /** The factorisation machine's gradients of one step ({@link FactorizationMachine#learn}), reused. */
    private float[] fmScratch = new float[0];
    /** The steps' gradients and the micro-batch's rows, arrays reused from step to step and batch to batch. */
    private final StepBuffers buffers = new StepBuffers();

    /**
     * A buffered example with what its task's head saw at arrival (scaled inputs, previous label), so the trunk's
     * step sees the example as the head did. Written at each flush as {@link PendingRows} (without the trunk pass,
     * which the batch computes again when it is missing).
     */
    private record PendingRow(PendingExample example, float[] scaledX, float[] lag, Trunk.Pass trunkPass) {}

    /**
     * Opens a learner over a store, resuming whatever the store holds.
     *
     * <p>Task and shared states are written at each {@link #flush}, with what the per-example steps learned of the
     * buffered examples and those examples' rows ({@link PendingRows}): the micro-batch is rebuilt from the rows. A
     * store written before flushes wrote rows (or a buffered example its rows do not describe, possible only under
     * at-least-once) is resumed by learning those examples again, in order, with the same arithmetic (their
     * predictions and events were published before the restart, so none is published again).
     *
     * @param config learner configuration
     * @param store  where state lives
     * @param source name of this partition, carried by its meta-updates
     * @param events receiver of drift events, metrics and task snapshots
     */
    public StreamingLearner(LearnerConfig config, LearnerStore store, String source, LearnerEvents events) {
        this.config = config;
        this.configDigest = config.digest();
        this.model = config.model();
        this.store = store;
        this.source = source;
        this.events = events;
        this.trunk = new Trunk(config.trunk());
        this.optimizer = config.optimizer().create();
        this.headOptimizer = config.optimizer().createHead();
        this.memory = MemoryStrategy.of(config);
        this.metaLearner = MetaLearner.of(config.meta());
        this.transfer = TransferReaction.of(config.meta());
        this.bayesianHead = new BayesianHead(config);
        this.learnedRates = new LearnedRates(config);
        this.hidden = config.trunk().outputDim();
        this.metricsEvery = config.metricsEveryExamples();
        this.snapshotEvery = config.snapshotEveryExamples();
        this.shiftMonitoring = new ShiftMonitoring(config, store, events);
        int cacheSize = config.taskCacheSize();
        long heapBudget = Runtime.getRuntime().maxMemory() / TASK_CACHE_HEAP_SHARE;
        this.taskCache = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, TaskState> eldest) {
                // learner.task.cache.size, and no more than a share of the heap: a task state of a few-kilobyte
                // head keeps far more on the heap (metrics window, optimiser, experts), so 10,000 of them alone can
                // fill a 1 GB heap. Which states are cached changes only the speed, never the results.
                return size() > cacheSize || size() > 16 && size() * taskHeapEstimate > heapBudget;
            }
        };
        int window = 2 * config.batchSize() + 64;
        this.recentlyRead = new LinkedHashMap<>(2 * window, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, TaskState> eldest) {
                return size() > window;
            }
        };
        this.recentReads = new RecentTasks(cacheSize);
        SharedState s = store.shared();
        this.shared = s != null ? s.withScaler(config) : SharedState.initial(config, optimizer);
        this.memoryTasks = MemoryTasks.of(store, shared);
        if (!shared.legacyMemoryTasks.isEmpty()) {
            // A state written before the registry: its list of every enrolled task moves to the store, once.
            for (String t : shared.legacyMemoryTasks) {
                if (!memoryTasks.contains(t)) {
                    memoryTasks.add(t);
                }
            }
            shared.legacyMemoryTasks.clear();
            sharedUnflushed = true;
        }
        byte[] flushed = store.pendingRows();
        if (flushed != null) {
            resume(PendingRows.fromBytes(flushed));
        } else {
            relearn(store.pending());
        }
    }

    /**
     * Examples the pending store holds, written one by one by builds before the buffer was flushed whole (and learned
     * again at a restart): dropped at the next flush, which writes the buffer in their place.
     */
    private int legacyPending;

    /**
     * Rebuilds the micro-batch buffer as the last flush wrote it: the stored states already hold its examples'
     * per-example steps, so nothing is learned again.
     */
    private void resume(PendingRows flushed) {
        for (int i = 0; i < flushed.examples().size(); i++) {
            PendingExample pe = flushed.examples().get(i);
            pending.add(new PendingRow(pe, flushed.rows().get(i).scaledX(), flushed.rows().get(i).lag(), null));
            // Its task learned since the last micro-batch: its metrics and snapshot are due at the batch's end.
            TaskState st = taskOrNull(pe.instance().task());
            if (st != null) {
                dirty.put(st.task, st);
            }
        }
    }

    /**
     * Rebuilds the buffer of a store written before the buffer was flushed whole: its states were written at each
     * micro-batch's end and its examples one by one, so they are learned again, in order, with the same arithmetic,
     * publishing nothing (their predictions and events were published before the restart).
     */
    private void relearn(List<PendingExample> stored) {
        recovering = true;
        try {
            for (PendingExample pe : stored) {
                pending.add(learnOne(pe.instance()).row(pe));
            }
        } finally {
            recovering = false;
        }
        legacyPending = stored.size();
        pendingUnflushed = legacyPending > 0;
    }

    /**
     * Writes every task state changed since the last flush, the shared state, the domain-shift monitors' rows of the
     * records they observed and the buffered micro-batch (its examples and rows): each state once, however many
     * micro-batches changed it. The store then holds what a learner rebuilt from it resumes with. A Kafka Streams processor calls this before each commit (so the writes commit with the records that caused
     * them); the learner also calls it itself when the states waiting for it outgrow the task cache's bound.
     */
    public void flush() {
        for (TaskState st : unflushed.values()) {
            store.putTask(st);
            if (taskHeapEstimate == 0 || ++statesWritten % HEAP_ESTIMATE_EVERY == 0) {
                // The largest state seen, sampled: a young task's state is written smaller than it grows (its linear
                // expert and scaler as what made them), so the first one alone would let the cache hold too many.
                // A young head is in the state's bytes as its steps, and on the heap rebuilt besides them.
                long rebuiltHead = st.headSteps != null && st.head != null ? 4L * st.head.length : 0;
                taskHeapEstimate = Math.max(taskHeapEstimate, 4L * st.toBytes().length + rebuiltHead);
            }
        }
        unflushed.clear();
        if (sharedUnflushed) {
            store.putShared(shared);
            sharedUnflushed = false;
        }
        shiftMonitoring.flush();
        if (pendingUnflushed) {
            List<PendingRows.Row> rows = new ArrayList<>(pending.size());
            List<PendingExample> examples = new ArrayList<>(pending.size());
            for (PendingRow r : pending) {
                examples.add(r.example());
                rows.add(new PendingRows.Row(r.scaledX(), r.lag()));
            }
            store.putPendingRows(new PendingRows(examples, rows).toBytes());
            if (legacyPending > 0) {
                store.clearPending(legacyPending);
                legacyPending = 0;
            }
            pendingUnflushed = false;
        }
    }

    /** States changed since the last flush (for tests). */
    int statesWaiting() {
        return unflushed.size();
    }

    /** Marks a task's state as changed: written at the next flush. */
    private void changed(TaskState st) {
        unflushed.put(st.task, st);
    }

    /**
     * Flushes when more states wait than the task cache may hold (in number or heap). Called only between records,
     * where the stores may be written (a flush inside a micro-batch would store some of its steps and not others).
     */
    private void flushIfMany() {
        if (unflushed.size() > config.taskCacheSize() || shiftMonitoring.tooManyWaiting()
                || unflushed.size() > 16 && unflushed.size() * taskHeapEstimate > unflushedHeapBudget) {
            flush();
        }
    }

    /** Heap the states waiting for a flush may hold (beyond those the task cache holds anyway). */
    private final long unflushedHeapBudget = Runtime.getRuntime().maxMemory() / TASK_CACHE_HEAP_SHARE;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StreamingLearner.class);

    /** The configuration. */
    public LearnerConfig config() {
        return config;
    }

    /** This partition's shared state (read-only use). */
    public SharedState shared() {
        return shared;
    }

    /** The tasks that keep a memory, in registry order (reads every entry: for tests and tools). */
    List<String> memoryTaskIds() {
        return memoryTasks.toList();
    }

    /** The labelled examples buffered and not yet learned, in arrival order. */
    public List<PendingExample> pendingExamples() {
        List<PendingExample> out = new ArrayList<>(pending.size());
        pending.forEach(r -> out.add(r.example()));
        return out;
    }

    /** Number of labelled examples buffered and not yet learned. */
    public int pendingCount() {
        return pending.size();
    }

    /**
     * Scores an example with the task's current model without learning from it. A task whose model has diverged (a
     * non-finite output) is scored as a new task would be until its next labelled example restarts it.
     */
    public Prediction score(Instance in) {
        Prediction p = score(config, trunk, shared, taskOrNull(in.task()), in);
        return finite(p.output()) ? p : score(config, trunk, shared, null, in);
    }

    /**
     * Scores an example exactly as {@link #score(Instance)} would on a learner whose store holds these states (a
     * diverged task, whose output is not finite, as a new task), with no learner, store or Kafka: for serving
     * predictions from states read elsewhere (interactive queries). Safe to call from any thread; it reads the states
     * and writes nothing.
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
        SharedState s = shared != null ? shared.withScaler(config) : SharedState.initial(config, config.optimizer().create());
        Trunk trunk = new Trunk(config.trunk());
        Prediction p = score(config, trunk, s, task, in);
        return finite(p.output()) ? p : score(config, trunk, s, null, in);
    }

    private static Prediction score(LearnerConfig config, Trunk trunk, SharedState shared, TaskState state,
                                    Instance in) {
        TaskSpec spec = config.taskSpec(in.task());
        float[] head = state == null ? newHead(config, shared, in.task(), spec)
                : state.headSteps != null ? youngHead(config, shared, state) : state.head;
        Features f = Features.of(config, trunk, shared, state, spec, in.x());
        TaskOutput o = predict(config, f, state, head, spec);
        return new Prediction(in, spec, o.y(), shared.baseVersion, state != null ? state.updates : 0, o.variance());
    }

    /** The experts a task's prediction mixes ({@code model.mixture}): the head, the linear expert, the prior. */
    static final int EXPERTS = 3;

    /** A task's outputs for one example: the prediction, and each expert's output (and raw outputs where it has them). */
    private record TaskOutput(float[] y, float[] deep, float[] zDeep, float[] linear, float[] zLinear, float[] prior,
                              float[] mixed, float[] partition, double variance) {}

    /**
     * The task's prediction: the head's output, mixed with its {@link LinearExpert}'s and {@link PriorExpert}'s by the
     * task's {@link FixedShareMixture} weights when {@code model.mixture} is on (a task not learned yet has a zero
     * linear expert and equal weights, as it will when it learns its first example).
     */
    private static TaskOutput predict(LearnerConfig config, Features f, TaskState st, float[] head, TaskSpec spec) {
        float[] deep = f.output(head, spec);
        float[] zDeep = f.logits();
        double headVariance = Double.NaN;
        double noiseVariance = Double.NaN;
        if (BayesianHead.appliesTo(config, spec)) {
            double unit = (double) f.targetScale() * f.targetScale();
            headVariance = unit * BayesianHead.variance(config, f.shared(), st, spec.shapeKey(), f.inputs());
            noiseVariance = unit * BayesianHead.noise(config, f.shared(), st, spec.shapeKey());
        }
        if (!config.model().mixture()) {
            return new TaskOutput(deep, deep, zDeep, null, null, null, null, null, headVariance);
        }
        float[] in = f.linearInputs();
        boolean known = st != null && st.linear != null && st.linear.length == Head.parameterCount(in.length,
                spec.outputs()) && st.mixture != null && st.mixture.length == EXPERTS;
        float[] linear = known ? st.linear : LinearExpert.initial(in.length, spec.outputs());
        double[] w = known ? st.mixture : MixturePrior.initial(config, f.shared(), spec, EXPERTS);
        float[] zLinear = new float[spec.outputs()];
        float[] yLinear = f.outputOver(linear, in, spec, zLinear);
        float[] yPrior = PriorExpert.output(st, f.shared(), spec, config.model().targetPriorWeight());
        float[] mixed = FixedShareMixture.combine(w, deep, yLinear, yPrior);
        if (!config.model().partitionGate() || spec.kind().realValued()) {
            // The mixture's variance: each expert's own (the linear and prior experts' the task's noise) plus the
            // spread of their means about the mixture's.
            double variance = Double.isNaN(headVariance) ? Double.NaN
                    : w[0] * (headVariance + square(deep[0] - mixed[0]))
                    + w[1] * (noiseVariance + square(yLinear[0] - mixed[0]))
                    + w[2] * (noiseVariance + square(yPrior[0] - mixed[0]));
            return new TaskOutput(mixed, deep, zDeep, yLinear, zLinear, yPrior, mixed, null, variance);
        }
        float[] partition = PartitionPriorGate.partitionPrior(f.shared(), spec);
        return new TaskOutput(PartitionPriorGate.combine(f.shared(), spec, mixed, partition), deep, zDeep, yLinear,
                zLinear, yPrior, mixed, partition, Double.NaN);
    }

    private static double square(double v) {
        return v * v;
    }

    /**
     * Scores many examples with the current models without learning or changing any state: the outputs
     * {@link #score} would give, computed with the trunk forward of the whole list as one batch (heads one by one).
     * Used to score held-out test sets. A ReLU or identity trunk gives the single-example path's floats exactly; tanh
     * and the sigmoid (ND4J's transforms on a batch) and a product large enough for ND4J's gemm may differ in the last
     * float bits.
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
            xs[i] = Features.scale(config, shared, taskOrNull(ins.get(i).task()), ins.get(i).x());
        }
        float[][] hs = trunk.forwardBatch(shared.trunk, xs).output();
        for (int i = 0; i < xs.length; i++) {
            String task = ins.get(i).task();
            TaskSpec spec = config.taskSpec(task);
            TaskState state = taskOrNull(task);
            float[] head = state != null ? state.head : newHead(task, spec);
            Features f = Features.of(config, shared, state, spec, xs[i], hs[i], ins.get(i).x());
            outs[i] = predict(config, f, state, head, spec).y();
        }
        return outs;
    }

    /**
     * Test-then-train: scores the example with the model as it is, then, when it is labelled, learns it at once into
     * its task's part (head, scaler, previous label: the next prediction of the task uses it) and buffers it for the
     * shared trunk's micro-batch, which is learned when the buffer is full. Labelled or not, the example and its
     * prediction feed the task's domain-shift monitor ({@code shift.*}), which publishes a shift when it finds one.
     *
     * @return the prediction made before learning
     */
    public Prediction observe(Instance in) {
        if (!in.labelled()) {
            Prediction p = score(in);
            shiftMonitoring.observe(in, p.spec(), p.output());
            return p;
        }
        Learned l = learnOne(in);
        shiftMonitoring.observe(in, l.prediction().spec(), l.prediction().output());
        PendingExample pe = new PendingExample(in, l.prediction().output());
        pending.add(l.row(pe)); // written at the next flush, if it is still buffered then
        pendingUnflushed = true;
        if (pending.size() >= config.batchSize()) {
            learnPending(in.timestamp());
        }
        flushIfMany();
        return l.prediction();
    }

    /** Micro-batch rows whose trunk pass was the one kept from their prediction (see {@link Trunk.Pass}). */
    long trunkRowsReused() {
        return trunk.rowsReused();
    }

    /** What learning one example gave: its prediction (made first) and the head's view of it. */
    private record Learned(Prediction prediction, float[] scaledX, float[] lag, Trunk.Pass trunkPass) {
        PendingRow row(PendingExample pe) {
            return new PendingRow(pe, scaledX, lag, trunkPass);
        }
    }

    /**
     * The per-example (fast) part of test-then-train: predict, score the prediction into the task's prequential
     * metrics and drift detector, then take one step of the task's head and update its scaler, previous label and
     * target statistics. Deterministic in (states, example), so re-learning the pending examples after a restart
     * rebuilds the same states.
     */
    private Learned learnOne(Instance in) {
        TaskState st = taskOrCreate(in.task());
        dirty.put(st.task, st);
        changed(st);
        sharedUnflushed = true; // a step may move shared parts too (the partition's scaler and gate, FM factors)
        TaskSpec spec = config.taskSpec(st.task);
        Features f = Features.of(config, trunk, shared, st, spec, in.x(), buffers);
        float[] background = st.background;
        float[] yBackground = background == null ? null : f.output(background, spec);
        float[] dzBackground = null;
        if (background != null) {
            dzBackground = new float[spec.outputs()];
            spec.loss().gradient(f.logits(), f.modelTarget(in.target()), dzBackground);
        }
        TaskOutput o = predict(config, f, st, st.head, spec);
        if (!finite(o.y())) {
            // Its own parameters gave a non-finite output: scoring it would throw from the metrics, out of the stream
            // thread, and again on every restart. The task alone restarts, says so, and predicts afresh.
            restartDiverged(st, in.timestamp());
            f = Features.of(config, trunk, shared, st, spec, in.x(), buffers);
            background = null;
            yBackground = null;
            dzBackground = null;
            o = predict(config, f, st, st.head, spec);
            if (!finite(o.y())) {
                throw new IllegalStateException("task " + st.task + ": the partition's shared model gives a non-finite"
                        + " output for a finite input even for a fresh task; the shared state has diverged (lower"
                        + " optimizer.trunk.learning.rate, or import a known-good shared model)");
            }
        }
        float[] y = o.y();
        Prediction p = new Prediction(in, spec, y, shared.baseVersion, st.updates, o.variance());

        double error = observeMetrics(st, spec, in.target(), y);
        st.observed++;
        st.detector.update(error);
        if (st.detector.driftDetected() && errorRose(st)) {
            react(st, in.timestamp());
        } else if (st.detector.warningDetected()) {
            warn(st);
        }
        // Slow average of the error (a running mean over the first ERROR_HORIZON examples, then an EWMA), and a fast
        // one over about RECENT_HORIZON examples, the recent level a detection must show for detectors that do not
        // report an estimate of their own.
        st.errorAverage += (error - st.errorAverage) / Math.min(st.observed, ERROR_HORIZON);
        st.recentError += (error - st.recentError) / Math.min(st.observed, RECENT_HORIZON);

        int out = spec.outputs();
        float[] dz = new float[out];
        float[] target = f.modelTarget(in.target());
        spec.loss().gradient(o.zDeep(), target, dz);
        headLearner(spec).learn(shared, st, f, dz, target);
        if (f.factorizationSum() != null) {
            int k = model.fmFactors();
            if (st.fm == null || st.fm.length != out * k) {
                st.fm = newFactor(st.shapeKey, out * k);
                st.fmSquares = new float[out * k];
            }
            int scratch = FactorizationMachine.scratchLength(k, f.scaledX().length, out);
            if (fmScratch.length < scratch) {
                fmScratch = new float[scratch];
            }
            FactorizationMachine.learn(st.fm, st.fmSquares, shared.fmFactors, shared.fmSquares, k, f.scaledX(),
                    f.factorizationSum(), dz, model.fmLearningRate() * st.learningRateMultiplier, fmScratch);
        }
        if (background != null) {
            // The background learns the same example with the same step rule, then may take the head's place.
            float[] gb = buffers.zeroed(StepBuffers.Slot.BACKGROUND, background.length);
            Head.backward(background, f.width(), out, f.inputs(), dzBackground, gb, null);
            if (clip(gb, config.optimizer().clipNorm())) {
                int[] widths = f.partWidths();
                model.headStep().apply(gb, f.partNorms(), widths[0], widths[1], widths[2], out);
                headOptimizer.step(background, gb, st.backgroundOptimizerState, config.optimizer().headLearningRate(),
                        ++st.backgroundStep);
            }
            BackgroundHead.observe(st, errorOf(spec, in.target(), o.deep()),
                    errorOf(spec, in.target(), yBackground));
        }
        if (o.zLinear() != null) {
            learnMixture(st, spec, f, o, in.target(), target);
        }
        st.updates++;
        st.learned++;
        if (st.boostRemaining > 0 && --st.boostRemaining == 0) {
            st.learningRateMultiplier = 1f;
        }
        Features.learn(config, shared, st, spec, in.x(), in.target());
        return new Learned(p, f.scaledX(), f.lag(), f.trunkPass());
    }

    /**
     * The mixture's weights learn each expert's loss on the example, then the linear expert takes its step (the prior
     * expert learns with the task's other statistics, in {@link Features#learn}).
     */
    private void learnMixture(TaskState st, TaskSpec spec, Features f, TaskOutput o, float[] rawTarget,
                              float[] target) {
        float[] linearIn = f.linearInputs();
        if (st.linear == null || st.linear.length != Head.parameterCount(linearIn.length, spec.outputs())
                || st.mixture == null || st.mixture.length != EXPERTS) {
            st.linear = LinearExpert.initial(linearIn.length, spec.outputs());
            st.linearSteps = LinearExpert.Steps.start(linearIn.length, spec.outputs());
            st.mixture = MixturePrior.initial(config, shared, spec, EXPERTS);
        }
        // Labels: each expert's 0/1 error, the figure users read (a log-loss weighting prefers the confident head even
        // where the calmer linear model is right more often). Regression: half the squared error in target standard
        // deviations, a unit-variance Gaussian likelihood.
        double[] losses = spec.kind().realValued()
                ? new double[] {spec.loss().value(o.zDeep(), target), spec.loss().value(o.zLinear(), target),
                        spec.loss().value(f.modelTarget(o.prior()), target)}
                : new double[] {errorOf(spec, rawTarget, o.deep()), errorOf(spec, rawTarget, o.linear()),
                        errorOf(spec, rawTarget, o.prior())};
        st.observeTransfer(losses);
        FixedShareMixture.update(st.mixture, losses, model.mixtureShare());
        if (o.partition() != null) {
            PartitionPriorGate.learn(shared, spec, errorOf(spec, rawTarget, o.mixed()),
                    errorOf(spec, rawTarget, o.partition()), model.mixtureShare());
        }
        st.linearSteps = LinearExpert.learn(st.linear, linearIn, o.zLinear(), target, spec,
                model.linearLearningRate() * st.learningRateMultiplier, config.optimizer().clipNorm(), st.linearSteps,
                buffers.zeroed(StepBuffers.Slot.LINEAR, st.linear.length));
    }

    /**
     * The part that learns a task's head ({@code meta.head.*}): SGD, a Bayesian head for regression, or a prototype
     * head for classification.
     */
    private HeadLearner headLearner(TaskSpec spec) {
        if (BayesianHead.appliesTo(config, spec)) {
            return bayesianHead;
        }
        return PrototypeHead.appliesTo(config, spec) ? prototypeHead : sgdHead;
    }

    private final HeadLearner prototypeHead = new PrototypeHead();

    /** A task's head by the optimiser's gradient steps ({@link #stepHead}). */
    private final HeadLearner sgdHead = new HeadLearner() {
        @Override
        public void learn(SharedState s, TaskState st, Features f, float[] dz, float[] target) {
            float[] g = buffers.zeroed(StepBuffers.Slot.HEAD, st.head.length);
            Head.backward(st.head, f.width(), dz.length, f.inputs(), dz, g, null);
            float[] norms = f.partNorms();
            if (stepHead(st, g, norms, f.partWidths()) && st.headSteps != null) {
                st.headSteps = st.headSteps.add(f.inputs(), dz, norms,
                        config.optimizer().headLearningRate() * st.learningRateMultiplier);
            }
        }

        @Override
        public boolean learnsReplayed() {
            return true;
        }

        @Override
        public void reset(TaskState st) {
            HeadLearner.super.reset(st);
            st.headRates = null;
        }
    };

    /**
     * One optimiser step of a task's head on gradient {@code g}, with the proximal pull, clipping, the head step's
     * normalisation by its inputs' part norms and the learned per-parameter rates ({@link LearnedRates}, when on).
     * A young head's log ({@link HeadSteps#step}) replays this arithmetic for the plain-SGD heads it is kept for.
     *
     * @return whether the step was taken (not when the gradient was not finite)
     */
    private boolean stepHead(TaskState st, float[] g, float[] partNorms, int[] partWidths) {
        float[] init = shared.headInit.get(st.shapeKey);
        if (config.meta().proximal() > 0 && init != null && init.length == g.length) {
            for (int j = 0; j < g.length; j++) {
                g[j] += config.meta().proximal() * (st.head[j] - init[j]);
            }
        }
        if (clip(g, config.optimizer().clipNorm())) {
            model.headStep().apply(g, partNorms, partWidths[0], partWidths[1], partWidths[2],
                    config.taskSpec(st.task).outputs());
            learnedRates.apply(shared, st, g);
            headOptimizer.step(st.head, g, st.optimizerState,
                    config.optimizer().headLearningRate() * st.learningRateMultiplier, ++st.optimizerStep);
            return true;
        }
        shared.skippedUpdates++;
        return false;
    }

    /**
     * Event-time flush of a partial micro-batch: learns the buffer when its oldest example's timestamp is
     * {@code maxWaitMs} or more before {@code eventTime}. Called with each arriving record's timestamp before that
     * record is observed, batch boundaries depend on the input alone, so a replay makes the same batches.
     *
     * @return number of examples learned (0 when the buffer is empty or not old enough)
     */
    public int learnPendingIfOlder(long eventTime, long maxWaitMs) {
        if (pending.isEmpty() || eventTime - pending.get(0).example().instance().timestamp() < maxWaitMs) {
            return 0;
        }
        return learnPending(eventTime);
    }

    /**
     * Learns the buffered micro-batch into the shared (slow) parts: the trunk's gradient through the tasks' heads as
     * they are now, joined and constrained by the memory strategy, one trunk step, the episodic memories, the meta
     * initialisation (Reptile); then writes every state the batch and its examples touched.
     *
     * @param now timestamp for the events this emits
     * @return number of examples learned
     */
    public int learnPending(long now) {
        if (pending.isEmpty()) {
            return 0;
        }
        List<PendingRow> batch = List.copyOf(pending);
        int n = batch.size();
        Map<String, TaskState> states = new TreeMap<>();
        for (PendingRow row : batch) {
            String task = row.example().instance().task();
            states.computeIfAbsent(task, this::taskOrCreate);
        }
        MemoryContext ctx = new MemoryContext(config, store, states.keySet(), memoryTasks, shared.batches,
                this::taskOrNull, this::referenceGradient);

        // 1. The trunk's gradient on the batch (and on what the memory strategy replays), through the current heads.
        List<MemoryStrategy.Replayed> replay = hidden > 0 && config.optimizer().trunkLearningRate() > 0 && shared.trunk.length > 0
                ? memory.replay(ctx) : List.of();
        buffers.releasePooled(); // the last batch's rows and replayed heads' gradients: no longer used
        Map<String, ReplayedHead> replayedHeads = new TreeMap<>(); // stepped in task-id order
        float[] gTrunk = buffers.zeroed(StepBuffers.Slot.TRUNK, shared.trunk.length);
        if (gTrunk.length > 0 && config.optimizer().trunkLearningRate() > 0) {
            int total = n + replay.size();
            float[][] xs = new float[total][];
            for (int i = 0; i < n; i++) {
                xs[i] = batch.get(i).scaledX();
            }
            for (int i = 0; i < replay.size(); i++) {
                float[] x = replay.get(i).sample().x();
                xs[n + i] = Features.scale(config, shared, replay.get(i).state(), x, buffers.pooled(x.length));
            }
            // The new examples' rows were computed when they were predicted: reused while the trunk is unchanged.
            Trunk.Pass[] predicted = new Trunk.Pass[n];
            for (int i = 0; i < n; i++) {
                predicted[i] = batch.get(i).trunkPass();
            }
            Trunk.Batch fwd = trunk.forwardBatch(shared.trunk, xs, predicted);
            float[][] hs = fwd.output();
            float[][] dH = new float[total][];
            for (int i = 0; i < n; i++) {
                PendingRow row = batch.get(i);
                TaskState st = states.get(row.example().instance().task());
                TaskSpec spec = config.taskSpec(st.task);
                Features f = Features.reusing(config, shared, st, spec, row.scaledX(), hs[i],
                        buffers.pooled(Features.width(config, spec, hs[i].length))).withLag(row.lag());
                // A task's pull on the trunk: its rows' share of the batch's loss, scaled by the transfer reaction.
                float[] target = row.example().instance().target();
                dH[i] = f.inputGradient(headLearner(spec).trunkHead(shared, st, f, f.modelTarget(target)), spec,
                        target, transfer.rowScale(st) / n, null, buffers.pooled(hs[i].length));
            }
            // The replayed mean loss is added to the batch's mean loss (Chaudhry et al. 2019): a joint mean would
            // shrink the new examples' pull by n / total and the batch would hardly move the trunk.
            for (MemoryStrategy.Replayed r : replay) {
                TaskState st = r.state();
                replayedHeads.computeIfAbsent(st.task, t -> new ReplayedHead(buffers.pooled(st.head.length),
                        st.headSteps == null ? null : new ArrayList<>())).count++;
            }
            for (int i = 0; i < replay.size(); i++) {
                TaskState st = replay.get(i).state();
                TaskSpec spec = config.taskSpec(st.task);
                ReplayedHead replayed = replayedHeads.get(st.task);
                Features f = Features.reusing(config, shared, st, spec, xs[n + i], hs[n + i],
                        buffers.pooled(Features.width(config, spec, hs[n + i].length))).withLag(null);
                float[] target = replay.get(i).sample().target();
                dH[n + i] = f.inputGradient(headLearner(spec).trunkHead(shared, st, f, f.modelTarget(target)), spec,
                        target, transfer.rowScale(st) / (total - n),
                        new HeadGradient(replayed.gradient, 1f / replayed.count, replayed.rows),
                        buffers.pooled(hs[n + i].length));
                float[] sample = f.partNorms();
                for (int k = 0; k < replayed.norms.length; k++) {
                    replayed.norms[k] += sample[k] / replayed.count;
                }
                if (replayed.widths == null) {
                    replayed.widths = f.partWidths();
                }
            }
            if (transfer.perTask()) {
                trunkGradientPerTask(fwd, dH, batch, replay, gTrunk);
            } else {
                trunk.backwardBatch(shared.trunk, fwd, dH, gTrunk);
            }

            // 2. The memory strategy's constraint on the trunk step, then the step: clipped, and skipped (never
            // applied) when the gradient is not finite, so one pathological batch cannot poison the stored model.
            // An embedding-bag batch's gradient lives in the rows its inputs touched, and so do its clip and a lazy
            // step; a projection mixes in a dense reference gradient, so after one every parameter is active.
            ParamRanges active = fwd.activeParameters();
            if (memory.project(ctx, gTrunk)) {
                shared.projections++;
                active = null;
            }
            if (clip(gTrunk, config.optimizer().clipNorm(), active)) {
                optimizer.step(shared.trunk, gTrunk, shared.trunkOptimizerState, config.optimizer().trunkLearningRate(),
                        ++shared.trunkStep, active);
            } else {
                shared.skippedUpdates++;
            }
        }

        // 3. Replayed tasks' heads take their step on the replayed samples; they learned nothing new, so their counters
        // (updates, learned) stay as they are.
        replayedHeads.forEach((task, replayed) -> {
            TaskState st = taskOrNull(task);
            if (headLearner(config.taskSpec(task)).learnsReplayed()) {
                if (stepHead(st, replayed.gradient, replayed.norms, replayed.widths) && st.headSteps != null) {
                    // A young head logs the step's rows; past its capacity (or without rows) it is stored whole.
                    st.headSteps = replayed.rows == null ? null : st.headSteps.add(replayed.rows, replayed.norms,
                            config.optimizer().headLearningRate() * st.learningRateMultiplier);
                }
                dirty.put(st.task, st);
            }
        });

        // 4. Episodic memory: the memory strategy's remember hook (reservoir sampling per task).
        List<Instance> examples = new ArrayList<>(n);
        batch.forEach(row -> examples.add(row.example().instance()));
        memory.remember(ctx, examples, states);

        // 5. The meta-learner (Reptile by default) moves each head shape's initialisation.
        // A task showing negative transfer may be kept out of it by the transfer reaction.
        List<TaskState> metaStates = new ArrayList<>(states.size());
        for (TaskState st : states.values()) {
            if (transfer.sharesMeta(st)) {
                metaStates.add(st);
            }
        }
        metaLearner.afterBatch(metaStates, shared.headInit);
        initEpoch++; // young heads follow the initialisation: rebuilt at their next use

        // 6. Persist, publish snapshots, clear the buffer.
        for (TaskState st : dirty.values()) {
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
            changed(st);
            if (taskCache.containsKey(st.task)) {
                taskCache.put(st.task, st);
            } else {
                recentlyRead.put(st.task, st); // not admitted (yet): the next batch may still use it
            }
        }
        dirty.clear();
        shared.batches++;
        shared.learned += n;
        shared.learnedSincePublish += n;
        sharedUnflushed = true;
        pending.clear();
        pendingUnflushed = true;
        return n;
    }

    /**
     * The trunk's gradient as the transfer reaction combines the per-task ones: one backward pass per task among the
     * batch's and the replayed rows (each with the other rows' feature gradients zeroed), combined in task-id order
     * with a seed from the batch count, so a replay after a restart computes the same floats.
     */
    private void trunkGradientPerTask(Trunk.Batch fwd, float[][] dH, List<PendingRow> batch,
                                      List<MemoryStrategy.Replayed> replay, float[] gTrunk) {
        int n = batch.size();
        Map<String, List<Integer>> rows = new TreeMap<>();
        for (int i = 0; i < dH.length; i++) {
            String task = i < n ? batch.get(i).example().instance().task() : replay.get(i - n).state().task;
            rows.computeIfAbsent(task, t -> new ArrayList<>()).add(i);
        }
        if (rows.size() < 2) {
            trunk.backwardBatch(shared.trunk, fwd, dH, gTrunk);
            return;
        }
        List<float[]> perTask = new ArrayList<>(rows.size());
        for (List<Integer> own : rows.values()) {
            float[][] masked = new float[dH.length][];
            for (int i = 0; i < dH.length; i++) {
                masked[i] = new float[dH[i].length];
            }
            for (int i : own) {
                masked[i] = dH[i];
            }
            float[] g = new float[gTrunk.length];
            trunk.backwardBatch(shared.trunk, fwd, masked, g);
            perTask.add(g);
        }
        float[] combined = transfer.combine(perTask, Seeds.of("transfer", shared.batches ^ config.seed()));
        for (int i = 0; i < gTrunk.length; i++) {
            gTrunk[i] += combined[i];
        }
    }

    /**
     * Where {@link Features#inputGradient} adds a head's gradient, scaled; and, unless {@code rows} is null, where it
     * lists each gradient's inputs and scaled output gradient, in order ({@link HeadSteps#add(List, float[], float)}).
     */
    record HeadGradient(float[] accumulate, float scale, List<float[][]> rows) {}

    /**
     * A task's replayed rows in a micro-batch: how many, the head's gradient over them, their mean part norms and, for
     * a young head (whose step is logged, {@link HeadSteps}), each row's inputs and scaled output gradient in order.
     * One look-up per row instead of one per map.
     */
    private static final class ReplayedHead {
        final float[] gradient;
        final List<float[][]> rows;
        final float[] norms = new float[3];
        int[] widths;
        int count;

        ReplayedHead(float[] gradient, List<float[][]> rows) {
            this.gradient = gradient;
            this.rows = rows;
        }
    }

    /**
     * The shared-model delta learned since the last call, against the global version this partition is based on, or
     * null when nothing was learned. The caller publishes it; the local base moves to the current parameters.
     */
    public MetaUpdate drainMetaUpdate(long now) {
        flushBeforeSharedWrite(now);
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
        sharedUnflushed = true;
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
        flushBeforeSharedWrite(pending.isEmpty() ? 0 : pending.get(pending.size() - 1).example().instance().timestamp());
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
        initEpoch++;
        shared.lastStaleness = global.version() - shared.baseVersion - 1;
        shared.baseVersion = global.version();
        sharedUnflushed = true;
        return true;
    }

    /**
     * A publish, a rebase, a reset or an import learns the buffered micro-batch first, so it applies between batches,
     * as it did when states were written only at a batch's end: the buffered examples' rows are the trunk's as it was.
     */
    private void flushBeforeSharedWrite(long now) {
        if (!pending.isEmpty()) {
            learnPending(now);
        }
    }

    /** Emits metrics for every task that scored examples since its last report. */
    public void emitDueMetrics(long now) {
        List<TaskState> due = new ArrayList<>();
        store.forEachTask(st -> {
            if (!unflushed.containsKey(st.task) && st.observed > st.lastMetricsObserved) {
                due.add(st);
            }
        });
        for (TaskState st : List.copyOf(unflushed.values())) {
            if (st.observed > st.lastMetricsObserved) {
                due.add(st);
            }
        }
        due.sort(java.util.Comparator.comparing(TaskState::task)); // the store's order, as before states waited
        for (TaskState st : due) {
            TaskState live = dirty.getOrDefault(st.task, unflushed.getOrDefault(st.task,
                    taskCache.getOrDefault(st.task, recentlyRead.getOrDefault(st.task, st))));
            emitMetrics(live, now);
            changed(live);
        }
        flushIfMany();
    }

    /**
     * Forgets a task, as if it had never been seen: the buffered micro-batch is learned first (so the shared model
     * keeps what the task's examples taught it, and no pending example refers to a task that is gone), then the task's
     * state, episodic memory and reference gradient are deleted from the store. Its next example starts a new task
     * from the current meta initialisation. The shared trunk and head initialisation are not rolled back.
     *
     * @param task the task id
     * @param now  timestamp for the events learning the buffered batch emits
     * @return whether the task existed
     */
    public boolean resetTask(String task, long now) {
        flushBeforeSharedWrite(now);
        boolean existed = taskOrNull(task) != null;
        taskCache.remove(task);
        recentlyRead.remove(task);
        dirty.remove(task);
        unflushed.remove(task);
        shiftMonitoring.forget(task);
        store.deleteTask(task);
        if (memoryTasks.remove(task)) {
            sharedUnflushed = true;
        }
        return existed;
    }

    /** The latest check of a task's domain-shift monitor, or null before its first check (or with monitoring off). */
    public dev.metastream.shift.ShiftReport latestShift(String task) {
        return shiftMonitoring.latest(task);
    }

    /**
     * The ids of every task this learner holds (learned at least one example), sorted: the store's and those learned
     * since the last flush, which are written there.
     */
    public List<String> taskIds() {
        java.util.TreeSet<String> ids = new java.util.TreeSet<>(unflushed.keySet());
        store.forEachTask(st -> ids.add(st.task()));
        return List.copyOf(ids);
    }

    /**
     * Seeds a task from a model in the export format ({@link ModelExport}, {@code docs/model-format.md}), replacing
     * whatever the task was (as {@link #resetTask} does first): its head, linear expert, mixture weights, previous
     * label and label frequencies are taken over; its counters and metrics start from zero.
     *
     * @param task  the task id
     * @param model the exported task model (parsed JSON: maps, lists, numbers)
     * @param now   timestamp for the events learning the buffered batch emits
     * @throws IllegalArgumentException when the model does not fit this configuration; nothing is changed then
     */
    public void importTask(String task, Map<String, Object> model, long now) {
        ModelExport.checkTask(config, task, model);
        resetTask(task, now);
        TaskState st = ModelExport.importTask(this, task, model);
        changed(st);
        taskCache.put(task, st);
    }

    /** A new task's state, as its first example would create it (not stored). */
    TaskState newTaskState(String task) {
        TaskSpec spec = config.taskSpec(task);
        TaskState st = new TaskState(task, spec.shapeKey());
        st.head = newHead(task, spec);
        st.headSteps = youngHeadSteps(spec, st.head.length);
        st.headBuiltAt = initEpoch;
        st.optimizerState = new float[headOptimizer.stateSize(st.head.length)];
        st.initMetaVersion = shared.baseVersion;
        st.metrics = PrequentialMetrics.detailed(spec.kind().metricsKind(), config.metricsWindow(), spec.outputs());
        st.detector = config.drift().newDetector();
        if (config.model().keepsTaskScaler()) {
            st.scaler = InputScaler.create(config.inputDim());
        }
        return st;
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
        return new LearnerEvents.TaskSnapshot(st.task, st.updates, shared.baseVersion, st.learned, configDigest, now,
                config.taskSpec(st.task), st.head.length / config.taskSpec(st.task).outputs() - 1, st.head.clone());
    }

    private void emitMetrics(TaskState st, long now) {
        st.lastMetricsObserved = st.observed;
        events.metrics(new LearnerEvents.TaskMetrics(st.task, config.taskSpec(st.task).kind().name().toLowerCase(),
                st.observed, st.learned, decimal(config.optimizer().headLearningRate() * st.learningRateMultiplier),
                st.metrics.snapshot(),
                shared.baseVersion, st.drifts, now, st.negativeTransfer(), st.transferRatio(), transfer.rowScale(st)));
    }

    /** A float as the decimal it was written as (0.05f is reported as 0.05, not 0.05000000074505806). */
    private static double decimal(float f) {
        return Double.parseDouble(Float.toString(f));
    }

    /** Scales g to at most maxNorm in L2; false (and g untouched) when g is not finite. */
    static boolean clip(float[] g, float maxNorm) {
        return clip(g, maxNorm, null);
    }

    /** {@link #clip(float[], float)} of a gradient that is zero outside {@code active} (all of it when null). */
    static boolean clip(float[] g, float maxNorm, ParamRanges active) {
        int parts = active == null ? 1 : active.count();
        double sq = 0;
        for (int k = 0; k < parts; k++) {
            sq += VecMath.sumOfSquares(g, active == null ? 0 : active.from(k), active == null ? g.length : active.to(k));
        }
        if (!Double.isFinite(sq)) {
            return false;
        }
        double norm = Math.sqrt(sq);
        if (norm > maxNorm) {
            float scale = (float) (maxNorm / norm);
            for (int k = 0; k < parts; k++) {
                int to = active == null ? g.length : active.to(k);
                for (int i = active == null ? 0 : active.from(k); i < to; i++) {
                    g[i] *= scale;
                }
            }
        }
        return true;
    }

    /**
     * Two-sided detectors (ADWIN) also fire when a task's error falls because it is learning, and on small rises as
     * the shared model moves; neither is a drift to react to. A detection counts when the detector's recent estimate
     * (or, for detectors that report none, the task's fast error average) is {@code drift.min.rise} above the task's
     * slow error average, and not within the cooldown of the last one.
     */
    private boolean errorRose(TaskState st) {
        if (st.drifts > 0 && st.observed - st.lastDriftObserved < config.drift().cooldownExamples()) {
            return false;
        }
        // ADWIN reports the mean of its recent window; Page-Hinkley reports none, so the task's fast error average
        // stands in (before it did, drift.min.rise was silently ignored for Page-Hinkley).
        Double estimate = st.detector.statistics().get("estimation");
        double recent = estimate != null ? estimate : st.recentError;
        return recent > st.errorAverage * (1 + config.drift().minRise());
    }

    private void react(TaskState st, long timestamp) {
        st.drifts++;
        st.lastDriftObserved = st.observed;
        String reaction = switch (config.drift().reaction()) {
            case NONE -> "none";
            case RESET_HEAD -> {
                resetHead(st);
                yield "reset-head";
            }
            case RESTART_TASK -> {
                restart(st);
                yield "restart-task";
            }
            case BOOST_LR -> {
                st.learningRateMultiplier = config.drift().boostFactor();
                st.boostRemaining = config.drift().boostExamples();
                yield "boost-lr";
            }
            case BACKGROUND_HEAD -> {
                // A background started at the warning takes over now if it has learned enough (as MOA's
                // DriftDetectionMethodClassifier switches at the drift); otherwise one starts, or keeps learning.
                if (!BackgroundHead.promote(st)) {
                    startBackground(st, st.drifts);
                }
                yield "background-head";
            }
        };
        events.drift(new LearnerEvents.DriftEvent(st.task, st.detector.name(), "prequential-error", st.observed,
                st.detector.statistics(), reaction, timestamp));
    }

    /**
     * The detector's warning zone: with {@code drift.reaction=background-head} a fresh head starts learning beside the
     * task's now, so that at the drift (or as soon as it errs less) it has already learned the new concept's first
     * examples. The other reactions wait for the drift.
     */
    private void warn(TaskState st) {
        if (config.drift().reaction() == DriftConfig.Reaction.BACKGROUND_HEAD && st.background == null) {
            // Seeded apart from the drift's candidate (drifts + 1 is the next drift's number, never used by a drift
            // whose background is still running, since a running background is kept).
            startBackground(st, st.drifts + 1);
        }
    }

    private void startBackground(TaskState st, long number) {
        TaskSpec spec = config.taskSpec(st.task);
        BackgroundHead.start(st, Head.initialParameters(config.model().headInputs(config.trunk(), spec),
                spec.outputs(), Seeds.of(st.task, config.seed() ^ number)), headOptimizer.stateSize(st.head.length));
    }

    /** The task's head (and its optimiser state, and its factorisation-machine factor) back to the initialisation. */
    /** Every per-task learner back to what the partition knows: the head, the linear expert, mixture and label prior. */
    private void restart(TaskState st) {
        resetHead(st);
        st.linear = null;
        st.linearSteps = null;
        st.mixture = null;
        st.labelMean = null;
        st.labelCount = 0;
    }

    /**
     * A task whose model output is not finite has diverged (a step that overflowed; the factorisation machine's
     * division by a zero running sum was one): every learned part of it restarts, its own input scaler and background
     * head too, while its metrics, drift detector and counters, which only ever saw finite values, stay. Published as
     * a drift event (detector {@code non-finite}, reaction {@code restart-task}) so that it is seen, not silent.
     */
    private void restartDiverged(TaskState st, long timestamp) {
        restart(st);
        BackgroundHead.clear(st);
        st.transferLoss = null;
        st.transferCount = 0;
        st.learningRateMultiplier = 1f;
        st.boostRemaining = 0;
        if (st.scaler != null) {
            st.scaler = InputScaler.create(config.inputDim());
        }
        events.drift(new LearnerEvents.DriftEvent(st.task, NON_FINITE_DETECTOR, "model-output", st.observed,
                Map.of(), "restart-task", timestamp));
    }

    /** The drift events' detector name for a task restarted because its output was not finite. */
    public static final String NON_FINITE_DETECTOR = "non-finite";

    private static boolean finite(float[] v) {
        for (float x : v) {
            if (!Float.isFinite(x)) {
                return false;
            }
        }
        return true;
    }

    private void resetHead(TaskState st) {
        float[] init = shared.headInit.get(st.shapeKey);
        st.head = init != null && config.meta().enabled() && init.length == st.head.length ? init.clone()
                : newHead(st.task, config.taskSpec(st.task));
        st.headSteps = youngHeadSteps(config.taskSpec(st.task), st.head.length);
        st.headBuiltAt = initEpoch;
        st.optimizerState = new float[headOptimizer.stateSize(st.head.length)];
        st.optimizerStep = 0;
        headLearner(config.taskSpec(st.task)).reset(st);
        if (st.fm != null) {
            st.fm = newFactor(st.shapeKey, st.fm.length);
            st.fmSquares = new float[st.fm.length];
        }
    }

    /** A task's first factorisation-machine factor: the meta-learned one, or zeros when meta-learning is off. */
    private float[] newFactor(String shapeKey, int length) {
        float[] init = shared.headInit.get(FactorizationMachine.initKey(shapeKey));
        return config.meta().enabled() && init != null && init.length == length ? init.clone() : new float[length];
    }

    /** One example's error as the drift detectors see it: 0/1 for labels, the squared error for regression. */
    private static double errorOf(TaskSpec spec, float[] t, float[] out) {
        return spec.kind().errorOf(t, out);
    }

    private static double observeMetrics(TaskState st, TaskSpec spec, float[] t, float[] out) {
        return spec.kind().observe(st.metrics, t, out);
    }

    /** A task's reference gradient for A-GEM / GEM, recomputed when older than {@code memory.refresh.batches}. */
    private ReferenceGradient referenceGradient(String task) {
        ReferenceGradient ref = store.referenceGradient(task);
        if (ref == null || shared.batches - ref.batch() >= config.memory().refreshBatches()) {
            ref = computeReference(task);
            if (ref != null) {
                store.putReferenceGradient(task, ref);
            }
        }
        return ref;
    }

    private ReferenceGradient computeReference(String task) {
        List<MemorySample> mem = store.memory(task);
        TaskState st = taskOrNull(task);
        if (mem.isEmpty() || st == null) {
            return null;
        }
        int m = Math.min(config.memory().samplesPerTask(), mem.size());
        int start = (int) ((shared.batches * m) % mem.size());
        float[][] xs = new float[m][];
        float[][] ts = new float[m][];
        for (int i = 0; i < m; i++) {
            MemorySample s = mem.get((start + i) % mem.size());
            xs[i] = s.x();
            ts[i] = s.target();
        }
        TaskSpec spec = config.taskSpec(task);
        for (int i = 0; i < m; i++) {
            xs[i] = Features.scale(config, shared, st, xs[i]);
        }
        Trunk.Batch fwd = trunk.forwardBatch(shared.trunk, xs);
        float[][] hs = fwd.output();
        float[][] dH = new float[m][];
        for (int i = 0; i < m; i++) {
            dH[i] = Features.of(config, shared, st, spec, xs[i], hs[i]).withLag(null)
                    .inputGradient(st.head, spec, ts[i], 1f / m, null);
        }
        float[] g = new float[shared.trunk.length];
        trunk.backwardBatch(shared.trunk, fwd, dH, g);
        return new ReferenceGradient(g, shared.batches, m);
    }

    private TaskState taskOrNull(String task) {
        TaskState st = dirty.get(task);
        if (st == null) {
            st = storedTask(task);
        }
        if (st != null && st.headSteps != null && st.headBuiltAt != initEpoch) {
            st.head = youngHead(config, shared, st);
            st.headBuiltAt = initEpoch;
        }
        return st;
    }

    /**
     * A young head ({@link HeadSteps}): the current initialisation of its shape, as a new task's head starts, plus its
     * steps.
     */
    private static float[] youngHead(LearnerConfig config, SharedState shared, TaskState st) {
        float[] head = newHead(config, shared, st.task, config.taskSpec(st.task));
        if (!st.headSteps.fits(head.length)) {
            throw new IllegalStateException("task " + st.task + ": its stored head steps do not fit a head of "
                    + head.length + " parameters; it was written under another model shape");
        }
        st.headSteps.rebuild(head, head);
        return head;
    }

    /**
     * The task's state with its head as the learner would use it now: a young head ({@link HeadSteps}), which a state
     * read from its bytes holds as steps, is rebuilt on the partition's current initialisation.
     *
     * @param shared the partition's shared state, or null before its first batch
     * @return {@code st}, its head set
     */
    public static TaskState withCurrentHead(LearnerConfig config, SharedState shared, TaskState st) {
        if (st.headSteps != null) {
            SharedState s = shared != null ? shared.withScaler(config)
                    : SharedState.initial(config, config.optimizer().create());
            st.head = youngHead(config, s, st);
        }
        return st;
    }

    /**
     * The steps a new (or restarted) task's head is kept as while it is young ({@link HeadSteps}), or null when its
     * head is stored whole: a head that learns by more than plain SGD steps (momentum or Adam, learned rates, a
     * proximal pull, or a Bayesian or prototype head).
     */
    private HeadSteps youngHeadSteps(TaskSpec spec, int headLength) {
        if (headLearner(spec) != sgdHead || !(headOptimizer instanceof SgdMomentum)
                || headOptimizer.stateSize(headLength) != 0 || config.meta().proximal() != 0
                || config.meta().learnedRates()) {
            return null;
        }
        int hidden = config.trunk().outputDim();
        int wide = model.wideInputs(config.trunk());
        int lag = model.lagInputs(spec);
        HeadSteps steps = HeadSteps.start(hidden + wide + lag, spec.outputs(), hidden, wide, lag,
                config.optimizer().clipNorm(), model.headStep());
        return steps != null && steps.fits(headLength) ? steps : null;
    }

    private TaskState storedTask(String task) {
        TaskState st;
        st = taskCache.get(task);
        if (st == null) {
            st = recentlyRead.get(task);
        }
        if (st == null) {
            st = unflushed.get(task);
            if (st != null) {
                // Changed since the last flush and dropped from the caches: newer than its stored form.
                (recentReads.seenAgain(task) ? taskCache : recentlyRead).put(task, st);
                return st;
            }
            st = store.task(task);
            if (st != null) {
                if (st.headSteps != null) {
                    st.head = youngHead(config, shared, st);
                    st.headBuiltAt = initEpoch;
                    HeadSteps rule = youngHeadSteps(config.taskSpec(task), st.head.length);
                    if (rule == null || !rule.sameRule(st.headSteps)) {
                        st.headSteps = null; // learned under another rule from here: stored whole
                    }
                }
                fitHeadOptimizerState(st);
                (recentReads.seenAgain(task) ? taskCache : recentlyRead).put(task, st);
            }
        }
        return st;
    }

    /**
     * A task stored under another head optimiser ({@code optimizer}, {@code optimizer.head.momentum}) keeps its head
     * and restarts the optimiser's state: a momentum buffer of a head now stepped by plain SGD is dropped (and no
     * longer stored), and a head now stepped with momentum starts with none.
     */
    private void fitHeadOptimizerState(TaskState st) {
        if (st.head != null && (st.optimizerState == null
                || st.optimizerState.length != headOptimizer.stateSize(st.head.length))) {
            st.optimizerState = new float[headOptimizer.stateSize(st.head.length)];
            st.optimizerStep = 0;
        }
        if (st.background != null && (st.backgroundOptimizerState == null
                || st.backgroundOptimizerState.length != headOptimizer.stateSize(st.background.length))) {
            st.backgroundOptimizerState = new float[headOptimizer.stateSize(st.background.length)];
            st.backgroundStep = 0;
        }
    }

    private TaskState taskOrCreate(String task) {
        TaskState st = taskOrNull(task);
        if (st != null) {
            return st;
        }
        recentReads.seenAgain(task); // its first read: the next one, if soon, admits it to the cache
        memoryTasks.notEnrolled(task); // a task without a state has no memory: the registry need not look it up
        TaskSpec spec = config.taskSpec(task);
        st = new TaskState(task, spec.shapeKey());
        st.head = newHead(task, spec);
        st.headSteps = youngHeadSteps(spec, st.head.length);
        st.headBuiltAt = initEpoch;
        st.optimizerState = new float[headOptimizer.stateSize(st.head.length)];
        st.initMetaVersion = shared.baseVersion;
        st.metrics = PrequentialMetrics.detailed(spec.kind().metricsKind(), config.metricsWindow(), spec.outputs());
        st.detector = config.drift().newDetector();
        if (config.model().keepsTaskScaler()) {
            st.scaler = InputScaler.create(config.inputDim());
        }
        return st;
    }

    /** A new task's head: the meta-learned initialisation, or a seeded random one when meta-learning is off. */
    private float[] newHead(String task, TaskSpec spec) {
        return newHead(config, shared, task, spec);
    }

    private static float[] newHead(LearnerConfig config, SharedState shared, String task, TaskSpec spec) {
        float[] init = shared.headInit.get(spec.shapeKey());
        int inputs = config.model().headInputs(config.trunk(), spec);
        if (config.meta().enabled() && init != null && init.length == Head.parameterCount(inputs, spec.outputs())) {
            return init.clone();
        }
        return Head.initialParameters(inputs, spec.outputs(), Seeds.of(task, config.seed()));
    }
}
