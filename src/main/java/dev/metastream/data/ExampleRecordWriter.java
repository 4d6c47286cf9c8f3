package dev.metastream.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.io.NumberInput;
import com.fasterxml.jackson.core.io.NumberOutput;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.metastream.data.ExampleRecord.Dense;
import dev.metastream.data.ExampleRecord.Flag;
import dev.metastream.data.ExampleRecord.Label;
import dev.metastream.data.ExampleRecord.Labels;
import dev.metastream.data.ExampleRecord.Named;
import dev.metastream.data.ExampleRecord.Sparse;
import dev.metastream.data.ExampleRecord.Text;
import dev.metastream.data.ExampleRecord.Value;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes {@link ExampleRecord}s as the records of the examples topic (the format of {@code topology/records.md}), and
 * reads such records back without a configuration. It lives next to {@link InputRecordParser} and is its inverse:
 * for every record {@code e}, {@code parser.parse(write(e))} is the example {@code e} describes (the features hashed or
 * summed as the parser does, the label encoded for the task's kind).
 *
 * <p>Numbers are written so that they parse back to the same value: the parser reads a number as a double and narrows
 * a feature to a float, so a float is written as its shortest decimal when that narrows back to it, else as the
 * decimal of its double value (a float's shortest decimal, read as a double and narrowed, can round to a neighbour).
 * Sparse features stay sparse, however wide {@code input.dim} is.
 *
 * <p>Thread-safe: it holds no state.
 */
public final class ExampleRecordWriter {

    /** Where the task id goes. */
    public enum TaskPlacement {
        /** In the value's {@code task} field and in the record key (the key partitions by task). */
        KEY_AND_VALUE,
        /** In the record key only; the parser takes the task from the key when the value has none. */
        KEY_ONLY,
        /** In the value only; the record has no key. */
        VALUE_ONLY
    }

    /**
     * A record for the examples topic.
     *
     * @param key   the record key (the task's UTF-8 bytes), or null
     * @param value the record value (UTF-8 JSON)
     */
    public record Written(byte[] key, byte[] value) {}

    /**
     * The outcome of {@link #read}: an example, or why the record is not one.
     *
     * @param record      the example, or null
     * @param error       what is wrong and what to change, or null
     * @param taskFromKey whether the task came from the key, not the value
     */
    public record Read(ExampleRecord record, String error, boolean taskFromKey) {
        /** Whether the record was read. */
        public boolean ok() {
            return record != null;
        }

        static Read error(String message) {
            return new Read(null, message, false);
        }
    }

    private static final JsonStringEncoder QUOTER = JsonStringEncoder.getInstance();
    /**
     * As the parser reads (strict duplicates, no NaN literals, bounded nesting, so what it rejects is rejected), and
     * one value per line: text after the object is an error, not silently dropped.
     */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(32).maxNumberLength(64).build());
        MAPPER.getFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    private ExampleRecordWriter() {}

    /** The key and value of {@code e}, its task placed as {@code placement} says. */
    public static Written write(ExampleRecord e, TaskPlacement placement) {
        byte[] key = placement == TaskPlacement.VALUE_ONLY ? null : e.task().getBytes(StandardCharsets.UTF_8);
        return new Written(key, value(e, placement != TaskPlacement.KEY_ONLY));
    }

    /** The record value of {@code e}, with or without its task. */
    public static byte[] value(ExampleRecord e, boolean withTask) {
        return json(e, withTask).getBytes(StandardCharsets.UTF_8);
    }

    /** The record value of {@code e} (with its task) as a JSON string: one line, no trailing newline. */
    public static String json(ExampleRecord e) {
        return json(e, true);
    }

    private static String json(ExampleRecord e, boolean withTask) {
        StringBuilder sb = new StringBuilder(64);
        sb.append('{');
        if (withTask) {
            sb.append("\"task\":");
            quote(sb, e.task());
            sb.append(',');
        }
        ExampleRecord.Features features = e.features();
        if (features instanceof Dense d) {
            sb.append("\"x\":[");
            for (int i = 0; i < d.x().length; i++) {
                appendFloat(sb.append(i > 0 ? "," : ""), d.x()[i]);
            }
            sb.append(']');
        } else if (features instanceof Sparse s) {
            sb.append("\"sparse\":{\"idx\":[");
            for (int i = 0; i < s.idx().length; i++) {
                sb.append(i > 0 ? "," : "").append(s.idx()[i]);
            }
            sb.append("],\"val\":[");
            for (int i = 0; i < s.val().length; i++) {
                appendFloat(sb.append(i > 0 ? "," : ""), s.val()[i]);
            }
            sb.append("]}");
        } else {
            sb.append("\"features\":{");
            boolean firstFeature = true;
            for (Map.Entry<String, Object> f : ((Named) features).values().entrySet()) {
                sb.append(firstFeature ? "" : ",");
                firstFeature = false;
                quote(sb, f.getKey());
                sb.append(':');
                Object v = f.getValue();
                if (v instanceof Double d) {
                    appendDouble(sb, d);
                } else if (v instanceof String str) {
                    quote(sb, str);
                } else if (v instanceof Boolean b) {
                    sb.append(b.booleanValue());
                } else {
                    sb.append('[');
                    boolean firstValue = true;
                    for (Object str : (List<?>) v) {
                        sb.append(firstValue ? "" : ",");
                        firstValue = false;
                        quote(sb, (String) str);
                    }
                    sb.append(']');
                }
            }
            sb.append('}');
        }
        if (e.label() != null) {
            sb.append(",\"y\":");
            Label label = e.label();
            if (label instanceof Value v) {
                appendDouble(sb, v.value());
            } else if (label instanceof Text t) {
                quote(sb, t.value());
            } else if (label instanceof Flag f) {
                sb.append(f.value());
            } else {
                int[] values = ((Labels) label).values();
                sb.append('[');
                for (int i = 0; i < values.length; i++) {
                    sb.append(i > 0 ? "," : "").append(values[i]);
                }
                sb.append(']');
            }
        }
        if (e.id() != null) {
            sb.append(",\"id\":");
            quote(sb, e.id());
        }
        if (e.ts() != null) {
            sb.append(",\"ts\":").append(e.ts().longValue());
        }
        return sb.append('}').toString();
    }

    /** A float that the parser (double, then narrowed) reads back as the same float. */
    static void appendFloat(StringBuilder sb, float f) {
        if (!Float.isFinite(f)) {
            throw new IllegalArgumentException("feature value " + f + " is not finite; the parser would reject it");
        }
        if (f == 0f && Float.floatToRawIntBits(f) == 0) {
            sb.append('0');
            return;
        }
        // Schubfach (Jackson's copy of what Float.toString does from JDK 19 on): the shortest decimal of the float, in
        // a fraction of JDK 17's Float.toString; a bench's producer writes a hundred of them per record. The check
        // reads it as the parser does (Jackson's fast double parser, then narrowed), with the double's text instead
        // when that rounding twice would land on another float.
        String s = NumberOutput.toString(f, true);
        sb.append((float) NumberInput.parseDouble(s, true) == f ? s : NumberOutput.toString((double) f, true));
    }

    /** A double, as a whole number when it is one (so class indices stay integers). */
    static void appendDouble(StringBuilder sb, double d) {
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException("value " + d + " is not finite; the parser would reject it");
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e15 && !(d == 0 && 1 / d < 0)) {
            sb.append((long) d);
        } else {
            sb.append(NumberOutput.toString(d, true));
        }
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        QUOTER.quoteAsString(s, sb);
        sb.append('"');
    }

    /**
     * Reads a record value without a configuration: what the parser reads (the task from the value's {@code task}, a
     * string or a whole number, else from {@code keyTask}; one of {@code x}, {@code sparse}, {@code features}; the
     * label, id and time) with the checks that need no configuration. What depends on it (the input dimension, the
     * task's kind and classes, {@code input.max.abs.value}) is left to the parser, which sends a record failing them to
     * the dead-letter topic. Other fields are dropped.
     *
     * @param value   one record value (UTF-8 JSON)
     * @param keyTask the task when the value has none (the record key), or null
     */
    public static Read read(String value, String keyTask) {
        JsonNode root;
        try {
            root = MAPPER.readTree(value);
        } catch (Exception e) {
            return Read.error("invalid JSON");
        }
        if (root == null || !root.isObject()) {
            return Read.error("not a JSON object");
        }
        String task;
        JsonNode t = root.get("task");
        boolean fromKey = t == null || t.isNull();
        if (!fromKey) {
            if (!t.isTextual() && !t.isIntegralNumber()) {
                return Read.error("\"task\" is neither a string nor a whole number");
            }
            task = t.asText();
        } else {
            task = keyTask;
        }
        if (task == null || task.isBlank()) {
            return Read.error("no \"task\" (give it in the record or pass --task)");
        }
        ExampleRecord.Features features;
        Object f = features(root);
        if (f instanceof String error) {
            return Read.error(error);
        }
        features = (ExampleRecord.Features) f;
        Label label = null;
        JsonNode y = root.get("y");
        if (y != null && !y.isNull()) {
            if (y.isNumber() && Double.isFinite(y.asDouble())) {
                label = new Value(y.asDouble());
            } else if (y.isTextual()) {
                label = new Text(y.asText());
            } else if (y.isBoolean()) {
                label = new Flag(y.asBoolean());
            } else if (y.isArray()) {
                int[] v = new int[y.size()];
                for (int i = 0; i < v.length; i++) {
                    JsonNode e = y.get(i);
                    if (!e.isNumber() || (e.asDouble() != 0 && e.asDouble() != 1)) {
                        return Read.error("\"y\" is an array whose elements are not all 0 or 1");
                    }
                    v[i] = (int) e.asDouble();
                }
                label = new Labels(v);
            } else {
                return Read.error("\"y\" is not a finite number, a string, a boolean or an array of 0s and 1s");
            }
        }
        String id = null;
        JsonNode idNode = root.get("id");
        if (idNode != null && !idNode.isNull()) {
            if (!idNode.isValueNode()) {
                return Read.error("\"id\" is not a string or a number");
            }
            id = idNode.asText();
        }
        Long ts = null;
        JsonNode tsNode = root.get("ts");
        if (tsNode != null && !tsNode.isNull()) {
            if (!tsNode.canConvertToLong() || tsNode.asLong() < 0) {
                return Read.error("\"ts\" is not epoch milliseconds (a whole number >= 0)");
            }
            ts = tsNode.asLong();
        }
        return new Read(new ExampleRecord(task, features, label, id, ts), null, fromKey);
    }

    /** The features of a record value, or a String saying what is wrong. */
    private static Object features(JsonNode root) {
        JsonNode dense = root.get("x");
        JsonNode sparse = root.get("sparse");
        JsonNode named = root.get("features");
        int forms = (dense != null ? 1 : 0) + (sparse != null ? 1 : 0) + (named != null ? 1 : 0);
        if (forms != 1) {
            return forms == 0 ? "no features (\"x\", \"sparse\" or \"features\")"
                    : "more than one of \"x\", \"sparse\" and \"features\"";
        }
        if (dense != null) {
            if (!dense.isArray()) {
                return "\"x\" is not an array";
            }
            float[] x = new float[dense.size()];
            for (int i = 0; i < x.length; i++) {
                Object v = finiteFloat(dense.get(i), "x");
                if (v instanceof String error) {
                    return error;
                }
                x[i] = (Float) v;
            }
            return new Dense(x);
        }
        if (sparse != null) {
            JsonNode idx = sparse.get("idx");
            JsonNode val = sparse.get("val");
            if (!sparse.isObject() || idx == null || val == null || !idx.isArray() || !val.isArray()
                    || idx.size() != val.size()) {
                return "\"sparse\" is not {\"idx\": [ints], \"val\": [numbers]} of equal lengths";
            }
            int[] is = new int[idx.size()];
            float[] vs = new float[val.size()];
            for (int i = 0; i < is.length; i++) {
                JsonNode in = idx.get(i);
                if (!in.isIntegralNumber() || !in.canConvertToInt() || in.asInt() < 0) {
                    return "a sparse index is not a whole number >= 0";
                }
                is[i] = in.asInt();
                Object v = finiteFloat(val.get(i), "sparse val");
                if (v instanceof String error) {
                    return error;
                }
                vs[i] = (Float) v;
            }
            return new Sparse(is, vs);
        }
        if (!named.isObject()) {
            return "\"features\" is not an object";
        }
        Map<String, Object> values = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = named.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (v.isArray()) {
                List<String> strings = new ArrayList<>();
                for (JsonNode s : v) {
                    if (!s.isTextual()) {
                        return "a feature array holds something other than strings";
                    }
                    strings.add(s.asText());
                }
                values.put(e.getKey(), strings);
            } else if (v.isTextual()) {
                values.put(e.getKey(), v.asText());
            } else if (v.isBoolean()) {
                values.put(e.getKey(), v.asBoolean());
            } else if (v.isNumber() && Double.isFinite(v.asDouble())) {
                values.put(e.getKey(), v.asDouble());
            } else {
                return "a named feature is not a finite number, a string, a boolean or an array of strings";
            }
        }
        return new Named(values);
    }

    /** A feature value as the parser narrows it, or a String saying what is wrong. */
    private static Object finiteFloat(JsonNode v, String where) {
        if (v == null || !v.isNumber()) {
            return "a value of \"" + where + "\" is not a number";
        }
        float f = (float) v.asDouble();
        if (!Float.isFinite(f)) {
            return "a value of \"" + where + "\" is not finite in float precision";
        }
        return f;
    }
}
