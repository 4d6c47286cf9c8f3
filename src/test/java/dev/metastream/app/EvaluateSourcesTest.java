package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code metastream evaluate} from the command line on every source: each generator (the drift streams in a mode
 * with change points, so the drift report is exercised) and a tiny CSV and JSONL file, small sizes, in process.
 */
class EvaluateSourcesTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err, JsonNode json) {}

    private Run evaluate(String name, String... args) throws Exception {
        Path json = dir.resolve(name + ".json");
        List<String> all = new ArrayList<>(List.of("evaluate", "--quiet", "--json", json.toString()));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(all.toArray(String[]::new));
        JsonNode j = Files.exists(json) ? new ObjectMapper().readTree(json.toFile()) : null;
        return new Run(code, out.toString(), err.toString(), j);
    }

    /** Drift streams: 3 change points in 400 examples; every change point is found or missed, every detection placed. */
    @Test
    void everyDriftGeneratorReportsItsChangePoints() throws Exception {
        for (String source : new String[] {"sea:length=100", "hyperplane:mode=abrupt,length=100",
                "rbf:mode=abrupt,length=100", "stagger:length=100"}) {
            Run r = evaluate(source.substring(0, source.indexOf(':')), "--source", source, "--train-per-task", "400",
                    "--test-per-task", "40", "--no-reference", "--window", "50");
            assertThat(r.code()).as(source + ": " + r.err()).isZero();
            JsonNode d = r.json().path("drift");
            assertThat(d.path("change_points").asInt()).as(source).isEqualTo(3);
            assertThat(d.path("found").size() + d.path("missed").asInt()).as(source).isEqualTo(3);
            assertThat(d.path("found").size() + d.path("false_alarms").asInt()).as(source)
                    .isEqualTo(d.path("detections").size());
            for (JsonNode f : d.path("found")) {
                assertThat(f.path("delay").asLong()).isBetween(0L, 1000L);
            }
            assertThat(r.out()).contains("drift: 3 change points");
            JsonNode task = r.json().path("per_task").get(0);
            // Two classes: the test set has every classification figure and the AUC.
            assertThat(task.path("test").path("metrics").path("kappa").isNumber()).as(source).isTrue();
            assertThat(task.path("test").path("metrics").has("auc")).as(source).isTrue();
            assertThat(task.path("test").path("per_class")).hasSize(2);
            assertThat(task.path("prequential_metrics").path("accuracy_window").isNumber()).isTrue();
            assertThat(r.json().path("prequential").path("curve").size()).isGreaterThan(100);
        }
    }

    /** A stream no longer than one concept has no change point: the command says why instead of a silent gap. */
    @Test
    void aDriftStreamWithoutChangePointsSaysWhy() throws Exception {
        Run sea = evaluate("sea-short", "--source", "sea", "--train-per-task", "200", "--no-reference");
        assertThat(sea.code()).isZero();
        assertThat(sea.json().path("drift").path("change_points").asInt()).isZero();
        assertThat(sea.out()).contains("note: the stream has no change point").contains("sea:length=");
        Run hyper = evaluate("hyper-gradual", "--source", "hyperplane", "--train-per-task", "200", "--no-reference");
        assertThat(hyper.out()).contains("hyperplane:mode=abrupt");
    }

    @Test
    void sinusoidRegression() throws Exception {
        Run r = evaluate("sinusoid", "--source", "sinusoid", "--tasks", "3", "--train-per-task", "20",
                "--test-per-task", "10", "--no-reference");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.json().path("metric").asText()).isEqualTo("mse");
        JsonNode m = r.json().path("per_task").get(1).path("test").path("metrics");
        assertThat(m.path("mse").asDouble()).isPositive();
        assertThat(m.path("rmse").asDouble()).isCloseTo(Math.sqrt(m.path("mse").asDouble()),
                org.assertj.core.api.Assertions.within(1e-12));
        assertThat(m.has("mae") && m.has("r2")).isTrue();
        assertThat(r.json().path("adaptation").path("shots").asInt()).isEqualTo(10);
        assertThat(r.out()).contains("test mse");
    }

    @Test
    void tinyCsvAndJsonlFiles() throws Exception {
        Random rnd = new Random(4);
        StringBuilder csv = new StringBuilder("segment,a,b,label\n");
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 120; i++) {
            String seg = i % 2 == 0 ? "s1" : "s2";
            double a = rnd.nextGaussian();
            double b = rnd.nextGaussian();
            String label = (seg.equals("s1") ? a > 0 : b > 0) ? "yes" : "no";
            csv.append(String.format(Locale.ROOT, "%s,%.4f,%.4f,%s%n", seg, a, b, label));
            jsonl.append(String.format(Locale.ROOT, "{\"task\": \"%s\", \"x\": [%.4f, %.4f], \"y\": %d}%n", seg, a, b,
                    label.equals("yes") ? 1 : 0));
        }
        Path c = dir.resolve("tiny.csv");
        Path l = dir.resolve("tiny.jsonl");
        Files.writeString(c, csv);
        Files.writeString(l, jsonl);
        Run rc = evaluate("csv", "--source", "csv:" + c, "--task-column", "segment", "--label-column", "label",
                "--train-per-task", "40", "--test-per-task", "20", "--strategy", "agem");
        Run rl = evaluate("jsonl", "--source", "jsonl:" + l, "--train-per-task", "40", "--test-per-task", "20",
                "--no-reference");
        for (Run r : List.of(rc, rl)) {
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.json().path("tasks")).hasSize(2);
            assertThat(r.json().path("matrix")).hasSize(2);
            assertThat(r.json().path("per_task").get(0).path("test").path("examples").asInt()).isEqualTo(20);
            assertThat(r.json().path("per_task").get(0).path("test").path("metrics").has("f1_macro")).isTrue();
        }
        // CSV class names reach the per-class figures; the reference run gives the transfer figures.
        assertThat(rc.json().path("per_task").get(0).path("test").path("per_class").get(0).path("name").asText())
                .isIn("yes", "no");
        assertThat(rc.json().path("transfer").path("gain").isNumber()).isTrue();
        assertThat(rc.out()).contains("multi-task gain");
    }
    /** A CSV with 0/1 labels and numeric targets: task.kind from --set or --config decides how the labels are read. */
    @Test
    void taskKindFromSetOrConfigReachesTheFileSources() throws Exception {
        Random rnd = new Random(9);
        StringBuilder csv = new StringBuilder("a,b,clicked,amount\n");
        for (int i = 0; i < 200; i++) {
            double a = rnd.nextGaussian();
            double b = rnd.nextGaussian();
            csv.append(String.format(Locale.ROOT, "%.4f,%.4f,%d,%.4f%n", a, b, a + b > 0 ? 1 : 0, 2 * a - b));
        }
        Path c = dir.resolve("clicks.csv");
        Files.writeString(c, csv);
        Run binary = evaluate("binary", "--source", "csv:" + c, "--label-column", "clicked", "--feature-columns",
                "a,b", "--test-per-task", "50", "--no-reference", "--set", "task.kind=binary");
        assertThat(binary.code()).as(binary.err()).isZero();
        assertThat(binary.json().path("config").path("settings").path("task.kind").asText()).isEqualTo("binary");
        assertThat(binary.json().path("per_task").get(0).path("test").path("metrics").has("auc")).isTrue();
        assertThat(binary.json().path("metric").asText()).isEqualTo("accuracy");

        Run regression = evaluate("regression", "--source", "csv:" + c, "--label-column", "amount",
                "--feature-columns", "a,b", "--test-per-task", "50", "--no-reference", "--set",
                "task.kind=regression");
        assertThat(regression.code()).as(regression.err()).isZero();
        assertThat(regression.json().path("metric").asText()).isEqualTo("mse");
        assertThat(regression.json().path("per_task").get(0).path("test").path("metrics").has("rmse")).isTrue();

        // The run --config file: learner keys apply (task.kind=binary reaches the labels), the keys the data fixes
        // (input.dim, task.classes) and Kafka/topology keys are left out.
        Path props = dir.resolve("app.properties");
        Files.writeString(props, """
                bootstrap.servers=broker:9092
                topic.examples=examples
                input.dim=100
                task.kind=binary
                task.classes=10
                model.seed=7
                """);
        Run config = evaluate("config", "--source", "csv:" + c, "--label-column", "clicked", "--feature-columns",
                "a,b", "--test-per-task", "50", "--no-reference", "--config", props.toString());
        assertThat(config.code()).as(config.err()).isZero();
        JsonNode settings = config.json().path("config").path("settings");
        assertThat(settings.path("task.kind").asText()).isEqualTo("binary");
        assertThat(settings.path("input.dim").asText()).isEqualTo("2");
        assertThat(settings.path("model.seed").asText()).isEqualTo("7");
        assertThat(settings.has("bootstrap.servers")).isFalse();
        assertThat(settings.has("task.classes")).isFalse();

        // A --set that does not fit the labels is refused naming the keys, not a stack trace.
        Run wrong = evaluate("wrong", "--source", "csv:" + c, "--label-column", "clicked", "--feature-columns", "a,b",
                "--no-reference", "--set", "task.classes=5");
        assertThat(wrong.code()).isNotZero();
        assertThat(wrong.err()).contains("classification:5").contains("2 values").contains("--set");
    }

    /** json:FILE with a thresholded label and a time column, interleaved tasks, through the command line. */
    @Test
    void jsonArrayWithThresholdAndTimeColumns() throws Exception {
        Random rnd = new Random(5);
        StringBuilder json = new StringBuilder("[");
        String[] origins = {"DTW", "HNL", "LAS"};
        for (int i = 0; i < 300; i++) {
            int distance = 100 + rnd.nextInt(2000);
            int delay = (distance > 1000 ? 20 : 0) + rnd.nextInt(10) - 5;
            json.append(i == 0 ? "" : ",\n").append(String.format(Locale.ROOT,
                    "{\"date\":\"2001/01/%02d %02d:%02d\",\"delay\":%d,\"distance\":%d,\"origin\":\"%s\","
                            + "\"destination\":\"%s\"}", 1 + i / 12, i % 24, i % 60, delay, distance,
                    origins[i % 3], origins[(i + 1) % 3]));
        }
        Path f = dir.resolve("flights.json");
        Files.writeString(f, json.append("]"));
        Run r = evaluate("flights", "--source", "json:" + f, "--task-column", "origin", "--label-column", "delay",
                "--label-threshold", "15", "--feature-columns", "distance", "--hash-columns", "destination",
                "--time-columns", "date", "--set", "task.kind=binary", "--test-per-task", "20", "--input-dim", "64");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.json().path("tasks")).hasSize(3);
        assertThat(r.json().path("examples").asLong()).isEqualTo(240);
        assertThat(r.json().path("config").path("settings").path("input.dim").asText()).isEqualTo("64");
        assertThat(r.json().path("prequential").path("cumulative").asDouble()).isBetween(0.0, 1.0);
    }
    /** --multi-value-columns and --multi-value-separator from the command line: one hashed feature per value. */
    @Test
    void csvMultiValueColumnsFromTheCommandLine() throws Exception {
        Random rnd = new Random(3);
        String[] genres = {"Comedy", "Drama", "Horror", "Action"};
        StringBuilder csv = new StringBuilder("genres,liked\n");
        for (int i = 0; i < 120; i++) {
            String a = genres[rnd.nextInt(4)];
            String b = genres[rnd.nextInt(4)];
            csv.append(a).append(';').append(b).append(',').append(a.equals("Comedy") || b.equals("Comedy") ? 1 : 0)
                    .append('\n');
        }
        Path c = dir.resolve("genres.csv");
        Files.writeString(c, csv);
        Run r = evaluate("genres", "--source", "csv:" + c, "--label-column", "liked", "--multi-value-columns", "genres",
                "--multi-value-separator", ";", "--input-dim", "16", "--test-per-task", "20", "--no-reference");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.json().path("config").path("settings").path("input.dim").asText()).isEqualTo("16");
        assertThat(r.json().path("examples").asLong()).isEqualTo(100);
        // Without the separator every cell is one value: "Comedy;Drama" is then not a column of numbers either way.
        Run unsplit = evaluate("unsplit", "--source", "csv:" + c, "--label-column", "liked", "--feature-columns",
                "genres", "--test-per-task", "20", "--no-reference");
        assertThat(unsplit.code()).isNotZero();
        assertThat(unsplit.err()).contains("no usable rows").contains("non-numeric genres");
    }
}
