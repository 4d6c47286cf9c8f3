package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metastream.data.SyntheticStream;
import dev.metastream.http.HttpApi;
import dev.metastream.learn.SharedState;
import dev.metastream.learn.TaskState;
import dev.metastream.topology.MetastreamTopology;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scaling out on one real broker: instances A and B (same application id, 6 input partitions, one standby replica)
 * share the tasks; mid-stream B leaves and C joins. Under exactly_once_v2 every example gets exactly one prediction
 * and is learned exactly once, the shared model settles on one version everywhere, and every instance answers
 * {@code POST /predict} for every task, forwarding to the owner when the task is not local (with the bearer token
 * passed on). The restore time of the rebalance is measured and printed.
 */
class ScaleOutTest {
    private static final String TOKEN = "scale-out-token-5b2e";
    private static final int TASKS = 24;
    private static final int EXAMPLES = 1_920;
    private final ObjectMapper mapper = new ObjectMapper();
    private final HttpCalls http = new HttpCalls(TOKEN);

    @TempDir
    Path dir;

    private AppConfig config(String name) {
        Properties p = new Properties();
        p.setProperty("application.id", "metastream-scale");
        p.setProperty("processing.guarantee", "exactly_once_v2");
        p.setProperty("state.dir", dir.resolve(name).toString());
        p.setProperty("num.standby.replicas", "1");
        p.setProperty("input.dim", "20");
        p.setProperty("task.classes", "3");
        p.setProperty("model.trunk.layers", "16");
        p.setProperty("learner.batch.size", "16");
        p.setProperty("snapshot.every.examples", "20");
        p.setProperty("metrics.interval.ms", "1000");
        p.setProperty("meta.sync.interval.ms", "300");
        p.setProperty("topics.partitions", "6");
        p.setProperty("http.port", "0");
        p.setProperty("http.auth.token", TOKEN);
        return AppConfig.of(p);
    }

