package dev.metastream.learn;

import dev.metastream.drift.DriftDetector;
import dev.metastream.eval.PrequentialMetrics;
import dev.metastream.meta.NegativeTransfer;

/**
 * Everything one task needs to predict and learn: its head, its optimiser state, its prequential metrics and drift
 * detector, and its counters. Mutable and owned by the one stream thread that owns the task's partition; persisted to
 * the {@code task-state} store at the end of every micro-batch that touches it (what it learned from examples since
 * then is rebuilt from the pending examples after a restart).
 */
public final class TaskState {
    private static final int FORMAT = 2;

    final String task;
    final String shapeKey;
    /** The head's parameters; null in a state read from bytes while the head is {@link #headSteps} (rebuilt on use). */
    float[] head;
    /**
     * While the head is young, the steps it took ({@link HeadSteps}: it is the current initialisation plus them, and
     * they are written instead of it), else null.
     */
    HeadSteps headSteps;
    /** The learner's initialisation epoch {@link #head} was last rebuilt at, for a young head (not stored). */
    long headBuiltAt = -1;
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
    /**
     * The task's index in the memory registry as of {@link #memoryGeneration}, or -1 when not recorded: see
     * {@link MemoryTasks#indexHint(String, TaskState)}.
     */
    int memoryIndex = -1;
    /** The registry's {@link MemoryTasks#generation} when {@link #memoryIndex} was recorded. */
    long memoryGeneration;
    long drifts;
    /** The task's observed count at its last drift reaction. */
    long lastDriftObserved;
    long lastMetricsObserved;
    long lastSnapshotLearned;
    long initMetaVersion;
    /** Slow average of the prequential error, the baseline a drift must rise above. */
    double errorAverage;
    /** Fast average of the prequential error (about the last {@code RECENT_HORIZON} examples). */
    double recentError;
    PrequentialMetrics metrics;
    DriftDetector detector;
    /** The task's previous target (the head's label-lag input), or null before its first label. */
    float[] lastTarget;
    /** Regression: targets seen and their running mean (the centre of the task's predictions). */
    long targetCount;
    double targetMean;
    /** A candidate head learning since a drift detection ({@link BackgroundHead}), else null. */
    float[] background;
    float[] backgroundOptimizerState;
    long backgroundStep;
    long backgroundSeen;
    double backgroundError;
    double foregroundError;
    /** Times a background head replaced the task's head. */
    long swaps;
    /** The task's slow {@link LinearExpert} ({@code model.mixture}), else null. */
    float[] linear;
    /** The steps that made {@link #linear} from zero while they are fewer floats than it (written instead), else null. */
    LinearExpert.Steps linearSteps;
    /** The task's {@link FactorizationMachine} factor, {@code outputs x k} ({@code model.fm.factors}), else null. */
    float[] fm;
    /** AdaGrad's running sums of squared gradients of {@link #fm}. */
    float[] fmSquares;
    /** {@link FixedShareMixture} weights of the head, the linear expert and the prior expert, else null. */
    double[] mixture;
    /** The running mean of the task's targets ({@link PriorExpert}) and how many were seen, or null before any. */
    double[] labelMean;
    long labelCount;
    /** The task's own input scaler ({@code input.scaling.scope=task}), else null. */
    InputScaler scaler;
    /**
     * A Bayesian head's posterior covariance ({@link BayesianHead}; its mean is {@link #head}), or null for an SGD
     * head or before its first example.
     */
    float[] headCovariance;
    /**
     * A prototype head's statistics ({@link PrototypeHead}): each class's feature sum, then each class's count, or
     * null for another head or before its first example.
     */
    float[] prototypes;
    /**
     * A Bayesian head's summed squared innovations beyond the weights' share (its noise variance's evidence), or a
     * prototype head's summed within-class squared distances per feature (its spread's evidence).
     */
    double noiseSum;
    /** Examples whose innovations {@link #noiseSum} holds. */
    long noiseCount;
    /**
     * The state of the head's learned rates ({@link LearnedRates}: the head's previous gradient, whose agreement with
     * the next one teaches the rates), or null with fixed rates or before the first step.
     */
    float[] headRates;
    /**
     * Negative-transfer evidence ({@link dev.metastream.meta.NegativeTransfer}): slow averages of the losses of the
     * shared head, the linear expert and the mean expert, or null before the task's first mixed prediction.
     */
    double[] transferLoss;
    /** Examples {@link #transferLoss} folded. */
    long transferCount;

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

    /** The linear expert's parameters (weights row-major, then biases), or null when there is none. */
    public float[] linear() {
        return linear;
    }

    /** The mixture weights of the head, the linear expert and the prior expert, or null when there is no mixture. */
    public double[] mixture() {
        return mixture;
    }

    /** Drift detections so far. */
    public long drifts() {
        return drifts;
    }

