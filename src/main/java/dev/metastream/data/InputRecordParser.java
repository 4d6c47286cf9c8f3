package dev.metastream.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metastream.learn.Instance;
import dev.metastream.learn.LearnerConfig;
import dev.metastream.learn.TaskSpec;
import dev.metastream.learn.kind.KindBehaviour;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * Parses and validates one input record (the JSON format documented in {@code topology/records.md}) into an
 * {@link Instance}, or says precisely why it cannot.
 *
 * <p>Features come in one of three forms: a dense array {@code "x"} of exactly {@code input.dim} numbers; a sparse
 * {@code {"idx": [...], "val": [...]}}; or named {@code "features"} hashed into {@code input.dim} slots with a signed
 * 32-bit MurmurHash3 (the hashing trick of Vowpal Wabbit and Weinberger et al. 2009; the sign halves the bias that
 * collisions add). A string-valued named feature {@code "genre": "Comedy"} becomes the indicator
 * {@code genre=Comedy}; an array of strings {@code "genres": ["Comedy", "Drama"]} (a multi-valued categorical) becomes
 * one indicator per string, {@code genres=Comedy} and {@code genres=Drama}, hashed the same way.
 *
 * <p>The task comes from the value's {@code task} field, else from the record key. A record without {@code y} is
 * scored, not learned from.
 */
public final class InputRecordParser {

    /** Why a record was rejected; the code is what the dead-letter header and the metric carry. */
    public enum Reason {
        /** Larger than {@code input.max.record.bytes}. */
        OVERSIZED("oversized"),
        /** Not UTF-8 or not a JSON object. */
        NOT_JSON("not-json"),
        /** No task in the value nor the key. */
        MISSING_TASK("missing-task"),
        /** With {@code input.partitioned.by.task=true}: the record key is not the record's task id. */
        KEY_MISMATCH("key-mismatch"),
        /** No features, or fields of the wrong type. */
        BAD_FIELD("bad-field"),
        /** Feature count or index does not fit {@code input.dim}. */
        WRONG_DIMENSION("wrong-dimension"),
        /** NaN or an infinity among the features or the label. */
        NON_FINITE("non-finite"),
        /** A feature larger in magnitude than {@code input.max.abs.value}. */
        VALUE_OUT_OF_RANGE("value-out-of-range"),
        /** A label the task's kind cannot take. */
        BAD_LABEL("label-out-of-range");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        /** The short code, e.g. {@code wrong-dimension}. */
        public String code() {
            return code;
        }
    }

    /** The outcome of parsing: either an instance or a rejection with its reason. */
    public record Result(Instance instance, Reason reason, String message) {
        /** Whether the record parsed. */
        public boolean ok() {
            return instance != null;
        }

        static Result reject(Reason reason, String message) {
            return new Result(null, reason, message);
        }
    }

    private static final int MAX_TASK_LENGTH = 256;
    /**
     * Longest accepted {@code id}, in characters. The id travels in {@link Instance#toBytes()}, whose strings are
     * limited to 65535 bytes of modified UTF-8 (up to 3 bytes per char); a longer id failed to serialise on the
     * repartition topic and stopped the stream thread.
     */
    private static final int MAX_ID_LENGTH = 1024;

    private final LearnerConfig config;
    private final int maxBytes;
    private final ObjectMapper mapper;

