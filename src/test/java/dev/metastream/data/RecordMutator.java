package dev.metastream.data;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A seeded generator of bad input records for fuzzing the input path: each one is derived from a valid record (task,
 * dense {@code x} of {@code input.dim} numbers, class label, id) by one mutation that makes it invalid by
 * construction, so every one of them must be rejected. The mutation kinds are in {@link Kind}; each names the reason
 * codes a correct parser may give it.
 *
 * <pre>{@code
 * RecordMutator m = new RecordMutator(7, 20, 3, 65_536);
 * RecordMutator.Mutant bad = m.next();   // bad.key(), bad.value(), bad.kind()
 * }</pre>
 */
public final class RecordMutator {

    /** Kinds of mutation, with the rejection reasons each may correctly get. */
    public enum Kind {
        /** A strict prefix of a valid record (the empty value included). */
        TRUNCATED("not-json"),
        /** {@code task} of a type that is not a string or a whole number, or blank. */
        WRONG_TYPE_TASK("bad-field", "missing-task"),
        /** {@code x} not an array, or an element that is not a number. */
        WRONG_TYPE_X("bad-field"),
        /** {@code y} of a type or value the classification task cannot take. */
        WRONG_TYPE_Y("label-out-of-range", "non-finite"),
        /** {@code id} an array or object. */
        WRONG_TYPE_ID("bad-field"),
        /** {@code ts} that is not epoch milliseconds, or is before 1970 (Kafka record timestamps cannot be). */
        WRONG_TYPE_TS("bad-field"),
        /** {@code x} longer than {@code input.dim}, up to beyond the record size limit. */
        HUGE_ARRAY("wrong-dimension", "oversized"),
        /** A sparse index outside {@code [0, input.dim)}. */
        SPARSE_OUT_OF_RANGE("wrong-dimension"),
        /** NaN / Infinity literals, 1e999, "NaN" strings, float overflow, huge magnitudes. */
        NON_FINITE("not-json", "non-finite", "value-out-of-range"),
        /** Arrays or objects nested thousands of levels deep. */
        DEEP_NESTING("not-json"),
        /** Bytes that are not UTF-8. */
        INVALID_UTF8("not-json"),
        /** Null or empty value, or a JSON value that is not an object, or an object without features. */
        EMPTY("not-json", "bad-field", "missing-task"),
        /** No task in the value and no key. */
        NO_TASK("missing-task"),
        /** Control characters in the task id, escaped or raw. */
        CONTROL_CHARS("bad-field", "not-json"),
        /** The same field twice. */
        DUPLICATE_KEYS("not-json"),
        /** Reserved or over-long task ids, over-long ids, two feature forms at once. */
        CONTRACT("bad-field");

        private final Set<String> reasons;

        Kind(String... reasons) {
            this.reasons = Set.of(reasons);
        }

        /** Reason codes a correct parser may reject this kind with. */
        public Set<String> reasons() {
            return reasons;
        }
    }

    /** One mutated record. */
    public record Mutant(Kind kind, byte[] key, byte[] value) {}

    private final Random rng;
    private final int dim;
    private final int classes;
    private final int maxRecordBytes;
    private long serial;

    /**
     * @param seed           seed of every choice
     * @param dim            {@code input.dim} of the application under test
     * @param classes        {@code task.classes} of the application under test
     * @param maxRecordBytes {@code input.max.record.bytes} of the application under test
     */
    public RecordMutator(long seed, int dim, int classes, int maxRecordBytes) {
        this.rng = new Random(seed);
        this.dim = dim;
        this.classes = classes;
        this.maxRecordBytes = maxRecordBytes;
    }

    /** The next mutant; kinds are drawn uniformly. */
    public Mutant next() {
        Kind kind = Kind.values()[rng.nextInt(Kind.values().length)];
        return next(kind);
    }

