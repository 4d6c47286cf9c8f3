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

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A setting over the workload's (repeatable), for "
            + "the learner alone and end to end, e.g. --set statestore.cache.max.bytes=67108864.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--threads", defaultValue = "2", description = "Stream threads end to end (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--batch-size", defaultValue = "32", description = "learner.batch.size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--json", description = "Also write the figures to this JSON file.")
    Path json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--jmh", arity = "0..1", fallbackValue = "Benchmarks", paramLabel = "REGEX",
            description = "Run the JMH kernel benchmarks instead: those whose class and method match REGEX (all when "
                    + "none is given), e.g. KernelBenchmarks or EmbeddingBag.")
    String jmh;

    @Option(names = "--skip-e2e", description = "Only measure the learner alone.")
    boolean skipEndToEnd;

    @Option(names = "--e2e-modes", split = ",", defaultValue = "at_least_once,exactly_once_v2,at_least_once-keyed,"
            + "exactly_once_v2-keyed", description = "End-to-end runs to make, in order: a processing.guarantee, "
            + "with -keyed for input keyed by task (default: ${DEFAULT-VALUE}).")
    List<String> e2eModes;

    @Option(names = "--task-counts", split = ",", paramLabel = "N,N,...", description = "Also measure the learner "
            + "alone with this many tasks each (a RocksDB store, so the heap holds only the task cache), e.g. "
            + "100,1000000; task_scaling_ratio is the last count's examples/s over the first's.")
    List<Integer> taskCounts = new ArrayList<>();

    @Option(names = "--examples-per-task", defaultValue = "3", description = "With --task-counts: examples per task, "
            + "drawn at random over the tasks (at least --learner-examples in all) (default: ${DEFAULT-VALUE}).")
    int examplesPerTask;

    @Override
    public Integer call() throws Exception {
        if (jmh != null) {
            new Runner(new OptionsBuilder().include(KernelBenchmarks.class.getPackageName() + ".*" + jmh).build()).run();
            return 0;
        }
        Properties p = learnerProperties();
        List<Double> learner = new ArrayList<>();
        List<Double> learnerCpu = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            Rate rate = learnerAlone(LearnerConfig.from(p), learnerExamples, r);
            learner.add(rate.wall());
            learnerCpu.add(rate.cpu());
            System.out.printf("learner alone, run %d: %,.0f examples/s (%,.0f per CPU second)%n", r + 1, rate.wall(),
                    rate.cpu());
        }
        List<TaskScale> scaling = new ArrayList<>();
        for (int tasks : taskCounts) {
            TaskScale t = taskScaling(LearnerConfig.from(p), tasks, Math.max(learnerExamples,
                    (long) tasks * examplesPerTask));
            scaling.add(t);
            System.out.printf("learner alone, %,d tasks, %,d examples: %,.0f examples/s (%,.0f per CPU second); heap "
                    + "%,.0f MB after (%,.1f bytes per task), store %,.0f bytes per task%n", tasks, t.examples(),
                    t.rate().wall(), t.rate().cpu(), t.heapBytes() / 1e6, t.heapBytes() / (double) tasks,
                    t.storeBytes() / (double) tasks);
        }
        Map<String, List<Double>> e2e = new java.util.LinkedHashMap<>();
        Map<String, List<Double>> e2eCpu = new java.util.LinkedHashMap<>();
        if (!skipEndToEnd) {
            List<String[]> modes = new ArrayList<>();
            for (String mode : e2eModes) {
                String guarantee = mode.replace("-keyed", "");
                if (!guarantee.equals("at_least_once") && !guarantee.equals("exactly_once_v2")) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--e2e-modes: unknown mode '"
                            + mode + "'; use at_least_once or exactly_once_v2, each optionally with -keyed");
                }
                modes.add(new String[] {guarantee, String.valueOf(mode.endsWith("-keyed"))});
            }
            try (EmbeddedKafka broker = EmbeddedKafka.start(null, 0, Map.of())) {
                // One discarded run first: the JIT compiles Kafka's, the broker's and ND4J's paths during the first
                // ~100k records; without it the first measured run reports compilation, not steady state.
                endToEnd(broker, p, "at_least_once", false, -1);
                for (int r = 0; r < runs; r++) {
                    for (String[] m : modes) {
                        boolean keyed = Boolean.parseBoolean(m[1]);
                        Rate v = endToEnd(broker, p, m[0], keyed, r);
                        e2e.computeIfAbsent(label(m[0], keyed), k -> new ArrayList<>()).add(v.wall());
                        e2eCpu.computeIfAbsent(label(m[0], keyed), k -> new ArrayList<>()).add(v.cpu());
                        System.out.printf("end to end %s, run %d: %,.0f examples/s (%,.0f per CPU second of the "
                                + "process, broker included)%n", label(m[0], keyed), r + 1, v.wall(), v.cpu());
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
        e2eCpu.forEach((k, v) -> System.out.printf("| end to end, %s, per CPU second of the process | %,.0f | %s |%n",
                k, median(v), fmt(v)));
        if (json != null) {
            ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode n = m.createObjectNode();
            n.put("learner_examples_per_second", learnerMedian);
            n.putPOJO("learner_runs", learner);
            n.put("learner_examples_per_cpu_second", median(learnerCpu));
            n.putPOJO("learner_cpu_runs", learnerCpu);
            if (!skipEndToEnd) {
                n.put("end_to_end_examples_per_second", median(e2e.getOrDefault(label("at_least_once", false), List.of())));
                n.put("end_to_end_exactly_once_examples_per_second", median(e2e.getOrDefault(label("exactly_once_v2", false), List.of())));
                n.put("end_to_end_partitioned_input_examples_per_second",
                        median(e2e.getOrDefault(label("at_least_once", true), List.of())));
                n.put("end_to_end_partitioned_input_exactly_once_examples_per_second",
                        median(e2e.getOrDefault(label("exactly_once_v2", true), List.of())));
                ObjectNode runsNode = n.putObject("end_to_end_runs");
                e2e.forEach(runsNode::putPOJO);
                ObjectNode cpuNode = n.putObject("end_to_end_per_process_cpu_second_runs");
                e2eCpu.forEach(cpuNode::putPOJO);
            }
            if (scaling.size() >= 2) {
                n.put("task_scaling_ratio", scaling.get(scaling.size() - 1).rate().wall() / scaling.get(0).rate().wall());
                n.put("task_scaling_cpu_ratio", scaling.get(scaling.size() - 1).rate().cpu() / scaling.get(0).rate().cpu());
            }
            if (!scaling.isEmpty()) {
                var arr = n.putArray("task_scaling");
                for (TaskScale t : scaling) {
                    ObjectNode o = arr.addObject();
                    o.put("tasks", t.tasks());
                    o.put("examples", t.examples());
                    o.put("examples_per_second", t.rate().wall());
                    o.put("examples_per_cpu_second", t.rate().cpu());
                    o.put("heap_bytes_after_gc", t.heapBytes());
                    o.put("heap_bytes_per_task", t.heapBytes() / (double) t.tasks());
                    o.put("store_bytes", t.storeBytes());
                    o.put("store_bytes_per_task", t.storeBytes() / (double) t.tasks());
                }
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
        p.putAll(AppConfig.parseSets(sets));
        return p;
    }

    /**
     * A learner-alone rate: examples per wall-clock second, and per CPU second of the thread that learned them. The
     * CPU figure leaves out the time the thread waited for a core, so it compares builds on a shared, loaded machine
     * where the wall-clock figure mostly measures the other load.
     */
    record Rate(double wall, double cpu) {}

    /** Test-then-train over the workload in process; the first tenth is warm-up and not timed. */
    static Rate learnerAlone(LearnerConfig config, int examples, int run) {
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
        return new Rate((examples - warm) / wall, (examples - warm) / cpu);
    }

    /** One --task-counts measurement: its rate, and the heap in use (after a GC) and the store's bytes on disk after it. */
    record TaskScale(int tasks, long examples, Rate rate, long heapBytes, long storeBytes) {}

    /**
     * The learner alone over a RocksDB store with {@code tasks} tasks, examples drawn uniformly at random over them
     * (labels from a per-task linear map derived from the task's index, so no table of every task is kept). Examples
     * are generated untimed in chunks of 10,000; the first tenth is warm-up and not timed.
     */
    static TaskScale taskScaling(LearnerConfig config, int tasks, long examples) throws Exception {
        Path dir = Files.createTempDirectory("metastream-bench-tasks");
        try (dev.metastream.topology.RocksLearnerStores rocks = dev.metastream.topology.RocksLearnerStores.open(dir)) {
            StreamingLearner learner = new StreamingLearner(config, rocks.store(), "bench", LearnerEvents.NONE);
            java.util.SplittableRandom random = new java.util.SplittableRandom(7);
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long warm = examples / 10;
            long wallNanos = 0;
            long cpuNanos = 0;
            Instance[] chunk = new Instance[10_000];
            for (long done = 0; done < examples; ) {
                int n = (int) Math.min(chunk.length, examples - done);
                for (int i = 0; i < n; i++) {
                    chunk[i] = manyTaskExample(random, tasks, done + i);
                }
                long cpu0 = threads.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    learner.observe(chunk[i]);
                }
                if (done + n >= examples) {
                    learner.learnPending(0);
                }
                if (done >= warm) {
                    wallNanos += System.nanoTime() - t0;
                    cpuNanos += threads.getCurrentThreadCpuTime() - cpu0;
                }
                done += n;
            }
            long timed = examples - (warm + chunk.length - 1) / chunk.length * chunk.length;
            Arrays.fill(chunk, null);
            System.gc();
            Runtime rt = Runtime.getRuntime();
            long heap = rt.totalMemory() - rt.freeMemory();
            long store = rocks.bytesOnDisk();
            java.lang.ref.Reference.reachabilityFence(learner);
            return new TaskScale(tasks, examples, new Rate(timed / (wallNanos / 1e9), timed / (cpuNanos / 1e9)), heap,
                    store);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static Instance manyTaskExample(java.util.SplittableRandom random, int tasks, long index) {
        int t = random.nextInt(tasks);
        float[] x = new float[BenchStreams.DIM];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        java.util.SplittableRandom map = new java.util.SplittableRandom(dev.metastream.learn.Seeds.mix(7, t));
        int best = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < BenchStreams.CLASSES; c++) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
                s += (map.nextDouble() * 2 - 1) * x[i];
            }
            if (s > bestScore) {
                bestScore = s;
                best = c;
            }
        }
        float[] target = new float[BenchStreams.CLASSES];
        target[best] = 1f;
        return new Instance("task-" + t, x, target, Long.toString(index), index);
    }

    /**
     * Loads the examples into a fresh input topic, then starts a fresh application on it and times from its first
     * published prediction to its last (read back read_committed).
     */
    private static String label(String guarantee, boolean keyed) {
        return guarantee + (keyed ? ", input keyed by task (no repartition)" : "");
    }

    private Rate endToEnd(EmbeddedKafka broker, Properties learnerProps, String guarantee, boolean keyed, int run)
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
                long cpu0 = processCpuNanos();
                long first = watcher.predictions.get();
                while (watcher.predictions.get() < e2eExamples && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                long n = watcher.predictions.get() - first;
                if (watcher.predictions.get() < e2eExamples) {
                    throw new IllegalStateException("only " + watcher.predictions.get() + " of " + e2eExamples
                            + " predictions arrived in 5 minutes");
                }
                double wall = (System.nanoTime() - t0) / 1e9;
                double cpu = (processCpuNanos() - cpu0) / 1e9;
                return new Rate(n / wall, n / cpu);
            }
        } finally {
            TempDirs.deleteQuietly(state);
        }
    }

    /**
     * CPU time of this whole process (the stream threads, the in-process broker, the producer and the watcher): per
     * example, a figure that other work on a shared machine changes far less than it changes the wall clock.
     */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
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
