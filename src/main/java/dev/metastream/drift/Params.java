package dev.metastream.drift;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Parsing helpers for {@link DriftDetector#create(String, Map)} parameters. */
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

    static double getDouble(String detector, Map<String, String> params, String key, double def) {
        String v = params.get(key);
        if (v == null) {
            return def;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    detector + ": parameter '" + key + "' is not a number: '" + v + "'", e);
        }
    }

    static int getInt(String detector, Map<String, String> params, String key, int def) {
        String v = params.get(key);
        if (v == null) {
            return def;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    detector + ": parameter '" + key + "' is not an integer: '" + v + "'", e);
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
}
