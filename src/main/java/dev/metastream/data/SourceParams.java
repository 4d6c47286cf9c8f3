package dev.metastream.data;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code key=value,...} parameters of a generator source ({@code --source sea:drift=gradual,width=1000}), read
 * with defaults. Every error names the flag, the key and what to write instead; a key the generator does not read is
 * an error too (a typo must not silently fall back to a default).
 */
final class SourceParams {
    private final String source;
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Set<String> read = new TreeSet<>();

    /**
     * @param source the whole {@code --source} value, for messages
     * @param params the part after the first {@code :}, or null/empty
     */
    SourceParams(String source, String params) {
        this.source = source;
        if (params == null || params.isBlank()) {
            return;
        }
        for (String part : params.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--source " + source + ": '" + part + "' is not key=value;"
                        + " write parameters like " + name() + ":key=value,key=value");
            }
            String key = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            if (values.put(key, part.substring(eq + 1).trim()) != null) {
                throw new IllegalArgumentException("--source " + source + ": parameter '" + key + "' is given twice");
            }
        }
    }

    private String name() {
        int c = source.indexOf(':');
        return c < 0 ? source : source.substring(0, c);
    }

    /** Whether the key was given. */
    boolean has(String key) {
        return values.containsKey(key);
    }

    /** A whole number at least {@code min}. */
    int integer(String key, int def, int min) {
        read.add(key);
        String v = values.get(key);
        if (v == null) {
            return def;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--source " + source + ": " + key + "=" + v + " must be a whole number >= "
                + min);
    }

    /** A number in {@code [min, max]}. */
    double number(String key, double def, double min, double max) {
        read.add(key);
        String v = values.get(key);
        if (v == null) {
            return def;
        }
        try {
            double d = Double.parseDouble(v);
            if (d >= min && d <= max) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--source " + source + ": " + key + "=" + v + " must be a number in ["
                + min + ", " + max + "]");
    }

    /** One of the allowed words. */
    String choice(String key, String def, String... allowed) {
        read.add(key);
        String v = values.get(key);
        if (v == null) {
            return def;
        }
        String lower = v.toLowerCase(Locale.ROOT);
        for (String a : allowed) {
            if (a.equals(lower)) {
                return a;
            }
        }
        throw new IllegalArgumentException("--source " + source + ": " + key + "=" + v + " must be one of "
                + String.join(", ", allowed));
    }

    /** Fails on any key no getter asked for; call after reading every parameter. */
    void rejectUnknown() {
        for (String k : values.keySet()) {
            if (!read.contains(k)) {
                throw new IllegalArgumentException("--source " + source + ": unknown parameter '" + k + "'; "
                        + name() + " takes " + String.join(", ", read));
            }
        }
    }
}
