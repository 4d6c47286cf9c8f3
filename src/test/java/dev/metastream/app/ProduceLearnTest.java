package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * On a real (embedded) broker: {@code produce} of a JSONL file the old produce refused (sparse features, numeric task
 * ids, lines without a task that take it from the record key, multi-valued named features) is accepted by the
 * topology and learned, with no dead letter. Waits on counts, never on a clock (the timeout only bounds a hang).
 */
@Timeout(300)
class ProduceLearnTest {
    private static final int DIM = 32;
    private static final int PER_TASK = 96;

    @TempDir
    Path tmp;

    @Test
    void sparseJsonlWithNumericAndKeyOnlyTasksIsLearnedWithoutDeadLetters() throws Exception {
        SplittableRandom r = new SplittableRandom(3);
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < PER_TASK; i++) {
            // numeric task id 7: the label is the sign of slot 0
            int y = r.nextInt(2);
            jsonl.append("{\"task\":7,\"sparse\":{\"idx\":[0,").append(1 + r.nextInt(DIM - 1)).append("],\"val\":[")
                    .append(y == 1 ? 1 : -1).append(',').append(r.nextGaussian()).append("]},\"y\":").append(y)
                    .append(",\"id\":\"a").append(i).append("\"}\n");
            // no task: --task gives it, in the record key only
            int z = r.nextInt(2);
            jsonl.append("{\"id\":\"b").append(i).append("\",\"sparse\":{\"idx\":[3],\"val\":[")
                    .append(z == 1 ? 2.5 : -2.5).append("]},\"y\":").append(z).append("}\n");
            // a numeric task id written as a string, with multi-valued named features
            int w = r.nextInt(2);
            jsonl.append("{\"task\":\"12\",\"features\":{\"tags\":[\"").append(w == 1 ? "hot" : "cold")
                    .append("\",\"t").append(r.nextInt(5)).append("\"],\"n\":").append(r.nextInt(3))
                    .append("},\"y\":").append(w).append(",\"id\":\"c").append(i).append("\"}\n");
        }
        Path file = tmp.resolve("sparse.jsonl");
        Files.writeString(file, jsonl, StandardCharsets.UTF_8);
        int total = 3 * PER_TASK;

        Properties p = new Properties();
        p.setProperty("application.id", "produce-learn");
        p.setProperty("state.dir", tmp.resolve("state").toString());
        p.setProperty("input.dim", String.valueOf(DIM));
        p.setProperty("task.classes", "2");
        p.setProperty("learner.batch.size", "8");
        p.setProperty("metrics.interval.ms", "200");
        p.setProperty("metrics.every.examples", "8");
        p.setProperty("topics.partitions", "1");
        AppConfig config = AppConfig.of(p);

        try (EmbeddedKafka broker = EmbeddedKafka.start(null, 0, Map.of());
             MetastreamApp app = new MetastreamApp(config, broker.bootstrapServers(), new SimpleMeterRegistry())) {
            app.ensureTopics();
            app.start();
            app.awaitRunning(Duration.ofSeconds(120));
            try (OutputWatcher watcher = new OutputWatcher(broker.bootstrapServers(), config.topology(), Map.of())) {
                StringWriter out = new StringWriter();
                StringWriter err = new StringWriter();
                CommandLine cl = new CommandLine(new Main());
                cl.setOut(new PrintWriter(out, true));
                cl.setErr(new PrintWriter(err, true));
                int code = cl.execute("produce", "--input", file.toString(), "--bootstrap-servers",
                        broker.bootstrapServers(), "--topic", config.topology().examplesTopic(), "--task", "keyed");
                assertThat(code).as(err.toString()).isZero();
                assertThat(out.toString()).contains("sent " + total + " records").contains("skipped 0 records");

                // Every record predicted and learned (each task's metrics count all its examples), none dead.
                while (watcher.labelledPredictions.get() < total || !learnedAll(watcher.latestMetrics())) {
                    assertThat(watcher.deadLetters()).isEmpty();
                    assertThat(watcher.failure()).isNull();
                    Thread.sleep(100);
                }
                assertThat(watcher.deadLetters()).isEmpty();
                assertThat(watcher.labelledPredictions.get()).isEqualTo(total);
            }
        }
    }

    private static boolean learnedAll(Map<String, JsonNode> metrics) {
        for (String task : new String[] {"7", "keyed", "12"}) {
            JsonNode m = metrics.get(task);
            if (m == null || m.path("examples_seen").asLong() < PER_TASK) {
                return false;
            }
        }
        return true;
    }
}
