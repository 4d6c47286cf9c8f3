package dev.metastream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration of a command line: file, then --set; unknown keys refused; the default state directory. */
class AppConfigTest {

    @TempDir
    Path dir;

    @Test
    void everyWayOfBuildingAConfigurationRefusesAnUnknownKey() throws Exception {
        Properties p = new Properties();
        p.setProperty("learner.batchsize", "8");
        assertThatThrownBy(() -> AppConfig.of(p)).isInstanceOf(ConfigKeys.UnknownKeyException.class)
                .hasMessageContaining("did you mean 'learner.batch.size'?");
        Path file = dir.resolve("my.properties");
        Files.writeString(file, "input.dim=4\nlearner.batchsize=8\n");
        assertThatThrownBy(() -> AppConfig.load(file)).isInstanceOf(ConfigKeys.UnknownKeyException.class)
                .hasMessage(file + ": unknown key 'learner.batchsize': did you mean 'learner.batch.size'?");
        assertThatThrownBy(() -> AppConfig.fromCommandLine(null, List.of("task.knd=binary")))
                .hasMessage("--set: unknown key 'task.knd': did you mean 'task.kind'?");
        assertThatThrownBy(() -> AppConfig.fromCommandLine(null, List.of("nokey")))
                .hasMessageStartingWith("--set nokey: expected KEY=VALUE");
    }

    @Test
    void setWinsOverTheFileAndNoFileMeansDefaults() throws Exception {
        Path file = dir.resolve("my.properties");
        Files.writeString(file, "learner.batch.size=8\ninput.dim=4\n");
        AppConfig c = AppConfig.fromCommandLine(file, List.of("learner.batch.size=16", "learner.batch.size=24"));
        assertThat(c.learner().batchSize()).isEqualTo(24);
        assertThat(c.learner().inputDim()).isEqualTo(4);
        AppConfig defaults = AppConfig.fromCommandLine(null, List.of());
        assertThat(defaults.learner().batchSize()).isEqualTo(32);
        assertThat(defaults.embedded()).isTrue();
    }

    @Test
    void theDefaultStateDirectoryIsUnderTheWorkingDirectoryNotTheTempDirectory() {
        AppConfig c = AppConfig.of(new Properties());
        Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize();
        assertThat(c.streamsProperties("h:1").getProperty("state.dir")).isEqualTo("state");
        assertThat(c.stateDir()).isEqualTo(Path.of("state").toAbsolutePath().normalize());
        // Not the old default under the OS temp directory (whether the working directory itself is under it, as in a
        // CI checkout in /tmp, is the user's choice, not the default's).
        assertThat(c.stateDir()).isNotEqualTo(tmp.resolve("metastream-state").resolve("metastream"));
        assertThat(c.stateDir().getParent()).isEqualTo(Path.of("").toAbsolutePath().normalize());
        assertThat(c.embeddedBrokerDir()).isEqualTo(c.stateDir().resolve("embedded-kafka"));
        // An explicitly empty value means the default too (empty values are not passed to Kafka Streams).
        Properties empty = new Properties();
        empty.setProperty("state.dir", "");
        assertThat(AppConfig.of(empty).streamsProperties("h:1").getProperty("state.dir")).isEqualTo("state");
        Properties own = new Properties();
        own.setProperty("state.dir", dir.toString());
        assertThat(AppConfig.of(own).stateDir()).isEqualTo(dir.toAbsolutePath().normalize());
        assertThat(AppConfig.of(own).streamsProperties("h:1").getProperty("state.dir")).isEqualTo(dir.toString());
    }

    @Test
    void theRecordCacheHoldsAHundredTasksStatesByDefaultAndAUsersValueWins() {
        assertThat(AppConfig.of(new Properties()).streamsProperties("h:1").getProperty("statestore.cache.max.bytes"))
                .isEqualTo(String.valueOf(64L << 20));
        Properties own = new Properties();
        own.setProperty("statestore.cache.max.bytes", "1048576");
        assertThat(AppConfig.of(own).streamsProperties("h:1").getProperty("statestore.cache.max.bytes"))
                .isEqualTo("1048576");
    }

    @Test
    void exactlyOnceCommitsEverySecondByDefaultAndAUsersIntervalOrAtLeastOnceKeepsKafkasOwn() {
        assertThat(AppConfig.of(new Properties()).streamsProperties("h:1").getProperty("commit.interval.ms"))
                .isEqualTo("1000");
        Properties own = new Properties();
        own.setProperty("commit.interval.ms", "50");
        assertThat(AppConfig.of(own).streamsProperties("h:1").getProperty("commit.interval.ms")).isEqualTo("50");
        Properties alos = new Properties();
        alos.setProperty("processing.guarantee", "at_least_once");
        assertThat(AppConfig.of(alos).streamsProperties("h:1")).doesNotContainKey("commit.interval.ms");
    }
}
