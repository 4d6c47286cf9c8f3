package dev.metastream.drift;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Checks shared by the detectors: parameter names, finite input, state versions. */
final class Params {

    private Params() {}

    /** Rejects keys not in {@code allowed}, naming the allowed ones. */
    static void checkKeys(String detector, Map<String, String> params, String... allowed) {
        Set<String> ok = new TreeSet<>(Arrays.asList(allowed));
        for (String key : params.keySet()) {
            if (!ok.contains(key)) {
                throw new IllegalArgumentException("unknown parameter '" + key + "' for drift detector '"
                        + detector + "'; allowed: " + (ok.isEmpty() ? "(none)" : String.join(", ", ok)));
            }
        }
    }

    static void requireFinite(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("drift detector input must be finite, got " + value);
        }
    }

    static void checkVersion(String detector, byte version, byte expected) {
        if (version != expected) {
            throw new IllegalArgumentException("unsupported " + detector + " state version " + version
                    + " (expected " + expected + ")");
        }
    }

    /** Accepts any version from {@code oldest} to {@code newest}; older ones are read with defaults for new fields. */
    static void checkVersion(String detector, byte version, byte oldest, byte newest) {
        if (version < oldest || version > newest) {
            throw new IllegalArgumentException("unsupported " + detector + " state version " + version
                    + " (expected " + oldest + ".." + newest + ")");
        }
    }

    /** Clamps a value into [0, 1] for detectors whose bounds assume it (a squared error above 1 counts as 1). */
    static double unit(double value) {
        return value < 0 ? 0 : Math.min(value, 1.0);
    }

    static byte flag(boolean b) {
        return (byte) (b ? 1 : 0);
    }
}