    /** The task's prequential metrics. */
    public PrequentialMetrics metrics() {
        return metrics;
    }

    /** The shared head's loss over its better shadow model's ({@link NegativeTransfer#ratio}), NaN before evidence. */
    public double transferRatio() {
        return NegativeTransfer.ratio(transferLoss, transferCount);
    }

    /** Whether the task shows negative transfer ({@link NegativeTransfer#negative}). */
    public boolean negativeTransfer() {
        return transferLoss != null && NegativeTransfer.negative(transferLoss, transferCount);
    }

    /** The weight of the task's pull on the shared trunk under {@code meta.transfer=weight} (1 without evidence). */
    public double trunkWeight() {
        return transferLoss == null ? 1 : NegativeTransfer.trunkWeight(transferLoss, transferCount);
    }

    /** Folds one example's losses of the shared head, the linear expert and the mean expert into the evidence. */
    void observeTransfer(double[] losses) {
        if (transferLoss == null) {
            transferLoss = new double[3];
        }
        transferCount = NegativeTransfer.observe(transferLoss, transferCount, losses);
    }

    /** Records the task's registry index (-1: not enrolled, nothing recorded) as of a registry generation. */
    void recordMemoryIndex(int index, long generation) {
        memoryIndex = index;
        memoryGeneration = generation;
    }

    /** Binary form for the task-state store: named fields (format 2), so a state written before a field existed reads. */
    public byte[] toBytes() {
        // Room for everything at once, so the buffer is not regrown (and copied) while writing: the float arrays,
        // the metrics' and detector's encodings (the metrics' window alone is several KB) and the scaler.
        int floats = length(head) + length(optimizerState) + length(linear) + length(background)
                + length(backgroundOptimizerState) + 2 * length(fm) + length(headCovariance) + length(headRates)
                + length(prototypes);
        int metricsBytes = metrics.maxBytes(); // written straight into the record, not copied from an array
        byte[] detectorBytes = detector.toBytes();
        int doubles = (mixture == null ? 0 : mixture.length) + (labelMean == null ? 0 : labelMean.length);
        Codec.Fields f = new Codec.Fields(4 * floats + 8 * doubles + metricsBytes + detectorBytes.length
                + (scaler == null ? 0 : scaler.encodedSizeBound()) + 4096)
                .put("task", w -> w.str(task)).put("shape", w -> w.str(shapeKey)).put(headSteps != null ? "head.steps" : "head", w -> {
                    if (headSteps != null) {
                        headSteps.write(w);
                    } else {
                        w.floats(head);
                    }
                })
                .put("optimizer", w -> w.floats(optimizerState).i64(optimizerStep))
                .put("counts", w -> w.i64(observed).i64(learned).i64(updates))
                .put("boost", w -> w.f32(learningRateMultiplier).i32(boostRemaining))
                .put("memory.seen", w -> w.i64(memorySeen))
                .put("drift", w -> w.i64(drifts).i64(lastDriftObserved).f64(errorAverage))
                .put("recent.error", w -> w.f64(recentError))
                .put("cadence", w -> w.i64(lastMetricsObserved).i64(lastSnapshotLearned).i64(initMetaVersion))
                .put("metrics", w -> w.bytes(metricsBytes, metrics::write)).put("detector", w -> w.bytes(detectorBytes))
                .put("last.target", w -> w.floats(lastTarget))
                .put("target.stats", w -> w.i64(targetCount).f64(targetMean));
        if (scaler != null && scaler.keepsInputs()) {
            f.put("input.scaler.inputs", scaler::writeInputs);
        } else if (scaler != null) {
            f.put("input.scaler", scaler::writeCompact);
        }
        if (background != null) {
            f.put("background", w -> w.floats(background).floats(backgroundOptimizerState).i64(backgroundStep)
                    .i64(backgroundSeen).f64(backgroundError).f64(foregroundError));
        }
        f.put("swaps", w -> w.i64(swaps));
        if (memoryIndex >= 0) {
            f.put("memory.index", w -> w.i32(memoryIndex).i64(memoryGeneration));
        }
        if (linear != null && linearSteps != null) {
            f.put("linear.steps", w -> {
                linearSteps.write(w);
                w.doubles(mixture);
            });
        } else if (linear != null) {
            f.put("linear.expert", w -> w.floats(linear).doubles(mixture));
        }
        if (labelMean != null) {
            f.put("label.mean", w -> w.i64(labelCount).doubles(labelMean));
        }
        if (fm != null) {
            f.put("fm.task", w -> w.floats(fm).floats(fmSquares));
        }
        if (headCovariance != null) {
            f.put("head.posterior", w -> w.floats(headCovariance).f64(noiseSum).i64(noiseCount));
        }
        if (headRates != null) {
            f.put("head.rates", w -> w.floats(headRates));
        }
        if (transferLoss != null) {
            f.put("transfer", w -> w.i64(transferCount).doubles(transferLoss));
        }
        if (prototypes != null) {
            f.put("head.prototypes", w -> w.floats(prototypes).f64(noiseSum).i64(noiseCount));
        }
        return f.toBytes(FORMAT);
    }

