package dev.metastream.drift;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Map;

/**
 * A univariate concept-drift detector: it monitors a stream of numbers (typically a learner's
 * per-example error or loss) and signals when their distribution has changed.
 *
 * <p>One algorithm per implementation, all behind this tiny interface. Detectors are single-threaded
 * and fully serialisable: {@link #toBytes()} captures the complete state (configuration included),
 * and {@link #fromBytes(byte[])} restores a detector that continues exactly as the original would
 * have, which lets a stream processor persist one detector per task in a key-value store between
 * records.
 *
 * <p>Serialised form: one type byte, one version byte, then an implementation-specific payload
 * written with {@link ByteBuffer} (big-endian).
 *
 * <pre>{@code
 * DriftDetector detector = DriftDetector.create("adwin", Map.of("delta", "0.002"));
 * for (double error : errors) {
 *     detector.update(error);
 *     if (detector.driftDetected()) {
 *         System.out.println("drift: " + detector.statistics());
 *     }
 * }
 * byte[] state = detector.toBytes();              // persist
 * DriftDetector resumed = DriftDetector.fromBytes(state); // continue later
 * }</pre>
 */
public interface DriftDetector {

    /**
     * Feeds the next value of the monitored stream.
     *
     * @param value the observation; must be finite
     * @throws IllegalArgumentException if {@code value} is NaN or infinite (a non-finite value
     *     would silently corrupt the persisted state forever)
     */
    void update(double value);

    /**
     * Whether the most recent {@link #update(double)} detected a drift. Becomes {@code false}
     * again on the next update.
     *
     * @return {@code true} only right after the update that detected a change
     */
    boolean driftDetected();

    /**
     * The detector's name as accepted by {@link #create(String, Map)}.
     *
     * @return e.g. {@code "adwin"}
     */
    String name();

    /**
     * Current internal statistics (e.g. window width, means, running sums). Right after a
     * detection these describe the state at detection. Never empty.
     *
     * @return an unmodifiable, insertion-ordered map
     */
    Map<String, Double> statistics();

    /** Forgets all observed data, keeping the configuration. */
    void reset();

    /**
     * Serialises the complete state (configuration and data).
     *
     * @return type byte, version byte, payload
     */
    byte[] toBytes();

    /** Allowed names for {@link #create(String, Map)}. */
    String ALLOWED_NAMES = "adwin, page-hinkley, none";

    /**
     * Restores a detector serialised with {@link #toBytes()}, dispatching on the type byte.
     *
     * @param bytes serialised state
     * @return a detector that behaves exactly as the one serialised
     * @throws IllegalArgumentException on an unknown type or version, or a malformed payload
     */
    static DriftDetector fromBytes(byte[] bytes) {
        if (bytes == null || bytes.length < 2) {
            throw new IllegalArgumentException("drift detector state too short");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        byte type = buf.get();
        byte version = buf.get();
        try {
            DriftDetector d;
            switch (type) {
                case NoDrift.TYPE:
                    d = NoDrift.read(version, buf);
                    break;
                case Adwin.TYPE:
                    d = Adwin.read(version, buf);
                    break;
                case PageHinkley.TYPE:
                    d = PageHinkley.read(version, buf);
                    break;
                default:
                    throw new IllegalArgumentException("unknown drift detector type byte " + type);
            }
            if (buf.hasRemaining()) {
                throw new IllegalArgumentException(
                        "trailing " + buf.remaining() + " bytes in drift detector state");
            }
            return d;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated drift detector state", e);
        }
    }

    /**
     * Builds a detector by name.
     *
     * <ul>
     *   <li>{@code adwin}: {@code delta} (0.002), {@code clock} (32), {@code max_buckets} (5),
     *       {@code grace_period} (10), {@code min_window_length} (5)
     *   <li>{@code page-hinkley}: {@code min_instances} (30), {@code delta} (0.005),
     *       {@code threshold} (50), {@code alpha} (0.9999), {@code mode} ({@code up} | {@code down}
     *       | {@code both}, default {@code up})
     *   <li>{@code none}: no parameters; never fires
     * </ul>
     *
     * @param name detector name (case-insensitive)
     * @param params parameters as strings; absent keys take the defaults above; may be null
     * @return a fresh detector
     * @throws IllegalArgumentException on an unknown name, unknown parameter or invalid value
     */
    static DriftDetector create(String name, Map<String, String> params) {
        Map<String, String> p = params == null ? Map.of() : params;
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        switch (n) {
            case Adwin.NAME:
                return Adwin.fromParams(p);
            case PageHinkley.NAME:
                return PageHinkley.fromParams(p);
            case NoDrift.NAME:
                Params.checkKeys(NoDrift.NAME, p);
                return new NoDrift();
            default:
                throw new IllegalArgumentException(
                        "unknown drift detector '" + name + "'; allowed: " + ALLOWED_NAMES);
        }
    }
}
