package dev.metastream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metastream.data.InputRecordParser.Reason;
import dev.metastream.data.InputRecordParser;
import dev.metastream.learn.Head;
import dev.metastream.learn.LearnerConfig;
import dev.metastream.learn.MetaSnapshot;
import dev.metastream.learn.MetaUpdate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end tests of {@link MetastreamTopology} in a {@link TopologyTestDriver}: test-then-train order, snapshots,
 * metrics and the shared-model (meta) loop, the dead-letter path, and state surviving a restart.
 */
class MetastreamTopologyTest {
    private static final String APP_ID = "metastream-ttd";
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int INPUT_DIM = 4;
    private static final int CLASSES = 3;
    private static final int HIDDEN = 8;
    private static final int BATCH = 4;

    private static final String TASK_DIR = "0_0";
    private static final String GLOBAL_DIR = "global";

    @TempDir
    Path stateDir;

    /** Where the restart test keeps the task and global state directories (see {@link #linkStateDirectories}). */
    @TempDir
    Path persistentDir;

    /** Whether {@link #open} links the task and global directories to {@link #persistentDir}. */
    private boolean linkStateDirectories;

    private TopologyTestDriver driver;
    private MetastreamMetrics metrics;
    private TopologyConfig topics;
    private LearnerConfig config;
    private TestInputTopic<byte[], byte[]> examples;
    private TestOutputTopic<String, String> predictions;
    private TestOutputTopic<String, String> snapshots;
    private TestOutputTopic<String, String> metricsTopic;
    private TestOutputTopic<byte[], byte[]> deadLetter;
    private TestOutputTopic<String, byte[]> metaUpdates;
    private TestOutputTopic<String, byte[]> metaModel;

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    // ------------------------------------------------------------------------------------------------ 1. test-then-train

    @Test
    void predictsWithTheUntrainedModelFirstThenLearnsTheBatch() {
        open(learnerProps(), topologyProps());
        float[] x = {0.5f, -1f, 2f, 0.25f};

        send(example("t1", x, null, "u0"));
        send(example("t1", x, 1, "l1"));
        List<JsonNode> first = readPredictions();
        assertThat(first).hasSize(2);
        JsonNode unlabelled = first.get(0);
        JsonNode labelled = first.get(1);
        assertThat(unlabelled.get("id").asText()).isEqualTo("u0");
        assertThat(unlabelled.get("labelled").asBoolean()).isFalse();
        assertThat(labelled.get("id").asText()).isEqualTo("l1");
        assertThat(labelled.get("labelled").asBoolean()).isTrue();
        // The first labelled example of a new task is predicted by the untrained model, exactly as a scoring is.
        assertThat(labelled.get("task_version").asLong()).isZero();
        assertThat(labelled.get("model_version").asLong()).isZero();
        assertThat(probabilities(labelled)).containsExactly(probabilities(unlabelled));
        assertThat(probabilities(labelled)).hasSize(CLASSES);
        assertThat(metrics.learnedCount()).isZero();

        // Three more labelled examples complete the batch of 4; the last one triggers the trunk's batch. Each is
        // predicted by the head as it is after the task's examples before it (the head learns every example), and
        // before it learns its own.
        send(example("t1", new float[] {1, 0, 0, 0}, 0, "l2"));
        send(example("t1", new float[] {0, 1, 0, 0}, 2, "l3"));
        assertThat(metrics.learnedCount()).isZero();
        send(example("t1", x, 1, "l4"));
        List<JsonNode> rest = readPredictions();
        assertThat(rest).extracting(p -> p.get("id").asText()).containsExactly("l2", "l3", "l4");
        assertThat(rest).extracting(p -> p.get("task_version").asLong()).containsExactly(1L, 2L, 3L);
        assertThat(probabilities(rest.get(2))).as("fresh: l4 is predicted after l1..l3 were learned")
                .isNotEqualTo(probabilities(unlabelled));
        assertThat(metrics.learnedCount()).isEqualTo(BATCH);
        assertThat(metrics.scoredCount()).isEqualTo(5);

        // After the batch, the same x scores differently, with the head's new version.
        send(example("t1", x, null, "u1"));
        List<JsonNode> after = readPredictions();
        assertThat(after).hasSize(1);
        assertThat(after.get(0).get("task_version").asLong()).isEqualTo(BATCH);
        assertThat(probabilities(after.get(0))).isNotEqualTo(probabilities(unlabelled));
        // A scoring does not learn: nothing is buffered or learned by it.
        assertThat(metrics.learnedCount()).isEqualTo(BATCH);
    }

