package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances of one application on a real broker: {@code GET /tasks} on either lists the tasks of both (each asks
 * the other through its {@code application.server}), pages across them, and {@code DELETE /tasks/{id}} sent to one
 * instance reaches the task's owner, whichever it is, through the control topic.
 */
class TasksAcrossInstancesTest {
    private static final int TASKS = 8;
    private final ObjectMapper mapper = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private AppConfig config(String name) {
        Properties p = new Properties();
        p.setProperty("application.id", "metastream-tasks-two");
        p.setProperty("state.dir", dir.resolve(name).toString());
        p.setProperty("input.dim", "3");
        p.setProperty("task.classes", "2");
        p.setProperty("model.trunk.layers", "4");
        p.setProperty("learner.batch.size", "4");
        p.setProperty("meta.sync.interval.ms", "300");
        p.setProperty("topics.partitions", "4");
        p.setProperty("http.port", "0");
        return AppConfig.of(p);
    }

    @Test
    void listsAndDeletesAcrossInstances() throws Exception {
        try (EmbeddedKafka broker = EmbeddedKafka.start(null, 0, Map.of());
             MetastreamApp a = new MetastreamApp(config("a"), broker.bootstrapServers());
             MetastreamApp b = new MetastreamApp(config("b"), broker.bootstrapServers())) {
            a.ensureTopics();
            a.start();
            b.start();
            // Both running, with the learner partitions spread over both.
            await(() -> a.streams().state().isRunningOrRebalancing() && b.streams().state().isRunningOrRebalancing()
                    && a.streams().metadataForAllStreamsClients().size() == 2
                    && !a.streams().metadataForLocalThreads().iterator().next().activeTasks().isEmpty()
                    && !b.streams().metadataForLocalThreads().iterator().next().activeTasks().isEmpty());
            List<String> values = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                for (int t = 0; t < TASKS; t++) {
                    values.add("{\"task\":\"task-" + t + "\",\"x\":[" + Math.sin(i) + "," + Math.cos(i + t) + ",1],"
                            + "\"y\":" + ((i + t) % 2) + "}");
                }
            }
            produce(broker.bootstrapServers(), values);
            await(() -> a.metrics().learnedCount() + b.metrics().learnedCount() >= values.size());

            // Every task as written after its last example (states are written behind, before commits and every
            // learner.state.flush.interval.ms), so both instances list the same figures.
            java.util.function.Predicate<JsonNode> final40 = n -> n.path("total").asInt() == TASKS
                    && java.util.stream.StreamSupport.stream(n.path("tasks").spliterator(), false)
                            .allMatch(t -> t.path("examples_learned").asLong() == 40);
            JsonNode fromA = awaitJson(a.httpPort(), "/tasks", final40);
            assertThat(fromA.path("instances").asInt()).isEqualTo(2);
            Set<String> servers = new HashSet<>();
            fromA.path("tasks").forEach(n -> servers.add(n.path("served_by").asText()));
            assertThat(servers).as("tasks served by both instances").hasSize(2);
            JsonNode fromB = awaitJson(b.httpPort(), "/tasks", final40);
            assertThat(fromB.path("tasks")).isEqualTo(fromA.path("tasks"));
            JsonNode page = awaitJson(a.httpPort(), "/tasks?offset=5&limit=2", n -> n.path("total").asInt() == TASKS);
            assertThat(page.path("tasks")).extracting(n -> n.path("task").asText())
                    .containsExactly("task-5", "task-6");

            // Delete every task through instance A: each reaches its owner, on A or on B.
            for (int t = 0; t < TASKS; t++) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + a.httpPort() + "/tasks/task-" + t)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            }
            awaitJson(b.httpPort(), "/tasks", n -> n.path("total").asInt() == 0);
        }
    }

    private JsonNode awaitJson(int port, String path, java.util.function.Predicate<JsonNode> ok) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
            last = r.statusCode() + " " + r.body();
            if (r.statusCode() == 200) {
                JsonNode n = mapper.readTree(r.body());
                if (ok.test(n)) {
                    return n;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("GET " + path + " did not answer as expected within 120 s; last: " + last);
    }

    private static void await(java.util.function.BooleanSupplier ok) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 120 s");
            }
            Thread.sleep(200);
        }
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
}
