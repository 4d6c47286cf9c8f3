package dev.metastream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metastream.learn.LearnerConfig;
import dev.metastream.learn.TaskState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control topic on the {@link TopologyTestDriver}: a {@code delete-task} command removes exactly the named task's
 * state, memory, reference gradient and snapshot (a tombstone goes to the snapshots topic), after learning the buffered
 * batch; other tasks are untouched; the task starts anew with its next example; a bad control record is skipped.
 */
class ControlTopicTopologyTest {
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    @Test
    void deleteTaskForgetsOnlyThatTaskInsideTheLearner() throws Exception {
        Properties lp = new Properties();
        lp.setProperty("input.dim", "4");
        lp.setProperty("task.classes", "3");
        lp.setProperty("model.trunk.layers", "8");
        lp.setProperty("learner.batch.size", "4");
        lp.setProperty("snapshot.every.examples", "4");
        lp.setProperty("metrics.every.examples", "4");
        LearnerConfig config = LearnerConfig.from(lp);
        TopologyConfig topics = TopologyConfig.defaults();
        Properties props = new Properties();
        props.setProperty(StreamsConfig.APPLICATION_ID_CONFIG, "metastream-control-ttd");
        props.setProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        props.setProperty(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(MetastreamTopology.build(config, topics, MetastreamMetrics.standalone()), props,
                START);
        TestInputTopic<byte[], byte[]> examples = driver.createInputTopic(topics.examplesTopic(),
                new ByteArraySerializer(), new ByteArraySerializer(), START, Duration.ZERO);
        TestInputTopic<String, byte[]> control = driver.createInputTopic(topics.controlTopic(),
                new StringSerializer(), new ByteArraySerializer(), START, Duration.ZERO);
        StringDeserializer s = new StringDeserializer();
        TestOutputTopic<String, String> snapshots = driver.createOutputTopic(topics.snapshotsTopic(), s, s);
        TestOutputTopic<String, String> predictions = driver.createOutputTopic(topics.predictionsTopic(), s, s);

        for (int i = 0; i < 8; i++) {
            examples.pipeInput(null, example("a", i, i % 3));
            examples.pipeInput(null, example("b", i, (i + 1) % 3));
        }
        // Two more of "a" stay buffered in the micro-batch when the command arrives.
        examples.pipeInput(null, example("a", 8, 2));
        examples.pipeInput(null, example("a", 9, 0));
        KeyValueStore<String, byte[]> tasks = driver.getKeyValueStore(MetastreamTopology.TASK_STATE_STORE);
        KeyValueStore<String, byte[]> snapshotStore = driver.getKeyValueStore(MetastreamTopology.TASK_SNAPSHOT_STORE);
        KeyValueStore<String, byte[]> memory = driver.getKeyValueStore(MetastreamTopology.MEMORY_STORE);
        KeyValueStore<String, byte[]> pending = driver.getKeyValueStore(MetastreamTopology.PENDING_STORE);
        assertThat(tasks.get("a")).isNotNull();
        assertThat(snapshotStore.get("a")).isNotNull();
        assertThat(memoryKeys(memory, "a")).isNotEmpty();
        KeyValueStore<String, byte[]> shared = driver.getKeyValueStore(MetastreamTopology.SHARED_STATE_STORE);
        assertThat(buffered(shared)).isEqualTo(2);
        assertThat(count(pending)).as("the buffer is flushed whole, beside the shared state").isZero();
        long bLearned = TaskState.fromBytes(tasks.get("b")).learned();
        byte[] bSnapshot = snapshotStore.get("b");
        snapshots.readKeyValuesToList();

        control.pipeInput("not-json", "{oops".getBytes(StandardCharsets.UTF_8));
        control.pipeInput("a", ControlCommand.of(ControlCommand.DELETE_TASK, "a", "req-1", 0, null).toBytes());

        assertThat(tasks.get("a")).isNull();
        assertThat(snapshotStore.get("a")).isNull();
        assertThat(memoryKeys(memory, "a")).isEmpty();
        assertThat(driver.<String, byte[]>getKeyValueStore(MetastreamTopology.REFERENCE_GRADIENT_STORE).get("a"))
                .isNull();
        List<KeyValue<String, String>> published = snapshots.readKeyValuesToList();
        assertThat(published).as("a tombstone for the deleted task's snapshot")
                .anyMatch(kv -> kv.key.equals("a") && kv.value == null);
        // The buffered batch was learned first: nothing pending refers to the deleted task.
        assertThat(buffered(shared)).isZero();
        assertThat(TaskState.fromBytes(tasks.get("b")).learned()).isEqualTo(bLearned);
        assertThat(snapshotStore.get("b")).isEqualTo(bSnapshot);
        assertThat(memoryKeys(memory, "b")).isNotEmpty();

        // The task starts anew: its first prediction is version 0 again, and it counts from 1.
        predictions.readKeyValuesToList();
        examples.pipeInput(null, example("a", 10, 1));
        JsonNode p = JSON.readTree(predictions.readValue());
        assertThat(p.get("task_version").asLong()).isZero();
        examples.pipeInput(null, example("b", 10, 1));
        examples.pipeInput(null, example("b", 11, 1));
        examples.pipeInput(null, example("b", 12, 1)); // completes a batch of 4: states are written
        assertThat(TaskState.fromBytes(tasks.get("a")).learned()).isEqualTo(1);
    }

    @Test
    void importsReplaceATaskAndTheSharedModel() throws Exception {
        Properties lp = new Properties();
        lp.setProperty("input.dim", "4");
        lp.setProperty("task.classes", "3");
        lp.setProperty("model.trunk.layers", "8");
        lp.setProperty("learner.batch.size", "4");
        LearnerConfig config = LearnerConfig.from(lp);
        TopologyConfig topics = TopologyConfig.defaults();
        Properties props = new Properties();
        props.setProperty(StreamsConfig.APPLICATION_ID_CONFIG, "metastream-import-ttd");
        props.setProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        props.setProperty(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(MetastreamTopology.build(config, topics, MetastreamMetrics.standalone()), props,
                START);
        TestInputTopic<byte[], byte[]> examples = driver.createInputTopic(topics.examplesTopic(),
                new ByteArraySerializer(), new ByteArraySerializer(), START, Duration.ZERO);
        TestInputTopic<String, byte[]> control = driver.createInputTopic(topics.controlTopic(),
                new StringSerializer(), new ByteArraySerializer(), START, Duration.ZERO);
        TestOutputTopic<String, byte[]> metaModel = driver.createOutputTopic(topics.metaModelTopic(),
                new StringDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer());
        for (int i = 0; i < 8; i++) {
            examples.pipeInput(null, example("src", i, i % 3));
        }
        KeyValueStore<String, byte[]> tasks = driver.getKeyValueStore(MetastreamTopology.TASK_STATE_STORE);
        KeyValueStore<String, byte[]> shared = driver.getKeyValueStore(MetastreamTopology.SHARED_STATE_STORE);
        TaskState src = TaskState.fromBytes(tasks.get("src"));
        java.util.Map<String, Object> exported = dev.metastream.learn.ModelExport.task(config,
                dev.metastream.learn.SharedState.fromBytes(shared.get(MetastreamTopology.SHARED_STATE_KEY)), src,
                java.util.Map.of("source", "test"));
        JsonNode model = JSON.valueToTree(exported);

        control.pipeInput("dst", ControlCommand.of(ControlCommand.IMPORT_TASK, "dst", "req-2", 0, model).toBytes());
        TaskState dst = TaskState.fromBytes(tasks.get("dst"));
        assertThat(dst.head()).containsExactly(src.head());
        assertThat(dst.learned()).isZero();
        assertThat(driver.<String, byte[]>getKeyValueStore(MetastreamTopology.TASK_SNAPSHOT_STORE).get("dst"))
                .as("the imported task's snapshot is published").isNotNull();

        // The shared model: a trunk of 0.25s replaces the current one as the next version.
        dev.metastream.learn.MetaSnapshot initial = dev.metastream.learn.MetaSnapshot.initial(config);
        float[] trunk = new float[initial.trunk().length];
        java.util.Arrays.fill(trunk, 0.25f);
        java.util.Map<String, Object> meta = dev.metastream.learn.ModelExport.meta(config,
                new dev.metastream.learn.MetaSnapshot(3, trunk, initial.headInit(), 0, 0, 0, "x", 0),
                java.util.Map.of("source", "test"));
        metaModel.readValuesToList();
        control.pipeInput("meta", ControlCommand.of(ControlCommand.IMPORT_META, "meta", "req-3", 0,
                JSON.valueToTree(meta)).toBytes());
        List<byte[]> published = metaModel.readValuesToList();
        assertThat(published).isNotEmpty();
        dev.metastream.learn.MetaSnapshot now = dev.metastream.learn.MetaSnapshot.fromBytes(
                published.get(published.size() - 1));
        assertThat(now.trunk()).containsExactly(trunk);
        assertThat(now.version()).isPositive();
    }

    /** Examples in the learner's buffered micro-batch as its last flush wrote it. */
    private static int buffered(KeyValueStore<String, byte[]> shared) {
        byte[] rows = shared.get(KafkaLearnerStore.PENDING_ROWS_KEY);
        return rows == null ? 0 : dev.metastream.learn.PendingRows.fromBytes(rows).examples().size();
    }

    private static int count(KeyValueStore<String, byte[]> store) {
        int n = 0;
        try (var it = store.all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    private static List<String> memoryKeys(KeyValueStore<String, byte[]> memory, String task) {
        List<String> out = new ArrayList<>();
        try (var it = memory.all()) {
            while (it.hasNext()) {
                String k = it.next().key;
                if (k.startsWith(task + '\u0000')) {
                    out.add(k);
                }
            }
        }
        return out;
    }

    private static byte[] example(String task, int i, int y) {
        StringBuilder x = new StringBuilder("[");
        for (int j = 0; j < 4; j++) {
            x.append(j == 0 ? "" : ",").append((float) Math.sin(1.7 * i + 0.9 * j + 0.3));
        }
        return ("{\"task\":\"" + task + "\",\"x\":" + x + "],\"y\":" + y + "}").getBytes(StandardCharsets.UTF_8);
    }
}