    @Test
    void everyLabelledRecordGetsExactlyOnePredictionInOrder() {
        open(learnerProps(), topologyProps());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String task = i % 2 == 0 ? "a" : "b";
            send(example(task, pattern(i), i % CLASSES, "e" + i));
            ids.add("e" + i);
        }
        List<JsonNode> preds = readPredictions();
        assertThat(preds).extracting(p -> p.get("id").asText()).containsExactlyElementsOf(ids);
        // Batches of 4 were learned after e3 and e7 (mixed tasks); e8 and e9 are still buffered.
        assertThat(metrics.learnedCount()).isEqualTo(8);
        // Each prediction carries the task's head version from before its own example was learned: the head learns
        // every example, so a's e0, e2, e4, e6, e8 see versions 0..4, and b's likewise.
        assertThat(preds).extracting(p -> p.get("task_version").asLong())
                .containsExactly(0L, 0L, 1L, 1L, 2L, 2L, 3L, 3L, 4L, 4L);
        // The wall-clock timer learns the partial batch.
        driver.advanceWallClockTime(Duration.ofMillis(config.batchMaxWaitMs()));
        assertThat(metrics.learnedCount()).isEqualTo(10);
        assertThat(readPredictions()).isEmpty();
    }

    // --------------------------------------------------------------------------------------- 2. snapshots, metrics, meta

    @Test
    void publishesTaskSnapshotsAndMetrics() {
        open(learnerProps(), topologyProps());
        for (int i = 0; i < BATCH; i++) {
            send(example("t1", pattern(i), i % CLASSES, "e" + i, START.toEpochMilli() + i));
        }
        long lastTs = START.toEpochMilli() + BATCH - 1;

        Map<String, List<JsonNode>> snaps = byKey(snapshots.readKeyValuesToList());
        assertThat(snaps).containsOnlyKeys("t1");
        assertThat(snaps.get("t1")).hasSize(1);
        JsonNode s = snaps.get("t1").get(0);
        assertThat(s.get("type").asText()).isEqualTo("task");
        assertThat(s.get("task").asText()).isEqualTo("t1");
        assertThat(s.get("version").asLong()).as("the head learned each example").isEqualTo(BATCH);
        assertThat(s.get("meta_version").asLong()).isZero();
        assertThat(s.get("examples_seen").asLong()).isEqualTo(BATCH);
        assertThat(s.get("config_digest").asText()).isEqualTo(config.digest());
        assertThat(s.get("created_at").asLong()).isEqualTo(lastTs);
        assertThat(s.get("task_kind").asText()).isEqualTo("classification");
        assertThat(s.get("shape").get("inputs").asInt())
                .isEqualTo(config.model().headInputs(config.trunk(), config.taskSpec("t1")));
        assertThat(s.get("shape").get("outputs").asInt()).isEqualTo(CLASSES);
        assertThat(s.get("parameters").get("head").size()).isEqualTo(Head.parameterCount(config.model().headInputs(config.trunk(), config.taskSpec("t1")), CLASSES));

        Map<String, List<JsonNode>> ms = byKey(metricsTopic.readKeyValuesToList());
        assertThat(ms).containsOnlyKeys("t1");
        JsonNode m = ms.get("t1").get(0);
        assertThat(m.get("task").asText()).isEqualTo("t1");
        assertThat(m.get("kind").asText()).isEqualTo("classification");
        assertThat(m.get("examples_seen").asLong()).isEqualTo(BATCH);
        assertThat(m.get("metrics").has("accuracy")).isTrue();
        assertThat(m.get("metrics").has("log_loss")).isTrue();
        assertThat(m.get("metrics").get("accuracy").asDouble()).isBetween(0.0, 1.0);
        assertThat(m.get("metrics").get("log_loss").asDouble()).isPositive();
        assertThat(m.get("learning_rate").asDouble()).isPositive();
        assertThat(m.has("meta_version")).isTrue();
        assertThat(m.has("drifts")).isTrue();

        // The metrics timer reports tasks that saw examples since their last report, with everything learned counted.
        send(example("t1", pattern(7), 1, "e7"));
        driver.advanceWallClockTime(Duration.ofMillis(topics.metricsIntervalMs()));
        List<JsonNode> timed = byKey(metricsTopic.readKeyValuesToList()).get("t1");
        assertThat(timed).isNotNull();
        JsonNode last = timed.get(timed.size() - 1);
        assertThat(last.get("examples_seen").asLong()).isEqualTo(BATCH + 1);
        assertThat(last.get("examples_learned").asLong()).isEqualTo(BATCH + 1);
    }

    @Test
    void metaUpdatesFlowThroughTheAggregatorIntoTheGlobalStore() {
        open(learnerProps(), topologyProps());
        for (int i = 0; i < BATCH; i++) {
            send(example("t1", pattern(i), i % CLASSES, "e" + i));
        }
        readPredictions();
        snapshots.readKeyValuesToList();
        assertThat(metaUpdates.isEmpty()).isTrue();

        // The sync timer publishes this partition's delta; the driver feeds it to the aggregator (meta-updates is a
        // source topic of the same topology), which publishes version 1 on meta-model (the global store's topic) and
        // as a 'meta' snapshot.
        driver.advanceWallClockTime(Duration.ofMillis(topics.metaSyncIntervalMs()));
        List<TestRecord<String, byte[]>> updates = metaUpdates.readRecordsToList();
        assertThat(updates).hasSize(1);
        MetaUpdate u = MetaUpdate.fromBytes(updates.get(0).value());
        assertThat(updates.get(0).key()).isEqualTo(u.source()).startsWith("learner-");
        assertThat(u.baseVersion()).isZero();
        assertThat(u.examples()).isEqualTo(BATCH);
        assertThat(u.trunkDelta()).hasSize(config.trunk().parameterCount());

        List<TestRecord<String, byte[]>> models = metaModel.readRecordsToList();
        assertThat(models).hasSize(1);
        assertThat(models.get(0).key()).isEqualTo(MetastreamTopology.META_KEY);
        MetaSnapshot v1 = MetaSnapshot.fromBytes(models.get(0).value());
        assertThat(v1.version()).isEqualTo(1);
        assertThat(v1.examplesSeen()).isEqualTo(BATCH);
        assertThat(v1.updatesApplied()).isEqualTo(1);

        Map<String, List<JsonNode>> snaps = byKey(snapshots.readKeyValuesToList());
        assertThat(snaps).containsOnlyKeys(MetastreamTopology.META_KEY);
        JsonNode meta = snaps.get(MetastreamTopology.META_KEY).get(0);
        assertThat(meta.get("type").asText()).isEqualTo("meta");
        assertThat(meta.get("version").asLong()).isEqualTo(1);
        assertThat(meta.get("examples_seen").asLong()).isEqualTo(BATCH);
        assertThat(meta.get("updates_applied").asLong()).isEqualTo(1);
        assertThat(meta.get("config_digest").asText()).isEqualTo(config.digest());
        assertThat(meta.get("trunk").get("inputs").asInt()).isEqualTo(INPUT_DIM);
        assertThat(meta.get("parameters").get("trunk").size()).isEqualTo(config.trunk().parameterCount());
        // The head's initialisation, and the factorisation machine's task-factor initialisation beside it.
        JsonNode inits = meta.get("parameters").get("head_init");
        String shape = config.taskSpec("t1").shapeKey();
        assertThat(inits.size()).isEqualTo(2);
        assertThat(inits.get(shape).size()).isEqualTo(
                Head.parameterCount(config.model().headInputs(config.trunk(), config.taskSpec("t1")), CLASSES));
        assertThat(inits.get(shape + "#fm").size()).isEqualTo(CLASSES * config.model().fmFactors());

        KeyValueStore<String, byte[]> global = driver.getKeyValueStore(MetastreamTopology.META_MODEL_STORE);
        assertThat(MetaSnapshot.fromBytes(global.get(MetastreamTopology.META_KEY)).version()).isEqualTo(1);

        // The learner rebased in the same punctuation before the new version arrived; it takes it at the next one.
        send(example("t1", pattern(0), null, "before-sync"));
        assertThat(readPredictions().get(0).get("model_version").asLong()).isZero();
        driver.advanceWallClockTime(Duration.ofMillis(topics.metaSyncIntervalMs()));
        assertThat(metaUpdates.isEmpty()).as("nothing learned since the last publication").isTrue();
        send(example("t1", pattern(0), null, "after-sync"));
        assertThat(readPredictions().get(0).get("model_version").asLong()).isEqualTo(1);
        assertThat(metrics.metaVersion()).isEqualTo(1);
    }

    // --------------------------------------------------------------------------------------------------- 3. dead letters

    @Test
    void everyKindOfBadRecordIsDeadLetteredWithReasonAndOriginalBytes() {
        int maxBytes = 100_000;
        Properties tp = topologyProps();
        tp.setProperty("input.max.record.bytes", String.valueOf(maxBytes));
        open(learnerProps(), tp);

        String ok = "[0.1,0.2,0.3,0.4]";
        StringBuilder deep = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            deep.append('[');
        }
        for (int i = 0; i < 40; i++) {
            deep.append(']');
        }
        byte[] badUtf8 = {'{', '"', 't', 'a', 's', 'k', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        String oversized = "{\"task\":\"t1\",\"x\":" + ok + ",\"id\":\"" + "a".repeat(maxBytes) + "\"}";
        String longId = "{\"task\":\"t1\",\"x\":" + ok + ",\"id\":\"" + "é".repeat(40_000) + "\"}";

        // reason code -> bad records (key, value)
        List<Bad> bad = List.of(
                new Bad(Reason.NOT_JSON, null, utf8("this is not json")),
                new Bad(Reason.NOT_JSON, null, utf8("[1,2,3]")),
                new Bad(Reason.NOT_JSON, null, badUtf8),
                new Bad(Reason.NOT_JSON, null, utf8("{\"task\":\"t1\",\"x\":[NaN,0,0,0]}")),
                new Bad(Reason.NOT_JSON, null, utf8("{\"task\":\"t1\",\"x\":" + ok + ",\"deep\":" + deep + "}")),
                new Bad(Reason.NOT_JSON, utf8("t1"), null),
                new Bad(Reason.MISSING_TASK, null, utf8("{\"x\":" + ok + ",\"y\":1}")),
                new Bad(Reason.WRONG_DIMENSION, null, utf8("{\"task\":\"t1\",\"x\":[1,2,3],\"y\":1}")),
                new Bad(Reason.WRONG_DIMENSION, null,
                        utf8("{\"task\":\"t1\",\"sparse\":{\"idx\":[9],\"val\":[1]},\"y\":1}")),
                new Bad(Reason.NON_FINITE, null, utf8("{\"task\":\"t1\",\"x\":[1,\"NaN\",0,0],\"y\":1}")),
                new Bad(Reason.NON_FINITE, null, utf8("{\"task\":\"t1\",\"x\":[1,\"Infinity\",0,0]}")),
                new Bad(Reason.NON_FINITE, null, utf8("{\"task\":\"t1\",\"x\":[1e400,0,0,0],\"y\":1}")),
                new Bad(Reason.NON_FINITE, null, utf8("{\"task\":\"t1\",\"x\":[1e39,0,0,0],\"y\":1}")),
                new Bad(Reason.BAD_LABEL, null, utf8("{\"task\":\"t1\",\"x\":" + ok + ",\"y\":3}")),
                new Bad(Reason.BAD_LABEL, null, utf8("{\"task\":\"t1\",\"x\":" + ok + ",\"y\":-1}")),
                new Bad(Reason.BAD_LABEL, null, utf8("{\"task\":\"t1\",\"x\":" + ok + ",\"y\":\"cat\"}")),
                new Bad(Reason.OVERSIZED, null, utf8(oversized)),
                new Bad(Reason.BAD_FIELD, null, utf8("{\"task\":\"t1\",\"x\":\"0.1,0.2,0.3,0.4\"}")),
                new Bad(Reason.BAD_FIELD, null, utf8("{\"task\":{\"id\":1},\"x\":" + ok + "}")),
                new Bad(Reason.BAD_FIELD, null, utf8("{\"task\":\"t1\",\"x\":[0.1,true,0.3,0.4]}")),
                new Bad(Reason.BAD_FIELD, null, utf8("{\"task\":\"t1\",\"x\":" + ok + ",\"ts\":\"yesterday\"}")),
                new Bad(Reason.BAD_FIELD, null, utf8("{\"task\":\"t1\"}")),
                new Bad(Reason.BAD_FIELD, null, utf8(longId)));

        // Interleave: good, bad, good, bad, ... The good ones alternate between a task in the value and in the key.
        int good = 0;
        List<Long> badOffsets = new ArrayList<>();
        long offset = 0;
        for (Bad b : bad) {
            sendRaw(good % 2 == 0 ? null : utf8("t1"),
                    utf8("{" + (good % 2 == 0 ? "\"task\":\"t1\"," : "") + "\"x\":" + pattern(good).toJson()
                            + ",\"y\":" + (good % CLASSES) + ",\"id\":\"g" + good + "\"}"));
            good++;
            offset++;
            assertThatCode(() -> sendRaw(b.key, b.value)).doesNotThrowAnyException();
            badOffsets.add(offset++);
        }

        List<TestRecord<byte[], byte[]>> dead = deadLetter.readRecordsToList();
        assertThat(dead).hasSize(bad.size());
        for (int i = 0; i < bad.size(); i++) {
            Bad b = bad.get(i);
            TestRecord<byte[], byte[]> r = dead.get(i);
            String what = "bad record " + i + " (" + b.reason.code() + ")";
            assertThat(header(r.headers(), ParseProcessor.HEADER_REASON)).as(what).isEqualTo(b.reason.code());
            assertThat(header(r.headers(), ParseProcessor.HEADER_MESSAGE)).as(what).isNotBlank();
            assertThat(header(r.headers(), ParseProcessor.HEADER_TOPIC)).as(what).isEqualTo(topics.examplesTopic());
            assertThat(header(r.headers(), ParseProcessor.HEADER_PARTITION)).as(what).isEqualTo("0");
            assertThat(header(r.headers(), ParseProcessor.HEADER_OFFSET)).as(what)
                    .isEqualTo(String.valueOf(badOffsets.get(i)));
            assertThat(r.value()).as(what).isEqualTo(b.value);
            assertThat(r.key()).as(what).isEqualTo(b.key);
        }
        assertThat(header(dead.get(2).headers(), ParseProcessor.HEADER_MESSAGE)).contains("UTF-8");

        // Counters per reason match what was sent.
        Map<Reason, Long> expected = new TreeMap<>();
        bad.forEach(b -> expected.merge(b.reason, 1L, Long::sum));
        for (Reason r : Reason.values()) {
            assertThat(metrics.deadLetterCount(r)).as(r.code()).isEqualTo(expected.getOrDefault(r, 0L).doubleValue());
        }
        assertThat(metrics.deadLetterTotal()).isEqualTo(bad.size());

        // Every good record was predicted, in order, and learned (the driver never threw).
        List<JsonNode> preds = readPredictions();
        assertThat(preds).hasSize(good);
        for (int i = 0; i < good; i++) {
            assertThat(preds.get(i).get("id").asText()).isEqualTo("g" + i);
            assertThat(preds.get(i).get("task").asText()).isEqualTo("t1");
        }
        driver.advanceWallClockTime(Duration.ofMillis(config.batchMaxWaitMs()));
        assertThat(metrics.learnedCount()).isEqualTo(good);

        // And the stream keeps working after all that.
        send(example("t1", pattern(1), null, "still-alive"));
        assertThat(readPredictions()).extracting(p -> p.get("id").asText()).containsExactly("still-alive");
    }

    /**
     * Features that are finite but huge (3e38 passes a float-precision check) once overflowed the first batch's
     * update, persisted a NaN head and then stopped the stream thread. The parser now rejects magnitudes beyond
     * {@code input.max.abs.value} and the learner clips gradients and skips non-finite updates
     * ({@code StreamingLearnerTest} covers values at the limit); here: the records are dead-lettered, nothing is
     * poisoned, and the stream goes on.
     */
    @Test
    void hugeFiniteFeaturesDoNotPoisonTheModel() {
        open(learnerProps(), topologyProps());
        for (int i = 0; i < 3 * BATCH; i++) {
            int y = i % CLASSES;
            assertThatCode(() -> send("{\"task\":\"t1\",\"x\":[3e38,-3e38,3e38,3e38],\"y\":" + y + "}"))
                    .doesNotThrowAnyException();
        }
        assertThat(metrics.deadLetterCount(InputRecordParser.Reason.VALUE_OUT_OF_RANGE)).isEqualTo(3 * BATCH);
        for (int i = 0; i < 2 * BATCH; i++) {
            send(example("t1", pattern(i), i % CLASSES, "g" + i));
        }
        send(example("t1", pattern(0), null, "probe"));
        assertThat(readPredictions()).hasSize(2 * BATCH + 1).allSatisfy(p -> {
            for (float v : probabilities(p)) {
                assertThat(v).isFinite();
            }
        });
    }

    // ------------------------------------------------------------------------------------------------------ 4. restart

    @Test
    void stateSurvivesARestartOnTheSameStateDirectory() {
        Properties lp = learnerProps();
        lp.setProperty("metrics.every.examples", "1000");
        lp.setProperty("snapshot.every.examples", "1000");
        linkStateDirectories = true;
        open(lp, topologyProps());
        float[] fixed = {0.3f, -0.7f, 1.1f, 0.0f};

        int sent = 0;
        for (int i = 0; i < 6; i++) {
            send(example("t1", pattern(i), i % CLASSES, "a" + i));
            sent++;
        }
        assertThat(metrics.learnedCount()).isEqualTo(BATCH);  // one batch learned, two examples pending
        send(example("t1", fixed, null, "before-close"));
        JsonNode before = readPredictions().get(6);
        assertThat(before.get("task_version").asLong()).isEqualTo(6);

        // TopologyTestDriver#close ends with StateDirectory#clean, which deletes the task and global directories (a real
        // KafkaStreams#close keeps them). The stores are flushed to disk only when they are closed, so the state
        // cannot be copied while the driver is open either. The task and global directories are therefore symbolic
        // links to a directory outside state.dir: close() flushes and closes the stores into it, the cleanup only
        // removes the links, and the next driver finds the same files at the same paths, as a restarted
        // application would.
        driver.close();
        driver = null;
        assertThat(persistentDir.resolve(TASK_DIR)).isNotEmptyDirectory();

        open(lp, topologyProps());
        send(example("t1", fixed, null, "after-reopen"));
        JsonNode after = readPredictions().get(0);
        assertThat(after.get("task_version").asLong()).as("task version continues").isEqualTo(6);
        assertThat(probabilities(after)).as("same model as before the restart").containsExactly(probabilities(before));
        assertThat(metrics.learnedCount()).isZero();

        // The two pending examples were restored: two more fill the batch of 4.
        for (int i = 6; i < 8; i++) {
            send(example("t1", pattern(i), i % CLASSES, "a" + i));
            sent++;
        }
        assertThat(metrics.learnedCount()).isEqualTo(BATCH);
        send(example("t1", fixed, null, "after-batch-2"));
        assertThat(readPredictions()).last().satisfies(p -> assertThat(p.get("task_version").asLong()).isEqualTo(8));
        for (int i = 8; i < 10; i++) {
            send(example("t1", pattern(i), i % CLASSES, "a" + i));
            sent++;
        }
        driver.advanceWallClockTime(Duration.ofMillis(config.batchMaxWaitMs()));
        assertThat(metrics.learnedCount()).isEqualTo(BATCH + 2);

        driver.advanceWallClockTime(Duration.ofMillis(topics.metricsIntervalMs()));
        List<JsonNode> ms = byKey(metricsTopic.readKeyValuesToList()).get("t1");
        assertThat(ms).isNotNull();
        JsonNode last = ms.get(ms.size() - 1);
        // Nothing lost, nothing learned twice.
        assertThat(last.get("examples_learned").asLong()).isEqualTo(sent);
        assertThat(last.get("examples_seen").asLong()).isEqualTo(sent);
        send(example("t1", fixed, null, "end"));
        assertThat(readPredictions()).last().satisfies(p -> assertThat(p.get("task_version").asLong()).isEqualTo(10));
    }

    /**
     * A partition that opens with examples pending while the global store holds a newer shared model (a restart, or a
     * partition that moved here during a rebalance while others published) must not learn its pending batch inside
     * {@code init}: learning publishes snapshots, and a processor cannot forward from {@code init} (it crashed the
     * stream thread, again at every retry). It rebases at its first record instead, learning the pending batch first.
     */
    @Test
    void aPartitionOpeningWithPendingExamplesAndANewerGlobalModelRebasesAtItsFirstRecord() {
        Properties lp = learnerProps();
        lp.setProperty("metrics.every.examples", "1000");
        lp.setProperty("snapshot.every.examples", "1");
        linkStateDirectories = true;
        open(lp, topologyProps());
        for (int i = 0; i < BATCH + 2; i++) {
            send(example("t1", pattern(i), i % CLASSES, "a" + i));
        }
        assertThat(metrics.learnedCount()).isEqualTo(BATCH);  // one batch learned, two examples pending
        // Another partition's work arrives as version 5 of the shared model, before this one syncs.
        MetaSnapshot v0 = MetaSnapshot.initial(config);
        TestInputTopic<String, byte[]> models = driver.createInputTopic(topics.metaModelTopic(),
                new org.apache.kafka.common.serialization.StringSerializer(), new ByteArraySerializer());
        models.pipeInput(MetastreamTopology.META_KEY, new MetaSnapshot(5, v0.trunk(), v0.headInit(), 100, 5, 0,
                config.digest(), 0L).toBytes());
        driver.close();
        driver = null;

        open(lp, topologyProps());
        assertThat(metrics.learnedCount()).as("nothing learned in init").isZero();
        send(example("t1", pattern(0), null, "after-reopen"));
        JsonNode p = readPredictions().get(0);
        assertThat(p.get("model_version").asLong()).as("rebased before scoring the first record").isEqualTo(5);
        assertThat(metrics.learnedCount()).as("the pending pair was learned before the rebase").isEqualTo(2);
        assertThat(snapshots.readKeyValuesToList()).as("its snapshots were published from process").isNotEmpty();
    }

    // ------------------------------------------------------------------------------------------------------- helpers

    private record Bad(Reason reason, byte[] key, byte[] value) {}

    private record Vec(float[] x) {
        String toJson() {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < x.length; i++) {
                sb.append(i > 0 ? "," : "").append(x[i]);
            }
            return sb.append(']').toString();
        }
    }

    static Properties learnerProps() {
        Properties p = new Properties();
        p.setProperty("input.dim", String.valueOf(INPUT_DIM));
        p.setProperty("task.classes", String.valueOf(CLASSES));
        p.setProperty("model.trunk.layers", String.valueOf(HIDDEN));
        p.setProperty("learner.batch.size", String.valueOf(BATCH));
        p.setProperty("metrics.every.examples", String.valueOf(BATCH));
        p.setProperty("snapshot.every.examples", String.valueOf(BATCH));
        p.setProperty("memory.per.task", "8");
        p.setProperty("memory.samples.per.task", "4");
        return p;
    }

    static Properties topologyProps() {
        Properties p = new Properties();
        p.setProperty("meta.sync.interval.ms", "1000");
        p.setProperty("metrics.interval.ms", "10000");
        return p;
    }

    private void open(Properties learner, Properties topology) {
        config = LearnerConfig.from(learner);
        topics = TopologyConfig.from(topology);
        metrics = MetastreamMetrics.standalone();
        if (linkStateDirectories) {
            try {
                Path app = Files.createDirectories(stateDir.resolve(APP_ID));
                for (String dir : List.of(TASK_DIR, GLOBAL_DIR)) {
                    Path target = Files.createDirectories(persistentDir.resolve(dir));
                    Path link = app.resolve(dir);
                    if (!Files.isSymbolicLink(link)) {
                        assertThat(link).doesNotExist();
                        Files.createSymbolicLink(link, target);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Properties props = new Properties();
        props.setProperty(StreamsConfig.APPLICATION_ID_CONFIG, APP_ID);
        props.setProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        props.setProperty(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(MetastreamTopology.build(config, topics, metrics), props, START);
        examples = driver.createInputTopic(topics.examplesTopic(), new ByteArraySerializer(), new ByteArraySerializer(),
                START, Duration.ZERO);
        StringDeserializer s = new StringDeserializer();
        ByteArrayDeserializer b = new ByteArrayDeserializer();
        predictions = driver.createOutputTopic(topics.predictionsTopic(), s, s);
        snapshots = driver.createOutputTopic(topics.snapshotsTopic(), s, s);
        metricsTopic = driver.createOutputTopic(topics.metricsTopic(), s, s);
        deadLetter = driver.createOutputTopic(topics.deadLetterTopic(), b, b);
        metaUpdates = driver.createOutputTopic(topics.metaUpdatesTopic(), s, b);
        metaModel = driver.createOutputTopic(topics.metaModelTopic(), s, b);
    }

    private void send(String json) {
        sendRaw(null, utf8(json));
    }

    private void sendRaw(byte[] key, byte[] value) {
        examples.pipeInput(key, value);
    }

    private static String example(String task, float[] x, Integer y, String id) {
        return example(task, x, y, id, null);
    }

    private static String example(String task, float[] x, Integer y, String id, Long ts) {
        return "{\"task\":\"" + task + "\",\"x\":" + new Vec(x).toJson() + (y == null ? "" : ",\"y\":" + y)
                + ",\"id\":\"" + id + "\"" + (ts == null ? "" : ",\"ts\":" + ts) + "}";
    }

    /** A deterministic, varied feature vector. */
    private static Vec pattern(int i) {
        float[] x = new float[INPUT_DIM];
        for (int j = 0; j < INPUT_DIM; j++) {
            x[j] = (float) Math.sin(1.7 * i + 0.9 * j + 0.3);
        }
        return new Vec(x);
    }

    private static String example(String task, Vec x, Integer y, String id) {
        return example(task, x.x(), y, id, null);
    }

    private static String example(String task, Vec x, Integer y, String id, long ts) {
        return example(task, x.x(), y, id, ts);
    }

    private List<JsonNode> readPredictions() {
        List<JsonNode> out = new ArrayList<>();
        for (var kv : predictions.readKeyValuesToList()) {
            JsonNode n = parse(kv.value);
            assertThat(kv.key).isEqualTo(n.get("task").asText());
            out.add(n);
        }
        return out;
    }

    private static Map<String, List<JsonNode>> byKey(List<org.apache.kafka.streams.KeyValue<String, String>> kvs) {
        Map<String, List<JsonNode>> out = new TreeMap<>();
        kvs.forEach(kv -> out.computeIfAbsent(kv.key, k -> new ArrayList<>()).add(parse(kv.value)));
        return out;
    }

    private static float[] probabilities(JsonNode prediction) {
        JsonNode a = prediction.get("probabilities");
        float[] p = new float[a.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) a.get(i).asDouble(); // a non-finite value is written as the string "NaN"
        }
        return p;
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
