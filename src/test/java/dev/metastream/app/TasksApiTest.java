package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tasks as things a user manages, on a real in-process broker with one instance: {@code GET /tasks} (paging, search,
 * sort), 404 for an unknown task, {@code /predict} never reporting a request as labelled, metrics without NaN kinds,
 * {@code GET /models/{task}/export} scored by an independent implementation of {@code docs/model-format.md} and
 * compared with {@code /predict}, {@code POST /models/{task}/import} and {@code /models/meta/import} through the
 * control topic, and {@code DELETE /tasks/{id}} end to end (gone, then starting anew).
 */
class TasksApiTest {
    private static final int DIM = 4;
    private static final int PER_TASK = 400;
    private static final List<String> TASKS = List.of("alpha", "beta", "gamma", "price");
    private final ObjectMapper mapper = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path stateDir;

    @Test
    void listsExportsImportsAndDeletesTasks() throws Exception {
        Properties p = new Properties();
        p.setProperty("application.id", "metastream-tasks");
        p.setProperty("state.dir", stateDir.toString());
        p.setProperty("input.dim", String.valueOf(DIM));
        p.setProperty("task.classes", "3");
        p.setProperty("tasks.price.kind", "regression");
        p.setProperty("model.trunk.layers", "8");
        p.setProperty("model.fm.factors", "3"); // the export carries the factorisation machine's term too
        p.setProperty("learner.batch.size", "8");
        p.setProperty("snapshot.every.examples", "100");
        p.setProperty("metrics.interval.ms", "500");
        p.setProperty("meta.sync.interval.ms", "300");
        p.setProperty("topics.partitions", "3");
        p.setProperty("http.port", "0");
        AppConfig config = AppConfig.of(p);
        try (EmbeddedKafka broker = EmbeddedKafka.start(null, 0, Map.of());
             MetastreamApp app = new MetastreamApp(config, broker.bootstrapServers())) {
            app.ensureTopics();
            app.start();
            app.awaitRunning(Duration.ofSeconds(120));
            int port = app.httpPort();
            List<String> examples = new ArrayList<>();
            Random r = new Random(3);
            for (int i = 0; i < PER_TASK; i++) {
                for (String t : TASKS) {
                    examples.add(example(t, r));
                }
            }
            produce(broker.bootstrapServers(), examples);
            await(() -> app.metrics().learnedCount() >= examples.size(), "every example learned");

            // GET /tasks: all of them with counts and figures; paged, searched, sorted.
            // The learner writes its states behind (before commits, and every learner.state.flush.interval.ms): wait
            // for the write after the last example.
            JsonNode all = await(port, "/tasks", n -> n.path("total").asInt() == TASKS.size()
                    && java.util.stream.StreamSupport.stream(n.path("tasks").spliterator(), false)
                            .allMatch(t -> t.path("examples_learned").asLong() == PER_TASK));
            assertThat(all.path("tasks")).extracting(n -> n.path("task").asText()).containsExactlyElementsOf(TASKS
                    .stream().sorted().toList());
            JsonNode alpha = all.path("tasks").get(0);
            assertThat(alpha.path("kind").asText()).isEqualTo("classification");
            assertThat(alpha.path("examples_learned").asLong()).isEqualTo(PER_TASK);
            assertThat(alpha.path("examples_seen").asLong()).isEqualTo(PER_TASK);
            assertThat(alpha.path("metric").asText()).isEqualTo("accuracy");
            assertThat(alpha.path("value").asDouble()).isBetween(0.0, 1.0);
            assertThat(alpha.has("drifts")).isTrue();
            JsonNode price = all.path("tasks").get(3);
            assertThat(price.path("task").asText()).isEqualTo("price");
            assertThat(price.path("metric").asText()).isEqualTo("rmse");
            JsonNode page = get(port, "/tasks?offset=1&limit=2").json();
            assertThat(page.path("tasks")).extracting(n -> n.path("task").asText()).containsExactly("beta", "gamma");
            assertThat(page.path("total").asInt()).isEqualTo(4);
            assertThat(get(port, "/tasks?q=AM").json().path("tasks")).extracting(n -> n.path("task").asText())
                    .containsExactly("gamma");
            assertThat(get(port, "/tasks?sort=examples").json().path("tasks")).hasSize(4);
            Call badLimit = get(port, "/tasks?limit=0");
            assertThat(badLimit.status()).isEqualTo(400);
            assertThat(badLimit.json().path("error").asText()).contains("limit=0");

            // An unknown task is a 404 that says so; a known one answers.
            Call unknown = get(port, "/models/no-such-task");
            assertThat(unknown.status()).isEqualTo(404);
            assertThat(unknown.json().path("error").asText()).contains("unknown task no-such-task");
            assertThat(get(port, "/models/alpha").status()).isEqualTo(200);
            assertThat(get(port, "/models/no-such-task/export").status()).isEqualTo(404);

            // /predict with a y scores only: not reported as labelled, nothing learned.
            double before = app.metrics().learnedCount();
            Call predicted = post(port, "/predict", example("alpha", new Random(9)));
            assertThat(predicted.status()).isEqualTo(200);
            assertThat(predicted.json().path("labelled").asBoolean()).isFalse();
            assertThat(app.metrics().learnedCount()).isEqualTo(before);

            // No per-kind aggregate for kinds without tasks (NaN before); drifts are tagged by task.
            String metrics = await(() -> get(port, "/metrics").body(),
                    // The aggregate registers on a task's first report, a task's own series at the next ranking
                    // (metrics punctuator): wait for both, whatever the machine's load made of their order.
                    body -> body.contains("metastream_tasks_accuracy{kind=\"classification\"}")
                            && body.contains("metastream_drift_events_total{task=\"alpha\"}"));
            List<String> aggregates = metrics.lines().filter(l -> l.startsWith("metastream_tasks_accuracy")
                    || l.startsWith("metastream_tasks_loss")).toList();
            assertThat(aggregates).as("series only for kinds with tasks, none NaN").hasSize(3)
                    .noneMatch(l -> l.contains("NaN") || l.contains("multilabel") || l.contains("binary"))
                    .noneMatch(l -> l.startsWith("metastream_tasks_accuracy{kind=\"regression\"}"));
            assertThat(metrics).contains("metastream_drift_events_total{task=\"other\"}")
                    .contains("metastream_drift_events_total{task=\"alpha\"}");

            // Export, scored by an independent implementation, agrees with /predict. The shared model keeps moving
            // (the aggregator publishes versions on its own clock), so each comparison is made on an export and a
            // prediction of the same model and task versions: taken again until both calls saw the same model.
            for (String task : List.of("alpha", "price")) {
                Random q = new Random(11);
                for (int i = 0; i < 5; i++) {
                    ObjectNode ex = (ObjectNode) mapper.readTree(example(task, q));
                    float[] x = new float[DIM];
                    for (int j = 0; j < DIM; j++) {
                        x[j] = (float) ex.path("x").get(j).asDouble();
                    }
                    JsonNode[] pair = await(() -> new JsonNode[] {get(port, "/models/" + task + "/export").json(),
                            post(port, "/predict", ex.toString()).json()}, p2 -> sameModel(p2[0], p2[1]));
                    JsonNode model = pair[0];
                    JsonNode served = pair[1];
                    assertThat(model.path("format").asText()).isEqualTo("metastream-model");
                    assertThat(model.path("provenance").path("examples_learned").asLong()).isEqualTo(PER_TASK);
                    double[] mine = ExportedModelScorer.score(model, x);
                    if (task.equals("price")) {
                        assertThat(mine[0]).isCloseTo(served.path("prediction").asDouble(), within(1e-4));
                    } else {
                        for (int k = 0; k < 3; k++) {
                            assertThat(mine[k]).as(task + " class " + k)
                                    .isCloseTo(served.path("probabilities").get(k).asDouble(), within(1e-5));
                        }
                    }
                }
            }

            // Import seeds a new task from alpha's export, through the control topic.
            JsonNode alphaModel = get(port, "/models/alpha/export").json();
            Call imported = post(port, "/models/copy/import", alphaModel.toString());
            assertThat(imported.status()).as(imported.body()).isEqualTo(202);
            assertThat(imported.json().path("command").asText()).isEqualTo("import-task");
            JsonNode copy = await(port, "/models/copy", n -> n.path("task").asText().equals("copy"));
            assertThat(copy.path("parameters").path("head")).isEqualTo(alphaModel.path("head").path("parameters"));
            Call wrongKind = post(port, "/models/price/import", alphaModel.toString());
            assertThat(wrongKind.status()).isEqualTo(400);
            assertThat(wrongKind.json().path("error").asText()).contains("classification").contains("regression");

            // The shared model: export, import, and the aggregator publishes it as a new version.
            JsonNode meta = get(port, "/models/meta/export").json();
            long version = await(port, "/models/meta", n -> n.path("version").asLong() > 0).path("version").asLong();
            Call metaImport = post(port, "/models/meta/import", meta.toString());
            assertThat(metaImport.status()).as(metaImport.body()).isEqualTo(202);
            await(port, "/models/meta", n -> n.path("version").asLong() > version);

            // DELETE: accepted, applied by the owner, gone; a new example starts it anew.
            Call deleted = delete(port, "/tasks/beta");
            assertThat(deleted.status()).as(deleted.body()).isEqualTo(202);
            assertThat(deleted.json().path("request_id").asText()).isNotBlank();
            assertThat(deleted.json().path("what_happens").asText()).contains("exactly-once");
            await(() -> get(port, "/models/beta").status(), status -> status == 404);
            JsonNode after = await(port, "/tasks", n -> n.path("total").asInt() == TASKS.size());
            assertThat(after.path("tasks")).extracting(n -> n.path("task").asText()).doesNotContain("beta")
                    .contains("copy");
            produce(broker.bootstrapServers(), List.of(example("beta", new Random(5))));
            JsonNode reborn = await(port, "/tasks?q=beta", n -> n.path("total").asInt() == 1);
            assertThat(reborn.path("tasks").get(0).path("examples_seen").asLong()).isEqualTo(1);
        }
    }

