package dev.metastream.drift;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A detector that never fires: the "drift detection off" choice, so callers need no null checks.
 * It only counts the values it has seen.
 *
 * <pre>{@code
 * DriftDetector none = DriftDetector.create("none", Map.of());
 * none.update(1.0);
 * assert !none.driftDetected();
 * }</pre>
 */
public final class NoDrift implements DriftDetector {

    static final String NAME = "none";
    static final byte TYPE = 0;
    static final byte VERSION = 1;

    private long count;

    /** Creates a detector that never detects drift. */
    public NoDrift() {}

    @Override
    public void update(double value) {
        Params.requireFinite(value);
        count++;
    }

    @Override
    public boolean driftDetected() {
        return false;
    }

    @Override
    public boolean warningDetected() {
        return false;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, Double> statistics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("count", (double) count);
        return java.util.Collections.unmodifiableMap(m);
    }

    @Override
    public void reset() {
        count = 0;
    }

    @Override
    public byte[] toBytes() {
        return ByteBuffer.allocate(2 + Long.BYTES).put(TYPE).put(VERSION).putLong(count).array();
    }

    static NoDrift read(byte version, ByteBuffer buf) {
        Params.checkVersion(NAME, version, VERSION);
        NoDrift d = new NoDrift();
        d.count = buf.getLong();
        if (d.count < 0) {
            throw new IllegalArgumentException("negative count in " + NAME + " state");
        }
        return d;
    }

    @Override
    public String toString() {
        return "NoDrift{count=" + count + "}";
    }
}
