package dev.metastream.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.metastream.HeadlessChromium;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The dashboard page with 5,000 tasks, each with a 100-point curve and some with drift events, served by the
 * dashboard's own handler (no broker: the history is filled directly). The page must list the busiest 200, count all
 * 5,000, find one task by search, draw the curves of the tasks clicked, and log no console error. Screenshot:
 * {@code target/dashboard-5000-tasks.png}. Skipped where {@code /usr/bin/chromium} is absent.
 */
class DashboardManyTasksBrowserTest {
    private static final int TASKS = 5_000;
    private static final Duration BOUND = Duration.ofSeconds(120);

    @Test
    void listsTheBusiestOfThousandsOfTasksAndDrawsOnlyTheChosenOnes() throws Exception {
        assumeTrue(HeadlessChromium.available(), "no " + HeadlessChromium.BINARY + " here: install Debian's chromium "
                + "(apt-get install chromium) to run the dashboard's browser tests");
        Dashboard dashboard = new Dashboard(() -> null, new SimpleMeterRegistry());
        fill(dashboard.history());
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/", ex -> {
            try (ex) {
                String path = ex.getRequestURI().getPath();
                if (Dashboard.isOpen(path) || Dashboard.isData(path)) {
                    dashboard.handle(ex, path);
                } else {
                    ex.sendResponseHeaders(404, -1);
                }
            }
        });
        server.start();
        try (HeadlessChromium browser = HeadlessChromium.start(Path.of("target", "chromium"))) {
            browser.open("http://127.0.0.1:" + server.getAddress().getPort() + "/");
            browser.await("window.metastreamCurvePoints > 0", BOUND, "the first curves");
            assertThat(browser.eval("document.getElementById('ntasks').textContent").asText()).isEqualTo("5,000");
            assertThat(browser.eval("document.querySelectorAll('#rows tr').length").asInt()).isEqualTo(200);
            // Busiest first: task-4999 has the most examples; until a row is clicked the three busiest are drawn.
            assertThat(browser.eval("document.querySelector('#rows tr td:nth-child(2)').textContent").asText())
                    .isEqualTo("task-4999");
            assertThat(browser.eval("window.metastreamCurvePoints").asInt()).isEqualTo(300);

            browser.eval("(function () { var s = document.getElementById('search'); s.value = 'task-123';"
                    + " s.dispatchEvent(new Event('input')); return true; })()");
            // task-123 and task-1230 .. task-1239
            browser.await("document.querySelectorAll('#rows tr').length === 11", BOUND, "the search result");
            // Until a row is clicked the three busiest matches are drawn; clicking the fourth adds its curve.
            browser.await("window.metastreamCurvePoints === 300 && document.querySelectorAll('#rows tr.sel').length"
                    + " === 3 && document.querySelector('#rows tr.sel td:nth-child(2)').textContent === 'task-1239'",
                    BOUND, "the three busiest matches drawn");
            browser.eval("document.querySelectorAll('#rows tr')[3].click()");
            browser.await("window.metastreamCurvePoints === 400", BOUND, "a fourth curve after a click");
            assertThat(browser.eval("document.querySelectorAll('#rows tr.sel').length").asInt()).isEqualTo(4);
            browser.screenshot(Path.of("target", "dashboard-5000-tasks.png"));
            assertThat(browser.errors()).as("console errors and uncaught exceptions").isEmpty();
        } finally {
            server.stop(0);
        }
    }

    /** Task i has seen 10 * (i + 1) examples per report, 100 reports; every 10th task drifted once. */
    private static void fill(DashboardHistory h) {
        ObjectMapper mapper = new ObjectMapper();
        for (int i = 0; i < TASKS; i++) {
            String task = "task-" + i;
            for (int k = 1; k <= 100; k++) {
                ObjectNode n = mapper.createObjectNode();
                n.put("task", task);
                n.put("kind", "classification");
                n.put("examples_seen", (long) k * (i + 1));
                n.put("meta_version", k);
                n.put("ts", 1_767_225_600_000L + k);
                ObjectNode m = n.putObject("metrics");
                m.put("accuracy", 0.5 + 0.4 * k / 100.0 * (1 - (i % 7) / 20.0));
                m.put("accuracy_window", 0.55 + 0.4 * k / 100.0);
                h.metrics(n);
            }
            if (i % 10 == 9) {
                ObjectNode d = mapper.createObjectNode();
                d.put("task", task);
                d.put("position", 50L * (i + 1));
                d.put("reaction", "reset-head");
                h.drift(d);
            }
        }
        h.deadLetter("not-json");
    }
}