    /** Whether an export and a prediction were made from the same shared-model and task versions. */
    private static boolean sameModel(JsonNode export, JsonNode served) {
        JsonNode p = export.path("provenance");
        return p.path("model_version").asLong(-1) == served.path("model_version").asLong(-2)
                && p.path("task_version").asLong(-1) == served.path("task_version").asLong(-2);
    }

    /** A learnable example: three classes by the sign pattern of two features; price linear in the features. */
    private String example(String task, Random r) throws IOException {
        float[] x = new float[DIM];
        for (int j = 0; j < DIM; j++) {
            x[j] = (float) r.nextGaussian();
        }
        ObjectNode n = mapper.createObjectNode();
        n.put("task", task);
        var a = n.putArray("x");
        for (float v : x) {
            a.add(v);
        }
        int shift = task.length();
        if (task.equals("price")) {
            n.put("y", 100 + 20 * x[0] - 10 * x[1]);
        } else {
            n.put("y", Math.floorMod((x[0] > 0 ? 1 : 0) + (x[1] > 0 ? 1 : 0) + shift, 3));
        }
        return n.toString();
    }

    private static void produce(String bootstrap, List<String> values) {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(),
                new StringSerializer())) {
            for (String v : values) {
                producer.send(new ProducerRecord<>("metastream.examples", v));
            }
            producer.flush();
        }
    }

    private record Call(int status, String body, JsonNode json) {}

    private Call call(HttpRequest req) throws IOException, InterruptedException {
        HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        JsonNode json;
        try {
            json = mapper.readTree(resp.body());
        } catch (IOException e) {
            json = null;
        }
        return new Call(resp.statusCode(), resp.body(), json);
    }

    private static HttpRequest.Builder request(int port, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20));
    }

    private Call get(int port, String path) throws IOException, InterruptedException {
        return call(request(port, path).GET().build());
    }

    private Call post(int port, String path, String body) throws IOException, InterruptedException {
        return call(request(port, path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build());
    }

    private Call delete(int port, String path) throws IOException, InterruptedException {
        return call(request(port, path).DELETE().build());
    }

    @FunctionalInterface
    private interface Check<T> {
        T get() throws Exception;
    }

    /** Waits (generously) until a GET answers 200 with JSON the predicate accepts. */
    private JsonNode await(int port, String path, Predicate<JsonNode> ok) throws Exception {
        return await(() -> {
            Call c = get(port, path);
            return c.status() == 200 ? c.json() : null;
        }, n -> n != null && ok.test(n));
    }

    private static <T> T await(Check<T> value, Predicate<T> ok) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        T last = null;
        while (System.nanoTime() < deadline) {
            last = value.get();
            if (ok.test(last)) {
                return last;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("condition not met within 120 s; last value: " + last);
    }

    private static void await(java.util.function.BooleanSupplier ok, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 120 s: " + what);
            }
            Thread.sleep(200);
        }
    }
}
