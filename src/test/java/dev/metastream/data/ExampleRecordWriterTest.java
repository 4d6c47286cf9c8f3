package dev.metastream.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metastream.data.ExampleRecordWriter.Read;
import dev.metastream.data.ExampleRecordWriter.TaskPlacement;
import dev.metastream.data.ExampleRecordWriter.Written;
import dev.metastream.learn.Instance;
import dev.metastream.learn.LearnerConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link ExampleRecordWriter} is the inverse of {@link InputRecordParser}: property-style round trips over thousands
 * of generated records of every shape the parser accepts (dense, sparse, named and multi-valued features; string,
 * numeric and key-only tasks; every label kind; ids and times), seeded so a failure reproduces.
 */
class ExampleRecordWriterTest {
    private static final int DIM = 16;
    private static final long RECORD_TS = 1_767_225_600_000L;
    private static final String[] TASKS = {"sent", "churn", "price", "tags", "plain", "7"};

    private static final LearnerConfig CONFIG = LearnerConfig.from(props());
    private static final InputRecordParser PARSER = new InputRecordParser(CONFIG, 1 << 20);

    /** input.dim=16; "sent" a named 3-class task, "churn" binary, "price" regression, "tags" 3 labels. */
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

    @Test
    void everyRecordTheParserAcceptsIsReadAndRewrittenToTheSameExample() {
        SplittableRandom r = new SplittableRandom(20261202L);
        int[] shapes = new int[3];
        int keyOnly = 0;
        for (int n = 0; n < 5000; n++) {
            Generated g = generate(r);
            shapes[g.shape]++;
            byte[] key = g.keyTask == null ? null : g.keyTask.getBytes(StandardCharsets.UTF_8);
            InputRecordParser.Result original = PARSER.parse(key, utf8(g.json), RECORD_TS);
            assertThat(original.ok()).as("generated %s: %s", g.json, original.message()).isTrue();

            Read read = ExampleRecordWriter.read(g.json, g.keyTask);
            assertThat(read.ok()).as("%s: %s", g.json, read.error()).isTrue();
            assertThat(read.taskFromKey()).isEqualTo(!g.json.contains("\"task\""));
            keyOnly += read.taskFromKey() ? 1 : 0;
            TaskPlacement placement = read.taskFromKey() ? TaskPlacement.KEY_ONLY
                    : TaskPlacement.values()[r.nextInt(3)];
            Written w = ExampleRecordWriter.write(read.record(), placement);
            InputRecordParser.Result again = PARSER.parse(w.key(), w.value(), RECORD_TS);
            assertThat(again.ok()).as("%s rewritten as %s: %s", g.json, new String(w.value(), StandardCharsets.UTF_8),
                    again.message()).isTrue();
            assertSame(again.instance(), original.instance(), g.json);
            if (placement == TaskPlacement.KEY_ONLY) {
                assertThat(new String(w.value(), StandardCharsets.UTF_8)).doesNotContain("\"task\"");
            }

            // Reading what the writer wrote gives the same bytes: the written form is a fixed point.
            Read reread = ExampleRecordWriter.read(new String(w.value(), StandardCharsets.UTF_8),
                    w.key() == null ? null : new String(w.key(), StandardCharsets.UTF_8));
            assertThat(ExampleRecordWriter.write(reread.record(), placement).value()).isEqualTo(w.value());
        }
        assertThat(java.util.Arrays.stream(shapes).min().getAsInt()).isGreaterThan(1000);
        assertThat(keyOnly).isGreaterThan(300);
    }

    @Test
    void everyFloatIsWrittenAsTextThatReadsBackAsItself() {
        // Random bit patterns cover subnormals, the largest exponents and both signs; the parser reads a feature as a
        // double and narrows it, so that is the reading the text must survive.
        SplittableRandom r = new SplittableRandom(20261206L);
        for (int n = 0; n < 200_000; n++) {
            float f = Float.intBitsToFloat(r.nextInt());
            if (!Float.isFinite(f)) {
                continue;
            }
            StringBuilder sb = new StringBuilder();
            ExampleRecordWriter.appendFloat(sb, f);
            String text = sb.toString();
            assertThat(Float.floatToIntBits((float) Double.parseDouble(text))).as(text).isEqualTo(Float.floatToIntBits(f));
        }
    }

