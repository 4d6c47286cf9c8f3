package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metastream.data.SyntheticStream;
import dev.metastream.http.HttpApi;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API of one instance on a real in-process broker: health transitions, bearer-token protection (and the
 * token never reaching a log), the Prometheus endpoint with Kafka Streams', the JVM's and the learner's meters,
 * {@code POST /predict} served locally, and {@code /models/*} equal to what the snapshots topic holds.
 */
class HttpApiTest {
    static final String TOKEN = "t0ken-3f9a1c7e-never-in-logs";
    private static final int EXAMPLES = 3_000;
    private final ObjectMapper mapper = new ObjectMapper();

    @TempDir
    Path stateDir;

    @Test
    void servesHealthMetricsPredictionsAndModelsBehindABearerToken() throws Exception {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        Logger ours = (Logger) LoggerFactory.getLogger("dev.metastream");
        Level before = ours.getLevel();
        ours.setLevel(Level.DEBUG);
        logs.start();
        ours.addAppender(logs);
        try {
            run();
        } finally {
            ours.detachAppender(logs);
            ours.setLevel(before);
        }
        assertThat(logs.list).as("the request log ran").anyMatch(e -> e.getFormattedMessage().contains("/predict"));
        for (ILoggingEvent e : logs.list) {
            assertThat(e.getFormattedMessage()).doesNotContain(TOKEN);
            if (e.getThrowableProxy() != null) {
                assertThat(e.getThrowableProxy().getMessage()).doesNotContain(TOKEN);
            }
        }
    }

    private void run() throws Exception {
        SyntheticStream stream = new SyntheticStream(SyntheticStream.Config.defaults().withTasks(4).withSeed(21));
        Properties p = new Properties();
        p.setProperty("application.id", "metastream-http");
        p.setProperty("state.dir", stateDir.toString());
        p.setProperty("input.dim", String.valueOf(stream.config().inputDim()));
        p.setProperty("task.classes", String.valueOf(stream.config().classes()));
        p.setProperty("model.trunk.layers", "32");
        p.setProperty("learner.batch.size", "16");
        p.setProperty("metrics.every.examples", "250");
        p.setProperty("snapshot.every.examples", "300");
        p.setProperty("metrics.interval.ms", "1000");
        p.setProperty("meta.sync.interval.ms", "500");
        p.setProperty("topics.partitions", "3");
        p.setProperty("http.port", "0");
        p.setProperty("http.auth.token", TOKEN);
        p.setProperty("metrics.top.tasks", "2");
        AppConfig config = AppConfig.of(p);

        try (EmbeddedKafka broker = EmbeddedKafka.start(null, 0, Map.of());
             MetastreamApp app = new MetastreamApp(config, broker.bootstrapServers())) {
            app.ensureTopics();
            app.start();
            int port = app.httpPort();
            HttpCalls anon = new HttpCalls(null);
            HttpCalls ok = new HttpCalls(TOKEN);
            HttpCalls wrong = new HttpCalls(TOKEN + "x");

            // Liveness is open and up at once; readiness waits for the first assignment.
            assertThat(anon.get(port, "/health/live").statusCode()).isEqualTo(200);
            HttpResponse<String> early = ok.get(port, "/health/ready");
            assertThat(early.statusCode()).as(early.body()).isEqualTo(503);
            assertThat(mapper.readTree(early.body()).path("status").asText()).isEqualTo("DOWN");

            // Everything but liveness needs the token.
            for (String path : List.of("/health/ready", "/metrics", "/models/meta", "/models/task-0")) {
                HttpResponse<String> none = anon.get(port, path);
                assertThat(none.statusCode()).as(path).isEqualTo(401);
                assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                        v -> assertThat(v).startsWith("Bearer"));
                HttpResponse<String> bad = wrong.get(port, path);
                assertThat(bad.statusCode()).as(path).isEqualTo(401);
                assertThat(bad.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("invalid_token");
            }
            assertThat(anon.post(port, "/predict", "{}").statusCode()).isEqualTo(401);

            awaitReady(ok, port);
            HttpResponse<String> ready = ok.get(port, "/health/ready");
            JsonNode readyJson = mapper.readTree(ready.body());
            assertThat(readyJson.path("state").asText()).isEqualTo("RUNNING");
            assertThat(readyJson.path("threads").size()).isEqualTo(1);
            assertThat(readyJson.path("restoring").asLong()).isZero();

            produce(broker.bootstrapServers(), config, stream, EXAMPLES);
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (app.metrics().learnedCount() < EXAMPLES && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(app.metrics().learnedCount()).isEqualTo(EXAMPLES);

            checkMetrics(ok, port);
            checkPredictions(ok, port, stream, app);
            checkModels(ok, port, broker.bootstrapServers(), config);
        }
    }

    private void checkMetrics(HttpCalls ok, int port) throws Exception {
        // The busiest-task gauges appear at the first ranking after each task's metrics record (metrics.interval.ms =
        // 1 s; the tasks report at different moments, so the second series can come a ranking later), and
        // RocksDB's entry estimate counts the task states once a commit has flushed the record cache into the store
        // (every second under exactly-once): both are waited for, not assumed after a fixed time.
        String body = "";
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = ok.get(port, "/metrics");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
            body = r.body();
            if (perTaskAccuracySeries(body) >= 2 && body.contains("metastream_store_entries{store=\"task-state\"}")
                    && value(body, "metastream_store_entries{store=\"task-state\"}") > 0) {
                break;
            }
            Thread.sleep(300);
        }
        assertThat(body)
                // Kafka Streams' own metrics and its consumer's lag, through Micrometer's Kafka Streams binder
                .contains("kafka_stream_thread_process_total", "kafka_consumer_fetch_manager_records_lag_max")
                // JVM
                .contains("jvm_memory_used_bytes", "jvm_threads_live_threads", "process_uptime_seconds")
                // the learner
                .contains("metastream_examples_scored_total{kind=\"classification\"}",
                        "metastream_dead_letter_records_total{reason=\"not-json\"}", "metastream_batch_latency_seconds",
                        "metastream_meta_version", "metastream_meta_staleness", "metastream_drift_events_total",
                        "metastream_restore_active", "metastream_stream_thread_failures_total", "metastream_store_entries{store=\"task-state\"}",
                        "metastream_memory_samples", "metastream_tasks_accuracy{kind=\"classification\"}");
        assertThat(value(body, "metastream_examples_learned_total{kind=\"classification\"}")).isEqualTo(EXAMPLES);
        assertThat(value(body, "metastream_examples_learned_total{kind=\"regression\"}")).isZero();
        assertThat(value(body, "metastream_tasks_restarted_non_finite_total")).as("no task diverged").isZero();
        // RocksDB's estimate (overwrites still in the memtable count), so only its sign is certain.
        assertThat(value(body, "metastream_store_entries{store=\"task-state\"}")).isPositive();
        // Every series the Grafana dashboard queries exists.
        JsonNode dashboard = mapper.readTree(Path.of("docker", "grafana", "dashboards", "metastream.json").toFile());
        Matcher names = Pattern.compile("\\b((?:metastream|kafka|jvm)_[a-z_]+)").matcher(dashboard.toString());
        int queried = 0;
        while (names.find()) {
            assertThat(body).as("dashboard series " + names.group(1)).contains(names.group(1));
            queried++;
        }
        assertThat(queried).isGreaterThan(15);
        // metrics.top.tasks = 2: two per-task series out of four tasks.
        assertThat(perTaskAccuracySeries(body)).isEqualTo(2);
    }

    private static int perTaskAccuracySeries(String prometheus) {
        Matcher m = Pattern.compile("(?m)^metastream_task_accuracy\\{[^}]*task=\"(task-\\d)\"").matcher(prometheus);
        int series = 0;
        while (m.find()) {
            series++;
        }
        return series;
    }

    private static double value(String prometheus, String series) {
        for (String line : prometheus.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        throw new AssertionError("no series " + series);
    }

    private void checkPredictions(HttpCalls ok, int port, SyntheticStream stream, MetastreamApp app) throws Exception {
        double learned = app.metrics().learnedCount();
        int hits = 0;
        int n = 150;
        for (int i = 0; i < n; i++) {
            SyntheticStream.Example e = stream.next();
            HttpResponse<String> r = ok.post(port, "/predict", SyntheticStream.toJson(e));
            // The learner writes its task states behind (before commits, and every learner.state.flush.interval.ms):
            // a task is scored as a new one until its state's first write.
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (r.statusCode() == 200 && mapper.readTree(r.body()).path("task_version").asLong() == 0
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
                r = ok.post(port, "/predict", SyntheticStream.toJson(e));
            }
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue(HttpApi.SERVED_BY_HEADER)).hasValue("127.0.0.1:" + port);
            JsonNode j = mapper.readTree(r.body());
            assertThat(j.path("task").asText()).isEqualTo(e.task());
            assertThat(j.path("id").asText()).isEqualTo(e.id());
            assertThat(j.path("task_version").asLong()).isPositive();
            double sum = 0;
            for (JsonNode pr : j.path("probabilities")) {
                sum += pr.asDouble();
            }
            assertThat(sum).isBetween(0.999, 1.001);
            hits += j.path("prediction").asInt() == e.y() ? 1 : 0;
        }
        // The served model has learned: well above chance (1/3) on examples it has not seen.
        assertThat(hits / (double) n).as("accuracy of /predict").isGreaterThan(0.5);
        // Scoring does not learn.
        assertThat(app.metrics().learnedCount()).isEqualTo(learned);

        // A task no instance has seen is scored with the meta-learned initialisation.
        HttpResponse<String> fresh = ok.post(port, "/predict",
                SyntheticStream.toJson(stream.next()).replaceFirst("\"task\":\"[^\"]+\"", "\"task\":\"brand-new\""));
        assertThat(fresh.statusCode()).isEqualTo(200);
        assertThat(mapper.readTree(fresh.body()).path("task_version").asLong()).isZero();

        // Bad input: 400 with the same reason codes as the dead-letter topic.
        HttpResponse<String> notJson = ok.post(port, "/predict", "{oops");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(mapper.readTree(notJson.body()).path("reason").asText()).isEqualTo("not-json");
        HttpResponse<String> shortX = ok.post(port, "/predict", "{\"task\":\"task-1\",\"x\":[1,2]}");
        assertThat(shortX.statusCode()).isEqualTo(400);
        assertThat(mapper.readTree(shortX.body()).path("reason").asText()).isEqualTo("wrong-dimension");
        assertThat(ok.get(port, "/predict").statusCode()).isEqualTo(405);
        assertThat(ok.get(port, "/nothing-here").statusCode()).isEqualTo(404);
    }

    private void checkModels(HttpCalls ok, int port, String bootstrap, AppConfig config) throws Exception {
        Map<String, String> latest = new HashMap<>();
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "http-test-snapshots");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        boolean tasksEqual = false;
        boolean metaEqual = false;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(config.topology().snapshotsTopic()));
            long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
            while (!(tasksEqual && metaEqual) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(300))) {
                    latest.put(r.key(), r.value());
                }
                tasksEqual = latest.keySet().containsAll(List.of("task-0", "task-1", "task-2", "task-3"));
                for (int t = 0; t < 4 && tasksEqual; t++) {
                    HttpResponse<String> r = ok.get(port, "/models/task-" + t);
                    tasksEqual = r.statusCode() == 200 && r.body().equals(latest.get("task-" + t));
                }
                // The global store follows the meta-model topic a moment after the snapshot is published.
                HttpResponse<String> meta = ok.get(port, "/models/meta");
                metaEqual = meta.statusCode() == 200 && meta.body().equals(latest.get("meta"));
            }
        }
        assertThat(tasksEqual).as("/models/{task} equals the task's latest record on the snapshots topic").isTrue();
        assertThat(metaEqual).as("/models/meta equals the latest meta record on the snapshots topic").isTrue();
        JsonNode task = mapper.readTree(latest.get("task-2"));
        assertThat(task.path("type").asText()).isEqualTo("task");
        assertThat(task.path("examples_seen").asLong()).isPositive();
        assertThat(mapper.readTree(latest.get("meta")).path("version").asLong()).isPositive();
        HttpResponse<String> missing = ok.get(port, "/models/no-such-task");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).as("an unknown task is said to be unknown").contains("unknown task no-such-task");
    }

    static void awaitReady(HttpCalls ok, int port) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (ok.get(port, "/health/ready").statusCode() != 200) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not ready: " + ok.get(port, "/health/ready").body());
            }
            Thread.sleep(100);
        }
    }

    static void produce(String bootstrap, AppConfig config, SyntheticStream stream, int n) {
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp, new StringSerializer(),
                new StringSerializer())) {
            for (int i = 0; i < n; i++) {
                SyntheticStream.Example e = stream.next();
                producer.send(new ProducerRecord<>(config.topology().examplesTopic(), e.task(),
                        SyntheticStream.toJson(e)));
            }
            producer.flush();
        }
    }
}
