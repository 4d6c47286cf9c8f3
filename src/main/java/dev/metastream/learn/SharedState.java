package dev.metastream.learn;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One partition's view of the shared model: its local trunk and meta-learned head initialisations, the global
 * version they were rebased on (and those base parameters, to compute the delta it publishes), the trunk's optimiser
 * state, and how many tasks keep a memory (the tasks themselves are {@link MemoryTasks} entries in the store, written
 * when a task enrols, so this state's size does not grow with the number of tasks). Persisted to the
 * {@code shared-state} store after every batch.
 */
public final class SharedState {
    private static final int FORMAT = 2;

    long baseVersion;
    float[] trunk;
    float[] trunkBase;
    float[] trunkOptimizerState;
    long trunkStep;
    Map<String, float[]> headInit;
    Map<String, float[]> headInitBase;
    long batches;
    long learned;
    long learnedSincePublish;
    long projections;
    /** Updates skipped because their gradient was not finite. */
    long skippedUpdates;
    long publishedUpdates;
    /** Versions the global model was ahead of this partition's base when it last rebased. */
    long lastStaleness;
    /** How many tasks are enrolled in the partition's {@link MemoryTasks} registry. */
    int memoryTaskCount;
    /** Tasks that have left the memory registry so far: its {@link MemoryTasks#generation}. */
    long memoryTaskRemovals;
    /**
     * The enrolled tasks as states written before the registry listed them ({@code memory.tasks}, every task in the
     * state); the learner moves them to the registry when it loads such a state, and this is empty after.
     */
    final List<String> legacyMemoryTasks = new ArrayList<>();
    /** Regression targets this partition has seen: count, running mean and sum of squared deviations (Welford). */
    long targetCount;
    double targetMean;
    double targetM2;
    /** Per head shape, the running mean of the partition's targets ({@link PriorExpert}) and how many were seen. */
    final Map<String, double[]> labelMeans = new java.util.TreeMap<>();
    final Map<String, Long> labelCounts = new java.util.TreeMap<>();
    /** Per head shape, the {@link PartitionPriorGate}'s weights of the tasks' predictions and the partition's prior. */
    final Map<String, double[]> gates = new java.util.TreeMap<>();
    /** The partition's input scaler (learned from all its tasks), or null when scaling is off. */
    InputScaler scaler;
    /**
     * The partition's {@link FactorizationMachine} input factors, {@code input.dim x k} ({@code model.fm.factors}),
     * else null. Like the scaler, they are the partition's own, not part of the meta-model merged across partitions.
     */
    float[] fmFactors;
    /** AdaGrad's running sums of squared gradients of {@link #fmFactors}. */
    float[] fmSquares;

    SharedState() {}

    /** The starting point every partition and the aggregator agree on: version 0, initialised from the seed. */
    static SharedState initial(LearnerConfig config, Optimizer optimizer) {
        MetaSnapshot meta = MetaSnapshot.initial(config);
        SharedState s = new SharedState();
        s.baseVersion = 0;
        s.trunk = meta.trunk().clone();
        s.trunkBase = meta.trunk().clone();
        s.trunkOptimizerState = new float[optimizer.stateSize(s.trunk.length)];
        s.headInit = Codec.deepCopy(meta.headInit());
        s.headInitBase = Codec.deepCopy(meta.headInit());
        return s.withScaler(config);
    }

    /**
     * This state with the partition parts the configuration asks for and it lacks: a scaler when scaling is on (states
     * written by earlier releases with {@code input.scaling.scope=task} had none, and every scope now pools a task's
     * statistics with the partition's), and the factorisation machine's initial input factors when it is on.
     */
    SharedState withScaler(LearnerConfig config) {
        if (config.model().scaleInputs() && scaler == null) {
            scaler = InputScaler.create(config.inputDim());
        }
        int k = config.model().fmFactors();
        if (k > 0 && (fmFactors == null || fmFactors.length != config.inputDim() * k)) {
            fmFactors = FactorizationMachine.initialInputFactors(config.inputDim(), k, config.seed());
            fmSquares = new float[fmFactors.length];
        }
        return this;
    }

    /** Version of the global meta-model this partition last rebased on. */
    public long baseVersion() {
        return baseVersion;
    }

    /** Micro-batches learned by this partition. */
    public long batches() {
        return batches;
    }

    /** Examples learned by this partition. */
    public long learned() {
        return learned;
    }

    /** Trunk updates whose gradient the memory constraints changed. */
    public long projections() {
        return projections;
    }

    /** Updates skipped because their gradient was not finite. */
    public long skippedUpdates() {
        return skippedUpdates;
    }

    /** The local trunk parameters. */
    public float[] trunk() {
        return trunk;
    }

    /** The local meta-learned head initialisations by head shape. */
    public Map<String, float[]> headInit() {
        return headInit;
    }

    /** How many versions behind the global model this partition was at its last rebase. */
    public long lastStaleness() {
        return lastStaleness;
    }

    /** The partition's input scaler (learned from all its tasks), or null when scaling is off. */
    public InputScaler scaler() {
        return scaler;
    }

    /**
     * Stamp of the bases record a state read without its bases ({@link #toBytesWithoutBases}) expects, -1 for a state
     * written whole.
     */
    private long basesStamp = -1;

    /** Binary form for the shared-state store: named fields (format 2), so older states still read. */
    public byte[] toBytes() {
        return toBytes(true, -1);
    }

    /**
     * This state without its bases (the parameters of the global version it is based on, which change only when the
     * partition publishes its delta or rebases): a third of it, and the rest changes with every micro-batch, so a
     * store writes the bases apart ({@link #basesToBytes}) and only when they changed. {@link #fromBytes} of these
     * bytes is a state without bases until {@link #readBases} gives it the record whose stamp it names.
     *
     * @param stamp the stamp of the bases record written with (or before) it
     */
    public byte[] toBytesWithoutBases(long stamp) {
        if (stamp < 0) {
            throw new IllegalArgumentException("a bases stamp is not negative: " + stamp);
        }
        return toBytes(false, stamp);
    }

    /** The bases record ({@link #toBytesWithoutBases}): the stamp, the trunk's and the head initialisations' bases. */
    public byte[] basesToBytes(long stamp) {
        int floats = trunkBase.length + headInitBase.values().stream().mapToInt(a -> a.length).sum();
        return new Codec.Fields(4 * floats + 256).put("bases.stamp", w -> w.i64(stamp))
                .put("trunk.base", w -> w.floats(trunkBase)).put("head.init.base", w -> w.floatMap(headInitBase))
                .toBytes(FORMAT);
    }

    /** Whether this state holds its bases (false when read from {@link #toBytesWithoutBases} and not yet given them). */
    public boolean hasBases() {
        return trunkBase != null && headInitBase != null;
    }

    /** The stamp of the bases record this state expects (read from {@link #toBytesWithoutBases}), or -1. */
    public long basesStamp() {
        return basesStamp;
    }

    /**
     * Gives a state read without its bases the bases record it names. When the record is missing or carries another
     * stamp (the two were not written together: a crash under at-least-once between them), the bases are taken to be
     * the current parameters, so the partition publishes nothing it may already have published (its local learning
     * since then stays in its own parameters until the next rebase replaces them with the global model's).
     *
     * @param bases the bases record, or null
     * @return whether the record was the one this state was written with
     */
    public boolean readBases(byte[] bases) {
        if (bases != null) {
            Codec.Reader r = new Codec.Reader(bases);
            int version = r.i8();
            if (version != FORMAT) {
                throw new IllegalStateException("shared-state bases have format version " + version
                        + ", this build reads " + FORMAT);
            }
            Codec.Fields f = Codec.Fields.read(r);
            if (f.get("bases.stamp", Codec.Reader::i64, -1L) == basesStamp) {
                trunkBase = f.get("trunk.base", Codec.Reader::floats, null);
                headInitBase = f.get("head.init.base", Codec.Reader::floatMap, null);
                if (hasBases()) {
                    return true;
                }
            }
        }
        trunkBase = trunk.clone();
        headInitBase = Codec.deepCopy(headInit);
        return false;
    }

    /** Whether this state's bases equal {@code trunk} and {@code headInit}, value for value. */
    public boolean basesEqual(float[] trunk, Map<String, float[]> headInit) {
        if (!java.util.Arrays.equals(trunkBase, trunk) || headInit == null || headInit.size() != headInitBase.size()) {
            return false;
        }
        for (Map.Entry<String, float[]> e : headInitBase.entrySet()) {
            if (!java.util.Arrays.equals(e.getValue(), headInit.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** Copies of the bases, for {@link #basesEqual} later. */
    public float[] trunkBaseCopy() {
        return trunkBase.clone();
    }

    /** Copies of the head initialisations' bases, for {@link #basesEqual} later. */
    public Map<String, float[]> headInitBaseCopy() {
        return Codec.deepCopy(headInitBase);
    }

    private byte[] toBytes(boolean withBases, long stamp) {
        int floats = trunk.length + (withBases ? trunkBase.length : 0) + trunkOptimizerState.length
                + headInit.values().stream().mapToInt(a -> 2 * a.length).sum() + (fmFactors == null ? 0 : 2 * fmFactors.length);
        Codec.Fields f = new Codec.Fields(4 * floats + 4096)
                .put("base.version", w -> w.i64(baseVersion)).put("trunk", w -> w.floats(trunk));
        if (withBases) {
            f.put("trunk.base", w -> w.floats(trunkBase));
        } else {
            f.put("bases.stamp", w -> w.i64(stamp));
        }
        f.put("trunk.optimizer", w -> w.floats(trunkOptimizerState).i64(trunkStep))
                .put("head.init", w -> w.floatMap(headInit));
        if (withBases) {
            f.put("head.init.base", w -> w.floatMap(headInitBase));
        }
        f.put("counts", w -> w.i64(batches).i64(learned).i64(learnedSincePublish).i64(projections)
                        .i64(skippedUpdates).i64(publishedUpdates).i64(lastStaleness))
                .put("memory.task.count", w -> w.i32(memoryTaskCount))
                .put("target.stats", w -> w.i64(targetCount).f64(targetMean).f64(targetM2));
        if (memoryTaskRemovals > 0) {
            f.put("memory.task.removals", w -> w.i64(memoryTaskRemovals)); // absent in most states: 0
        }
        if (!legacyMemoryTasks.isEmpty()) {
            f.put("memory.tasks", w -> {
                w.i32(legacyMemoryTasks.size());
                legacyMemoryTasks.forEach(w::str);
            });
        }
        if (scaler != null) {
            f.put("input.scaler", scaler::writeCompact);
        }
        f.put("label.means", w -> PriorExpert.write(w, labelMeans, labelCounts));
        if (!gates.isEmpty()) {
            f.put("prior.gates", w -> PartitionPriorGate.write(w, gates));
        }
        if (fmFactors != null) {
            f.put("fm.factors", w -> w.floats(fmFactors).floats(fmSquares));
        }
        return f.toBytes(FORMAT);
    }

    /** Reads {@link #toBytes()}, and the fixed-order format 1 of earlier releases. */
    public static SharedState fromBytes(byte[] bytes) {
        Codec.Reader r = new Codec.Reader(bytes);
        int version = r.i8();
        SharedState s = new SharedState();
        if (version == 1) {
            s.baseVersion = r.i64();
            s.trunk = r.floats();
            s.trunkBase = r.floats();
            s.trunkOptimizerState = r.floats();
            s.trunkStep = r.i64();
            s.headInit = r.floatMap();
            s.headInitBase = r.floatMap();
            readCounts(r, s);
            readMemoryTasks(r, s);
            return s;
        }
        if (version != FORMAT) {
            throw new IllegalStateException("shared state has format version " + version + ", this build reads 1 and "
                    + FORMAT);
        }
        Codec.Fields f = Codec.Fields.read(r);
        s.baseVersion = f.get("base.version", Codec.Reader::i64, 0L);
        s.trunk = f.get("trunk", Codec.Reader::floats, null);
        s.trunkBase = f.get("trunk.base", Codec.Reader::floats, null);
        f.get("trunk.optimizer", x -> {
            s.trunkOptimizerState = x.floats();
            s.trunkStep = x.i64();
            return null;
        }, null);
        s.headInit = f.get("head.init", Codec.Reader::floatMap, null);
        s.headInitBase = f.get("head.init.base", Codec.Reader::floatMap, null);
        s.basesStamp = f.get("bases.stamp", Codec.Reader::i64, -1L);
        f.get("counts", x -> {
            readCounts(x, s);
            return null;
        }, null);
        f.get("memory.tasks", x -> {
            readMemoryTasks(x, s);
            return null;
        }, null);
        s.memoryTaskCount = f.get("memory.task.count", Codec.Reader::i32, 0);
        s.memoryTaskRemovals = f.get("memory.task.removals", Codec.Reader::i64, 0L);
        f.get("target.stats", x -> {
            s.targetCount = x.i64();
            s.targetMean = x.f64();
            s.targetM2 = x.f64();
            return null;
        }, null);
        s.scaler = f.get("input.scaler", InputScaler::readCompact, null);
        if (s.scaler == null) {
            s.scaler = f.get("scaler", InputScaler::read, null); // written before the compact encoding
        }
        f.get("label.means", x -> {
            PriorExpert.read(x, s.labelMeans, s.labelCounts);
            return null;
        }, null);
        f.get("prior.gates", x -> {
            PartitionPriorGate.read(x, s.gates);
            return null;
        }, null);
        f.get("fm.factors", x -> {
            s.fmFactors = x.floats();
            s.fmSquares = x.floats();
            return null;
        }, null);
        return s;
    }

    private static void readCounts(Codec.Reader r, SharedState s) {
        s.batches = r.i64();
        s.learned = r.i64();
        s.learnedSincePublish = r.i64();
        s.projections = r.i64();
        s.skippedUpdates = r.i64();
        s.publishedUpdates = r.i64();
        s.lastStaleness = r.i64();
    }

    private static void readMemoryTasks(Codec.Reader r, SharedState s) {
        int n = r.i32();
        for (int i = 0; i < n; i++) {
            s.legacyMemoryTasks.add(r.str());
        }
    }
}
