package dev.metastream.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metastream.bench.BenchStreams;
import dev.metastream.bench.KernelBenchmarks;
import dev.metastream.data.ExampleRecordWriter;
import dev.metastream.learn.InMemoryLearnerStore;
import dev.metastream.learn.Instance;
import dev.metastream.learn.LearnerConfig;
import dev.metastream.learn.LearnerEvents;
import dev.metastream.learn.StreamingLearner;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code metastream bench}: examples per second of the learner alone (in process, no broker) and end to end through
 * the embedded broker, at the shape the throughput goal is set for: d=100 inputs, a 64-unit trunk, 10 classes,
 * 100 tasks. Reports medians of repeated runs, measured in one process so the figures are comparable.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure learner and end-to-end throughput (d=100, 64-unit trunk, 10 classes, 100 tasks).")
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--learner-examples", defaultValue = "200000", description = "Examples per learner-alone run (default: ${DEFAULT-VALUE}).")
    int learnerExamples;

    @Option(names = "--e2e-examples", defaultValue = "150000", description = "Examples per end-to-end run (default: ${DEFAULT-VALUE}).")
    int e2eExamples;

    @Option(names = "--runs", defaultValue = "3", description = "Runs of each measurement; the median is reported (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--partitions", defaultValue = "2", description = "Input partitions end to end (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--threads", defaultValue = "2", description = "Stream threads end to end (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--batch-size", defaultValue = "32", description = "learner.batch.size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--json", description = "Also write the figures to this JSON file.")
    Path json;

    @Option(names = "--jmh", description = "Run the JMH kernel benchmarks instead.")
    boolean jmh;

    @Option(names = "--skip-e2e", description = "Only measure the learner alone.")
    boolean skipEndToEnd;

    @Override
    public Integer call() throws Exception {
        if (jmh) {
            new Runner(new OptionsBuilder().include(KernelBenchmarks.class.getName()).build()).run();
            return 0;
        }
        Properties p = learnerProperties();
        List<Double> learner = new ArrayList<>();
        List<Double> learnerCpu = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            LearnerRate rate = learnerAlone(LearnerConfig.from(p), learnerExamples, r);
            learner.add(rate.wall());
            learnerCpu.add(rate.cpu());
            System.out.printf("learner alone, run %d: %,.0f examples/s (%,.0f per CPU second)%n", r + 1, rate.wall(),
                    rate.cpu());
        }
        Map<String, List<Double>> e2e = new java.util.LinkedHashMap<>();
        if (!skipEndToEnd) {
            String[][] modes = {{"at_least_once", "false"}, {"exactly_once_v2", "false"},
                {"at_least_once", "true"}, {"exactly_once_v2", "true"}};
            try (EmbeddedKafka broker = EmbeddedKafka.start(null, 0, Map.of())) {
                // One discarded run first: the JIT compiles Kafka's, the broker's and ND4J's paths during the first
                // ~100k records; without it the first measured run reports compilation, not steady state.
                endToEnd(broker, p, "at_least_once", false, -1);
                for (int r = 0; r < runs; r++) {
                    for (String[] m : modes) {
                        boolean keyed = Boolean.parseBoolean(m[1]);
                        double v = endToEnd(broker, p, m[0], keyed, r);
                        e2e.computeIfAbsent(label(m[0], keyed), k -> new ArrayList<>()).add(v);
                        System.out.printf("end to end %s, run %d: %,.0f examples/s%n", label(m[0], keyed), r + 1, v);
                    }
                }
            }
        }
        double learnerMedian = median(learner);
        System.out.println();
        System.out.println("| measurement | examples/s (median of " + runs + ") | runs |");
        System.out.println("| --- | ---: | --- |");
        System.out.printf("| learner alone (in process) | %,.0f | %s |%n", learnerMedian, fmt(learner));
        System.out.printf("| learner alone, per CPU second of its thread | %,.0f | %s |%n", median(learnerCpu),
                fmt(learnerCpu));
        e2e.forEach((k, v) -> System.out.printf("| end to end, %s | %,.0f | %s |%n", k, median(v), fmt(v)));
        if (json != null) {
            ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode n = m.createObjectNode();
            n.put("learner_examples_per_second", learnerMedian);
            n.putPOJO("learner_runs", learner);
            n.put("learner_examples_per_cpu_second", median(learnerCpu));
            n.putPOJO("learner_cpu_runs", learnerCpu);
            if (!skipEndToEnd) {
                n.put("end_to_end_examples_per_second", median(e2e.get(label("at_least_once", false))));
                n.put("end_to_end_exactly_once_examples_per_second", median(e2e.get(label("exactly_once_v2", false))));
                n.put("end_to_end_partitioned_input_examples_per_second",
                        median(e2e.get(label("at_least_once", true))));
                n.put("end_to_end_partitioned_input_exactly_once_examples_per_second",
                        median(e2e.get(label("exactly_once_v2", true))));
                ObjectNode runsNode = n.putObject("end_to_end_runs");
                e2e.forEach(runsNode::putPOJO);
            }
            ObjectNode shape = n.putObject("workload");
            shape.put("input_dim", BenchStreams.DIM);
            shape.put("trunk", "64");
            shape.put("classes", BenchStreams.CLASSES);
            shape.put("tasks", BenchStreams.TASKS);
            shape.put("batch_size", batchSize);
            shape.put("learner_examples", learnerExamples);
            shape.put("e2e_examples", e2eExamples);
            shape.put("warmup_runs_discarded", skipEndToEnd ? 0 : 1);
            shape.put("partitions", partitions);
            shape.put("stream_threads", threads);
            ObjectNode machine = n.putObject("machine");
            machine.put("cores", Runtime.getRuntime().availableProcessors());
            machine.put("java", System.getProperty("java.version"));
            machine.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
            n.put("measured_at", java.time.Instant.now().toString());
            m.writeValue(json.toFile(), n);
            System.out.println("wrote " + json);
        }
        return 0;
    }

    private Properties learnerProperties() {
        Properties p = new Properties();
        p.setProperty("input.dim", String.valueOf(BenchStreams.DIM));
        p.setProperty("task.classes", String.valueOf(BenchStreams.CLASSES));
        p.setProperty("model.trunk.layers", "64");
        p.setProperty("learner.batch.size", String.valueOf(batchSize));
        return p;
    }

    /**
     * A learner-alone rate: examples per wall-clock second, and per CPU second of the thread that learned them. The
     * CPU figure leaves out the time the thread waited for a core, so it compares builds on a shared, loaded machine
     * where the wall-clock figure mostly measures the other load.
     */
    record LearnerRate(double wall, double cpu) {}

    /** Test-then-train over the workload in process; the first tenth is warm-up and not timed. */
    static LearnerRate learnerAlone(LearnerConfig config, int examples, int run) {
        StreamingLearner learner = new StreamingLearner(config, new InMemoryLearnerStore(), "bench", LearnerEvents.NONE);
        BenchStreams stream = new BenchStreams(100 + run);
        Instance[] data = new Instance[examples];
        for (int i = 0; i < examples; i++) {
            data[i] = stream.next();
        }
        int warm = examples / 10;
        for (int i = 0; i < warm; i++) {
            learner.observe(data[i]);
        }
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        for (int i = warm; i < examples; i++) {
            learner.observe(data[i]);
        }
        learner.learnPending(0);
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
        return new LearnerRate((examples - warm) / wall, (examples - warm) / cpu);
    }

    /**
     * Loads the examples into a fresh input topic, then starts a fresh application on it and times from its first
     * published prediction to its last (read back read_committed).
     */
    private static String label(String guarantee, boolean keyed) {
        return guarantee + (keyed ? ", input keyed by task (no repartition)" : "");
    }

    private double endToEnd(EmbeddedKafka broker, Properties learnerProps, String guarantee, boolean keyed, int run)
            throws Exception {
        String suffix = guarantee.replace('_', '-') + (keyed ? "-keyed" : "") + "-" + (run < 0 ? "warmup" : run);
        Path state = Files.createTempDirectory("metastream-bench");
        Properties p = new Properties();
        p.putAll(learnerProps);
        p.setProperty("application.id", "metastream-bench-" + suffix);
        p.setProperty("processing.guarantee", guarantee);
        p.setProperty("num.stream.threads", String.valueOf(threads));
        p.setProperty("state.dir", state.toString());
        p.setProperty("topics.partitions", String.valueOf(partitions));
        p.setProperty("input.partitioned.by.task", String.valueOf(keyed));
        for (String t : List.of("examples", "predictions", "model.snapshots", "metrics", "drift.events", "dead.letter",
                "meta.updates", "meta.model", "control")) {
            p.setProperty("topic." + t, "bench-" + suffix + "." + t);
        }
        AppConfig config = AppConfig.of(p);
        try (MetastreamApp app = new MetastreamApp(config, broker.bootstrapServers(), new SimpleMeterRegistry())) {
            app.ensureTopics();
            Properties pp = new Properties();
            pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            pp.put(ProducerConfig.LINGER_MS_CONFIG, "20");
            pp.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
            BenchStreams stream = new BenchStreams(200 + run);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                for (int i = 0; i < e2eExamples; i++) {
                    ExampleRecordWriter.Written w = ExampleRecordWriter.write(stream.nextRecord(), keyed
                            ? ExampleRecordWriter.TaskPlacement.KEY_AND_VALUE
                            : ExampleRecordWriter.TaskPlacement.VALUE_ONLY);
                    producer.send(new ProducerRecord<>(config.topology().examplesTopic(), w.key(), w.value()));
                }
            }
            try (OutputWatcher watcher = new OutputWatcher(broker.bootstrapServers(), config.topology(), Map.of())) {
                app.start();
                long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                while (watcher.predictions.get() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                long t0 = System.nanoTime();
                long first = watcher.predictions.get();
                while (watcher.predictions.get() < e2eExamples && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                long n = watcher.predictions.get() - first;
                if (watcher.predictions.get() < e2eExamples) {
                    throw new IllegalStateException("only " + watcher.predictions.get() + " of " + e2eExamples
                            + " predictions arrived in 5 minutes");
                }
                return n / ((System.nanoTime() - t0) / 1e9);
            }
        } finally {
            TempDirs.deleteQuietly(state);
        }
    }

    private static double median(List<Double> xs) {
        if (xs.isEmpty()) {
            return Double.NaN;
        }
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static String fmt(List<Double> xs) {
        return Arrays.toString(xs.stream().mapToLong(Math::round).toArray());
    }
}