    @Test
    void examplesWrittenDenseOrSparseParseBackToTheSameInstance() {
        SplittableRandom r = new SplittableRandom(7);
        for (int n = 0; n < 3000; n++) {
            String task = TASKS[r.nextInt(TASKS.length)];
            float[] x = new float[DIM];
            int nonZero = r.nextInt(DIM + 1);
            for (int k = 0; k < nonZero; k++) {
                x[r.nextInt(DIM)] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-6, 4)));
            }
            // Labels as the parser encodes them, so the target is what the writer must reproduce.
            String label = label(r, task);
            Instance expected = PARSER.parse(null, utf8("{\"task\":\"" + task + "\",\"x\":" + floats(x)
                    + ",\"y\":" + label + ",\"id\":\"e" + n + "\",\"ts\":" + n + "}"), RECORD_TS).instance();
            boolean unlabelled = r.nextInt(5) == 0;
            ExampleRecord e = ExampleRecord.of(expected, unlabelled ? null : CONFIG.taskSpec(task), r.nextBoolean());
            Written w = ExampleRecordWriter.write(e, TaskPlacement.KEY_AND_VALUE);
            Instance back = PARSER.parse(w.key(), w.value(), RECORD_TS).instance();
            assertThat(back).as(new String(w.value(), StandardCharsets.UTF_8)).isNotNull();
            Instance want = unlabelled ? new Instance(task, expected.x(), null, expected.id(), expected.timestamp())
                    : expected;
            assertSame(back, want, new String(w.value(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void sparseRowsStaySparseAndNamedFeaturesHashAsTheParserDoes() {
        float[] x = new float[1 << 20];
        x[3] = 1.5f;
        x[999_999] = -2f;
        Instance in = new Instance("t", x, null, null, 0);
        String json = ExampleRecordWriter.json(ExampleRecord.of(in, null));
        assertThat(json).isEqualTo("{\"task\":\"t\",\"sparse\":{\"idx\":[3,999999],\"val\":[1.5,-2.0]},\"ts\":0}");

        Map<String, Object> named = new LinkedHashMap<>();
        named.put("genres", List.of("Comedy", "Drama"));
        named.put("age", 31);
        named.put("member", true);
        named.put("city", "Oslo");
        ExampleRecord e = new ExampleRecord("42", new ExampleRecord.Named(named), new ExampleRecord.Value(1), null,
                null);
        String written = ExampleRecordWriter.json(e);
        assertThat(written).isEqualTo("{\"task\":\"42\",\"features\":{\"genres\":[\"Comedy\",\"Drama\"],\"age\":31,"
                + "\"member\":true,\"city\":\"Oslo\"},\"y\":1}");
        float[] want = new float[DIM];
        hash(want, "genres=Comedy", 1);
        hash(want, "genres=Drama", 1);
        hash(want, "age", 31);
        hash(want, "member", 1);
        hash(want, "city=Oslo", 1);
        assertThat(PARSER.parse(null, utf8(written), 0).instance().x()).containsExactly(want);
    }

    @Test
    void readSaysWhatIsWrongWithARecordTheParserWouldReject() {
        assertThat(ExampleRecordWriter.read("{\"x\":[1]}", null).error()).contains("--task");
        assertThat(ExampleRecordWriter.read("{\"task\":\"t\"}", null).error()).contains("no features");
        assertThat(ExampleRecordWriter.read("{\"task\":\"t\",\"x\":[1],\"sparse\":{}}", null).error())
                .contains("more than one");
        assertThat(ExampleRecordWriter.read("{\"task\":\"t\",\"x\":[1e39]}", null).error()).contains("not finite");
        assertThat(ExampleRecordWriter.read("{\"task\":\"t\",\"features\":{\"g\":[1]}}", null).error())
                .contains("other than strings");
        assertThat(ExampleRecordWriter.read("{\"task\":1.5,\"x\":[1]}", null).error()).contains("whole number");
        assertThat(ExampleRecordWriter.read("{\"task\":\"t\",\"x\":[1]} {}", null).error()).contains("invalid JSON");
        assertThat(ExampleRecordWriter.read("{\"task\":\"t\",\"x\":[1],\"ts\":-1}", null).error()).contains("ts");
    }

    // ------------------------------------------------------------------------------------------------ generation

    /** A record the parser accepts, in one of three feature shapes, with the key's task when the value has none. */
    private record Generated(String json, String keyTask, int shape) {}

    private static Generated generate(SplittableRandom r) {
        String task = TASKS[r.nextInt(TASKS.length)];
        StringBuilder sb = new StringBuilder("{");
        String keyTask = null;
        int placement = r.nextInt(4);
        if (placement == 0) {
            keyTask = task; // key-only
        } else if (task.equals("7") && placement == 1) {
            sb.append("\"task\":7,"); // a numeric task id
        } else {
            sb.append("\"task\":\"").append(task).append("\",");
            if (placement == 2) {
                keyTask = "ignored-" + task; // the value's task wins over the key
            }
        }
        int shape = r.nextInt(3);
        switch (shape) {
            case 0 -> {
                sb.append("\"x\":[");
                for (int i = 0; i < DIM; i++) {
                    sb.append(i > 0 ? "," : "").append(number(r));
                }
                sb.append(']');
            }
            case 1 -> {
                int k = r.nextInt(6);
                StringBuilder idx = new StringBuilder();
                StringBuilder val = new StringBuilder();
                for (int i = 0; i < k; i++) {
                    idx.append(i > 0 ? "," : "").append(r.nextInt(DIM)); // repeats allowed: values add
                    val.append(i > 0 ? "," : "").append(number(r));
                }
                sb.append("\"sparse\":{\"idx\":[").append(idx).append("],\"val\":[").append(val).append("]}");
            }
            default -> {
                sb.append("\"features\":{");
                int k = r.nextInt(6);
                for (int i = 0; i < k; i++) {
                    sb.append(i > 0 ? "," : "").append("\"f").append(i).append(r.nextInt(3) == 0 ? " \\u00e9" : "")
                            .append("\":");
                    switch (r.nextInt(4)) {
                        case 0 -> sb.append(number(r));
                        case 1 -> sb.append("\"v").append(r.nextInt(20)).append('"');
                        case 2 -> sb.append(r.nextBoolean());
                        default -> {
                            sb.append('[');
                            int m = r.nextInt(4);
                            for (int j = 0; j < m; j++) {
                                sb.append(j > 0 ? "," : "").append("\"g").append(r.nextInt(10)).append('"');
                            }
                            sb.append(']');
                        }
                    }
                }
                sb.append('}');
            }
        }
        if (r.nextInt(4) != 0) {
            sb.append(",\"y\":").append(label(r, task));
        }
        switch (r.nextInt(4)) {
            case 0 -> sb.append(",\"id\":\"row \\\"").append(r.nextInt(1000)).append("\\\"\"");
            case 1 -> sb.append(",\"id\":").append(r.nextInt(1000));
            default -> { }
        }
        if (r.nextBoolean()) {
            sb.append(",\"ts\":").append(r.nextLong(0, 1L << 45));
        }
        if (r.nextInt(5) == 0) {
            sb.append(",\"extra\":{\"ignored\":[1,2]}");
        }
        return new Generated(sb.append('}').toString(), keyTask, shape);
    }

    /** A feature value in one of the forms a user writes: integers, short and long decimals, exponents. */
    private static String number(SplittableRandom r) {
        return switch (r.nextInt(5)) {
            case 0 -> "0";
            case 1 -> String.valueOf(r.nextInt(-100, 100));
            case 2 -> String.valueOf(Math.round(r.nextGaussian() * 1000) / 100.0);
            case 3 -> Double.toString(r.nextGaussian() * Math.pow(10, r.nextInt(-8, 4)));
            default -> String.format(java.util.Locale.ROOT, "%.3e", r.nextGaussian() * 1e4);
        };
    }

    private static String label(SplittableRandom r, String task) {
        return switch (task) {
            case "sent" -> r.nextBoolean() ? String.valueOf(r.nextInt(3))
                    : "\"" + List.of("neg", "neu", "pos").get(r.nextInt(3)) + "\"";
            case "churn" -> List.of("0", "1", "true", "false", "1.0").get(r.nextInt(5));
            case "price" -> r.nextBoolean() ? String.valueOf(r.nextInt(-50, 50))
                    : Double.toString(r.nextGaussian() * 1000);
            case "tags" -> "[" + r.nextInt(2) + "," + r.nextInt(2) + "," + r.nextInt(2) + "]";
            default -> r.nextBoolean() ? String.valueOf(r.nextInt(3)) : r.nextInt(3) + ".0";
        };
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static void assertSame(Instance actual, Instance expected, String what) {
        assertThat(actual.task()).as(what).isEqualTo(expected.task());
        assertThat(actual.id()).as(what).isEqualTo(expected.id());
        assertThat(actual.timestamp()).as(what).isEqualTo(expected.timestamp());
        assertThat(actual.x().length).isEqualTo(expected.x().length);
        for (int i = 0; i < expected.x().length; i++) {
            // == rather than bit equality: a sparse row drops a -0 and the parser's zero is +0
            assertThat(actual.x()[i] == expected.x()[i]).as("%s: x[%d] %s vs %s", what, i, actual.x()[i],
                    expected.x()[i]).isTrue();
        }
        if (expected.target() == null) {
            assertThat(actual.target()).as(what).isNull();
        } else {
            assertThat(actual.target()).as(what).containsExactly(expected.target());
        }
    }

    private static String floats(float[] x) {
        List<String> s = new ArrayList<>();
        for (float v : x) {
            s.add(Double.toString(v));
        }
        return "[" + String.join(",", s) + "]";
    }

    private static void hash(float[] x, String name, double value) {
        int h = FeatureHashing.murmur3(name);
        x[Math.floorMod(h, x.length)] += (float) (h < 0 ? -value : value);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
