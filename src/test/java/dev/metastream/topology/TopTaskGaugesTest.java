package dev.metastream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.metastream.learn.LearnerEvents;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    /**
     * A Prometheus scrape walks the meters without a lock: one that overlapped a ranking which swapped the shown tasks
     * listed the dropped tasks' gauges beside their replacements' (4 series with 2 shown, seen in CI). Scrapes run
     * through {@link TopTaskGauges#whileSeriesStable} see one ranking's tasks only.
     */
    @Test
    void aScrapeSeesTheSeriesOfOneRankingOnly() throws Exception {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        CompositeMeterRegistry composite = new CompositeMeterRegistry(Clock.SYSTEM,
                List.of(new SimpleMeterRegistry(), prometheus));
        TopTaskGauges two = new TopTaskGauges(composite, 2);
        Pattern series = Pattern.compile("(?m)^metastream_task_accuracy\\{[^}]*task=\"(t\\d)\"");
        AtomicBoolean done = new AtomicBoolean();
        List<Integer> counts = new CopyOnWriteArrayList<>();
        Thread scraper = new Thread(() -> {
            do {
                Matcher m = series.matcher(two.whileSeriesStable(prometheus::scrape));
                int n = 0;
                while (m.find()) {
                    n++;
                }
                counts.add(n);
            } while (!done.get());
        });
        scraper.start();
        long[] observed = new long[4];
        Random random = new Random(1);
        int swaps = 0;
        List<String> before = List.of();
        for (int i = 0; i < 20_000; i++) {
            int t = random.nextInt(4);
            observed[t] += random.nextInt(300);
            two.report(new LearnerEvents.TaskMetrics("t" + t, "classification", observed[t], observed[t], 0.05,
                    Map.of("accuracy_window", 0.5, "log_loss_window", 0.5), 0, 0, 0));
            if (two.rank(i, 1)) {
                List<String> now = two.shownTasks();
                swaps += now.equals(before) ? 0 : 1;
                before = now;
            }
        }
        done.set(true);
        scraper.join();
        assertThat(swaps).as("rankings that changed the shown tasks").isGreaterThan(1000);
        assertThat(counts).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(2));
    }

    /** A scrape holds off rankings only: the stream threads' reports and drift counts do not wait for it. */
    @Test
    void aScrapeDoesNotHoldTheGaugesMonitor() {
        assertThat(top.whileSeriesStable(() -> Thread.holdsLock(top))).isFalse();
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