    @Test
    void tasksSpreadSurviveARebalanceAndAreServedFromEveryInstance() throws Exception {
        long t0 = System.nanoTime();
        SyntheticStream stream = new SyntheticStream(SyntheticStream.Config.defaults().withTasks(TASKS).withSeed(5));
        List<SyntheticStream.Example> examples = new ArrayList<>();
        Map<String, Long> perTask = new TreeMap<>();
        for (int i = 0; i < EXAMPLES; i++) {
            SyntheticStream.Example e = stream.next();
            examples.add(e);
            perTask.merge(e.task(), 1L, Long::sum);
        }
        assertThat(perTask).hasSize(TASKS);
        List<String> phases = new ArrayList<>();
        try (EmbeddedKafka broker = EmbeddedKafka.start(null, 0, Map.of());
             MetastreamApp a = new MetastreamApp(config("a"), broker.bootstrapServers());
             MetastreamApp b = new MetastreamApp(config("b"), broker.bootstrapServers());
             MetastreamApp c = new MetastreamApp(config("c"), broker.bootstrapServers())) {
            phases.add(String.format("broker %.1f s", (System.nanoTime() - t0) / 1e9));
            a.ensureTopics();
            a.start();
            b.start();
            awaitOwners(a, perTask.keySet(), Set.of(host(a), host(b)));
            Map<HostInfo, Integer> before = owners(a, perTask.keySet());
            System.out.printf("scale-out: tasks per instance with A and B: %s%n", before);
            phases.add(String.format("A+B ready %.1f s", (System.nanoTime() - t0) / 1e9));
            assertThat(before.keySet()).as("tasks spread over both instances").containsExactlyInAnyOrder(host(a), host(b));

            // First half; B leaves while it is being processed, C joins, then the second half.
            produce(broker.bootstrapServers(), examples.subList(0, EXAMPLES / 2));
            long wait = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (a.metrics().learnedCount() + b.metrics().learnedCount() < EXAMPLES / 8
                    && System.nanoTime() < wait) {
                Thread.sleep(20);
            }
            double learnedBeforeLeave = a.metrics().learnedCount() + b.metrics().learnedCount();
            long rebalanceStart = System.nanoTime();
            b.closeAndLeaveGroup();
            c.start();
            produce(broker.bootstrapServers(), examples.subList(EXAMPLES / 2, EXAMPLES));
            awaitOwners(a, perTask.keySet(), Set.of(host(a), host(c)));
            double rebalanceSeconds = (System.nanoTime() - rebalanceStart) / 1e9;
            Map<HostInfo, Integer> after = owners(a, perTask.keySet());
            System.out.printf("scale-out: B left after %.0f of %d examples were learned; tasks per instance with A "
                    + "and C: %s (%.1f s after B left)%n", learnedBeforeLeave, EXAMPLES, after, rebalanceSeconds);
            assertThat(learnedBeforeLeave).as("B left mid-stream").isLessThan(EXAMPLES);
            assertThat(after.keySet()).as("C took over tasks").contains(host(c)).doesNotContain(host(b));

            // Exactly one prediction per example across the rebalance.
            Map<String, Integer> predictions = readPredictions(broker.bootstrapServers(), a);
            Set<String> ids = new HashSet<>();
            examples.forEach(e -> ids.add(e.id()));
            phases.add(String.format("predictions read %.1f s", (System.nanoTime() - t0) / 1e9));
            assertThat(predictions.keySet()).isEqualTo(ids);
            assertThat(predictions.values()).as("predictions per example").containsOnly(1);

            // Every example learned exactly once: the owners' task states count what was produced.
            Map<String, Long> learned = Map.of();
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < until) {
                try {
                    learned = learnedPerTask(List.of(a, c), perTask.keySet());
                    if (learned.equals(perTask)) {
                        break;
                    }
                } catch (InvalidStateStoreException rebalancing) {
                    // A follow-up rebalance (Kafka Streams probes when warm-up replicas catch up): read again.
                }
                Thread.sleep(200);
            }
            assertThat(learned).isEqualTo(perTask);

            // The shared model settles on one version, on every instance and in every partition.
            phases.add(String.format("learned %.1f s", (System.nanoTime() - t0) / 1e9));
            long version = awaitOneMetaVersion(List.of(a, c));
            phases.add(String.format("meta settled %.1f s", (System.nanoTime() - t0) / 1e9));
            System.out.printf("scale-out: shared model settled at version %d on both instances%n", version);

            // Any instance answers for any task, forwarding to the owner when needed; the answers agree.
            int forwarded = 0;
            for (String task : perTask.keySet()) {
                HostInfo owner = a.streams().queryMetadataForKey(MetastreamTopology.TASK_STATE_STORE, task,
                        Serdes.String().serializer()).activeHost();
                String body = "{\"task\":\"" + task + "\",\"id\":\"q-" + task + "\",\"ts\":1700000000000,\"x\":"
                        + mapper.writeValueAsString(examples.get(0).x()) + "}";
                String first = null;
                for (MetastreamApp app : List.of(a, c)) {
                    HttpResponse<String> r = postRetrying(app.httpPort(), body);
                    assertThat(r.statusCode()).as(task + " from " + host(app) + ": " + r.body()).isEqualTo(200);
                    assertThat(r.headers().firstValue(HttpApi.SERVED_BY_HEADER)).hasValue(owner.toString()
                            .replace("HostInfo{host='", "").replace("', port=", ":").replace("}", ""));
                    JsonNode j = mapper.readTree(r.body());
                    assertThat(j.path("task").asText()).isEqualTo(task);
                    assertThat(j.path("model_version").asLong()).isEqualTo(version);
                    assertThat(j.path("task_version").asLong()).isPositive();
                    forwarded += owner.equals(host(app)) ? 0 : 1;
                    if (first == null) {
                        first = r.body();
                    } else {
                        assertThat(r.body()).as("same answer from every instance for " + task).isEqualTo(first);
                    }
                }
            }
            phases.add(String.format("served %.1f s", (System.nanoTime() - t0) / 1e9));
            System.out.println("scale-out: phases " + phases);
            assertThat(forwarded).as("requests answered by forwarding").isEqualTo(TASKS);
            // The token is passed on: without it the first instance refuses, before any forwarding.
            assertThat(new HttpCalls(null).post(a.httpPort(), "/predict", "{}").statusCode()).isEqualTo(401);

            System.out.printf("scale-out: restores on A: %d store partitions, %.3f s in all, longest %.3f s; on C: %d, "
                    + "%.3f s, longest %.3f s; whole test %.1f s%n", a.restores().completed(),
                    a.restores().totalSeconds(), a.restores().maxSeconds(), c.restores().completed(),
                    c.restores().totalSeconds(), c.restores().maxSeconds(), (System.nanoTime() - t0) / 1e9);
            assertThat(c.restores().completed()).as("C restored the stores of the tasks it took").isPositive();
        }
    }

    /** Posts to /predict, retrying on 503 as a client should (Retry-After) while a rebalance moves tasks. */
    private HttpResponse<String> postRetrying(int port, String body) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        HttpResponse<String> r = http.post(port, "/predict", body);
        while (r.statusCode() == 503 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            r = http.post(port, "/predict", body);
        }
        return r;
    }

    private static HostInfo host(MetastreamApp app) {
        return new HostInfo("127.0.0.1", app.httpPort());
    }

    /** Owner of each task as instance A's metadata sees it: tasks per host. */
    private static Map<HostInfo, Integer> owners(MetastreamApp a, Set<String> tasks) {
        Map<HostInfo, Integer> n = new HashMap<>();
        for (String task : tasks) {
            KeyQueryMetadata md = a.streams().queryMetadataForKey(MetastreamTopology.TASK_STATE_STORE, task,
                    Serdes.String().serializer());
            n.merge(md.activeHost(), 1, Integer::sum);
        }
        return n;
    }

    /** Waits until both instances are ready and every task is owned by one of the expected hosts. */
    private void awaitOwners(MetastreamApp a, Set<String> tasks, Set<HostInfo> hosts) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (a.streams().state() == KafkaStreams.State.RUNNING) {
                Map<HostInfo, Integer> owners = owners(a, tasks);
                if (hosts.containsAll(owners.keySet()) && owners.keySet().containsAll(hosts)) {
                    boolean ready = true;
                    for (HostInfo h : hosts) {
                        ready &= http.get(h.port(), "/health/ready").statusCode() == 200;
                    }
                    if (ready) {
                        return;
                    }
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("tasks not spread over " + hosts + ": " + owners(a, tasks));
    }

    private static void produce(String bootstrap, List<SyntheticStream.Example> examples) {
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(pp, new StringSerializer(),
                new StringSerializer())) {
            for (SyntheticStream.Example e : examples) {
                producer.send(new ProducerRecord<>("metastream.examples", e.task(), SyntheticStream.toJson(e)));
            }
            producer.flush();
        }
    }

    /** Predictions per example id, read_committed, until all arrived and a few quiet seconds passed. */
    private Map<String, Integer> readPredictions(String bootstrap, MetastreamApp a) throws Exception {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "scale-out-reader");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, Integer> seen = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of("metastream.predictions"));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long quietUntil = 0;
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    seen.merge(mapper.readTree(r.value()).path("id").asText(), 1, Integer::sum);
                }
                if (seen.size() >= EXAMPLES && quietUntil == 0) {
                    // A duplicate, if exactly-once were broken, would arrive now.
                    quietUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                }
                if (quietUntil != 0 && System.nanoTime() > quietUntil) {
                    break;
                }
            }
        }
        return seen;
    }

    /** Examples learned per task, read from the owning instance's task-state store through interactive queries. */
    private static Map<String, Long> learnedPerTask(List<MetastreamApp> apps, Set<String> tasks) {
        Map<String, Long> out = new TreeMap<>();
        for (String task : tasks) {
            for (MetastreamApp app : apps) {
                KeyQueryMetadata md = app.streams().queryMetadataForKey(MetastreamTopology.TASK_STATE_STORE, task,
                        Serdes.String().serializer());
                if (!md.activeHost().equals(host(app))) {
                    continue;
                }
                byte[] bytes = store(app, MetastreamTopology.TASK_STATE_STORE, md.partition()).get(task);
                if (bytes != null) {
                    out.put(task, TaskState.fromBytes(bytes).learned());
                }
            }
        }
        return out;
    }

    private static ReadOnlyKeyValueStore<String, byte[]> store(MetastreamApp app, String name, int partition) {
        return app.streams().store(StoreQueryParameters.fromNameAndType(name,
                QueryableStoreTypes.<String, byte[]>keyValueStore()).withPartition(partition));
    }

    /**
     * Waits until /models/meta gives one version on every instance, every learner partition is rebased on it, and
     * that holds across several sync intervals; returns the version.
     */
    private long awaitOneMetaVersion(List<MetastreamApp> apps) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        long stableSince = 0;
        long last = -1;
        String state = "";
        while (System.nanoTime() < deadline) {
            Set<Long> versions = new HashSet<>();
            for (MetastreamApp app : apps) {
                HttpResponse<String> r = http.get(app.httpPort(), "/models/meta");
                versions.add(r.statusCode() == 200 ? mapper.readTree(r.body()).path("version").asLong() : -1);
            }
            List<Long> bases = new ArrayList<>();
            for (int p = 0; p < 6; p++) {
                for (MetastreamApp app : apps) {
                    if (app.streams().state() != KafkaStreams.State.RUNNING) {
                        continue;
                    }
                    try {
                        byte[] s = store(app, MetastreamTopology.SHARED_STATE_STORE, p)
                                .get(MetastreamTopology.SHARED_STATE_KEY);
                        if (s != null) {
                            bases.add(SharedState.fromBytes(s).baseVersion());
                        }
                    } catch (InvalidStateStoreException notHere) {
                        // the partition is active on the other instance (or moving)
                    }
                }
            }
            state = "meta versions " + versions + ", partition bases " + bases;
            boolean one = versions.size() == 1 && !versions.contains(-1L) && bases.size() == 6
                    && bases.stream().allMatch(versions::contains);
            long v = one ? versions.iterator().next() : -1;
            if (one && v == last) {
                if (System.nanoTime() - stableSince > Duration.ofMillis(1500).toNanos()) {
                    return v;
                }
            } else {
                stableSince = System.nanoTime();
                last = v;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the shared model did not settle: " + state);
    }
}
