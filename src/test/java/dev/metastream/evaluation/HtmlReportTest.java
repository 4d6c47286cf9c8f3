package dev.metastream.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metastream.HeadlessChromium;
import dev.metastream.app.Main;
import dev.metastream.charts.ChartLibrary;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code evaluate --html}: two small runs through the command line, in process: SEA permuted into three tasks (a
 * 3 x 3 accuracy matrix, anytime points, three adaptation curves) and one STAGGER stream whose concept changes every
 * 600 examples (true change points and detections on the prequential curve). Each report must hold the library and the
 * data inline and nothing to fetch, and, opened from disk in a real headless Chromium, draw its charts with no console
 * error. The screenshots are kept as {@code target/evaluate-report-tasks.png} and
 * {@code target/evaluate-report-drift.png}.
 */
class HtmlReportTest {
    @TempDir
    static Path dir;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @BeforeAll
    static void evaluate() {
        run("tasks", "sea:length=400", "--transform", "permute:3", "--train-per-task", "1200");
        run("drift", "stagger:length=600");
    }

    private static void run(String name, String source, String... more) {
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(out));
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("evaluate", "--source", source,
                "--test-per-task", "100", "--eval-every", "300", "--no-reference", "--quiet", "--seed", "3",
                "--json", dir.resolve(name + ".json").toString(), "--html", dir.resolve(name + ".html").toString()));
        args.addAll(java.util.List.of(more));
        int code = cl.execute(args.toArray(String[]::new));
        assertThat(code).as(out.toString()).isZero();
        assertThat(out.toString()).contains("wrote " + dir.resolve(name + ".html"));
    }

    /** The report's data, checked to be one self-contained page on the way. */
    private static JsonNode data(String name) throws Exception {
        String html = Files.readString(dir.resolve(name + ".html"), StandardCharsets.UTF_8);
        assertThat(html).startsWith("<!DOCTYPE html>");
        // The library inline; nothing else refers to the network: no script, stylesheet or address to fetch.
        assertThat(html).contains(ChartLibrary.bundleText());
        String page = html.replace(ChartLibrary.bundleText(), "");
        assertThat(page).doesNotContain("<script src").doesNotContain("<link rel=\"stylesheet\"")
                .doesNotContain("http:").doesNotContain("https:");
        // Three script elements and no more: the data cannot close one.
        assertThat(html.split("</script>", -1)).hasSize(4);
        Matcher m = Pattern.compile("<script type=\"application/json\" id=\"report-data\">(.*?)</script>",
                Pattern.DOTALL).matcher(html);
        assertThat(m.find()).isTrue();
        return MAPPER.readTree(m.group(1));
    }

    @Test
    void holdsTheMatrixTheCurvesAndTheBaselinesOfATaskSequence() throws Exception {
        JsonNode d = data("tasks");
        JsonNode full = MAPPER.readTree(dir.resolve("tasks.json").toFile());
        assertThat(d.path("tasks")).hasSize(3);
        assertThat(d.path("matrix")).hasSize(3);
        assertThat(d.path("matrix").get(2)).hasSize(3);
        assertThat(d.path("matrix").get(2).get(0).asDouble())
                .isEqualTo(full.path("matrix").get(2).get(0).asDouble());
        assertThat(d.path("baseline")).hasSize(3);
        assertThat(d.path("prequential").path("curve").size()).isGreaterThan(10);
        assertThat(d.path("anytime").size()).isGreaterThanOrEqualTo(3);
        assertThat(d.path("adaptation_curves")).hasSize(3);
        assertThat(d.path("baselines").path("figures").fieldNames()).toIterable()
                .contains("product (metastream)", "majority", "no-change", "linear");
        assertThat(d.path("baselines").path("figures").path("linear").path("accuracy").asDouble())
                .isEqualTo(full.path("baselines").path("linear").path("accuracy").asDouble());
    }

    @Test
    void placesTheTrueChangePointsAndTheDetectionsOnTheStream() throws Exception {
        JsonNode d = data("drift");
        JsonNode full = MAPPER.readTree(dir.resolve("drift.json").toFile());
        // STAGGER changes concept every 600 examples: 2 changes in its 1,800, at the 601st and the 1,201st example.
        JsonNode changes = d.path("drift").path("true_changes");
        assertThat(changes).hasSize(full.path("drift").path("change_points").asInt()).hasSize(2);
        assertThat(changes).extracting(c -> c.path("x").asLong()).containsExactly(601L, 1201L);
        JsonNode detections = d.path("drift").path("detections");
        assertThat(detections).hasSize(full.path("drift").path("detections").size()).isNotEmpty();
        for (JsonNode det : detections) {
            // One task, so a detection sits at the count of examples its task had scored.
            assertThat(det.path("x").asLong()).isEqualTo(det.path("position").asLong());
        }
        assertThat(detections).filteredOn(det -> det.path("found").asBoolean())
                .hasSize(full.path("drift").path("found").size());
    }

    private static int indexOf(JsonNode d, String task) {
        for (int i = 0; i < d.path("tasks").size(); i++) {
            if (d.path("tasks").get(i).asText().equals(task)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void drawsEveryChartInAHeadlessBrowserWithoutErrors() throws Exception {
        assumeTrue(HeadlessChromium.available(), "no " + HeadlessChromium.BINARY + " here: install Debian's chromium "
                + "(apt-get install chromium) to open the report in a browser");
        try (HeadlessChromium browser = HeadlessChromium.start(Path.of("target", "chromium"))) {
            for (String name : new String[] {"tasks", "drift"}) {
                browser.open(dir.resolve(name + ".html").toUri().toString());
                browser.await("window.metastreamReport !== undefined && document.title.length > 0",
                        Duration.ofSeconds(120), "the script of report " + name);
                JsonNode rendered = browser.eval("window.metastreamReport.rendered");
                assertThat(rendered).extracting(JsonNode::asText).as(name)
                        .containsExactlyInAnyOrder("matrix", "baselines", "prequential", "anytime", "adaptation");
                for (JsonNode id : rendered) {
                    String el = "document.getElementById('" + id.asText() + "')";
                    assertThat(browser.eval("echarts.getInstanceByDom(" + el + ").getOption().series.length").asInt())
                            .as(name + " " + id.asText()).isPositive();
                    assertThat(browser.eval(el + ".querySelector('canvas').width").asInt())
                            .as(name + " " + id.asText()).isPositive();
                }
                if (name.equals("drift")) {
                    // The change points and detections are lines on the cumulative curve.
                    assertThat(browser.eval("echarts.getInstanceByDom(document.getElementById('prequential'))"
                            + ".getOption().series[0].markLine.data.length").asInt()).isGreaterThanOrEqualTo(3);
                    assertThat(browser.eval("document.getElementById('drift-note').textContent").asText())
                            .contains("2 change points");
                }
                browser.screenshot(Path.of("target", "evaluate-report-" + name + ".png"), true);
            }
            assertThat(browser.errors()).as("console errors and uncaught exceptions").isEmpty();
        }
    }
}
