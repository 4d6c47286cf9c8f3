package dev.metastream.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metastream.data.InputRecordParser.Reason;
import dev.metastream.data.InputRecordParser.Result;
import dev.metastream.learn.Instance;
import dev.metastream.learn.LearnerConfig;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Unit tests of {@link InputRecordParser}: every accepted input form of {@code topology/records.md}, and every reason
 * code with a message that names the problem and what to change. (The dead-letter plumbing around the parser is
 * covered by {@code MetastreamTopologyTest}.)
 */
class InputRecordParserTest {
    private static final int DIM = 4;
    private static final int MAX_BYTES = 4096;
    private static final long RECORD_TS = 1_767_225_600_000L;

    /**
     * input.dim=4, 3 classes without names by default; "sent" is a named 3-class task, "churn" binary, "price"
     * regression, "tags" multi-label with 3 labels.
     */
    private static Properties props() {
        Properties p = new Properties();
        p.setProperty("input.dim", String.valueOf(DIM));
        p.setProperty("task.classes", "3");
        p.setProperty("tasks.sent.kind", "classification");
        p.setProperty("tasks.sent.classes", "3");
        p.setProperty("tasks.sent.class.names", "neg,neu,pos");
        p.setProperty("tasks.churn.kind", "binary");
        p.setProperty("tasks.price.kind", "regression");
        p.setProperty("tasks.tags.kind", "multi-label");
        p.setProperty("tasks.tags.labels", "3");
        return p;
    }

    private static final InputRecordParser PARSER = new InputRecordParser(LearnerConfig.from(props()), MAX_BYTES);

    private static Result parse(String json) {
        return PARSER.parse(null, utf8(json), RECORD_TS);
    }

    private static Result parse(String key, String json) {
        return PARSER.parse(key == null ? null : utf8(key), utf8(json), RECORD_TS);
    }

    private static Instance ok(Result r) {
        assertThat(r.ok()).as("expected to parse, got %s: %s", r.reason(), r.message()).isTrue();
        assertThat(r.reason()).isNull();
        return r.instance();
    }

    private static Instance ok(String json) {
        return ok(parse(json));
    }

    /** Asserts the rejection code and that the message contains each fragment (what is wrong, what to change). */
    private static void rejected(Result r, Reason reason, String... fragments) {
        assertThat(r.ok()).as("expected %s", reason.code()).isFalse();
        assertThat(r.instance()).isNull();
        assertThat(r.reason()).as("reason (message: %s)", r.message()).isEqualTo(reason);
        assertThat(r.message()).isNotBlank();
        for (String f : fragments) {
            assertThat(r.message()).contains(f);
        }
    }

