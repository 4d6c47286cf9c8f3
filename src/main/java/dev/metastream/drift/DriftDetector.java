package dev.metastream.drift;

import java.nio.ByteBuffer;
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
 *     } else if (detector.warningDetected()) {
 *         System.out.println("may be drifting");
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
     * Whether the detector is in its warning zone after the most recent update: the data look like they may be
     * changing, at a looser confidence than a drift needs. A learner can start preparing (e.g. a background model) at
     * the warning and switch at the drift. {@code false} on the update that detects a drift, after {@link #reset()},
     * and always for detectors without a warning zone.
     *
     * @return {@code true} while warning
     */
    boolean warningDetected();

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

    /** Allowed names for {@link #create(String, Map)}, from {@link DriftDetectors#ALL}. */
    String ALLOWED_NAMES = DriftDetectors.allowedNames();

    /**
     * Restores a detector serialised with {@link #toBytes()}, dispatching on the type byte through
     * {@link DriftDetectors}.
     *
     * @param bytes serialised state
     * @return a detector that behaves exactly as the one serialised
     * @throws IllegalArgumentException on an unknown type or version, or a malformed payload
     */
    static DriftDetector fromBytes(byte[] bytes) {
        return DriftDetectors.fromBytes(bytes);
    }

    /**
     * Builds a detector by name. The names, parameters and defaults are those of {@link DriftDetectors#ALL}
     * ({@link DriftDetectors#documentation()} lists them), e.g. {@code adwin} with {@code delta} (0.002) and
     * {@code clock} (32), {@code hddm-w} with {@code lambda} (0.05), {@code none} without parameters.
     *
     * @param name detector name (case-insensitive)
     * @param params parameters as strings; absent keys take the defaults; may be null
     * @return a fresh detector
     * @throws IllegalArgumentException on an unknown name, unknown parameter or invalid value
     */
    static DriftDetector create(String name, Map<String, String> params) {
        return DriftDetectors.create(name, params);
    }
}
