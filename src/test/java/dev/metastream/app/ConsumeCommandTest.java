package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metastream.learn.MetaSnapshot;
import dev.metastream.topology.ParseProcessor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code metastream consume} against a real in-process KRaft broker: records written the way the application writes
 * them (in transactions, one of them aborted), read back by role name or full name, as JSON lines or a table.
 */
@Timeout(300)
class ConsumeCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static EmbeddedKafka kafka;

    private static final String PREDICTION_A =
            "{\"task\":\"task-a\",\"id\":\"ex-1\",\"prediction\":2,\"probabilities\":[0.1,0.2,0.7],\"labelled\":true,"
                    + "\"model_version\":3,\"task_version\":1,\"ts\":1767225600007}";
    private static final String PREDICTION_B =
            "{\"task\":\"task-b\",\"id\":\"ex-2\",\"prediction\":0,\"probability\":0.25,\"labelled\":false,"
                    + "\"model_version\":3,\"task_version\":0,\"ts\":1767225600008}";
    private static final String ABORTED =
            "{\"task\":\"task-a\",\"id\":\"aborted\",\"prediction\":1,\"labelled\":true,\"ts\":1}";
    private static final String METRICS =
            "{\"task\":\"task-a\",\"kind\":\"classification\",\"examples_seen\":250,\"examples_learned\":240,"
                    + "\"learning_rate\":0.05,\"metrics\":{\"accuracy\":0.8125,\"accuracy_window\":0.875,"
                    + "\"log_loss\":0.5},\"meta_version\":3,\"drifts\":1,\"ts\":1767225600009}";
    private static final String DRIFT =
            "{\"task\":\"task-a\",\"detector\":\"adwin\",\"signal\":\"prequential-error\",\"position\":1240,"
                    + "\"statistics\":{\"width\":160.0,\"estimation\":0.083},\"reaction\":\"reset-head\","
                    + "\"ts\":1767225605000}";
    private static final String SNAPSHOT =
            "{\"type\":\"task\",\"task\":\"task-a\",\"version\":2,\"meta_version\":0,\"examples_seen\":8,"
                    + "\"config_digest\":\"c4eddb8d38d55670\",\"created_at\":1767225600007,"
                    + "\"task_kind\":\"classification\",\"shape\":{\"inputs\":2,\"outputs\":3},"
                    + "\"parameters\":{\"head\":[0.1,0.2]}}";

    @TempDir
    Path tmp;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start(null, 0, Map.of());
        kafka.createTopics(List.of(new NewTopic("metastream.predictions", 2, (short) 1),
                new NewTopic("metastream.metrics", 1, (short) 1), new NewTopic("metastream.drift-events", 1, (short) 1),
                new NewTopic("metastream.model-snapshots", 1, (short) 1),
                new NewTopic("metastream.dead-letter", 1, (short) 1), new NewTopic("metastream.meta-model", 1, (short) 1),
                new NewTopic("renamed.predictions", 1, (short) 1), new NewTopic("follow-me", 3, (short) 1)));
        try (KafkaProducer<byte[], byte[]> p = transactional("consume-test-setup")) {
            p.initTransactions();
            p.beginTransaction();
            p.send(record("metastream.predictions", 0, "task-a", PREDICTION_A));
            p.send(record("metastream.predictions", 1, "task-b", PREDICTION_B));
            p.commitTransaction();
            p.beginTransaction();
            p.send(record("metastream.predictions", 0, "task-a", ABORTED));
            p.flush();
            p.abortTransaction();
            p.beginTransaction();
            p.send(record("metastream.metrics", 0, "task-a", METRICS));
            p.send(record("metastream.drift-events", 0, "task-a", DRIFT));
            p.send(record("metastream.model-snapshots", 0, "task-a", SNAPSHOT));
            p.send(record("renamed.predictions", 0, "task-a", PREDICTION_A));
            RecordHeaders h = new RecordHeaders();
            h.add(ParseProcessor.HEADER_REASON, utf8("wrong-dimension"));
            h.add(ParseProcessor.HEADER_MESSAGE, utf8("\"x\" has 2 values but input.dim=20: send exactly 20"));
            h.add(ParseProcessor.HEADER_TOPIC, utf8("metastream.examples"));
            h.add(ParseProcessor.HEADER_PARTITION, utf8("1"));
            h.add(ParseProcessor.HEADER_OFFSET, utf8("500"));
            p.send(new ProducerRecord<>("metastream.dead-letter", 0, null, utf8("task-a"),
                    utf8("{\"task\":\"task-a\",\"x\":[1,2],\"y\":0}"), h));
            RecordHeaders h2 = new RecordHeaders();
            h2.add(ParseProcessor.HEADER_REASON, utf8("not-json"));
            p.send(new ProducerRecord<>("metastream.dead-letter", 0, null, null, new byte[] {(byte) 0xff, 1}, h2));
            p.send(new ProducerRecord<>("metastream.meta-model", 0, utf8("meta"), new MetaSnapshot(5,
                    new float[] {0.5f, -1f}, Map.of("classification:3", new float[] {0.25f}), 800, 5, 1,
                    "c4eddb8d38d55670", 1767225601000L).toBytes()));
            p.commitTransaction();
        }
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static KafkaProducer<byte[], byte[]> transactional(String id) {
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        pp.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
        return new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, int partition, String key, String value) {
        return new ProducerRecord<>(topic, partition, utf8(key), utf8(value));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private record Run(int exitCode, String out, String err) { }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static List<JsonNode> jsonLines(String out) throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        for (String l : out.strip().lines().toList()) {
            if (!l.isBlank()) {
                nodes.add(JSON.readTree(l));
            }
        }
        return nodes;
    }

    @Test
    void readsCommittedPredictionsByRoleNameAsJsonLinesAndStopsAtTheEnd() throws Exception {
        Run r = run("consume", "--topic", "predictions", "--bootstrap-servers", kafka.bootstrapServers());
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<JsonNode> lines = jsonLines(r.out());
        assertThat(lines).hasSize(2); // the aborted transaction's prediction never shows
        assertThat(lines).extracting(n -> n.path("value").path("id").asText()).containsExactlyInAnyOrder("ex-1",
                "ex-2");
        JsonNode a = lines.stream().filter(n -> n.path("key").asText().equals("task-a")).findFirst().orElseThrow();
        assertThat(a.path("topic").asText()).isEqualTo("metastream.predictions");
        assertThat(a.path("partition").asInt()).isZero();
        assertThat(a.path("value")).isEqualTo(JSON.readTree(PREDICTION_A));
        assertThat(r.err()).contains("2 records printed from topic 'metastream.predictions'");
    }

    @Test
    void fullNamesTaskFilterAndMax() throws Exception {
        Run byName = run("consume", "--topic", "metastream.predictions", "--bootstrap-servers",
                kafka.bootstrapServers(), "--task", "task-b");
        assertThat(byName.exitCode()).as(byName.err()).isZero();
        assertThat(jsonLines(byName.out())).singleElement()
                .satisfies(n -> assertThat(n.path("value").path("task").asText()).isEqualTo("task-b"));
        assertThat(byName.err()).contains("1 records printed of 2 read");

        Run max = run("consume", "--topic", "predictions", "--bootstrap-servers", kafka.bootstrapServers(),
                "--max", "1");
        assertThat(max.exitCode()).isZero();
        assertThat(jsonLines(max.out())).hasSize(1);
        assertThat(max.err()).contains("--max reached");
    }

    @Test
    void deadLettersCarryTheirReasonHeadersAndOriginalBytes() throws Exception {
        Run r = run("consume", "--topic", "dead-letters", "--bootstrap-servers", kafka.bootstrapServers());
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<JsonNode> lines = jsonLines(r.out());
        assertThat(lines).hasSize(2);
        JsonNode wrong = lines.get(0);
        assertThat(wrong.path("reason").asText()).isEqualTo("wrong-dimension");
        assertThat(wrong.path("message").asText()).contains("input.dim=20");
        assertThat(wrong.path("value").asText()).isEqualTo("{\"task\":\"task-a\",\"x\":[1,2],\"y\":0}");
        assertThat(wrong.path("headers").path(ParseProcessor.HEADER_OFFSET).asText()).isEqualTo("500");
        JsonNode binary = lines.get(1);
        assertThat(binary.path("reason").asText()).isEqualTo("not-json");
        assertThat(binary.path("key").isNull()).isTrue();
        assertThat(binary.has("value")).isFalse();
        assertThat(binary.path("value_base64").asText()).isEqualTo("/wE=");

        Run table = run("consume", "--topic", "dead-letter", "--bootstrap-servers", kafka.bootstrapServers(),
                "--format", "table", "--task", "task-a");
        assertThat(table.exitCode()).isZero();
        List<String> rows = table.out().strip().lines().toList();
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).contains("SOURCE").contains("REASON").contains("MESSAGE");
        assertThat(rows.get(1)).contains("metastream.examples:1:500").contains("wrong-dimension")
                .contains("input.dim=20");
    }

    @Test
    void tablesShowEachOutputTopicsFields() {
        Run preds = run("consume", "--topic", "predictions", "--bootstrap-servers", kafka.bootstrapServers(),
                "--format", "table", "--task", "task-a");
        assertThat(preds.exitCode()).isZero();
        assertThat(preds.out().strip().lines().toList()).satisfiesExactly(
                h -> assertThat(h).startsWith("TIME (UTC)").contains("PREDICTION").contains("PROB"),
                row -> assertThat(row).contains("task-a").contains("ex-1").contains("0.7000").contains("true"));
        Run metrics = run("consume", "--topic", "metrics", "--bootstrap-servers", kafka.bootstrapServers(),
                "--format", "table");
        assertThat(metrics.out()).contains("accuracy").contains("0.8125").contains("0.8750").contains("250");
        Run drift = run("consume", "--topic", "drift", "--bootstrap-servers", kafka.bootstrapServers(),
                "--format", "table");
        assertThat(drift.out()).contains("1240").contains("adwin").contains("reset-head").contains("0.0830");
        Run snaps = run("consume", "--topic", "snapshots", "--bootstrap-servers", kafka.bootstrapServers(),
                "--format", "table");
        assertThat(snaps.out()).contains("classification head 2x3").contains("c4eddb8d38d55670");
    }

    @Test
    void theBinarySharedModelIsDecodedAndSaysItsFormat() throws Exception {
        Run r = run("consume", "--topic", "meta-model", "--bootstrap-servers", kafka.bootstrapServers());
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode n = jsonLines(r.out()).get(0);
        assertThat(n.path("value_format").asText()).isEqualTo("MetaSnapshot (binary, decoded)");
        assertThat(n.path("value").path("version").asLong()).isEqualTo(5);
        assertThat(n.path("value").path("trunk").toString()).isEqualTo("[0.5,-1.0]");
        assertThat(n.path("value").path("head_init").path("classification:3").toString()).isEqualTo("[0.25]");
        Run table = run("consume", "--topic", "meta-model", "--bootstrap-servers", kafka.bootstrapServers(),
                "--format", "table");
        assertThat(table.out().strip().lines().toList()).satisfiesExactly(
                h -> assertThat(h).contains("VERSION").contains("EXAMPLES"),
                row -> assertThat(row).contains("800").contains("updates 5, staleness 1, 2 trunk parameters,"
                        + " heads classification:3, digest c4eddb8d38d55670"));
    }

    @Test
    void roleNamesFollowTheTopicKeysOfTheClientConfig() throws Exception {
        Path conf = tmp.resolve("app.properties");
        Files.writeString(conf, "topic.predictions=renamed.predictions\nlearner.batch.size=8\n");
        Run r = run("consume", "--topic", "predictions", "--bootstrap-servers", kafka.bootstrapServers(),
                "--client-config", conf.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(jsonLines(r.out())).singleElement()
                .satisfies(n -> assertThat(n.path("topic").asText()).isEqualTo("renamed.predictions"));
    }

    @Test
    void anUnknownTopicIsAUsageErrorThatListsWhatExists() {
        Run r = run("consume", "--topic", "predictionz", "--bootstrap-servers", kafka.bootstrapServers());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("topic 'predictionz' does not exist")
                .contains("predictions, metrics, drift, snapshots, dead-letters")
                .contains("metastream.predictions");
        Run format = run("consume", "--topic", "predictions", "--bootstrap-servers", kafka.bootstrapServers(),
                "--format", "xml");
        assertThat(format.exitCode()).isEqualTo(2);
        assertThat(format.err()).contains("unknown --format 'xml'; use json or table");
    }

    @Test
    void followPrintsRecordsWrittenAfterItStarted() throws Exception {
        try (KafkaProducer<byte[], byte[]> p = transactional("consume-test-follow")) {
            p.initTransactions();
            p.beginTransaction();
            p.send(record("follow-me", 0, "task-a", "{\"n\":0}"));
            p.commitTransaction();

            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cl = new CommandLine(new Main());
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute("consume", "--topic",
                    "follow-me", "--bootstrap-servers", kafka.bootstrapServers(), "--follow", "--max", "2"));
            while (!err.toString().contains("following topic 'follow-me' (3 partitions) from the end")) {
                assertThat(exit).as(err.toString()).isNotDone();
                Thread.sleep(50);
            }
            p.beginTransaction();
            p.send(record("follow-me", 1, "task-a", "{\"n\":1}"));
            p.send(record("follow-me", 2, "task-b", "{\"n\":2}"));
            p.commitTransaction();
            assertThat(exit.get(120, TimeUnit.SECONDS)).as(err.toString()).isZero();
            assertThat(jsonLines(out.toString())).extracting(n -> n.path("value").path("n").asInt())
                    .containsExactlyInAnyOrder(1, 2); // not the record written before it started
        }
    }
}
