package dev.metastream.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The dashboard's bounded history, fed with records as the topics carry them (topology/records.md). */
class DashboardHistoryTest {
    private final ObjectMapper mapper = new ObjectMapper();

    private JsonNode metrics(String task, String kind, long seen, String metric, double value, double window) {
        ObjectNode n = mapper.createObjectNode();
        n.put("task", task);
        n.put("kind", kind);
        n.put("examples_seen", seen);
        n.put("examples_learned", seen);
        n.put("meta_version", seen / 100);
        n.put("drifts", 0);
        n.put("ts", 1_767_225_600_000L + seen);
        ObjectNode m = n.putObject("metrics");
        m.put(metric, value);
        m.put(metric + "_window", window);
        return n;
    }

    @Test
    void keepsTheWholeSpanOfACurveInBoundedPointsEndingAtTheLatestFigure() {
        DashboardHistory h = new DashboardHistory();
        for (long seen = 10; seen <= 100_000; seen += 10) {
            h.metrics(metrics("a", "classification", seen, "accuracy", seen / 100_000.0, 0.5));
        }
        JsonNode points = h.curves(List.of("a")).path("tasks").get(0).path("points");
        assertThat(points.size()).isLessThanOrEqualTo(DashboardHistory.POINTS_PER_TASK).isGreaterThan(50);
        assertThat(points.get(0).get(0).asLong()).isEqualTo(10);
        assertThat(points.get(points.size() - 1).get(0).asLong()).isEqualTo(100_000);
        assertThat(points.get(points.size() - 1).get(1).asDouble()).isEqualTo(1.0);
        for (int i = 1; i < points.size(); i++) {
            assertThat(points.get(i).get(0).asLong()).isGreaterThan(points.get(i - 1).get(0).asLong());
        }
    }

    @Test
    void aTaskWhoseCountGoesBackStartsItsCurveAgain() {
        DashboardHistory h = new DashboardHistory();
        h.metrics(metrics("a", "binary", 100, "accuracy", 0.6, 0.6));
        h.metrics(metrics("a", "binary", 200, "accuracy", 0.7, 0.7));
        h.metrics(metrics("a", "binary", 50, "accuracy", 0.5, 0.5));
        assertThat(h.curves(List.of("a")).path("tasks").get(0).path("points")).hasSize(1);
    }

    @Test
    void listsTheBusiestMatchingTasksWithTheFigureOfTheirKind() {
        DashboardHistory h = new DashboardHistory();
        h.metrics(metrics("sensor-1", "classification", 500, "accuracy", 0.8, 0.9));
        h.metrics(metrics("sensor-2", "classification", 900, "accuracy", 0.7, 0.6));
        h.metrics(metrics("price", "regression", 700, "rmse", 1.5, 1.2));
        ObjectNode drift = mapper.createObjectNode();
        drift.put("task", "sensor-1");
        drift.put("position", 420);
        drift.put("reaction", "reset-head");
        drift.put("detector", "adwin");
        h.drift(drift);
        h.deadLetter("not-json");
        h.deadLetter("not-json");
        h.deadLetter(null);
        h.sample(1_000, 250.0, 12.0, 3);

        JsonNode all = h.summary("", 10);
        assertThat(all.path("tasks")).extracting(t -> t.path("task").asText())
                .containsExactly("sensor-2", "price", "sensor-1");
        assertThat(all.path("tasks").get(1).path("metric").asText()).isEqualTo("rmse");
        assertThat(all.path("tasks_total").asInt()).isEqualTo(3);
        assertThat(all.path("examples_seen").asLong()).isEqualTo(2_100);
        assertThat(all.path("meta_version").asLong()).isEqualTo(9);
        assertThat(all.path("drift_events").asLong()).isEqualTo(1);
        assertThat(all.path("dead_letters").path("not-json").asLong()).isEqualTo(2);
        assertThat(all.path("dead_letters").path("unknown").asLong()).isEqualTo(1);
        assertThat(all.path("samples").get(0).get(1).asDouble()).isEqualTo(250.0);

        JsonNode sensors = h.summary("SENSOR", 1);
        assertThat(sensors.path("tasks_matched").asInt()).isEqualTo(2);
        assertThat(sensors.path("tasks")).hasSize(1);
        assertThat(sensors.path("tasks").get(0).path("task").asText()).isEqualTo("sensor-2");

        JsonNode curves = h.curves(List.of("sensor-1", "no-such-task"));
        assertThat(curves.path("tasks")).hasSize(1);
        assertThat(curves.path("tasks").get(0).path("drifts").get(0).path("reaction").asText())
                .isEqualTo("reset-head");
    }

    @Test
    void holdsAtMostMaxTasksDroppingTheLongestUnchanged() {
        DashboardHistory h = new DashboardHistory();
        int n = DashboardHistory.MAX_TASKS;
        for (int i = 0; i < n + 5; i++) {
            h.metrics(metrics("t" + i, "binary", 10, "accuracy", 0.5, 0.5));
        }
        assertThat(h.taskCount()).isEqualTo(n);
        assertThat(h.curves(List.of("t0", "t4", "t5", "t" + (n + 4))).path("tasks"))
                .extracting(t -> t.path("task").asText()).containsExactly("t5", "t" + (n + 4));
    }
}
