package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metastream.HeadlessChromium;
import dev.metastream.data.SyntheticStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real headless Chromium: the app runs on the embedded broker with a bearer token, examples (with a
 * drifting task and a few malformed records) are produced while the page is open, and the page must load with no
 * console error, draw a prequential curve while the app learns, and count the dead letters. The screenshot is kept as
 * {@code target/dashboard.png}. Skipped where {@code /usr/bin/chromium} is absent.
 */
class DashboardBrowserTest {
    private static final String TOKEN = "dash-token-5c1e";
    private static final int EXAMPLES = 6_000;
    private static final Duration BOUND = Duration.ofSeconds(180);
    private final ObjectMapper mapper = new ObjectMapper();

    @TempDir
    Path stateDir;

    @Test
    void showsLiveCurvesDeadLettersAndTheSharedModelInARealBrowser() throws Exception {
        assumeTrue(HeadlessChromium.available(), "no " + HeadlessChromium.BINARY + " here: install Debian's chromium "
                + "(apt-get install chromium) to run the dashboard's browser test");
        SyntheticStream stream = new SyntheticStream(SyntheticStream.Config.defaults().withTasks(4).withSeed(5)
                .withDriftAt(3_000).withDriftTask("task-0"));
        Properties p = new Properties();
        p.setProperty("application.id", "metastream-dashboard");
        p.setProperty("state.dir", stateDir.toString());
        p.setProperty("input.dim", String.valueOf(stream.config().inputDim()));
        p.setProperty("task.classes", String.valueOf(stream.config().classes()));
        p.setProperty("model.trunk.layers", "32");
        p.setProperty("learner.batch.size", "16");
        p.setProperty("metrics.every.examples", "50");
        p.setProperty("metrics.interval.ms", "1000");
        p.setProperty("meta.sync.interval.ms", "500");
        p.setProperty("topics.partitions", "2");
        p.setProperty("http.port", "0");
        p.setProperty("http.auth.token", TOKEN);
        AppConfig config = AppConfig.of(p);
        Path target = Path.of("target");

        try (EmbeddedKafka broker = EmbeddedKafka.start(null, 0, Map.of());
             MetastreamApp app = new MetastreamApp(config, broker.bootstrapServers());
             HeadlessChromium browser = HeadlessChromium.start(target.resolve("chromium"))) {
            app.ensureTopics();
            app.start();
            int port = app.httpPort();

            // The page and its library are open; the data needs the token.
            HttpCalls anon = new HttpCalls(null);
            assertThat(anon.get(port, "/").statusCode()).isEqualTo(200);
            assertThat(anon.get(port, "/dashboard/echarts.min.js").statusCode()).isEqualTo(200);
            assertThat(anon.get(port, "/dashboard/summary").statusCode()).isEqualTo(401);
            assertThat(anon.get(port, "/dashboard/curves?tasks=task-0").statusCode()).isEqualTo(401);

            // The token travels in the fragment, which the browser never sends; the page keeps it in local storage.
            browser.open("http://127.0.0.1:" + port + "/#token=" + TOKEN);
            browser.await("window.metastreamCharts && document.getElementById('status').textContent"
                    + ".startsWith('updated')", BOUND, "the page's first update");

            // Two halves: the page must follow the second one live, after it drew the first.
            produce(broker.bootstrapServers(), config, stream, EXAMPLES / 2);
            browser.await("window.metastreamCurvePoints > 0", BOUND, "a prequential curve with points");
            long before = shownExamples(browser);
            produce(broker.bootstrapServers(), config, stream, EXAMPLES / 2);
            browser.await("Number(document.getElementById('nexamples').textContent.replace(/,/g, '')) >= "
                    + (before + 1_000), BOUND, "the second half counted live (more than " + before + " examples)");
            browser.await("Number(document.getElementById('ndead').textContent) >= 2", BOUND,
                    "the dead letters counted");
            browser.await("Number(document.getElementById('meta').textContent.substring(1)) >= 1", BOUND,
                    "a shared-model version after the first");
            // A fuller picture for the screenshot: the busiest tasks' curves with some length, task-0's drift.
            browser.await("window.metastreamCurvePoints >= 20", BOUND, "curves of 20 points or more");
            browser.await("document.querySelectorAll('#rows tr').length >= 4", BOUND, "the four tasks listed");
            JsonNode rows = browser.eval("Array.from(document.querySelectorAll('#rows tr td:nth-child(2)'))"
                    + ".map(function (td) { return td.textContent; })");
            assertThat(rows).extracting(JsonNode::asText).contains("task-0", "task-1", "task-2", "task-3");

            // The search box narrows the list to the matching tasks.
            browser.eval("(function () { var s = document.getElementById('search'); s.value = 'task-3';"
                    + " s.dispatchEvent(new Event('input')); return true; })()");
            browser.await("document.querySelectorAll('#rows tr').length === 1", BOUND, "the search result");
            browser.eval("(function () { var s = document.getElementById('search'); s.value = '';"
                    + " s.dispatchEvent(new Event('input')); return true; })()");
            browser.await("document.querySelectorAll('#rows tr').length >= 4", BOUND, "every task again");

            Path shot = target.resolve("dashboard.png");
            browser.screenshot(shot);
            assertThat(Files.size(shot)).isPositive();
            assertThat(browser.errors()).as("console errors and uncaught exceptions").isEmpty();

            HttpResponse<String> summary = new HttpCalls(TOKEN).get(port, "/dashboard/summary?q=task-0");
            JsonNode s = mapper.readTree(summary.body());
            assertThat(s.path("tasks_matched").asInt()).isEqualTo(1);
            assertThat(s.path("dead_letters").path("not-json").asLong()).isPositive();
        }
    }

    private static long shownExamples(HeadlessChromium browser) {
        return browser.eval("Number(document.getElementById('nexamples').textContent.replace(/,/g, ''))").asLong();
    }

    private static void produce(String bootstrap, AppConfig config, SyntheticStream stream, int n) {
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        String topic = config.topology().examplesTopic();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < n; i++) {
                SyntheticStream.Example e = stream.next();
                producer.send(new ProducerRecord<>(topic, bytes(e.task()), bytes(SyntheticStream.toJson(e))));
                if (i % 1000 == 999) {
                    producer.send(new ProducerRecord<>(topic, bytes(e.task()), bytes(i % 2000 == 999
                            ? "{\"task\": \"t\", \"x\": [1]}" : "{oops")));
                }
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
