package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.metastream.learn.LearnerConfig;
import dev.metastream.topology.TopologyConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code config/application.properties} equal to what the code reads: every key of {@link AppConfig#APP_KEYS},
 * {@link TopologyConfig#KEYS} and {@link LearnerConfig#KEYS}, in order, as {@code key=default} under its documentation
 * ({@link AppConfig#documentedProperties()}), and checks that the file, and {@code config/local.properties}, load into a
 * valid configuration.
 */
class ConfigDocumentationTest {
    static final Path FILE = Path.of("config", "application.properties");
    static final Path LOCAL = Path.of("config", "local.properties");
    static final String UPDATE_PROPERTY = "metastream.update.config";
    static final String REGENERATE = "regenerate it with: " + ConfigDocumentation.REGENERATE + " (and review the diff)";

    @Test
    void applicationPropertiesIsGeneratedFromTheKeyLists() throws IOException {
        String expected = AppConfig.documentedProperties();
        if (Boolean.getBoolean(UPDATE_PROPERTY)) {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, expected, StandardCharsets.UTF_8);
            return;
        }
        assertThat(FILE).as(FILE.toAbsolutePath() + " is missing; " + REGENERATE).exists();
        String actual = Files.readString(FILE, StandardCharsets.UTF_8);

        // First the part that matters most: every key=default line, exactly and in order.
        List<String> wanted = ConfigDocumentation.keys().stream()
                .map(k -> k.name() + "=" + ConfigDocumentation.escape(k.defaultValue())).toList();
        List<String> found = new ArrayList<>();
        for (String line : actual.split("\n", -1)) {
            if (!line.isBlank() && !line.startsWith("#")) {
                found.add(line);
            }
        }
        for (int i = 0; i < wanted.size(); i++) {
            if (i >= found.size() || !found.get(i).equals(wanted.get(i))) {
                fail(FILE + ": key line " + (i + 1) + " should be '" + wanted.get(i) + "' but is "
                        + (i < found.size() ? "'" + found.get(i) + "'" : "missing") + "; " + REGENERATE);
            }
        }
        assertThat(found).as(FILE + " has settings that are not in the key lists; " + REGENERATE)
                .hasSameSizeAs(wanted);

        // Then the documentation around them.
        if (!actual.equals(expected)) {
            String[] a = actual.split("\n", -1);
            String[] e = expected.split("\n", -1);
            int line = 0;
            while (line < Math.min(a.length, e.length) && a[line].equals(e[line])) {
                line++;
            }
            fail(FILE + " differs from AppConfig.documentedProperties() at line " + (line + 1) + ": expected '"
                    + (line < e.length ? e[line] : "<end of file>") + "' but found '"
                    + (line < a.length ? a[line] : "<end of file>") + "'; " + REGENERATE);
        }
    }

    @Test
    void applicationPropertiesLoadsToTheDefaults() throws IOException {
        AppConfig config = AppConfig.load(FILE);
        LearnerConfig defaults = LearnerConfig.defaults();
        assertThat(config.learner()).isEqualTo(defaults);
        assertThat(config.learner().digest()).isEqualTo(defaults.digest());
        assertThat(config.learner().toString()).isEqualTo(defaults.toString());
        assertThat(config.learner().trunk().hidden()).containsExactly(defaults.trunk().hidden());
        assertThat(config.topology()).isEqualTo(TopologyConfig.defaults());
        for (LearnerConfig.Key k : AppConfig.APP_KEYS) {
            assertThat(config.all().getProperty(k.name())).as(k.name()).isEqualTo(k.defaultValue());
        }
        // The file names no brokers, so it runs on the embedded broker, and passes no empty value to Kafka Streams.
        assertThat(config.embedded()).isTrue();
        // Its empty commit.interval.ms becomes exactly-once's one-second default, not an empty value.
        Properties streams = config.streamsProperties("127.0.0.1:9092");
        assertThat(streams.stringPropertyNames()).doesNotContain("topics.create", "input.dim", "topic.examples");
        assertThat(streams.getProperty("commit.interval.ms"))
                .isEqualTo(String.valueOf(AppConfig.EXACTLY_ONCE_COMMIT_INTERVAL_MS));
    }

    @Test
    void everyKeyIsDocumentedOnceAndEmptyDefaultsSayWhatEmptyMeans() {
        Set<String> names = new HashSet<>();
        for (LearnerConfig.Key k : ConfigDocumentation.keys()) {
            assertThat(names.add(k.name())).as("key " + k.name() + " is listed twice").isTrue();
            assertThat(k.doc()).as("documentation of " + k.name()).isNotBlank();
            if (k.defaultValue().isEmpty()) {
                assertThat(k.doc().toLowerCase()).as(k.name() + " defaults to empty: its doc must say what empty means")
                        .contains("empty");
            }
        }
    }

    @Test
    void localPropertiesIsAValidEmbeddedConfiguration() throws IOException {
        AppConfig config = AppConfig.load(LOCAL);
        assertThat(config.embedded()).as(LOCAL + " is the embedded-broker example").isTrue();
        Set<String> known = new HashSet<>();
        ConfigDocumentation.keys().forEach(k -> known.add(k.name()));
        Properties given = new Properties();
        try (Reader r = Files.newBufferedReader(LOCAL, StandardCharsets.UTF_8)) {
            given.load(r);
        }
        for (String n : given.stringPropertyNames()) {
            assertThat(known.contains(n) || n.startsWith("tasks."))
                    .as(LOCAL + " sets " + n + ", which is not a documented key (typo?)").isTrue();
        }
    }
}