    private static int length(float[] a) {
        return a == null ? 0 : a.length;
    }

    /** Reads {@link #toBytes()}, and the fixed-order format 1 of earlier releases. */
    public static TaskState fromBytes(byte[] bytes) {
        Codec.Reader r = new Codec.Reader(bytes);
        int version = r.i8();
        if (version == 1) {
            return fromFormat1(r);
        }
        if (version != FORMAT) {
            throw new IllegalStateException("task state has format version " + version + ", this build reads 1 and "
                    + FORMAT);
        }
        Codec.Fields f = Codec.Fields.read(r);
        TaskState s = new TaskState(f.get("task", Codec.Reader::str, null), f.get("shape", Codec.Reader::str, null));
        s.head = f.get("head", Codec.Reader::floats, null);
        s.headSteps = f.get("head.steps", HeadSteps::read, null);
        f.get("optimizer", x -> {
            s.optimizerState = x.floats();
            s.optimizerStep = x.i64();
            return null;
        }, null);
        f.get("counts", x -> {
            s.observed = x.i64();
            s.learned = x.i64();
            s.updates = x.i64();
            return null;
        }, null);
        f.get("boost", x -> {
            s.learningRateMultiplier = x.f32();
            s.boostRemaining = x.i32();
            return null;
        }, null);
        s.memorySeen = f.get("memory.seen", Codec.Reader::i64, 0L);
        f.get("drift", x -> {
            s.drifts = x.i64();
            s.lastDriftObserved = x.i64();
            s.errorAverage = x.f64();
            return null;
        }, null);
        f.get("cadence", x -> {
            s.lastMetricsObserved = x.i64();
            s.lastSnapshotLearned = x.i64();
            s.initMetaVersion = x.i64();
            return null;
        }, null);
        s.metrics = PrequentialMetrics.fromBytes(f.get("metrics", Codec.Reader::bytes, null));
        s.detector = DriftDetector.fromBytes(f.get("detector", Codec.Reader::bytes, null));
        s.recentError = f.get("recent.error", Codec.Reader::f64, s.errorAverage);
        s.lastTarget = f.get("last.target", Codec.Reader::floats, null);
        f.get("target.stats", x -> {
            s.targetCount = x.i64();
            s.targetMean = x.f64();
            return null;
        }, null);
        s.scaler = f.get("input.scaler.inputs", InputScaler::readInputs, null);
        if (s.scaler == null) {
            s.scaler = f.get("input.scaler", InputScaler::readCompact, null);
        }
        if (s.scaler == null) {
            s.scaler = f.get("scaler", InputScaler::read, null); // written before the compact encoding
        }
        f.get("background", x -> {
            s.background = x.floats();
            s.backgroundOptimizerState = x.floats();
            s.backgroundStep = x.i64();
            s.backgroundSeen = x.i64();
            s.backgroundError = x.f64();
            s.foregroundError = x.f64();
            return null;
        }, null);
        s.swaps = f.get("swaps", Codec.Reader::i64, 0L);
        f.get("memory.index", x -> {
            s.memoryIndex = x.i32();
            s.memoryGeneration = x.i64();
            return null;
        }, null);
        f.get("linear.expert", x -> {
            s.linear = x.floats();
            s.mixture = x.doubles();
            return null;
        }, null);
        f.get("linear.steps", x -> {
            s.linearSteps = LinearExpert.Steps.read(x);
            s.linear = s.linearSteps.replay();
            s.mixture = x.doubles();
            return null;
        }, null);
        f.get("label.mean", x -> {
            s.labelCount = x.i64();
            s.labelMean = x.doubles();
            return null;
        }, null);
        f.get("fm.task", x -> {
            s.fm = x.floats();
            s.fmSquares = x.floats();
            return null;
        }, null);
        f.get("head.posterior", x -> {
            s.headCovariance = x.floats();
            s.noiseSum = x.f64();
            s.noiseCount = x.i64();
            return null;
        }, null);
        s.headRates = f.get("head.rates", Codec.Reader::floats, null);
        f.get("transfer", x -> {
            s.transferCount = x.i64();
            s.transferLoss = x.doubles();
            return null;
        }, null);
        f.get("head.prototypes", x -> {
            s.prototypes = x.floats();
            s.noiseSum = x.f64();
            s.noiseCount = x.i64();
            return null;
        }, null);
        return s;
    }

    private static TaskState fromFormat1(Codec.Reader r) {
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