    /** The next mutant of a given kind. */
    public Mutant next(Kind kind) {
        long n = serial++;
        String task = "fuzz-" + rng.nextInt(5);
        byte[] key = rng.nextBoolean() ? bytes(task) : null;
        String x = xs(dim);
        String y = String.valueOf(rng.nextInt(classes));
        String id = "\"bad-" + n + "\"";
        String value = switch (kind) {
            case TRUNCATED -> {
                String full = record("\"" + task + "\"", x, y, id, null);
                yield full.substring(0, rng.nextInt(full.length()));
            }
            case WRONG_TYPE_TASK -> record(pick("true", "false", "1.5", "[]", "[\"" + task + "\"]", "{}",
                    "{\"name\":\"" + task + "\"}", "\"\"", "\"   \""), x, y, id, null);
            case WRONG_TYPE_X -> record("\"" + task + "\"", rng.nextInt(3) == 0
                    ? pick("\"1,2,3\"", "{}", "true", "1", "null", "{\"0\":1}")
                    : replaceElement(x, pick("\"a\"", "\"1\"", "true", "null", "[]", "{}", "[1]")), y, id, null);
            case WRONG_TYPE_Y -> record("\"" + task + "\"", x, pick("\"" + classes + "\"", "\"cat\"", "[1]", "{}",
                    "true", "2.5", "-1", String.valueOf(classes), "1e999", "99999999999999999999"), id, null);
            case WRONG_TYPE_ID -> record("\"" + task + "\"", x, y, pick("[]", "{}", "[\"a\"]", "{\"a\":1}"), null);
            case WRONG_TYPE_TS -> record("\"" + task + "\"", x, y, id, pick("\"yesterday\"", "[]", "{}", "true",
                    "1e30", "\"1700000000000\"", "-1", "-1700000000000", "-9223372036854775808"));
            case HUGE_ARRAY -> {
                // Half just over input.dim, half past the record size limit.
                int len = rng.nextBoolean() ? dim + 1 + rng.nextInt(4 * dim)
                        : maxRecordBytes / 4 + rng.nextInt(maxRecordBytes / 8);
                yield record("\"" + task + "\"", xs(len), y, id, null);
            }
            case SPARSE_OUT_OF_RANGE -> "{\"task\":\"" + task + "\",\"sparse\":{\"idx\":[1," + pick(
                    String.valueOf(dim), String.valueOf(dim + rng.nextInt(1000)), "-1", "2147483648",
                    "18446744073709551616") + "],\"val\":[0.5,0.25]},\"y\":" + y + ",\"id\":" + id + "}";
            case NON_FINITE -> rng.nextInt(4) == 0
                    ? record("\"" + task + "\"", x, pick("NaN", "Infinity", "-Infinity", "+Infinity", "1e999",
                            "-1e999"), id, null)
                    : record("\"" + task + "\"", replaceElement(x, pick("NaN", "Infinity", "-Infinity", "+Infinity",
                            "1e999", "-1e999", "\"NaN\"", "\"Infinity\"", "\"-inf\"", "3.5e38", "-1e39", "1e7",
                            "-2.5e8")), y, id, null);
            case DEEP_NESTING -> {
                int depth = 1_000 + rng.nextInt(9_001);
                String open = rng.nextBoolean() ? "[" : "{\"a\":";
                String close = open.equals("[") ? "]" : "}";
                yield "{\"task\":\"" + task + "\",\"x\":" + open.repeat(depth) + "1" + close.repeat(depth)
                        + ",\"y\":" + y + "}";
            }
            case INVALID_UTF8 -> null; // built as bytes below
            case EMPTY -> pick(null, "", " ", "\n", "null", "[]", "1", "\"text\"", "true", "{}",
                    "{\"task\":\"" + task + "\"}", "{\"task\":\"" + task + "\",\"y\":1}",
                    "[" + record("\"" + task + "\"", x, y, id, null) + "]");
            case NO_TASK -> {
                key = rng.nextBoolean() ? null : new byte[0];
                yield "{\"x\":" + x + ",\"y\":" + y + ",\"id\":" + id + "}";
            }
            case CONTROL_CHARS -> {
                char c = (char) (1 + rng.nextInt(31));
                yield rng.nextBoolean()
                        ? record("\"" + task + String.format("\\u%04x", (int) c) + "\"", x, y, id, null)
                        : record("\"" + task + c + "\"", x, y, id, null);
            }
            case DUPLICATE_KEYS -> {
                String field = pick("task", "x", "y", "id");
                String dup = switch (field) {
                    case "task" -> "\"task\":\"other\"";
                    case "x" -> "\"x\":" + x;
                    case "y" -> "\"y\":" + y;
                    default -> "\"id\":\"dup\"";
                };
                String full = record("\"" + task + "\"", x, y, id, null);
                yield full.substring(0, full.length() - 1) + "," + dup + "}";
            }
            case CONTRACT -> switch (rng.nextInt(4)) {
                case 0 -> record("\"meta\"", x, y, id, null);
                case 1 -> record("\"" + "t".repeat(257 + rng.nextInt(500)) + "\"", x, y, id, null);
                case 2 -> record("\"" + task + "\"", x, y, "\"" + "i".repeat(1025 + rng.nextInt(2000)) + "\"", null);
                default -> "{\"task\":\"" + task + "\",\"x\":" + x
                        + ",\"sparse\":{\"idx\":[0],\"val\":[1]},\"y\":" + y + "}";
            };
        };
        if (kind == Kind.INVALID_UTF8) {
            return new Mutant(kind, key, invalidUtf8(record("\"" + task + "\"", x, y, id, null)));
        }
        return new Mutant(kind, key, value == null ? null : bytes(value));
    }

    /** A valid record of the same shape (for interleaving), with the given task and id. */
    public String valid(String task, String id) {
        return record("\"" + task + "\"", xs(dim), String.valueOf(rng.nextInt(classes)), "\"" + id + "\"", null);
    }

    private static String record(String task, String x, String y, String id, String ts) {
        return "{\"task\":" + task + ",\"x\":" + x + ",\"y\":" + y + ",\"id\":" + id
                + (ts == null ? "" : ",\"ts\":" + ts) + "}";
    }

    private String xs(int n) {
        StringBuilder b = new StringBuilder(n * 6).append('[');
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(Math.round(rng.nextGaussian() * 1000) / 1000.0);
        }
        return b.append(']').toString();
    }

    /** Replaces one element of a flat JSON number array. */
    private String replaceElement(String array, String with) {
        List<String> parts = new java.util.ArrayList<>(List.of(array.substring(1, array.length() - 1).split(",")));
        parts.set(rng.nextInt(parts.size()), with);
        return "[" + String.join(",", parts) + "]";
    }

    /** Inserts bytes that cannot occur in UTF-8 (a lone continuation byte, 0xC0/0xC1, 0xF5..0xFF, a cut sequence). */
    private byte[] invalidUtf8(String json) {
        byte[] good = bytes(json);
        int at = 1 + rng.nextInt(good.length - 1);
        byte[][] junk = {{(byte) 0x80}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xFF}, {(byte) 0xF5, 0x41},
                {(byte) 0xE2, (byte) 0x82}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}};
        byte[] j = junk[rng.nextInt(junk.length)];
        ByteArrayOutputStream out = new ByteArrayOutputStream(good.length + j.length);
        out.write(good, 0, at);
        out.write(j, 0, j.length);
        out.write(good, at, good.length - at);
        return out.toByteArray();
    }

    private String pick(String... options) {
        return options[rng.nextInt(options.length)];
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
