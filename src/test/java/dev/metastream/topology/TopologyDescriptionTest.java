package dev.metastream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.metastream.learn.LearnerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code topology/topology-description.txt} equal to the topology the default configuration builds, so a change
 * to the topology (processor names, stores, topics, sub-topology boundaries, which matter for upgrades and state
 * compatibility) shows up in review as a diff of that file.
 */
class TopologyDescriptionTest {
    static final Path FILE = Path.of("topology", "topology-description.txt");
    static final String UPDATE_PROPERTY = "metastream.update.topology";

    @Test
    void descriptionOfTheDefaultTopologyIsCommitted() throws IOException {
        String actual = MetastreamTopology.build(LearnerConfig.defaults(), TopologyConfig.defaults(),
                MetastreamMetrics.standalone()).describe().toString();
        if (Boolean.getBoolean(UPDATE_PROPERTY)) {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, actual, StandardCharsets.UTF_8);
            return;
        }
        String regenerate = "regenerate it with: mvn test -Dtest=TopologyDescriptionTest -D" + UPDATE_PROPERTY
                + "=true (and review the diff)";
        assertThat(FILE).as(FILE.toAbsolutePath() + " is missing; " + regenerate).exists();
        String expected = Files.readString(FILE, StandardCharsets.UTF_8);
        assertThat(actual).as("the topology differs from " + FILE + "; if the change is intended, " + regenerate)
                .isEqualTo(expected);
    }
}
