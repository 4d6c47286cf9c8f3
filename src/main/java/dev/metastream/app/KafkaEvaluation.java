package dev.metastream.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.metastream.data.ExampleRecord;
import dev.metastream.data.ExampleRecordWriter;
import dev.metastream.data.Scenario;
import dev.metastream.evaluation.EvaluationResult;
import dev.metastream.evaluation.Evaluator;
import dev.metastream.evaluation.Outcomes;
import dev.metastream.evaluation.Protocol;
import dev.metastream.learn.Instance;
import dev.metastream.learn.LearnerConfig;
import dev.metastream.learn.ShiftConfig;
import dev.metastream.learn.TaskSpec;
import dev.metastream.topology.OutputRecords;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * {@code evaluate --through-kafka}: the same {@link Protocol} as the in-process {@link Evaluator}, run through the
 * whole topology on the embedded broker. Training examples go to the input topic labelled, in protocol order; at each
 * checkpoint the test sets go as unlabelled records (scored, never learned, by the same
 * {@code StreamingLearner.score}) with ids {@code test:<checkpoint>:<task>:<i>}; the predictions topic is read back
 * {@code read_committed} and the figures are computed from it by the same code as in process.
 *
 * <p>What makes the two agree (see {@code docs/evaluation.md}):
 * <ul>
 *   <li>one learner partition ({@code --partitions 1}, the default; the input is keyed by task and
 *       {@code input.partitioned.by.task=true}), so one learner sees the examples in protocol order;
 *   <li>{@code learner.batch.max.wait.ms} and {@code meta.sync.interval.ms} set to a day, so the wall clock never
 *       learns a partial batch or rebases the shared model mid-run;
 *   <li>every task's training size a multiple of {@code learner.batch.size}: in process the partial batch is learned
 *       at each task boundary, through Kafka there is none to learn;
 *   <li>records written by {@link ExampleRecordWriter}, whose numbers parse back to the same floats.
 * </ul>
 * Few-shot checkpoints (which learn a partial batch) are not taken, and {@code independent} and {@code joint} (which
 * are not one stream through one topology) are refused.
 */
final class KafkaEvaluation {
    /** Timer intervals long enough never to fire during an evaluation. */
    static final String NEVER_MS = String.valueOf(Duration.ofDays(1).toMillis());
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(120);
    private final ObjectMapper mapper = new ObjectMapper();

    private KafkaEvaluation() {}

    /**
     * Checks that a run can go through Kafka and agree with the in-process one.
     *
     * @throws IllegalArgumentException naming the flag to change
     */
    static void check(Scenario scenario, Evaluator.Options options, int partitions) {
        if (!options.strategy().singleStream()) {
            throw new IllegalArgumentException("--strategy " + options.strategy().cliName()
                    + " does not run through Kafka (it is not one stream through one learner): drop --through-kafka");
        }
        if (partitions <= 0) {
            throw new IllegalArgumentException("--partitions must be positive, got " + partitions);
        }
        LearnerConfig config = Evaluator.config(Evaluator.settings(scenario, options.strategy(), options.seed(),
                options.overrides()));
        for (Scenario.TaskData t : scenario.tasks()) {
            if (t.train().size() % config.batchSize() != 0) {
                throw new IllegalArgumentException("--through-kafka needs every task's training examples to be a "
                        + "multiple of learner.batch.size=" + config.batchSize() + " (task " + t.task() + " has "
                        + t.train().size() + "): change --train-per-task or --set learner.batch.size");
            }
        }
    }

    /** Runs the scenario through the topology on an embedded broker and computes the figures. */
    static EvaluationResult run(Scenario scenario, Evaluator.Options options, int partitions,
            Evaluator.Progress progress) throws Exception {
        check(scenario, options, partitions);
        return new KafkaEvaluation().execute(scenario, options.withShots(0), partitions, progress);
    }

    private EvaluationResult execute(Scenario scenario, Evaluator.Options options, int partitions,
            Evaluator.Progress progress) throws Exception {
        Map<String, String> settings = Evaluator.settings(scenario, options.strategy(), options.seed(),
                options.overrides());
        LearnerConfig learner = Evaluator.config(settings);
        Protocol protocol = Evaluator.protocol(scenario, options, 0);
        Outcomes out = new Outcomes(scenario, protocol, learner, options.strategy());
        Path stateDir = Files.createTempDirectory("metastream-evaluate-state");
        Properties p = new Properties();
        p.putAll(settings);
        p.setProperty("application.id", "metastream-evaluate");
        p.setProperty("state.dir", stateDir.toString());
        p.setProperty("topics.partitions", String.valueOf(partitions));
        p.setProperty("input.partitioned.by.task", "true");
        p.setProperty("learner.batch.max.wait.ms", NEVER_MS);
        p.setProperty("metrics.interval.ms", NEVER_MS);
        if (partitions == 1) {
            // One partition: the shared-model round trip would only add float rounding.
            p.setProperty("meta.sync.interval.ms", NEVER_MS);
        }
        AppConfig config = AppConfig.of(p);
        long expected = scenario.trainSize() + protocol.testScorings(scenario);
        try (EmbeddedKafka broker = EmbeddedKafka.start(null, 0, Map.of());
             MetastreamApp app = new MetastreamApp(config, broker.bootstrapServers(), new SimpleMeterRegistry())) {
            app.ensureTopics();
            app.start();
            app.awaitRunning(Duration.ofSeconds(60));
            long start = System.nanoTime();
            AtomicReference<Exception> failed = new AtomicReference<>();
            Thread producer = new Thread(() -> produce(broker.bootstrapServers(), config, scenario, options, learner,
                    protocol, failed), "evaluate-producer");
            producer.start();
            read(broker.bootstrapServers(), config, scenario, learner, options, out, expected, progress, failed);
            producer.join();
            if (failed.get() != null) {
                throw failed.get();
            }
            out.seconds = (System.nanoTime() - start) / 1e9;
        } finally {
            TempDirs.deleteQuietly(stateDir);
        }
        long missing = out.missing();
        if (missing > 0) {
            throw new IllegalStateException(missing + " predictions did not come back from the topology");
        }
        return Evaluator.figures(scenario, options, protocol, out, "through-kafka");
    }