    /**
     * @param config   the learner configuration (input dimension and task kinds)
     * @param maxBytes largest accepted record value, in bytes
     */
    public InputRecordParser(LearnerConfig config, int maxBytes) {
        this.config = config;
        this.maxBytes = maxBytes;
        this.mapper = JsonMapper.builder()
                .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                // Jackson's FastDoubleParser: correctly rounded like Double.parseDouble, so the same doubles, and
                // reading the features' decimal text was most of the parse (6% of a stream thread end to end).
                .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                .build();
        // Deep nesting and huge numbers are an attack surface, not a feature.
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(32).maxNumberLength(64).maxStringLength(maxBytes).build());
        mapper.getFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    /**
     * Parses one record.
     *
     * @param key       the record key (may carry the task id), or null
     * @param value     the record value
     * @param timestamp the record timestamp, used when the value has no {@code ts}
     */
    public Result parse(byte[] key, byte[] value, long timestamp) {
        if (value == null) {
            return Result.reject(Reason.NOT_JSON, "the record has no value: send a JSON object");
        }
        if (value.length > maxBytes) {
            return Result.reject(Reason.OVERSIZED, "the record is " + value.length + " bytes, over input.max.record.bytes="
                    + maxBytes + ": send fewer features or raise the limit");
        }
        JsonNode root;
        float[] denseX;
        try {
            if (!ascii(value)) { // ASCII is valid UTF-8; decoding every record to check it was a copy of it as chars
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(value));
            }
            Streamed streamed = streamDense(value);
            root = streamed != null ? streamed.root() : mapper.readTree(value);
            denseX = streamed != null ? streamed.x() : null;
        } catch (CharacterCodingException e) {
            return Result.reject(Reason.NOT_JSON, "the value is not valid UTF-8: encode records as UTF-8 JSON");
        } catch (Exception e) {
            return Result.reject(Reason.NOT_JSON, "the value is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            return Result.reject(Reason.NOT_JSON, "the value must be a JSON object like {\"task\": ..., \"x\": [...], \"y\": ...}");
        }
        String task = null;
        JsonNode t = root.get("task");
        if (t != null && !t.isNull()) {
            if (!t.isTextual() && !t.isIntegralNumber()) {
                return Result.reject(Reason.BAD_FIELD, "\"task\" must be a string");
            }
            task = t.asText();
        } else if (key != null && key.length > 0) {
            task = new String(key, StandardCharsets.UTF_8);
        }
        if (task == null || task.isBlank()) {
            return Result.reject(Reason.MISSING_TASK, "no task: put \"task\" in the value or the task id in the record key");
        }
        if (task.length() > MAX_TASK_LENGTH) {
            return Result.reject(Reason.BAD_FIELD, "the task id is longer than " + MAX_TASK_LENGTH + " characters: shorten it");
        }
        if (task.equals("meta")) {
            // Key "meta" on the compacted snapshots topic is the shared model's.
            return Result.reject(Reason.BAD_FIELD, "task id \"meta\" is reserved for the shared model: rename the task");
        }
        if (task.equals("*")) {
            // Key "*" names the domain-shift monitor over all of a partition's tasks (shift.all.tasks).
            return Result.reject(Reason.BAD_FIELD, "task id \"*\" is reserved for the monitor over all tasks: rename "
                    + "the task");
        }
        if (task.chars().anyMatch(Character::isISOControl)) {
            // Store keys are "task NUL slot"; a control character in the id could alias another task's keys.
            return Result.reject(Reason.BAD_FIELD, "the task id contains a control character: use printable characters");
        }
        float[] x = denseX != null ? denseX : new float[config.inputDim()];
        Result featureError = features(root, x, denseX != null);
        if (featureError != null) {
            return featureError;
        }
        TaskSpec spec = config.taskSpec(task);
        float[] target = null;
        JsonNode y = root.get("y");
        if (y != null && !y.isNull()) {
            Object encoded = encodeLabel(spec, y);
            if (encoded instanceof Result r) {
                return r;
            }
            target = (float[]) encoded;
        }
        String id = null;
        JsonNode idNode = root.get("id");
        if (idNode != null && !idNode.isNull()) {
            if (!idNode.isValueNode()) {
                return Result.reject(Reason.BAD_FIELD, "\"id\" must be a string or a number");
            }
            id = idNode.asText();
            if (id.length() > MAX_ID_LENGTH) {
                return Result.reject(Reason.BAD_FIELD, "\"id\" is longer than " + MAX_ID_LENGTH + " characters: shorten it");
            }
        }
        long ts = timestamp;
        JsonNode tsNode = root.get("ts");
        if (tsNode != null && !tsNode.isNull()) {
            if (!tsNode.canConvertToLong()) {
                return Result.reject(Reason.BAD_FIELD, "\"ts\" must be epoch milliseconds as a whole number");
            }
            ts = tsNode.asLong();
            if (ts < 0) {
                // Kafka record timestamps cannot be negative: the learner's metrics and snapshot records carry this
                // one, and Kafka Streams threw on them, stopping the stream thread on every replay of the record.
                return Result.reject(Reason.BAD_FIELD, "\"ts\" is " + ts
                        + ": epoch milliseconds must not be negative (before 1970)");
            }
        }
        return new Result(new Instance(task, x, target, id, ts), null, null);
    }

