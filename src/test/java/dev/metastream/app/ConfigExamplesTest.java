package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Every example in {@code config/} goes through the application's validation and through Kafka Streams' own, so no
 * example rots when a key changes; the secured example's security settings reach every client.
 */
class ConfigExamplesTest {
    static List<Path> examples() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("config"))) {
            return s.filter(p -> p.toString().endsWith(".properties")).sorted().toList();
        }
    }

    @Test
    void theExamplesAreThere() throws IOException {
        assertThat(examples()).extracting(p -> p.getFileName().toString()).contains("application.properties",
                "local.properties", "docker.properties", "cluster.properties", "secured-cluster.properties");
    }

    @ParameterizedTest
    @MethodSource("examples")
    void loadsAndValidates(Path file) throws IOException {
        AppConfig config = AppConfig.load(file);
        String bootstrap = config.embedded() ? "127.0.0.1:9092" : config.all().getProperty("bootstrap.servers");
        Properties streams = config.streamsProperties(bootstrap);
        StreamsConfig sc = new StreamsConfig(streams); // Kafka Streams' own validation of every key it knows
        assertThat(sc.getString(StreamsConfig.APPLICATION_ID_CONFIG)).isNotBlank();
        // Every key of the file is either metastream's or a Kafka key passed on: none is silently dropped.
        Properties raw = new Properties();
        try (var r = Files.newBufferedReader(file)) {
            raw.load(r);
        }
        java.util.Set<String> documented = new java.util.HashSet<>();
        ConfigDocumentation.keys().forEach(k -> documented.add(k.name()));
        // Every key of the file is metastream's or one Kafka knows: a misspelt key would be passed on and ignored.
        java.util.Set<String> kafka = new java.util.HashSet<>(StreamsConfig.configDef().names());
        kafka.addAll(org.apache.kafka.clients.producer.ProducerConfig.configNames());
        kafka.addAll(org.apache.kafka.clients.consumer.ConsumerConfig.configNames());
        kafka.addAll(org.apache.kafka.clients.admin.AdminClientConfig.configNames());
        for (String k : raw.stringPropertyNames()) {
            boolean ours = documented.contains(k) || k.startsWith("tasks.") || k.startsWith("drift.")
                    || k.startsWith("http.");
            boolean known = kafka.contains(k) || k.startsWith("config.providers.") || Stream.of("producer.",
                    "consumer.", "admin.", "main.consumer.", "restore.consumer.", "global.consumer.", "topic.")
                    .anyMatch(prefix -> k.startsWith(prefix) && kafka.contains(k.substring(prefix.length())));
            assertThat(ours || known).as("%s in %s is neither metastream's nor a Kafka setting", k, file).isTrue();
        }
    }

    @Test
    void theSecuredExampleReachesKafkaStreamsAndTheAdminClientWithItsProviders() throws IOException {
        AppConfig config = AppConfig.load(Path.of("config/secured-cluster.properties"));
        Properties streams = config.streamsProperties(config.all().getProperty("bootstrap.servers"));
        assertThat(streams).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("config.providers", "env");
        assertThat(streams.getProperty("sasl.jaas.config")).contains("${env:METASTREAM_KAFKA_PASSWORD}");
        try (MetastreamApp app = new MetastreamApp(config, streams.getProperty("bootstrap.servers"),
                new SimpleMeterRegistry())) {
            Properties admin = app.adminProperties();
            assertThat(admin).containsEntry("security.protocol", "SASL_SSL")
                    .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                    .containsEntry("ssl.truststore.location", "/etc/metastream/kafka.truststore.p12")
                    .containsEntry("config.providers", "env")
                    .containsEntry("config.providers.env.class",
                            "org.apache.kafka.common.config.provider.EnvVarConfigProvider")
                    .containsKey("sasl.jaas.config");
        }
    }
}