    private void produce(String bootstrap, AppConfig config, Scenario scenario, Evaluator.Options options,
            LearnerConfig learner, Protocol protocol, AtomicReference<Exception> failed) {
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        String topic = config.topology().examplesTopic();
        List<Scenario.TaskData> tasks = scenario.tasks();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            long ts = 0;
            for (Protocol.Step step : protocol.steps()) {
                if (step instanceof Protocol.Train tr) {
                    Instance in = tasks.get(tr.task()).train().get(tr.index());
                    send(producer, topic, options, learner, in, "train:" + tr.task() + ":" + tr.index(), true, ts++,
                            failed);
                } else if (step instanceof Protocol.Checkpoint c) {
                    for (int t : c.scored()) {
                        List<Instance> test = tasks.get(t).test();
                        for (int i = 0; i < test.size(); i++) {
                            send(producer, topic, options, learner, test.get(i), "test:" + c.id() + ":" + t + ":" + i,
                                    false, ts, failed);
                        }
                    }
                }
                if (failed.get() != null) {
                    return;
                }
            }
            producer.flush();
        } catch (RuntimeException e) {
            failed.compareAndSet(null, e);
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, Evaluator.Options options,
            LearnerConfig learner, Instance in, String id, boolean labelled, long ts,
            AtomicReference<Exception> failed) {
        String task = options.strategy().learnerTask(in.task());
        ExampleRecordWriter.Written w = ExampleRecordWriter.write(record(task, in, labelled ? learner.taskSpec(task)
                : null, id, ts), ExampleRecordWriter.TaskPlacement.KEY_AND_VALUE);
        producer.send(new ProducerRecord<>(topic, w.key(), w.value()), (md, e) -> {
            if (e != null) {
                failed.compareAndSet(null, e);
            }
        });
    }

    /**
     * The input record of an example, written by the one writer of the examples topic (its features parse back to
     * exactly the floats they came from).
     */
    static ExampleRecord record(String task, Instance in, TaskSpec labelSpec, String id, long ts) {
        return ExampleRecord.of(in, labelSpec).withTask(task).withId(id).withTs(ts);
    }

    /** Reads predictions (and drift events) read_committed until every expected prediction is in. */
    private void read(String bootstrap, AppConfig config, Scenario scenario, LearnerConfig learner,
            Evaluator.Options options, Outcomes out, long expected, Evaluator.Progress progress,
            AtomicReference<Exception> failed) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "metastream-evaluate-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        String predictions = config.topology().predictionsTopic();
        String drift = config.topology().driftTopic();
        Set<String> seen = new HashSet<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(predictions, drift));
            long lastProgress = System.nanoTime();
            List<JsonNode> drifts = new ArrayList<>();
            while (seen.size() < expected) {
                if (failed.get() != null) {
                    throw failed.get();
                }
                if (System.nanoTime() - lastProgress > IDLE_TIMEOUT.toNanos()) {
                    throw new IllegalStateException("no prediction for " + IDLE_TIMEOUT.toSeconds() + " s: read "
                            + seen.size() + " of " + expected);
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    JsonNode n = mapper.readTree(r.value());
                    if (r.topic().equals(drift)) {
                        drifts.add(n);
                    } else if (seen.add(n.path("id").asText())) {
                        place(n, scenario, learner, options, out);
                        lastProgress = System.nanoTime();
                    }
                }
                progress.update(seen.size(), expected);
            }
            // Drift events are committed with the predictions of the batch that raised them; read up to the end.
            Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.topic().equals(drift)) {
                        drifts.add(mapper.readTree(r.value()));
                    }
                }
            }
            Set<String> shiftChecks = new HashSet<>();
            for (JsonNode d : drifts) {
                Outcomes.Detection det = new Outcomes.Detection(d.path("task").asText(), d.path("position").asLong());
                if (det.task().equals(ShiftConfig.ALL_TASKS)) {
                    continue; // the monitor over all tasks has no shift points of its own
                }
                if (d.path("detector").asText().equals(OutputRecords.SHIFT_DETECTOR)) {
                    // One record per signal that moved: one check, one detection.
                    if (shiftChecks.add(det.task() + '\u0000' + det.position())) {
                        out.shiftDetections.add(det);
                    }
                } else {
                    out.detections.add(det);
                }
            }
        }
    }

    /** Puts a prediction's output where its id says. */
    private static void place(JsonNode n, Scenario scenario, LearnerConfig learner, Evaluator.Options options,
            Outcomes out) {
        String[] id = n.path("id").asText().split(":");
        TaskSpec spec = learner.taskSpec(n.path("task").asText());
        float[] output = switch (spec.kind()) {
            case CLASSIFICATION, MULTILABEL -> floats(n.path("probabilities"));
            case BINARY -> new float[] {(float) n.path("probability").asDouble()};
            case REGRESSION -> new float[] {(float) n.path("prediction").asDouble()};
        };
        if (id[0].equals("train")) {
            out.train[Integer.parseInt(id[1])][Integer.parseInt(id[2])] = output;
        } else if (id[0].equals("test")) {
            out.testOutput(Integer.parseInt(id[1]), Integer.parseInt(id[2]), Integer.parseInt(id[3]), output);
        }
    }

    private static float[] floats(JsonNode a) {
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) a.get(i).asDouble();
        }
        return f;
    }
}
