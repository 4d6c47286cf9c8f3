package dev.metastream.learn;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One partition's view of the shared model: its local trunk and meta-learned head initialisations, the global
 * version they were rebased on (and those base parameters, to compute the delta it publishes), the trunk's optimiser
 * state, and the tasks whose memories it keeps. Persisted to the {@code shared-state} store after every batch.
 */
public final class SharedState {
    private static final int FORMAT = 1;

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
    final List<String> memoryTasks = new ArrayList<>();

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
        return s;
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

    /** Binary form for the shared-state store. */
    public byte[] toBytes() {
        Codec.Writer w = new Codec.Writer(64 + trunk.length * 16).i8(FORMAT).i64(baseVersion).floats(trunk)
                .floats(trunkBase).floats(trunkOptimizerState).i64(trunkStep).floatMap(headInit).floatMap(headInitBase)
                .i64(batches).i64(learned).i64(learnedSincePublish).i64(projections).i64(skippedUpdates).i64(publishedUpdates).i64(lastStaleness)
                .i32(memoryTasks.size());
        memoryTasks.forEach(w::str);
        return w.toBytes();
    }

    /** Reads {@link #toBytes()}. */
    public static SharedState fromBytes(byte[] bytes) {
        Codec.Reader r = new Codec.Reader(bytes);
        r.expectVersion(FORMAT, "shared state");
        SharedState s = new SharedState();
        s.baseVersion = r.i64();
        s.trunk = r.floats();
        s.trunkBase = r.floats();
        s.trunkOptimizerState = r.floats();
        s.trunkStep = r.i64();
        s.headInit = r.floatMap();
        s.headInitBase = r.floatMap();
        s.batches = r.i64();
        s.learned = r.i64();
        s.learnedSincePublish = r.i64();
        s.projections = r.i64();
        s.skippedUpdates = r.i64();
        s.publishedUpdates = r.i64();
        s.lastStaleness = r.i64();
        int n = r.i32();
        for (int i = 0; i < n; i++) {
            s.memoryTasks.add(r.str());
        }
        return s;
    }
}