    /** A record read by {@link #streamDense}: its fields but {@code x} as a tree, and {@code x}'s values. */
    private record Streamed(JsonNode root, float[] x) {
    }

    /**
     * The common record, an object whose {@code x} is an array of exactly {@code input.dim} finite numbers, read with
     * {@code x} straight into floats: as a tree it was an object per feature and most of the parse. Null for anything
     * else (no {@code x}, a value of another type, a wrong length, malformed JSON): {@link ObjectMapper#readTree} then
     * reads the record again, and the checks below say what is wrong, as they did before this path.
     */
    private Streamed streamDense(byte[] value) {
        try (JsonParser p = mapper.createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            ObjectNode root = mapper.createObjectNode();
            float[] x = null;
            String name;
            while ((name = p.nextFieldName()) != null) {
                JsonToken t = p.nextToken();
                if (name.equals("x") && t == JsonToken.START_ARRAY && x == null && !root.has("x")) {
                    x = new float[config.inputDim()];
                    int n = 0;
                    while ((t = p.nextToken()) == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT) {
                        double v = p.getDoubleValue(); // as the tree's number nodes give it (asDouble)
                        if (n == x.length || !Double.isFinite(v)) {
                            return null;
                        }
                        x[n++] = (float) v;
                    }
                    if (t != JsonToken.END_ARRAY || n != x.length) {
                        return null;
                    }
                } else {
                    root.set(name, mapper.readTree(p));
                }
            }
            return x == null || p.currentToken() != JsonToken.END_OBJECT ? null : new Streamed(root, x);
        } catch (java.io.IOException | RuntimeException e) {
            return null; // the tree's read fails the same way, and its message is the one a user has always seen
        }
    }

