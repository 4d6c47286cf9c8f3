package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metastream.data.SyntheticStream;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * metastream against a broker that requires SASL/PLAIN: with the right credentials in the configuration every client
 * the application creates (its admin client for topics, Kafka Streams' clients, the produce command's producer)
 * authenticates and records flow end to end; with a wrong password the user is told that authentication failed and
 * which keys to check, and {@code run} exits non-zero.
 */
class SaslEndToEndTest {
    private static final String USER = "alice";
    private static final String PASSWORD = "alice-secret";
    private static final int EXAMPLES = 400;

    private static EmbeddedKafka broker;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafka.startWithSaslPlain(null, Map.of(USER, PASSWORD), Map.of());
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private Properties config(String appId, String password) {
        Properties p = new Properties();
        p.setProperty("application.id", appId);
        p.setProperty("bootstrap.servers", broker.bootstrapServers());
        p.setProperty("state.dir", dir.resolve("state").toString());
        p.setProperty("topics.partitions", "2");
        p.setProperty("input.dim", "10");
        p.setProperty("task.classes", "3");
        p.setProperty("model.trunk.layers", "8");
        p.setProperty("learner.batch.size", "16");
        for (String t : List.of("examples", "predictions", "model.snapshots", "metrics", "drift.events", "dead.letter",
                "meta.updates", "meta.model")) {
            p.setProperty("topic." + t, appId + "." + t);
        }
        p.putAll(EmbeddedKafka.saslPlainClientSettings(USER, password));
        return p;
    }

    @Test
    void processesRecordsEndToEndWithTheRightCredentials() throws Exception {
        Properties p = config("sasl-ok", PASSWORD);
        AppConfig config = AppConfig.of(p);
        Path props = dir.resolve("app.properties");
        try (var w = Files.newBufferedWriter(props)) {
            p.store(w, null);
        }
        SyntheticStream stream = new SyntheticStream(SyntheticStream.Config.defaults().withTasks(3).withSeed(5)
                .withInputDim(10).withClasses(3));
        Path input = dir.resolve("examples.jsonl");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < EXAMPLES; i++) {
            lines.add(SyntheticStream.toJson(stream.next()));
        }
        Files.write(input, lines);

        try (MetastreamApp app = new MetastreamApp(config, broker.bootstrapServers(), new SimpleMeterRegistry())) {
            app.ensureTopics(); // the admin client authenticates
            app.start(); // Kafka Streams' consumers, producers and admin client authenticate
            app.awaitRunning(Duration.ofSeconds(60));

            // The produce command's admin check and producer take their security settings from --client-config.
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cl = new CommandLine(new Main());
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute("produce", "--input", input.toString(), "--bootstrap-servers",
                    broker.bootstrapServers(), "--topic", config.topology().examplesTopic(), "--client-config",
                    props.toString());
            assertThat(code).as("produce: %s %s", out, err).isZero();

            Properties cp = new Properties();
            cp.putAll(EmbeddedKafka.saslPlainClientSettings(USER, PASSWORD));
            cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            cp.put(ConsumerConfig.GROUP_ID_CONFIG, "sasl-reader");
            cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            Set<String> ids = new HashSet<>();
            try (KafkaConsumer<String, String> c = new KafkaConsumer<>(cp, new StringDeserializer(),
                    new StringDeserializer())) {
                c.subscribe(List.of(config.topology().predictionsTopic()));
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while (ids.size() < EXAMPLES && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                        ids.add(r.value().replaceAll(".*\"id\":\"([^\"]*)\".*", "$1"));
                    }
                }
            }
            assertThat(ids).hasSize(EXAMPLES);
        }
    }

    @Test
    void aWrongPasswordFailsClearlyNamingTheKeysToCheck() throws Exception {
        AppConfig config = AppConfig.of(config("sasl-bad", "not-the-password"));
        try (MetastreamApp app = new MetastreamApp(config, broker.bootstrapServers(), new SimpleMeterRegistry())) {
            assertThatThrownBy(app::ensureTopics)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("authentication with the brokers at " + broker.bootstrapServers() + " failed")
                    .hasMessageContaining("security.protocol=SASL_PLAINTEXT")
                    .hasMessageContaining("sasl.jaas.config");
        }
    }

    @Test
    void runExitsNonZeroWithTheAuthenticationErrorOnAWrongPassword() throws Exception {
        Path props = dir.resolve("bad.properties");
        try (var w = Files.newBufferedWriter(props)) {
            config("sasl-run-bad", "not-the-password").store(w, null);
        }
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            code = new CommandLine(new Main()).execute("run", "--config", props.toString());
        } finally {
            System.setErr(saved);
        }
        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("metastream run: authentication with the brokers")
                .contains("Authentication failed")
                .contains("sasl.mechanism and the username and password in sasl.jaas.config");
    }
}
