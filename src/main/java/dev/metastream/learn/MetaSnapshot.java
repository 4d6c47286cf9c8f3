package dev.metastream.learn;

import java.util.Map;
import java.util.TreeMap;

/**
 * An immutable version of the shared model: trunk parameters and the meta-learned head initialisation of each head
 * shape, with its provenance. Published by the aggregator to the meta-model topic (read back by every partition
 * through a global store) and, as JSON, to the model-snapshots topic under key {@code meta}.
 *
 * @param version        monotonically increasing; 0 is the seeded initialisation
 * @param trunk          trunk parameters
 * @param headInit       head initialisation by head shape key
 * @param examplesSeen   examples learned by all partitions and folded into this version
 * @param updatesApplied meta-updates folded in
 * @param lastStaleness  versions the last applied update was behind
 * @param configDigest   digest of the configuration that produced it
 * @param createdAt      epoch milliseconds
 */
public record MetaSnapshot(long version, float[] trunk, Map<String, float[]> headInit, long examplesSeen,
                                                      long updatesApplied, long lastStaleness, String configDigest, long createdAt) {
    private static final int FORMAT = 1;

    /** Version 0: the trunk and head initialisations drawn from {@code model.seed}. */
    public static MetaSnapshot initial(LearnerConfig config) {
        Map<String, float[]> inits = new TreeMap<>();
        for (TaskSpec shape : config.headShapes()) {
            inits.put(shape.shapeKey(), Head.initialParameters(config.model().headInputs(config.trunk(), shape),
                    shape.outputs(),
                    Seeds.of(shape.shapeKey(), config.seed())));
            if (BayesianHead.appliesTo(config, shape)) {
                BayesianHead.addInitialPrior(inits, shape.shapeKey(),
                        config.model().headInputs(config.trunk(), shape));
            }
            LearnedRates.addInitial(config, inits, shape, Head.parameterCount(
                    config.model().headInputs(config.trunk(), shape), shape.outputs()));
            if (MixturePrior.appliesTo(config, shape)) {
                MixturePrior.addInitial(inits, shape.shapeKey(), StreamingLearner.EXPERTS);
            }
            if (config.model().factorizationMachine()) {
                // A task's factorisation-machine factor starts at zero (no taste known) until Reptile moves it.
                inits.put(FactorizationMachine.initKey(shape.shapeKey()),
                        new float[shape.outputs() * config.model().fmFactors()]);
            }
        }
        return new MetaSnapshot(0, config.trunk().initialParameters(config.seed()), inits, 0, 0, 0, config.digest(), 0L);
    }

    /**
     * Folds a partition's update into this version, giving the next one. The delta is scaled by {@code scale}: with
     * P partitions learning at once, 1/P averages their progress (federated averaging, asynchronously), which keeps
     * the shared trunk from moving P times as fast as any one partition's memory constraints allow; 1 sums them
     * (asynchronous SGD). The head-initialisation delta is already a Reptile step ({@code meta.step.size}).
     */
    public MetaSnapshot apply(MetaUpdate u, long now, float scale) {
        float[] t = trunk.clone();
        if (u.trunkDelta().length == t.length) {
            for (int i = 0; i < t.length; i++) {
                t[i] += scale * u.trunkDelta()[i];
            }
        }
        Map<String, float[]> h = Codec.deepCopy(headInit);
        u.headInitDelta().forEach((shape, delta) -> {
            float[] p = h.get(shape);
            if (p != null && p.length == delta.length) {
                for (int i = 0; i < p.length; i++) {
                    p[i] += scale * delta[i];
                }
            }
        });
        return new MetaSnapshot(version + 1, t, h, examplesSeen + u.examples(), updatesApplied + 1,
                Math.max(0, version - u.baseVersion()), configDigest, now);
    }

    /** Binary form for the meta-model topic and the aggregator's store. */
    public byte[] toBytes() {
        return new Codec.Writer(64 + trunk.length * 4).i8(FORMAT).i64(version).floats(trunk).floatMap(headInit)
                .i64(examplesSeen).i64(updatesApplied).i64(lastStaleness).str(configDigest).i64(createdAt).toBytes();
    }

    /** Reads {@link #toBytes()}. */
    public static MetaSnapshot fromBytes(byte[] bytes) {
        Codec.Reader r = new Codec.Reader(bytes);
        r.expectVersion(FORMAT, "meta snapshot");
        return new MetaSnapshot(r.i64(), r.floats(), r.floatMap(), r.i64(), r.i64(), r.i64(), r.str(), r.i64());
    }
}
