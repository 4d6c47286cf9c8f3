package dev.metastream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.metastream.learn.LearnerEvents;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The busiest-task gauges: bounded series, ranking by recent volume, removal of tasks that cool down. */
class TopTaskGaugesTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TopTaskGauges top = new TopTaskGauges(registry, 3);
    private final Map<String, Long> observed = new HashMap<>();

    private void report(String task, long examples, double accuracy) {
        long n = observed.merge(task, examples, Long::sum);
        top.report(new LearnerEvents.TaskMetrics(task, "classification", n, n, 0.05,
                Map.of("accuracy", accuracy, "accuracy_window", accuracy, "log_loss", 1 - accuracy,
                        "log_loss_window", 1 - accuracy), 0, 0, 0));
    }

    private int taskSeries() {
        return registry.find("metastream.task.accuracy").gauges().size();
    }

    @Test
    void showsTheBusiestTasksOnlyAndFollowsTheVolume() {
        for (int t = 0; t < 20; t++) {
            report("t" + t, 1, 0.5); // first sight: volume 0
        }
        for (int t = 0; t < 20; t++) {
            report("t" + t, 10 * t, 0.5 + t / 100.0); // t19 busiest, then t18, t17
        }
        assertThat(top.rank(1_000, 1_000)).isTrue();
        assertThat(top.shownTasks()).containsExactlyInAnyOrder("t19", "t18", "t17");
        assertThat(taskSeries()).isEqualTo(3);
        Gauge acc = registry.find("metastream.task.accuracy").tag("task", "t18").gauge();
        assertThat(acc.value()).isEqualTo(0.68, within(1e-12));
        // Every tracked task is in the aggregate, not only the shown ones.
        double mean = 0;
        for (int t = 0; t < 20; t++) {
            mean += (0.5 + t / 100.0) / 20;
        }
        assertThat(registry.find("metastream.tasks.accuracy").tag("kind", "classification").gauge().value())
                .isEqualTo(mean, within(1e-12));
        assertThat(registry.find("metastream.tasks.tracked").gauge().value()).isEqualTo(20);

        // Within the interval nothing re-ranks.
        assertThat(top.rank(1_500, 1_000)).isFalse();

        // Traffic moves to t0..t2: after two rankings they have overtaken the old leaders' halved volumes.
        for (int round = 0; round < 2; round++) {
            for (String t : List.of("t0", "t1", "t2")) {
                report(t, 500, 0.9);
            }
            top.rank(2_000 + 1_000L * round, 1_000);
        }
        assertThat(top.shownTasks()).containsExactlyInAnyOrder("t0", "t1", "t2");
        assertThat(taskSeries()).isEqualTo(3);
        assertThat(registry.find("metastream.task.accuracy").tag("task", "t19").gauge()).isNull();

        // Tasks that stop reporting are forgotten once their volume has decayed below 1.
        for (int round = 0; round < 20; round++) {
            top.rank(10_000 + 1_000L * round, 1_000);
        }
        assertThat(registry.find("metastream.tasks.tracked").gauge().value()).isEqualTo(3);
    }

    @Test
    void zeroTopTasksKeepsOnlyAggregates() {
        TopTaskGauges none = new TopTaskGauges(new SimpleMeterRegistry(), 0);
        none.report(new LearnerEvents.TaskMetrics("a", "regression", 5, 5, 0.05,
                Map.of("mse", 2.0, "mse_window", 2.0), 0, 0, 0));
        none.rank(0, 1);
        assertThat(none.shownTasks()).isEmpty();
    }
}
