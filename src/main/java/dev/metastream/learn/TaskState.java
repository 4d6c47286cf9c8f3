package dev.metastream.learn;

import dev.metastream.drift.DriftDetector;
import dev.metastream.eval.PrequentialMetrics;

/**
 * Everything one task needs to predict and learn: its head, its optimiser state, its prequential metrics and drift
 * detector, and its counters. Mutable and owned by the one stream thread that owns the task's partition; persisted to
 * the {@code task-state} store after every micro-batch that touches it.
 */
public final class TaskState {
    private static final int FORMAT = 1;

    final String task;
    final String shapeKey;
    float[] head;
    float[] optimizerState;
    long optimizerStep;
    /** Labelled examples scored (prequentially) so far. */
    long observed;
    /** Labelled examples learned from so far. */
    long learned;
    /** Head updates applied (the task's model version). */
    long updates;
    float learningRateMultiplier = 1f;
    int boostRemaining;
    /** Examples offered to the episodic memory (reservoir counter). */
    long memorySeen;
    long drifts;
    /** The task's observed count at its last drift reaction. */
    long lastDriftObserved;
    long lastMetricsObserved;
    long lastSnapshotLearned;
    long initMetaVersion;
    /** Slow average of the prequential error, the baseline a drift must rise above. */
    double errorAverage;
    PrequentialMetrics metrics;
    DriftDetector detector;

    TaskState(String task, String shapeKey) {
        this.task = task;
        this.shapeKey = shapeKey;
    }

    /** The task id. */
    public String task() {
        return task;
    }

    /** The head parameters (weights row-major, then biases). */
    public float[] head() {
        return head;
    }

    /** Labelled examples learned from. */
    public long learned() {
        return learned;
    }

    /** Labelled examples scored prequentially. */
    public long observed() {
        return observed;
    }

    /** Head updates applied. */
    public long updates() {
        return updates;
    }

    /** Drift detections so far. */
    public long drifts() {
        return drifts;
    }

    /** The task's prequential metrics. */
    public PrequentialMetrics metrics() {
        return metrics;
    }

    /** Binary form for the task-state store. */
    public byte[] toBytes() {
        return new Codec.Writer(64 + head.length * 12).i8(FORMAT).str(task).str(shapeKey).floats(head)
                .floats(optimizerState).i64(optimizerStep).i64(observed).i64(learned).i64(updates)
                .f32(learningRateMultiplier).i32(boostRemaining).i64(memorySeen).i64(drifts).i64(lastDriftObserved).i64(lastMetricsObserved)
                .i64(lastSnapshotLearned).i64(initMetaVersion).f64(errorAverage).bytes(metrics.toBytes()).bytes(detector.toBytes()).toBytes();
    }

    /** Reads {@link #toBytes()}. */
    public static TaskState fromBytes(byte[] bytes) {
        Codec.Reader r = new Codec.Reader(bytes);
        r.expectVersion(FORMAT, "task state");
        TaskState s = new TaskState(r.str(), r.str());
        s.head = r.floats();
        s.optimizerState = r.floats();
        s.optimizerStep = r.i64();
        s.observed = r.i64();
        s.learned = r.i64();
        s.updates = r.i64();
        s.learningRateMultiplier = r.f32();
        s.boostRemaining = r.i32();
        s.memorySeen = r.i64();
        s.drifts = r.i64();
        s.lastDriftObserved = r.i64();
        s.lastMetricsObserved = r.i64();
        s.lastSnapshotLearned = r.i64();
        s.initMetaVersion = r.i64();
        s.errorAverage = r.f64();
        s.metrics = PrequentialMetrics.fromBytes(r.bytes());
        s.detector = DriftDetector.fromBytes(r.bytes());
        return s;
    }
}