    private static void rejected(String json, Reason reason, String... fragments) {
        rejected(parse(json), reason, fragments);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Where a named feature lands, computed as records.md specifies. */
    private static float[] hashed(float[] x, String name, double value) {
        int h = FeatureHashing.murmur3(name);
        int slot = Math.floorMod(h, x.length);
        x[slot] += (float) (h < 0 ? -value : value);
        return x;
    }

    // ======================================================================================================= valid

    @Nested
    class Features {
        @Test
        void denseX() {
            Instance in = ok("{\"task\":\"a\",\"x\":[0.5,-1,2e3,0]}");
            assertThat(in.task()).isEqualTo("a");
            assertThat(in.x()).containsExactly(0.5f, -1f, 2000f, 0f);
        }

        @Test
        void sparseIndicesAndValuesWithDuplicatesAddingUp() {
            Instance in = ok("{\"task\":\"a\",\"sparse\":{\"idx\":[3,0,3],\"val\":[1.5,-2,0.25]}}");
            assertThat(in.x()).containsExactly(-2f, 0f, 0f, 1.75f);
            assertThat(ok("{\"task\":\"a\",\"sparse\":{\"idx\":[],\"val\":[]}}").x()).containsOnly(0f);
        }

        @Test
        void namedNumericFeaturesAreHashedIntoTheirSlotWithTheirSign() {
            Instance in = ok("{\"task\":\"a\",\"features\":{\"age\":3,\"height\":-1.5}}");
            float[] expected = hashed(hashed(new float[DIM], "age", 3), "height", -1.5);
            assertThat(in.x()).containsExactly(expected);
            // Both signs occur among these names, so the sign rule is exercised either way.
            assertThat(FeatureHashing.murmur3("age")).isPositive();              // +: slot 717653329 mod 4 = 1
            assertThat(in.x()[Math.floorMod(FeatureHashing.murmur3("age"), DIM)]).isNotZero();
        }

        @Test
        void aNameWithTheTopBitSetIsSubtracted() {
            // "genre=Comedy" hashes to -146273859 (records.md): slot floorMod(h, 4) = 1, sign -.
            assertThat(FeatureHashing.murmur3("genre=Comedy")).isEqualTo(-146273859);
            float[] expected = new float[DIM];
            expected[Math.floorMod(-146273859, DIM)] = -1f;
            assertThat(ok("{\"task\":\"a\",\"features\":{\"genre\":\"Comedy\"}}").x()).containsExactly(expected);
        }

        @Test
        void anArrayOfStringsIsAMultiValuedCategoricalHashedStringByString() {
            Instance in = ok("{\"task\":\"a\",\"features\":{\"genres\":[\"Comedy\",\"Drama\"],\"age\":2}}");
            float[] expected = new float[DIM];
            hashed(expected, "genres=Comedy", 1);
            hashed(expected, "genres=Drama", 1);
            hashed(expected, "age", 2);
            assertThat(in.x()).containsExactly(expected);
            // One element is the same feature as the single string; an empty array adds nothing.
            assertThat(ok("{\"task\":\"a\",\"features\":{\"genre\":[\"Comedy\"]}}").x())
                    .containsExactly(ok("{\"task\":\"a\",\"features\":{\"genre\":\"Comedy\"}}").x());
            assertThat(ok("{\"task\":\"a\",\"features\":{\"genres\":[]}}").x()).containsOnly(0f);
            // Repeated strings add up.
            float[] twice = hashed(new float[DIM], "genres=Comedy", 2);
            assertThat(ok("{\"task\":\"a\",\"features\":{\"genres\":[\"Comedy\",\"Comedy\"]}}").x())
                    .containsExactly(twice);
        }

        @Test
        void anArrayWithANonStringIsRefused() {
            rejected("{\"task\":\"a\",\"features\":{\"genres\":[\"Comedy\",3]}}", Reason.BAD_FIELD,
                    "\"genres\" is an array", "strings");
            rejected("{\"task\":\"a\",\"features\":{\"genres\":[[\"Comedy\"]]}}", Reason.BAD_FIELD, "genres");
        }

        @Test
        void stringValuesBecomeNameEqualsValueIndicatorsAndBooleansOneOrZero() {
            Instance in = ok("{\"task\":\"a\",\"features\":{\"genre\":\"Comedy\",\"premium\":true,\"trial\":false,"
                    + "\"city\":\"Zürich\"}}");
            float[] expected = new float[DIM];
            hashed(expected, "genre=Comedy", 1);
            hashed(expected, "premium", 1);
            hashed(expected, "trial", 0);
            hashed(expected, "city=Zürich", 1);
            assertThat(in.x()).containsExactly(expected);
            // false contributes nothing.
            assertThat(ok("{\"task\":\"a\",\"features\":{\"trial\":false}}").x()).containsOnly(0f);
        }

        @Test
        void collidingNamedFeaturesAddUp() {
            // Find two names in the same slot with the same sign: they must add.
            String a = "f0";
            int ha = FeatureHashing.murmur3(a);
            String b = null;
            for (int i = 1; b == null; i++) {
                int h = FeatureHashing.murmur3("f" + i);
                if (Math.floorMod(h, DIM) == Math.floorMod(ha, DIM) && (h < 0) == (ha < 0)) {
                    b = "f" + i;
                }
            }
            Instance in = ok("{\"task\":\"a\",\"features\":{\"" + a + "\":2,\"" + b + "\":3}}");
            assertThat(in.x()[Math.floorMod(ha, DIM)]).isEqualTo(ha < 0 ? -5f : 5f);
        }
    }

    @Nested
    class TaskIdIdAndTime {
        @Test
        void taskFromTheKeyWhenTheValueHasNone() {
            assertThat(ok(parse("from-key", "{\"x\":[0,0,0,0]}")).task()).isEqualTo("from-key");
            assertThat(ok(parse("from-key", "{\"task\":null,\"x\":[0,0,0,0]}")).task()).isEqualTo("from-key");
        }

        @Test
        void theValueWinsOverTheKey() {
            assertThat(ok(parse("from-key", "{\"task\":\"from-value\",\"x\":[0,0,0,0]}")).task()).isEqualTo("from-value");
        }

        @Test
        void aWholeNumberTaskIsItsText() {
            assertThat(ok("{\"task\":7,\"x\":[0,0,0,0]}").task()).isEqualTo("7");
        }

        @Test
        void idAndTs() {
            Instance in = ok("{\"task\":\"a\",\"x\":[0,0,0,0],\"id\":\"ex-1\",\"ts\":1767225600123}");
            assertThat(in.id()).isEqualTo("ex-1");
            assertThat(in.timestamp()).isEqualTo(1767225600123L);
            assertThat(ok("{\"task\":\"a\",\"x\":[0,0,0,0],\"id\":42}").id()).isEqualTo("42");
            assertThat(ok("{\"task\":\"a\",\"x\":[0,0,0,0],\"id\":true}").id()).isEqualTo("true");
            assertThat(ok("{\"task\":\"a\",\"x\":[0,0,0,0],\"ts\":12.9}").timestamp()).isEqualTo(12L);
            assertThat(ok("{\"task\":\"a\",\"x\":[0,0,0,0],\"id\":\"" + "i".repeat(1024) + "\"}").id()).hasSize(1024);
        }

        @Test
        void withoutIdAndTsTheRecordTimestampIsUsed() {
            Instance in = ok("{\"task\":\"a\",\"x\":[0,0,0,0],\"id\":null,\"ts\":null}");
            assertThat(in.id()).isNull();
            assertThat(in.timestamp()).isEqualTo(RECORD_TS);
        }

        @Test
        void otherFieldsAreIgnored() {
            assertThat(ok("{\"task\":\"a\",\"x\":[0,0,0,0],\"comment\":{\"any\":[1,2]}}").task()).isEqualTo("a");
        }
    }

    @Nested
    class Labels {
        @Test
        void noLabelMeansUnlabelled() {
            Instance in = ok("{\"task\":\"a\",\"x\":[0,0,0,0]}");
            assertThat(in.target()).isNull();
            assertThat(in.labelled()).isFalse();
            assertThat(ok("{\"task\":\"a\",\"x\":[0,0,0,0],\"y\":null}").labelled()).isFalse();
        }

        @Test
        void classificationByIndex() {
            Instance in = ok("{\"task\":\"a\",\"x\":[0,0,0,0],\"y\":2}");
            assertThat(in.labelled()).isTrue();
            assertThat(in.target()).containsExactly(0f, 0f, 1f);
            assertThat(ok("{\"task\":\"a\",\"x\":[0,0,0,0],\"y\":0}").target()).containsExactly(1f, 0f, 0f);
            assertThat(ok("{\"task\":\"a\",\"x\":[0,0,0,0],\"y\":1.0}").target()).containsExactly(0f, 1f, 0f);
        }

        @Test
        void classificationByNameAndByIndexWhenNamesAreConfigured() {
            assertThat(ok("{\"task\":\"sent\",\"x\":[0,0,0,0],\"y\":\"pos\"}").target()).containsExactly(0f, 0f, 1f);
            assertThat(ok("{\"task\":\"sent\",\"x\":[0,0,0,0],\"y\":\"neg\"}").target()).containsExactly(1f, 0f, 0f);
            assertThat(ok("{\"task\":\"sent\",\"x\":[0,0,0,0],\"y\":1}").target()).containsExactly(0f, 1f, 0f);
        }

        @Test
        void classNamesOfTheDefaultTask() {
            Properties p = props();
            p.setProperty("task.class.names", "low,medium,high");
            InputRecordParser parser = new InputRecordParser(LearnerConfig.from(p), MAX_BYTES);
            Result r = parser.parse(null, utf8("{\"task\":\"any\",\"x\":[0,0,0,0],\"y\":\"medium\"}"), RECORD_TS);
            assertThat(ok(r).target()).containsExactly(0f, 1f, 0f);
        }

        @Test
        void binary() {
            assertThat(ok("{\"task\":\"churn\",\"x\":[0,0,0,0],\"y\":1}").target()).containsExactly(1f);
            assertThat(ok("{\"task\":\"churn\",\"x\":[0,0,0,0],\"y\":0}").target()).containsExactly(0f);
            assertThat(ok("{\"task\":\"churn\",\"x\":[0,0,0,0],\"y\":true}").target()).containsExactly(1f);
            assertThat(ok("{\"task\":\"churn\",\"x\":[0,0,0,0],\"y\":false}").target()).containsExactly(0f);
            assertThat(ok("{\"task\":\"churn\",\"x\":[0,0,0,0],\"y\":1.0}").target()).containsExactly(1f);
        }

        @Test
        void regression() {
            assertThat(ok("{\"task\":\"price\",\"x\":[0,0,0,0],\"y\":-12.25}").target()).containsExactly(-12.25f);
            assertThat(ok("{\"task\":\"price\",\"x\":[0,0,0,0],\"y\":3}").target()).containsExactly(3f);
            assertThat(ok("{\"task\":\"price\",\"x\":[0,0,0,0],\"y\":1e6}").target()).containsExactly(1e6f);
        }

        @Test
        void multiLabel() {
            assertThat(ok("{\"task\":\"tags\",\"x\":[0,0,0,0],\"y\":[1,0,1]}").target()).containsExactly(1f, 0f, 1f);
            assertThat(ok("{\"task\":\"tags\",\"x\":[0,0,0,0],\"y\":[0,0,0]}").target()).containsExactly(0f, 0f, 0f);
        }

        @Test
        void perTaskOverridesDecideTheKind() {
            // The same y is a regression target for "price" and a class index for a task with the default kind.
            assertThat(ok("{\"task\":\"price\",\"x\":[0,0,0,0],\"y\":2}").target()).containsExactly(2f);
            assertThat(ok("{\"task\":\"other\",\"x\":[0,0,0,0],\"y\":2}").target()).containsExactly(0f, 0f, 1f);
            // and 2.5 is fine for regression only.
            assertThat(ok("{\"task\":\"price\",\"x\":[0,0,0,0],\"y\":2.5}").target()).containsExactly(2.5f);
            rejected("{\"task\":\"other\",\"x\":[0,0,0,0],\"y\":2.5}", Reason.BAD_LABEL, "class index");
            // The override applies when the task comes from the key, too.
            assertThat(ok(parse("price", "{\"x\":[0,0,0,0],\"y\":2.5}")).target()).containsExactly(2.5f);
        }
    }

    // ================================================================================================== rejections

    @Nested
    class Rejections {
        @Test
        void oversized() {
            InputRecordParser small = new InputRecordParser(LearnerConfig.from(props()), 64);
            String json = "{\"task\":\"a\",\"x\":[0,0,0,0],\"id\":\"" + "z".repeat(40) + "\"}";
            assertThat(utf8(json).length).isGreaterThan(64);
            rejected(small.parse(null, utf8(json), RECORD_TS), Reason.OVERSIZED,
                    utf8(json).length + " bytes", "input.max.record.bytes=64", "raise the limit");
            // At the limit it parses.
            String exact = "{\"task\":\"a\",\"x\":[0,0,0,0]}";
            InputRecordParser fits = new InputRecordParser(LearnerConfig.from(props()), utf8(exact).length);
            ok(fits.parse(null, utf8(exact), RECORD_TS));
        }

        @Test
        void notJson() {
            rejected("this is not json", Reason.NOT_JSON, "not valid JSON");
            rejected("[1,2,3]", Reason.NOT_JSON, "must be a JSON object");
            rejected("\"just a string\"", Reason.NOT_JSON, "must be a JSON object");
            rejected("{\"task\":\"a\",\"x\":[NaN,0,0,0]}", Reason.NOT_JSON);
            rejected("{\"task\":\"a\",\"task\":\"b\",\"x\":[0,0,0,0]}", Reason.NOT_JSON, "task");
            rejected(PARSER.parse(null, null, RECORD_TS), Reason.NOT_JSON, "send a JSON object");
            rejected(PARSER.parse(null, new byte[0], RECORD_TS), Reason.NOT_JSON, "JSON object");
            rejected("{\"task\":\"a\",\"x\":[0,0,0,0],\"deep\":" + "[".repeat(40) + "]".repeat(40) + "}", Reason.NOT_JSON);
        }

        @Test
        void invalidUtf8() {
            byte[] bad = {'{', '"', 't', 'a', 's', 'k', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', ',',
                    '"', 'x', '"', ':', '[', '0', ',', '0', ',', '0', ',', '0', ']', '}'};
            rejected(PARSER.parse(null, bad, RECORD_TS), Reason.NOT_JSON, "not valid UTF-8", "encode records as UTF-8");
            byte[] latin1 = "{\"task\":\"caf\u00e9\",\"x\":[0,0,0,0]}".getBytes(StandardCharsets.ISO_8859_1);
            rejected(PARSER.parse(null, latin1, RECORD_TS), Reason.NOT_JSON, "UTF-8");
        }

        @Test
        void missingTask() {
            rejected("{\"x\":[0,0,0,0]}", Reason.MISSING_TASK, "put \"task\" in the value or the task id in the record key");
            rejected(parse("", "{\"x\":[0,0,0,0]}"), Reason.MISSING_TASK, "record key");
            rejected("{\"task\":\"  \",\"x\":[0,0,0,0]}", Reason.MISSING_TASK);
            rejected("{\"task\":null,\"x\":[0,0,0,0]}", Reason.MISSING_TASK);
        }

        @Test
        void badFieldWrongTypes() {
            rejected("{\"task\":{\"id\":1},\"x\":[0,0,0,0]}", Reason.BAD_FIELD, "\"task\" must be a string");
            rejected("{\"task\":true,\"x\":[0,0,0,0]}", Reason.BAD_FIELD, "\"task\" must be a string");
            rejected("{\"task\":\"a\",\"x\":\"0,0,0,0\"}", Reason.BAD_FIELD, "\"x\" must be an array of numbers");
            rejected("{\"task\":\"a\",\"x\":[0,\"1\",0,0]}", Reason.BAD_FIELD, "x[1] must be a number");
            rejected("{\"task\":\"a\",\"x\":[0,null,0,0]}", Reason.BAD_FIELD, "x[1] must be a number");
            rejected("{\"task\":\"a\",\"x\":[0,true,0,0]}", Reason.BAD_FIELD, "x[1] must be a number");
            rejected("{\"task\":\"a\",\"sparse\":[1,2]}", Reason.BAD_FIELD, "\"sparse\" must be {\"idx\": [ints], \"val\": [numbers]}");
            rejected("{\"task\":\"a\",\"sparse\":{\"idx\":[0,1],\"val\":[1]}}", Reason.BAD_FIELD, "2 indices but 1 values");
            rejected("{\"task\":\"a\",\"sparse\":{\"idx\":[0.5],\"val\":[1]}}", Reason.BAD_FIELD, "idx[0] must be a whole number");
            rejected("{\"task\":\"a\",\"sparse\":{\"idx\":[0],\"val\":[\"1\"]}}", Reason.BAD_FIELD, "sparse val[0] must be a number");
            rejected("{\"task\":\"a\",\"features\":[1,2]}", Reason.BAD_FIELD, "\"features\" must be an object of name: value");
            rejected("{\"task\":\"a\",\"features\":{\"f\":{\"g\":1}}}", Reason.BAD_FIELD, "feature \"f\" must be a number");
            rejected("{\"task\":\"a\",\"features\":{\"f\":null}}", Reason.BAD_FIELD, "feature \"f\" must be a number");
            rejected("{\"task\":\"a\",\"x\":[0,0,0,0],\"id\":{\"a\":1}}", Reason.BAD_FIELD, "\"id\" must be a string or a number");
            rejected("{\"task\":\"a\",\"x\":[0,0,0,0],\"ts\":\"2026-01-01\"}", Reason.BAD_FIELD, "\"ts\" must be epoch milliseconds");
            rejected("{\"task\":\"a\",\"x\":[0,0,0,0],\"ts\":1e30}", Reason.BAD_FIELD, "\"ts\"");
        }

        @Test
        void badFieldFeatureForms() {
            rejected("{\"task\":\"a\"}", Reason.BAD_FIELD, "no features", "give \"x\"");
            rejected("{\"task\":\"a\",\"x\":[0,0,0,0],\"features\":{\"f\":1}}", Reason.BAD_FIELD,
                    "give only one of \"x\", \"sparse\" and \"features\"");
            rejected("{\"task\":\"a\",\"x\":[0,0,0,0],\"sparse\":{\"idx\":[0],\"val\":[1]}}", Reason.BAD_FIELD, "only one");
        }

        @Test
        void badFieldReservedTaskId() {
            rejected("{\"task\":\"meta\",\"x\":[0,0,0,0]}", Reason.BAD_FIELD, "reserved", "rename the task");
            rejected(parse("meta", "{\"x\":[0,0,0,0]}"), Reason.BAD_FIELD, "reserved");
            ok("{\"task\":\"meta2\",\"x\":[0,0,0,0]}");
            rejected("{\"task\":\"*\",\"x\":[0,0,0,0]}", Reason.BAD_FIELD, "reserved", "all tasks");
            ok("{\"task\":\"**\",\"x\":[0,0,0,0]}");
        }

        @Test
        void badFieldControlCharacterInTaskId() {
            rejected("{\"task\":\"a\\u0000b\",\"x\":[0,0,0,0]}", Reason.BAD_FIELD, "control character", "printable");
            rejected("{\"task\":\"a\\nb\",\"x\":[0,0,0,0]}", Reason.BAD_FIELD, "control character");
            rejected(parse("a\u0001b", "{\"x\":[0,0,0,0]}"), Reason.BAD_FIELD, "control character");
            ok("{\"task\":\"caf\u00e9 \u65e5\u672c-1\",\"x\":[0,0,0,0]}");
        }

        @Test
        void badFieldTooLongIds() {
            rejected("{\"task\":\"a\",\"x\":[0,0,0,0],\"id\":\"" + "i".repeat(1025) + "\"}", Reason.BAD_FIELD,
                    "\"id\" is longer than 1024 characters", "shorten");
            rejected("{\"task\":\"" + "t".repeat(257) + "\",\"x\":[0,0,0,0]}", Reason.BAD_FIELD,
                    "longer than 256 characters", "shorten");
            ok("{\"task\":\"" + "t".repeat(256) + "\",\"x\":[0,0,0,0]}");
        }

        @Test
        void wrongDimension() {
            rejected("{\"task\":\"a\",\"x\":[0,0,0]}", Reason.WRONG_DIMENSION,
                    "\"x\" has 3 values but input.dim=4", "send exactly 4");
            rejected("{\"task\":\"a\",\"x\":[0,0,0,0,0]}", Reason.WRONG_DIMENSION, "5 values");
            rejected("{\"task\":\"a\",\"sparse\":{\"idx\":[4],\"val\":[1]}}", Reason.WRONG_DIMENSION,
                    "sparse index 4 is outside [0, input.dim=4)");
            rejected("{\"task\":\"a\",\"sparse\":{\"idx\":[-1],\"val\":[1]}}", Reason.WRONG_DIMENSION, "sparse index -1");
        }

        /** An index too large for a long must not wrap around into range (2^64 once became index 0). */
        @Test
        void wrongDimensionForAHugeSparseIndex() {
            rejected("{\"task\":\"a\",\"sparse\":{\"idx\":[18446744073709551616],\"val\":[1]}}", Reason.WRONG_DIMENSION,
                    "sparse index 18446744073709551616 is outside [0, input.dim=4)");
            rejected("{\"task\":\"a\",\"sparse\":{\"idx\":[18446744073709551617],\"val\":[1]}}", Reason.WRONG_DIMENSION);
        }

        @Test
        void nonFinite() {
            rejected("{\"task\":\"a\",\"x\":[1e400,0,0,0]}", Reason.NON_FINITE, "x[0] is not finite");
            rejected("{\"task\":\"a\",\"x\":[0,\"NaN\",0,0]}", Reason.NON_FINITE, "x[1] is NaN", "finite numbers");
            rejected("{\"task\":\"a\",\"x\":[0,\"-Infinity\",0,0]}", Reason.NON_FINITE, "finite numbers");
            rejected("{\"task\":\"a\",\"sparse\":{\"idx\":[1],\"val\":[1e39]}}", Reason.NON_FINITE,
                    "feature 1 is not finite in float precision", "scale");
            rejected("{\"task\":\"price\",\"x\":[0,0,0,0],\"y\":1e400}", Reason.NON_FINITE, "label is not finite");
        }

        /** A non-finite class index once read as Long.MAX_VALUE and was reported as an index out of range. */
        @Test
        void nonFiniteClassificationLabel() {
            rejected("{\"task\":\"a\",\"x\":[0,0,0,0],\"y\":1e400}", Reason.NON_FINITE, "label is not finite");
            rejected("{\"task\":\"a\",\"x\":[0,0,0,0],\"y\":-1e400}", Reason.NON_FINITE, "label is not finite");
        }

        @Test
        void valueOutOfRange() {
            rejected("{\"task\":\"a\",\"x\":[0,2e6,0,0]}", Reason.VALUE_OUT_OF_RANGE,
                    "feature 1 is", "beyond input.max.abs.value=1000000.0", "scale the feature");
            // After sums: each value is in range, their sum is not.
            rejected("{\"task\":\"a\",\"sparse\":{\"idx\":[2,2],\"val\":[6e5,6e5]}}", Reason.VALUE_OUT_OF_RANGE, "feature 2");
            rejected("{\"task\":\"a\",\"features\":{\"big\":-3e6}}", Reason.VALUE_OUT_OF_RANGE, "input.max.abs.value");
            rejected("{\"task\":\"price\",\"x\":[0,0,0,0],\"y\":-2e6}", Reason.VALUE_OUT_OF_RANGE,
                    "beyond input.max.abs.value", "scale the target");
            // The limit is configurable.
            Properties p = props();
            p.setProperty("input.max.abs.value", "10");
            InputRecordParser tight = new InputRecordParser(LearnerConfig.from(p), MAX_BYTES);
            rejected(tight.parse(null, utf8("{\"task\":\"a\",\"x\":[0,0,10.5,0]}"), RECORD_TS),
                    Reason.VALUE_OUT_OF_RANGE, "input.max.abs.value=10.0");
            ok(tight.parse(null, utf8("{\"task\":\"a\",\"x\":[0,0,-10,10]}"), RECORD_TS));
            rejected(tight.parse(null, utf8("{\"task\":\"price\",\"x\":[0,0,0,0],\"y\":11}"), RECORD_TS),
                    Reason.VALUE_OUT_OF_RANGE, "label 11.0");
        }

        @Test
        void labelOutOfRangeClassification() {
            rejected("{\"task\":\"a\",\"x\":[0,0,0,0],\"y\":3}", Reason.BAD_LABEL, "label 3 is outside [0, task.classes=3)");
            rejected("{\"task\":\"a\",\"x\":[0,0,0,0],\"y\":-1}", Reason.BAD_LABEL, "label -1 is outside");
            rejected("{\"task\":\"a\",\"x\":[0,0,0,0],\"y\":1.5}", Reason.BAD_LABEL, "a class index or a class name");
            rejected("{\"task\":\"a\",\"x\":[0,0,0,0],\"y\":[1]}", Reason.BAD_LABEL, "a class index or a class name");
            rejected("{\"task\":\"a\",\"x\":[0,0,0,0],\"y\":\"cat\"}", Reason.BAD_LABEL,
                    "class \"cat\" is not in task.class.names", "send an index in [0, 3)");
            rejected("{\"task\":\"sent\",\"x\":[0,0,0,0],\"y\":\"positive\"}", Reason.BAD_LABEL,
                    "class \"positive\" is not in task.class.names", "[neg, neu, pos]");
        }

        /** A class index beyond the range of a long must not wrap around into range (2^64 once became class 0). */
        @Test
        void labelOutOfRangeForAHugeClassIndex() {
            rejected("{\"task\":\"a\",\"x\":[0,0,0,0],\"y\":18446744073709551616}", Reason.BAD_LABEL,
                    "label 18446744073709551616 is outside [0, task.classes=3)");
        }

        @Test
        void labelOutOfRangeBinary() {
            rejected("{\"task\":\"churn\",\"x\":[0,0,0,0],\"y\":2}", Reason.BAD_LABEL, "0, 1, true or false");
            rejected("{\"task\":\"churn\",\"x\":[0,0,0,0],\"y\":0.5}", Reason.BAD_LABEL, "0, 1, true or false");
            rejected("{\"task\":\"churn\",\"x\":[0,0,0,0],\"y\":\"1\"}", Reason.BAD_LABEL, "0, 1, true or false");
        }

        @Test
        void labelOutOfRangeRegression() {
            rejected("{\"task\":\"price\",\"x\":[0,0,0,0],\"y\":\"12.5\"}", Reason.BAD_LABEL, "must be a number");
            rejected("{\"task\":\"price\",\"x\":[0,0,0,0],\"y\":true}", Reason.BAD_LABEL, "must be a number");
        }

        @Test
        void labelOutOfRangeMultiLabel() {
            rejected("{\"task\":\"tags\",\"x\":[0,0,0,0],\"y\":[1,0]}", Reason.BAD_LABEL,
                    "an array of 3 zeros and ones (task.labels=3)");
            rejected("{\"task\":\"tags\",\"x\":[0,0,0,0],\"y\":[1,0,0,1]}", Reason.BAD_LABEL, "array of 3");
            rejected("{\"task\":\"tags\",\"x\":[0,0,0,0],\"y\":1}", Reason.BAD_LABEL, "array of 3");
            rejected("{\"task\":\"tags\",\"x\":[0,0,0,0],\"y\":[1,2,0]}", Reason.BAD_LABEL, "y[1] must be 0 or 1");
            rejected("{\"task\":\"tags\",\"x\":[0,0,0,0],\"y\":[1,0,true]}", Reason.BAD_LABEL, "y[2] must be 0 or 1");
            rejected("{\"task\":\"tags\",\"x\":[0,0,0,0],\"y\":[1,0,\"1\"]}", Reason.BAD_LABEL, "y[2] must be 0 or 1");
        }

        @Test
        void theFirstProblemInFieldOrderDecides() {
            // task before features, features before label, label before id and ts.
            rejected("{\"x\":[0,0,0],\"y\":9}", Reason.MISSING_TASK);
            rejected("{\"task\":\"a\",\"x\":[0,0,0],\"y\":9}", Reason.WRONG_DIMENSION);
            rejected("{\"task\":\"a\",\"x\":[0,0,0,0],\"y\":9,\"ts\":\"x\"}", Reason.BAD_LABEL);
        }
    }

    /**
     * A dense record is read with {@code x} streamed into floats and its other fields as a tree; wherever {@code x}
     * stands, and whatever else the record holds, the instance or the rejection is the one the whole tree gave.
     */
    @Test
    void denseFeaturesReadTheSameWhereverTheyStand() {
        String x = "\"x\":[1,-0.0,2.5e-3,1E+3]";
        Instance first = ok("{" + x + ",\"task\":\"a\",\"y\":1,\"id\":\"e\",\"ts\":5}");
        Instance middle = ok("{\"task\":\"a\",\"y\":1," + x + ",\"id\":\"e\",\"ts\":5}");
        Instance last = ok("{\"task\":\"a\",\"y\":1,\"id\":\"e\",\"ts\":5,\"other\":{\"x\":[1]}," + x + "}");
        for (Instance in : java.util.List.of(middle, last)) {
            assertThat(in.task()).isEqualTo(first.task());
            assertThat(in.x()).containsExactly(first.x());
            assertThat(in.target()).containsExactly(first.target());
            assertThat(in.id()).isEqualTo(first.id());
            assertThat(in.timestamp()).isEqualTo(first.timestamp());
        }
        assertThat(Float.floatToRawIntBits(first.x()[1])).isEqualTo(Float.floatToRawIntBits(-0f));
        rejected("{\"task\":\"a\"," + x + ",\"sparse\":{\"idx\":[0],\"val\":[1]}}", Reason.BAD_FIELD, "only one of");
        rejected("{\"task\":\"a\"," + x + "," + x + "}", Reason.NOT_JSON, "Duplicate field 'x'");
        rejected("{\"task\":\"a\",\"x\":[1,null,2,3]}", Reason.BAD_FIELD, "x[1] must be a number");
        rejected("{\"task\":\"a\",\"x\":[1,1e999,2,3]}", Reason.NON_FINITE, "x[1] is not finite");
        rejected("{\"task\":\"a\",\"x\":[1,2,3,4,5]}", Reason.WRONG_DIMENSION, "has 5 values");
        rejected("{\"task\":\"a\",\"x\":[1,2,3,4]", Reason.NOT_JSON, "not valid JSON");
    }

    /** Regression (found by fuzzing): a negative ts reached the learner's output records and stopped the thread. */
    @Test
    void aTimestampBefore1970IsRejected() {
        rejected("{\"task\":\"a\",\"x\":[0,0,0,0],\"y\":1,\"ts\":-1}", Reason.BAD_FIELD, "\"ts\" is -1",
                "must not be negative");
        assertThat(ok("{\"task\":\"a\",\"x\":[0,0,0,0],\"y\":1,\"ts\":0}").timestamp()).isZero();
    }
    /**
     * The parser reads numbers with Jackson's fast double parser: each feature must still be exactly what
     * {@code (float) Double.parseDouble} makes of its text, for every way a producer writes a number (shortest float
     * and double forms, fixed and scientific with many digits, halfway and subnormal cases).
     */
    @Test
    void featuresAreExactlyWhatParseDoubleMakesOfTheirText() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        java.util.List<String> texts = new java.util.ArrayList<>(java.util.List.of("0.1", "-0.0", "1e-45", "1.4e-45",
                "3.4028235e38", "2.2250738585072014E-308", "4.9e-324", "0.30000000000000004", "9007199254740993",
                "1.00000005960464477539062499", "1.000000059604644775390625", "1.00000005960464477539062501",
                "123456789012345678901234567890", "-7.0E-10", "1E+3", "5e0"));
        for (int i = 0; i < 4_000; i++) {
            double d = switch (i % 4) {
                case 0 -> random.nextGaussian();
                case 1 -> random.nextGaussian() * Math.pow(10, random.nextInt(-40, 39));
                case 2 -> Float.intBitsToFloat(random.nextInt());
                default -> Double.longBitsToDouble(random.nextLong());
            };
            if (!Double.isFinite(d) || Math.abs(d) > Float.MAX_VALUE) { // a float feature cannot hold more
                continue;
            }
            texts.add(switch (i % 5) {
                case 0 -> Double.toString(d);
                case 1 -> Float.toString((float) d);
                case 2 -> String.format(java.util.Locale.ROOT, "%.17e", d);
                case 3 -> String.format(java.util.Locale.ROOT, "%.9g", d);
                // Plain decimals up to the parser's 64-character number limit: 40 digits after the point at most.
                default -> Math.abs(d) < 1e20
                        ? new java.math.BigDecimal(d).toPlainString().replaceAll("(\\.\\d{40})\\d+", "$1")
                        : Double.toString(d);
            });
        }
        Properties anyMagnitude = props();
        anyMagnitude.setProperty("input.max.abs.value", "1e39");
        InputRecordParser wide = new InputRecordParser(LearnerConfig.from(anyMagnitude), 1 << 20);
        for (int i = 0; i + DIM <= texts.size(); i += DIM) {
            java.util.List<String> row = texts.subList(i, i + DIM);
            Result r = wide.parse(null, utf8("{\"task\":\"a\",\"y\":1,\"x\":[" + String.join(",", row) + "]}"),
                    RECORD_TS);
            float[] x = ok(r).x();
            for (int j = 0; j < DIM; j++) {
                assertThat(Float.floatToRawIntBits(x[j])).as(row.get(j))
                        .isEqualTo(Float.floatToRawIntBits((float) Double.parseDouble(row.get(j))));
            }
        }
    }
}
