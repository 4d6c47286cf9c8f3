package dev.metastream.learn;

import java.util.Map;

/**
 * What one partition learned about the shared model since it last published: parameter deltas against the global
 * version it started from. The aggregator adds them to the current global model.
 *
 * @param source        the publishing partition (e.g. {@code learner-3})
 * @param baseVersion   global version the deltas are relative to
 * @param trunkDelta    local trunk minus base trunk
 * @param headInitDelta local head initialisation minus base, by head shape
 * @param examples      examples learned since the last publication
 * @param createdAt     epoch milliseconds
 */
public record MetaUpdate(String source, long baseVersion, float[] trunkDelta, Map<String, float[]> headInitDelta,
                                                  long examples, long createdAt) {
    private static final int FORMAT = 1;

    /** Binary form for the meta-updates topic. */
    public byte[] toBytes() {
        return new Codec.Writer(64 + trunkDelta.length * 4).i8(FORMAT).str(source).i64(baseVersion).floats(trunkDelta)
                .floatMap(headInitDelta).i64(examples).i64(createdAt).toBytes();
    }

    /** Reads {@link #toBytes()}. */
    public static MetaUpdate fromBytes(byte[] bytes) {
        Codec.Reader r = new Codec.Reader(bytes);
        r.expectVersion(FORMAT, "meta update");
        return new MetaUpdate(r.str(), r.i64(), r.floats(), r.floatMap(), r.i64(), r.i64());
    }
}
