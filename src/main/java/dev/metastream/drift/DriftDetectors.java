package dev.metastream.drift;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The one registry of drift detectors: for each, its name, its type byte, its parameters (with defaults and one-line
 * descriptions), a factory from parameters and a reader of its serialised state. {@link DriftDetector#create},
 * {@link DriftDetector#fromBytes}, {@link DriftDetector#ALLOWED_NAMES}, the configuration's known keys and the
 * configuration documentation are all derived from {@link #ALL}, so adding a detector is one entry here.
 *
 * <pre>{@code
 * for (DriftDetectors.Entry e : DriftDetectors.ALL) {
 *     System.out.println(e.name() + ": " + e.summary() + " " + e.params());
 * }
 * DriftDetector d = DriftDetectors.create("hddm-w", Map.of("lambda", "0.1"));
 * }</pre>
 */
public final class DriftDetectors {

    /**
     * One parameter of a detector.
     *
     * @param name         the name {@link DriftDetector#create} accepts (words joined by underscores)
     * @param defaultValue the default, as it would be written in a configuration
     * @param doc          one line saying what it does
     */
    public record Param(String name, String defaultValue, String doc) {}

    /** Restores a detector's state from its payload, after the type and version bytes. */
    @FunctionalInterface
    interface Reader {
        DriftDetector read(byte version, ByteBuffer payload);
    }

    /**
     * One detector.
     *
     * @param name    the name {@link DriftDetector#create} accepts and {@link DriftDetector#name()} reports
     * @param type    the first byte of its serialised state; never renumber (persisted state depends on it)
     * @param summary one line: what it is, after which paper
     * @param params  its parameters in documentation order
     * @param factory builds a detector from checked parameters
     * @param reader  restores a detector from its serialised payload
     */
    public record Entry(String name, byte type, String summary, List<Param> params,
                        Function<Args, DriftDetector> factory, Reader reader) {
        /** @return the parameter names, in documentation order */
        public List<String> paramNames() {
            return params.stream().map(Param::name).toList();
        }

        /**
         * Builds the detector, checking parameter names first.
         *
         * @param given parameters as strings; absent ones take their defaults
         * @return a fresh detector
         */
        public DriftDetector create(Map<String, String> given) {
            Params.checkKeys(name, given, paramNames().toArray(String[]::new));
            return factory.apply(new Args(this, given));
        }
    }

    /** Parameter values of one {@link Entry#create} call, each falling back to the entry's default. */
    public static final class Args {
        private final Entry entry;
        private final Map<String, String> given;

        private Args(Entry entry, Map<String, String> given) {
            this.entry = entry;
            this.given = given;
        }

        private String raw(String key) {
            String v = given.get(key);
            if (v != null) {
                return v;
            }
            for (Param p : entry.params()) {
                if (p.name().equals(key)) {
                    return p.defaultValue();
                }
            }
            throw new IllegalStateException(entry.name() + " reads undeclared parameter " + key);
        }

        double dbl(String key) {
            String v = raw(key);
            try {
                return Double.parseDouble(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        entry.name() + ": parameter '" + key + "' is not a number: '" + v + "'", e);
            }
        }

        int integer(String key) {
            long v = longValue(key);
            if (v != (int) v) {
                throw new IllegalArgumentException(entry.name() + ": parameter '" + key + "' is too large: " + v);
            }
            return (int) v;
        }

        long longValue(String key) {
            String v = raw(key);
            try {
                return Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        entry.name() + ": parameter '" + key + "' is not an integer: '" + v + "'", e);
            }
        }

        String string(String key) {
            return raw(key).trim();
        }

        boolean bool(String key) {
            String v = raw(key).trim().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new IllegalArgumentException(
                        entry.name() + ": parameter '" + key + "' must be true or false, got '" + v + "'");
            };
        }
    }

    private static Param p(String name, Object def, String doc) {
        String d = def instanceof Double x && x == Math.rint(x) && Math.abs(x) < 1e15
                ? Long.toString(x.longValue()) : String.valueOf(def);
        return new Param(name, d, doc);
    }

    /** Every detector, in the order they are documented and compared. */
    public static final List<Entry> ALL = List.of(
            new Entry(Adwin.NAME, Adwin.TYPE,
                    "ADWIN, adaptive windowing (Bifet & Gavalda, SDM 2007); warns at a cut that a 10x looser delta "
                            + "would make.",
                    List.of(p("delta", Adwin.DEFAULT_DELTA, "confidence of a cut; smaller: fewer false alarms, later"),
                            p("clock", Adwin.DEFAULT_CLOCK, "updates between cut checks"),
                            p("max_buckets", Adwin.DEFAULT_MAX_BUCKETS, "buckets per histogram row (M)"),
                            p("grace_period", Adwin.DEFAULT_GRACE_PERIOD, "window length before any cut is checked"),
                            p("min_window_length", Adwin.DEFAULT_MIN_WINDOW_LENGTH,
                                    "least length of each side of a cut")),
                    a -> new Adwin(a.dbl("delta"), a.integer("clock"), a.integer("max_buckets"),
                            a.integer("grace_period"), a.integer("min_window_length")),
                    Adwin::read),
            new Entry(PageHinkley.NAME, PageHinkley.TYPE,
                    "Page-Hinkley cumulative-sum test (Page, Biometrika 1954); warns above a fraction of the threshold.",
                    List.of(p("min_instances", PageHinkley.DEFAULT_MIN_INSTANCES, "values before it may fire"),
                            p("delta", PageHinkley.DEFAULT_DELTA, "tolerated change of the mean"),
                            p("threshold", PageHinkley.DEFAULT_THRESHOLD, "alarm threshold (lambda)"),
                            p("alpha", PageHinkley.DEFAULT_ALPHA, "fading factor of the cumulative sums"),
                            p("mode", "up", "direction of change: up, down or both"),
                            p("warning", PageHinkley.DEFAULT_WARNING, "fraction of the threshold that raises a warning")),
                    a -> new PageHinkley(a.integer("min_instances"), a.dbl("delta"), a.dbl("threshold"),
                            a.dbl("alpha"), PageHinkley.Mode.parse(a.string("mode")), a.dbl("warning")),
                    PageHinkley::read),
            new Entry(Ddm.NAME, Ddm.TYPE,
                    "DDM, drift detection method (Gama et al., SBIA 2004), for 0/1 errors.",
                    List.of(p("warm_start", Ddm.DEFAULT_WARM_START, "values before it may warn or fire"),
                            p("warning_threshold", Ddm.DEFAULT_WARNING_THRESHOLD,
                                    "standard deviations above the minimum that warn"),
                            p("drift_threshold", Ddm.DEFAULT_DRIFT_THRESHOLD,
                                    "standard deviations above the minimum that fire")),
                    a -> new Ddm(a.integer("warm_start"), a.dbl("warning_threshold"), a.dbl("drift_threshold")),
                    Ddm::read),
            new Entry(HddmA.NAME, HddmA.TYPE,
                    "HDDM_A, Hoeffding-bound test of averages (Frias-Blanco et al., IEEE TKDE 2015), values in [0, 1].",
                    List.of(p("drift_confidence", HddmA.DEFAULT_DRIFT_CONFIDENCE, "confidence of a drift"),
                            p("warning_confidence", HddmA.DEFAULT_WARNING_CONFIDENCE, "confidence of a warning"),
                            p("two_sided", false, "also detect decreases of the mean")),
                    a -> new HddmA(a.dbl("drift_confidence"), a.dbl("warning_confidence"), a.bool("two_sided")),
                    HddmA::read),
            new Entry(HddmW.NAME, HddmW.TYPE,
                    "HDDM_W, McDiarmid-bound test of weighted (EWMA) averages (Frias-Blanco et al., IEEE TKDE 2015), "
                            + "values in [0, 1].",
                    List.of(p("drift_confidence", HddmW.DEFAULT_DRIFT_CONFIDENCE, "confidence of a drift"),
                            p("warning_confidence", HddmW.DEFAULT_WARNING_CONFIDENCE, "confidence of a warning"),
                            p("lambda", HddmW.DEFAULT_LAMBDA, "weight of the newest value in the moving averages"),
                            p("two_sided", false, "also detect decreases of the mean")),
                    a -> new HddmW(a.dbl("drift_confidence"), a.dbl("warning_confidence"), a.dbl("lambda"),
                            a.bool("two_sided")),
                    HddmW::read),
            new Entry(Kswin.NAME, Kswin.TYPE,
                    "KSWIN, Kolmogorov-Smirnov test on a sliding window (Raab et al., Neurocomputing 2020).",
                    List.of(p("alpha", Kswin.DEFAULT_ALPHA, "significance of a drift"),
                            p("warning_alpha", Kswin.DEFAULT_WARNING_ALPHA, "significance of a warning"),
                            p("window_size", Kswin.DEFAULT_WINDOW_SIZE, "values kept"),
                            p("stat_size", Kswin.DEFAULT_STAT_SIZE,
                                    "newest values compared with as many sampled from the older rest"),
                            p("seed", Kswin.DEFAULT_SEED, "seed of the sampling")),
                    a -> new Kswin(a.dbl("alpha"), a.dbl("warning_alpha"), a.integer("window_size"),
                            a.integer("stat_size"), a.longValue("seed")),
                    Kswin::read),
            new Entry(NoDrift.NAME, NoDrift.TYPE, "Never fires: drift detection off.", List.of(),
                    a -> new NoDrift(), NoDrift::read));

    private static final Map<String, Entry> BY_NAME;
    private static final Entry[] BY_TYPE = new Entry[128];

    static {
        Map<String, Entry> byName = new LinkedHashMap<>();
        for (Entry e : ALL) {
            if (byName.put(e.name(), e) != null || e.type() < 0 || BY_TYPE[e.type()] != null) {
                throw new IllegalStateException("duplicate drift detector name or type byte: " + e.name());
            }
            BY_TYPE[e.type()] = e;
        }
        BY_NAME = byName;
    }

    private DriftDetectors() {}

    /** @return the registered names, comma-separated, as error messages and documentation list them */
    public static String allowedNames() {
        return ALL.stream().map(Entry::name).collect(Collectors.joining(", "));
    }

    /** @return the registered names in order */
    public static List<String> names() {
        return new ArrayList<>(BY_NAME.keySet());
    }

    /**
     * The entry of a detector.
     *
     * @param name a detector name (case-insensitive, surrounding blanks ignored)
     * @return its entry
     * @throws IllegalArgumentException on an unknown name, listing the allowed ones
     */
    public static Entry entry(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        Entry e = BY_NAME.get(n);
        if (e == null) {
            throw new IllegalArgumentException(
                    "unknown drift detector '" + name + "'; allowed: " + allowedNames());
        }
        return e;
    }

    /**
     * Builds a detector by name; see {@link DriftDetector#create}.
     *
     * @param name   detector name (case-insensitive)
     * @param params parameters as strings, may be null
     * @return a fresh detector
     */
    public static DriftDetector create(String name, Map<String, String> params) {
        return entry(name).create(params == null ? Map.of() : params);
    }

    /**
     * A maker of fresh detectors of one name and parameters, checked once: for a learner that makes one per task,
     * where checking and parsing the parameters again for every new task was a visible share of its time with many
     * tasks.
     *
     * @param name detector name (case-insensitive)
     * @param params parameters as strings; absent keys take the defaults; may be null
     * @return a supplier of fresh detectors, each as {@link #create} would build it
     * @throws IllegalArgumentException on an unknown name, unknown parameter or invalid value
     */
    public static java.util.function.Supplier<DriftDetector> factory(String name, Map<String, String> params) {
        Entry e = entry(name);
        Map<String, String> given = params == null ? Map.of() : Map.copyOf(params);
        Params.checkKeys(e.name(), given, e.paramNames().toArray(String[]::new));
        Args args = new Args(e, given);
        e.factory().apply(args); // invalid values fail here, once
        return () -> e.factory().apply(args);
    }

    /**
     * Restores a detector; see {@link DriftDetector#fromBytes}.
     *
     * @param bytes serialised state
     * @return the detector
     */
    public static DriftDetector fromBytes(byte[] bytes) {
        if (bytes == null || bytes.length < 2) {
            throw new IllegalArgumentException("drift detector state too short");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        byte type = buf.get();
        byte version = buf.get();
        Entry e = type >= 0 ? BY_TYPE[type] : null;
        if (e == null) {
            throw new IllegalArgumentException("unknown drift detector type byte " + type);
        }
        try {
            DriftDetector d = e.reader().read(version, buf);
            if (buf.hasRemaining()) {
                throw new IllegalArgumentException(
                        "trailing " + buf.remaining() + " bytes in drift detector state");
            }
            return d;
        } catch (BufferUnderflowException ex) {
            throw new IllegalArgumentException("truncated drift detector state", ex);
        }
    }

    /**
     * One line per detector for documentation: {@code name: summary Parameters: p (default): doc; ...}.
     *
     * @return the lines in registry order
     */
    public static List<String> documentation() {
        List<String> lines = new ArrayList<>();
        for (Entry e : ALL) {
            StringBuilder b = new StringBuilder(e.name()).append(": ").append(e.summary());
            if (!e.params().isEmpty()) {
                b.append(" ").append(e.params().stream()
                        .map(p -> p.name() + " (" + p.defaultValue() + "): " + p.doc())
                        .collect(Collectors.joining("; "))).append('.');
            }
            lines.add(b.toString());
        }
        return lines;
    }
}