    private Result features(JsonNode root, float[] x, boolean denseRead) {
        JsonNode dense = root.get("x");
        JsonNode sparse = root.get("sparse");
        JsonNode named = root.get("features");
        int forms = (dense != null || denseRead ? 1 : 0) + (sparse != null ? 1 : 0) + (named != null ? 1 : 0);
        if (forms == 0) {
            return Result.reject(Reason.BAD_FIELD, "no features: give \"x\" (dense array), \"sparse\" {idx, val} or \"features\" {name: value}");
        }
        if (forms > 1) {
            return Result.reject(Reason.BAD_FIELD, "give only one of \"x\", \"sparse\" and \"features\"");
        }
        if (denseRead) {
            return finite(x);
        }
        if (dense != null) {
            if (!dense.isArray()) {
                return Result.reject(Reason.BAD_FIELD, "\"x\" must be an array of numbers");
            }
            if (dense.size() != x.length) {
                return Result.reject(Reason.WRONG_DIMENSION, "\"x\" has " + dense.size() + " values but input.dim="
                        + x.length + ": send exactly " + x.length + " or use \"sparse\"/\"features\"");
            }
            for (int i = 0; i < x.length; i++) {
                JsonNode v = dense.get(i);
                Result r = finiteNumber(v) ? null : number(v, "x[" + i + "]");
                if (r != null) {
                    return r;
                }
                x[i] = (float) v.asDouble();
            }
            return finite(x);
        }
        if (sparse != null) {
            JsonNode idx = sparse.get("idx");
            JsonNode val = sparse.get("val");
            if (!sparse.isObject() || idx == null || val == null || !idx.isArray() || !val.isArray()) {
                return Result.reject(Reason.BAD_FIELD, "\"sparse\" must be {\"idx\": [ints], \"val\": [numbers]}");
            }
            if (idx.size() != val.size()) {
                return Result.reject(Reason.BAD_FIELD, "\"sparse\" has " + idx.size() + " indices but " + val.size() + " values");
            }
            for (int i = 0; i < idx.size(); i++) {
                JsonNode in = idx.get(i);
                if (!in.isIntegralNumber()) {
                    return Result.reject(Reason.BAD_FIELD, "sparse idx[" + i + "] must be a whole number");
                }
                // canConvertToInt first: asLong() wraps an index beyond the long range (2^64 read as 0).
                if (!in.canConvertToInt() || in.asInt() < 0 || in.asInt() >= x.length) {
                    return Result.reject(Reason.WRONG_DIMENSION, "sparse index " + in.asText() + " is outside [0, input.dim="
                            + x.length + ")");
                }
                int j = in.asInt();
                Result r = finiteNumber(val.get(i)) ? null : number(val.get(i), "sparse val[" + i + "]");
                if (r != null) {
                    return r;
                }
                x[j] += (float) val.get(i).asDouble();
            }
            return finite(x);
        }
        if (!named.isObject()) {
            return Result.reject(Reason.BAD_FIELD, "\"features\" must be an object of name: value");
        }
        Iterator<Map.Entry<String, JsonNode>> it = named.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            String name;
            double value;
            if (v.isArray()) {
                // A multi-valued categorical: each string an indicator, hashed as a single string would be.
                for (JsonNode s : v) {
                    if (!s.isTextual()) {
                        return Result.reject(Reason.BAD_FIELD, "feature \"" + e.getKey() + "\" is an array: its"
                                + " elements must be strings (a multi-valued categorical such as"
                                + " [\"Comedy\", \"Drama\"])");
                    }
                    hashInto(x, e.getKey() + "=" + s.asText(), 1.0);
                }
                continue;
            } else if (v.isTextual()) {
                name = e.getKey() + "=" + v.asText();
                value = 1.0;
            } else if (v.isBoolean()) {
                name = e.getKey();
                value = v.asBoolean() ? 1.0 : 0.0;
            } else {
                Result r = finiteNumber(v) ? null : number(v, "feature \"" + e.getKey() + "\"");
                if (r != null) {
                    return r;
                }
                name = e.getKey();
                value = v.asDouble();
            }
            hashInto(x, name, value);
        }
        return finite(x);
    }

    /** Adds a named feature's value to its hashed slot, with the hash's sign. */
    private static void hashInto(float[] x, String name, double value) {
        int h = FeatureHashing.murmur3(name);
        int slot = Math.floorMod(h, x.length);
        x[slot] += (float) ((h & 0x80000000) != 0 ? -value : value);
    }

    private static boolean ascii(byte[] value) {
        for (byte b : value) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    /** The common case, checked before {@link #number} so its message (a string per feature) is built only on a fault. */
    private static boolean finiteNumber(JsonNode v) {
        return v != null && v.isNumber() && Double.isFinite(v.asDouble());
    }

    private static Result number(JsonNode v, String where) {
        if (v == null || !v.isNumber()) {
            if (v != null && v.isTextual()) {
                String s = v.asText().trim().toLowerCase();
                if (s.equals("nan") || s.contains("inf")) {
                    return Result.reject(Reason.NON_FINITE, where + " is " + v.asText() + ": features must be finite numbers");
                }
            }
            return Result.reject(Reason.BAD_FIELD, where + " must be a number");
        }
        if (!Double.isFinite(v.asDouble())) {
            return Result.reject(Reason.NON_FINITE, where + " is not finite");
        }
        return null;
    }

    private Result finite(float[] x) {
        double max = config.maxAbsFeature();
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i])) {
                return Result.reject(Reason.NON_FINITE, "feature " + i + " is not finite in float precision: scale the feature"
                        + " (32-bit floats end near 3.4e38)");
            }
            if (Math.abs(x[i]) > max) {
                return Result.reject(Reason.VALUE_OUT_OF_RANGE, "feature " + i + " is " + x[i]
                        + ", beyond input.max.abs.value=" + max + ": scale the feature (e.g. standardise or log it)");
            }
        }
        return null;
    }

    /** Encodes a label for the task's kind: a float[] target, or a rejection Result. */
    private Object encodeLabel(TaskSpec spec, JsonNode y) {
        // The kind owns its labels and their messages; only the mapping to this parser's rejection reasons is here.
        KindBehaviour.LabelOutcome l = spec.kind().parseLabel(spec, y, config.maxAbsFeature());
        if (l.target() != null) {
            return l.target();
        }
        Reason reason = switch (l.problem()) {
            case BAD_LABEL -> Reason.BAD_LABEL;
            case NON_FINITE -> Reason.NON_FINITE;
            case VALUE_OUT_OF_RANGE -> Reason.VALUE_OUT_OF_RANGE;
        };
        return Result.reject(reason, l.message());
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
