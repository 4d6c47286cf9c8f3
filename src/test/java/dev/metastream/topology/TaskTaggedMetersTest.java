package dev.metastream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metastream.learn.LearnerEvents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Per-kind aggregates exist only for the kinds (and figures) that have tasks, never as NaN; the drift counter is tagged
 * by task for the busiest tasks and {@code task=other} for the rest, so its series stay bounded.
 */
class TaskTaggedMetersTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private MetastreamMetrics metrics;

    private void report(String task, String kind, long n, Map<String, Double> values) {
        report(metrics, task, kind, n, values);
    }

    private static void report(MetastreamMetrics metrics, String task, String kind, long n, Map<String, Double> values) {
        metrics.taskMetrics(new LearnerEvents.TaskMetrics(task, kind, n, n, 0.05, values, 0, 0, 0));
    }

    @Test
    void aggregatesOnlyForKindsWithTasks() {
        // No per-task series, so tasks that stop reporting are forgotten once their volume decays.
        MetastreamMetrics metrics = new MetastreamMetrics(registry, 0);
        assertThat(registry.find("metastream.tasks.accuracy").gauges()).as("no task yet: no series").isEmpty();
        assertThat(registry.find("metastream.tasks.loss").gauges()).isEmpty();
        report(metrics, "c", "classification", 10, Map.of("accuracy_window", 0.8, "log_loss_window", 0.4));
        report(metrics, "r", "regression", 10, Map.of("mse_window", 2.0));
        assertThat(registry.find("metastream.tasks.accuracy").gauges()).singleElement()
                .satisfies(g -> assertThat(g.getId().getTag("kind")).isEqualTo("classification"))
                .satisfies(g -> assertThat(g.value()).isEqualTo(0.8));
        assertThat(registry.find("metastream.tasks.loss").gauges()).extracting(g -> g.getId().getTag("kind"))
                .containsExactlyInAnyOrder("classification", "regression");
        for (var g : registry.find("metastream.tasks.loss").gauges()) {
            assertThat(g.value()).isFinite();
        }
        // When the kind's last task stops reporting and is forgotten, its series goes too.
        for (int i = 0; i < 30; i++) {
            metrics.rankTasks(1_000L * (i + 1), 1_000);
        }
        assertThat(registry.find("metastream.tasks.accuracy").gauges()).isEmpty();
        assertThat(registry.find("metastream.tasks.loss").gauges()).isEmpty();
    }

    @Test
    void driftCounterIsTaggedByBusiestTaskAndOtherwiseAggregated() {
        metrics = new MetastreamMetrics(registry, 2);
        for (int t = 0; t < 5; t++) {
            report("t" + t, "classification", 1, Map.of("accuracy_window", 0.5));
            report("t" + t, "classification", 1 + 100L * t, Map.of("accuracy_window", 0.5));
        }
        metrics.rankTasks(1_000, 1_000);
        assertThat(metrics.topTasks()).containsExactlyInAnyOrder("t4", "t3");
        metrics.drift("t4");
        metrics.drift("t4");
        metrics.drift("t0");
        metrics.drift("t1");
        assertThat(count("t4")).isEqualTo(2);
        assertThat(count(TopTaskGauges.OTHER_TASKS)).isEqualTo(2);
        assertThat(registry.find("metastream.drift.events").tag("task", "t0").counter()).isNull();
        assertThat(registry.find("metastream.drift.events").counters()).as("top 2 and other").hasSize(3);
        assertThat(metrics.driftCount()).isEqualTo(4);
    }

    private double count(String task) {
        Counter c = registry.find("metastream.drift.events").tag("task", task).counter();
        assertThat(c).as("drift counter of " + task).isNotNull();
        return c.count();
    }
}
