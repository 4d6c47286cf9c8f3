package dev.metastream.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.metastream.data.SyntheticStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code metastream demo}: the whole product on one machine. Starts an embedded broker, runs the topology, and feeds
 * it a synthetic stream of related tasks in which a new task appears a third of the way in and one task's concept
 * changes abruptly at 60%; a few malformed records are mixed in to show the dead-letter path. Prints live progress
 * and a summary read back from the output topics.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the full pipeline on an embedded broker with a synthetic multi-task stream with drift.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--duration", defaultValue = "30", description = "Seconds of streaming (default: ${DEFAULT-VALUE}).")
    int durationSeconds;

    @Option(names = "--tasks", defaultValue = "6", description = "Tasks at the start; one more appears mid-run (default: ${DEFAULT-VALUE}).")
    int tasks;

    @Option(names = "--rate", defaultValue = "2000", description = "Examples per second sent (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--partitions", defaultValue = "3", description = "Partitions of the input and output topics (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--guarantee", defaultValue = "exactly_once_v2",
            description = "processing.guarantee: exactly_once_v2 or at_least_once (default: ${DEFAULT-VALUE}).")
    String guarantee;

    @Option(names = "--seed", defaultValue = "7", description = "Seed of the synthetic stream (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--http-port", defaultValue = "0",
            description = "Port of the HTTP API and /metrics while the demo runs (default: ${DEFAULT-VALUE} = any free port; -1 = none).")
    int httpPort;

    @Override
    public Integer call() throws Exception {
        if (durationSeconds <= 0 || rate <= 0 || tasks <= 0 || partitions <= 0) {
            System.err.println("--duration, --rate, --tasks and --partitions must be positive");
            return 2;
        }
        long total = (long) durationSeconds * rate;
        SyntheticStream stream = new SyntheticStream(SyntheticStream.Config.defaults().withTasks(tasks).withSeed(seed)
                .withNewTaskAt(total / 3).withDriftAt(total * 6 / 10));
        int inputDim = stream.config().inputDim();
        Path stateDir = Files.createTempDirectory("metastream-demo-state");
        Properties p = new Properties();
        p.setProperty("application.id", "metastream-demo");
        p.setProperty("processing.guarantee", guarantee);
        p.setProperty("state.dir", stateDir.toString());
        p.setProperty("input.dim", String.valueOf(inputDim));
        p.setProperty("task.classes", String.valueOf(stream.config().classes()));
        p.setProperty("model.trunk.layers", "32");
        p.setProperty("learner.batch.size", "16");
        p.setProperty("metrics.every.examples", "250");
        p.setProperty("snapshot.every.examples", "500");
        p.setProperty("metrics.interval.ms", "2000");
        p.setProperty("topics.partitions", String.valueOf(partitions));
        if (httpPort >= 0) {
            p.setProperty("http.port", String.valueOf(httpPort));
        }
        AppConfig config = AppConfig.of(p);

        System.out.printf("metastream demo: %d s at %d examples/s, %d tasks (+1 at example %d), abrupt drift of %s at example %d, %s%n",
                durationSeconds, rate, tasks, total / 3, stream.config().driftTask(), total * 6 / 10, guarantee);
        long t0 = System.nanoTime();
        try (EmbeddedKafka broker = EmbeddedKafka.start(null, 0, Map.of())) {
            System.out.printf("embedded broker bootstrap.servers=%s ready in %.1f s%n", broker.bootstrapServers(),
                    (System.nanoTime() - t0) / 1e9);
            try (MetastreamApp app = new MetastreamApp(config, broker.bootstrapServers())) {
                app.ensureTopics();
                app.start();
                if (app.httpPort() >= 0) {
                    System.out.printf("HTTP API at http://127.0.0.1:%d (/metrics, /health/ready, POST /predict, /models/meta)%n",
                            app.httpPort());
                }
                app.awaitRunning(java.time.Duration.ofSeconds(60));
                try (OutputWatcher watcher = new OutputWatcher(broker.bootstrapServers(), config.topology(), Map.of())) {
                    return stream(config, broker.bootstrapServers(), stream, total, app, watcher);
                }
            }
        } finally {
            TempDirs.deleteQuietly(stateDir);
        }
    }

    private int stream(AppConfig config, String bootstrap, SyntheticStream stream, long total, MetastreamApp app,
                       OutputWatcher watcher) throws Exception {
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        AtomicLong sent = new AtomicLong();
        AtomicLong malformed = new AtomicLong();
        AtomicBoolean failed = new AtomicBoolean();
        long start = System.nanoTime();
        Thread producerThread = new Thread(() -> {
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                for (long i = 0; i < total; i++) {
                    long due = start + (long) (i * 1e9 / rate);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    SyntheticStream.Example e = stream.next();
                    byte[] value = SyntheticStream.toJson(e).getBytes(StandardCharsets.UTF_8);
                    if (i % 997 == 500) {
                        // Bad input on purpose: it must reach the dead-letter topic, not stop the stream.
                        value = (i % 2 == 0 ? "{\"task\":\"" + e.task() + "\",\"x\":[1,2],\"y\":0}" : "not json")
                                .getBytes(StandardCharsets.UTF_8);
                        malformed.incrementAndGet();
                    }
                    producer.send(new ProducerRecord<>(config.topology().examplesTopic(),
                            e.task().getBytes(StandardCharsets.UTF_8), value), (md, ex) -> {
                                if (ex != null) {
                                    failed.set(true);
                                }
                            });
                    sent.incrementAndGet();
                }
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }, "demo-producer");
        producerThread.start();

        long lastPredictions = 0;
        long lastTick = System.nanoTime();
        while (producerThread.isAlive()) {
            producerThread.join(2000);
            long now = System.nanoTime();
            long preds = watcher.predictions.get();
            double perSecond = (preds - lastPredictions) / ((now - lastTick) / 1e9);
            lastPredictions = preds;
            lastTick = now;
            System.out.println(progressLine((now - start) / 1e9, sent.get(), preds, perSecond, watcher));
        }
        long expected = sent.get() - malformed.get();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (watcher.predictions.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Thread.sleep(2500); // one more metrics timer, so the summary shows the final figures
        printSummary(seconds, sent.get(), malformed.get(), watcher, app);
        boolean ok = !failed.get() && watcher.predictions.get() == expected
                && watcher.deadLetters().values().stream().mapToLong(Long::longValue).sum() == malformed.get();
        if (!ok) {
            System.out.printf("FAILED: expected %d predictions and %d dead letters, read %d and %s%n", expected,
                    malformed.get(), watcher.predictions.get(), watcher.deadLetters());
        }
        return ok ? 0 : 1;
    }

    private static String progressLine(double t, long sent, long preds, double perSecond, OutputWatcher w) {
        StringBuilder sb = new StringBuilder(String.format("[%5.1fs] sent %,d  predicted %,d (%,.0f/s)  meta v%d  drift %d  dead-letter %d |",
                t, sent, preds, perSecond, w.metaVersion.get(), w.drifts().size(),
                w.deadLetters().values().stream().mapToLong(Long::longValue).sum()));
        for (Map.Entry<String, JsonNode> e : w.latestMetrics().entrySet()) {
            sb.append(String.format(" %s %.2f", e.getKey(), e.getValue().path("metrics").path("accuracy_window").asDouble()));
        }
        return sb.toString();
    }

    private static void printSummary(double seconds, long sent, long malformed, OutputWatcher w, MetastreamApp app) {
        System.out.println();
        System.out.printf("summary: %,d examples sent in %.1f s (%,.0f/s end to end), %,d predictions read back, %d malformed -> dead letter %s%n",
                sent, seconds, w.predictions.get() / seconds, w.predictions.get(), malformed, w.deadLetters());
        System.out.printf("shared model: version %d, %d task snapshots, %d metrics records%n", w.metaVersion.get(),
                w.taskSnapshots.get(), w.metricsRecords.get());
        System.out.println();
        System.out.printf("%-10s %10s %10s %12s %10s %7s%n", "task", "examples", "accuracy", "acc(window)", "log-loss", "drifts");
        for (Map.Entry<String, JsonNode> e : w.latestMetrics().entrySet()) {
            JsonNode m = e.getValue();
            System.out.printf("%-10s %10d %10.3f %12.3f %10.3f %7d%n", e.getKey(), m.path("examples_seen").asLong(),
                    m.path("metrics").path("accuracy").asDouble(), m.path("metrics").path("accuracy_window").asDouble(),
                    m.path("metrics").path("log_loss").asDouble(), m.path("drifts").asLong());
        }
        List<JsonNode> drifts = w.drifts();
        System.out.println();
        System.out.println("drift events: " + drifts.size());
        for (JsonNode d : drifts) {
            System.out.printf("  %s at its example %d (%s, reaction %s)%n", d.path("task").asText(),
                    d.path("position").asLong(), d.path("detector").asText(), d.path("reaction").asText());
        }
    }
}
