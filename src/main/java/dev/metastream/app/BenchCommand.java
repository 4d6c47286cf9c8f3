package dev.metastream.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metastream.baselines.Linear;
import dev.metastream.bench.BenchStreams;
import dev.metastream.bench.KernelBenchmarks;
import dev.metastream.data.ExampleRecordWriter;
import dev.metastream.data.HyperplaneGenerator;
import dev.metastream.data.Scenario;
import dev.metastream.learn.InMemoryLearnerStore;
import dev.metastream.learn.Instance;
import dev.metastream.learn.LearnerConfig;
import dev.metastream.learn.LearnerEvents;
import dev.metastream.learn.Prediction;
import dev.metastream.learn.StreamingLearner;
import dev.metastream.learn.TaskKind;
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
 * 100 tasks. Reports medians of repeated runs, measured in one process so the figures are comparable. End to end,
 * each run of metastream is followed by one of {@link dev.metastream.topology.PassthroughTopology} on the same input
 * and settings, the engine's ceiling, so a ratio says what the learner costs apart from the machine's load;
 * {@code --latency} measures output latency at a fixed rate the same way.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure learner and end-to-end throughput (d=100, 64-unit trunk, 10 classes, 100 tasks), end to "
                + "end against a passthrough topology (the engine's ceiling), or with --latency the output latency.")
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
            + "the learner alone and end to end (metastream and the passthrough alike: Kafka Streams settings reach "
            + "both), e.g. --set statestore.cache.max.bytes=67108864 or --set commit.interval.ms=250.")
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

    // A fixed warm-up was right for one machine only: C2 took a quarter to a third of this 2-core machine for the first
    // ~90 s of an end-to-end bench, and metastream's (not the passthrough's) measured runs doubled in speed as it
    // settled (docs/benchmarks-throughput.md, twenty-third stop). So warm-up rounds repeat until the JIT is quiet.
    @Option(names = "--warmup-max-rounds", defaultValue = "6", description = "Most discarded warm-up rounds before the "
            + "learner's, the linear model's and the end-to-end runs (each end-to-end round runs every mode); another "
            + "follows a round while the JIT compiled for more than --warmup-jit-share of it (default: ${DEFAULT-VALUE}).")
    int warmupMaxRounds;

    @Option(names = "--warmup-jit-share", defaultValue = "0.2", description = "The JIT's compiling time over a warm-up "
            + "round's wall time (summed over its threads) at or below which the JIT has settled and the measured runs "
            + "start (default: ${DEFAULT-VALUE}).")
    double warmupJitShare;

    @Option(names = "--skip-e2e", description = "Only measure the learner alone.")
    boolean skipEndToEnd;

    @Option(names = "--linear", description = "Also measure the linear model alone (no trunk) on the issue's peer "
            + "workload, a 10-feature rotating hyperplane with 2 classes, test-then-train: --learner-examples per run, "
            + "a discarded first run for the JIT, then --runs timed runs (JSON: linear_learner_examples_per_cpu_second).")
    boolean linear;

    @Option(names = "--skip-learner", description = "Do not measure the learner alone (end to end only).")
    boolean skipLearner;

    @Option(names = "--latency", description = "Measure latency instead of throughput: examples sent at a fixed rate "
            + "(--rate), each output's receive time minus its input's send time, for metastream and the passthrough "
            + "in each of --latency-modes.")
    boolean latency;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "N", description = "With --latency: examples per second "
            + "sent. 0 (default): half of the rate a bulk run of metastream in the same mode sustains "
            + "(--calibration-examples).")
    double rate;

    @Option(names = "--broker-dir", paramLabel = "DIR", description = "Where the embedded broker keeps its log: a new "
            + "directory in DIR, removed after the run (default: the system's temporary directory). On a machine whose "
            + "one disk the broker shares with everything else, the broker's segment flushes there set "
            + "at_least_once's p99 latency; a directory in memory (/dev/shm) stands for a broker with disks of its own.")
    Path brokerDir;

    @Option(names = "--latency-seconds", defaultValue = "30", description = "With --latency: seconds measured per run, "
            + "after the warm-up (default: ${DEFAULT-VALUE}).")
    int latencySeconds;

    // 240 s: the broker, Kafka Streams and metastream share one process and two cores here, and C2 took half a core
    // for the first two and a half minutes of a paced run. With 5 s, then 60 s, the window measured the JIT compiling
    // (metastream alone at 716/s, default settings: p99 171 ms after 60 s, 33 ms after 240 s;
    // docs/benchmarks-throughput.md, seventh stop), not the long-running application the goal is about.
    @Option(names = "--latency-warmup-seconds", defaultValue = "240", description = "With --latency: seconds sent at the "
            + "rate before measuring, so the JIT has compiled the paths the window measures (default: ${DEFAULT-VALUE}).")
    int latencyWarmupSeconds;

    @Option(names = "--latency-modes", split = ",", defaultValue = "at_least_once,exactly_once_v2", description = "With "
            + "--latency: the modes measured, as in --e2e-modes (default: ${DEFAULT-VALUE}).")
    List<String> latencyModes;

    @Option(names = "--reader-fetch-max-wait-ms", defaultValue = "10", description = "With --latency: fetch.max.wait.ms "
            + "of the read_committed consumer that receives the outputs, so that its own wait (the broker may hold a "
            + "read_committed fetch that long after a commit) adds little to what is measured; Kafka's default is 500 "
            + "(default: ${DEFAULT-VALUE}).")
    int readerFetchMaxWaitMs;

    @Option(names = "--latency-metastream-only", description = "With --latency: leave the passthrough out (to compare "
            + "settings of metastream quickly; no ratios).")
    boolean metastreamOnly;

    // 150,000, as many as an end-to-end run: 20,000 examples are the first two hundred of each of the 100 tasks, whose
    // shift monitors are still taking their reference and whose paths are still being compiled, and sustained about
    // half the rate of a long run (2,045 against 3,581/s, one machine; docs/benchmarks-throughput.md, seventh stop).
    @Option(names = "--calibration-examples", defaultValue = "150000", description = "With --latency and no --rate: "
            + "examples of the bulk run that sets the rate, as many as an end-to-end run so that it measures what a "
            + "running application sustains (default: ${DEFAULT-VALUE}).")
    int calibrationExamples;

    @Option(names = "--e2e-modes", split = ",", defaultValue = "at_least_once,exactly_once_v2,at_least_once-keyed,"
            + "exactly_once_v2-keyed", description = "End-to-end runs to make, in order: a processing.guarantee, "
            + "with -keyed for input keyed by task (default: ${DEFAULT-VALUE}).")
    List<String> e2eModes;

    @Option(names = "--task-counts", split = ",", paramLabel = "N,N,...", description = "Also measure the learner "
            + "alone with this many tasks each (RocksDB stores, one database per store as the application keeps them, so the heap "
            + "holds only the task cache), e.g. "
            + "100,1000000; task_scaling_ratio is the last count's examples/s over the first's.")
    List<Integer> taskCounts = new ArrayList<>();

    @Option(names = "--examples-per-task", defaultValue = "3", description = "With --task-counts: examples per task, "
            + "drawn at random over the tasks (at least --learner-examples in all) (default: ${DEFAULT-VALUE}).")
    int examplesPerTask;

    @Override
    public Integer call() throws Exception {
        try {
            AppConfig.checkedSets(sets); // refused before any run starts: a misspelt key would otherwise be ignored
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        if (warmupMaxRounds < 1 || !(warmupJitShare >= 0)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--warmup-max-rounds must be at "
                    + "least 1 and --warmup-jit-share at least 0, got " + warmupMaxRounds + " and " + warmupJitShare);
        }
        if (jmh != null) {
            new Runner(new OptionsBuilder().include(KernelBenchmarks.class.getPackageName() + ".*" + jmh).build()).run();
            return 0;
        }
        Properties p = learnerProperties();
        if (latency) {
            return latencyBench(p);
        }
        List<Double> learner = new ArrayList<>();
        List<Double> learnerCpu = new ArrayList<>();
        List<Double> learnerAllocated = new ArrayList<>();
        if (!skipLearner) {
            int[] round = {0};
            warmupRounds.put("learner", warmUp("learner alone", () -> learnerAlone(LearnerConfig.from(p),
                    learnerExamples, -1 - round[0]++)));
        }
        for (int r = 0; r < (skipLearner ? 0 : runs); r++) {
            LearnerRun run = learnerAlone(LearnerConfig.from(p), learnerExamples, r);
            Rate rate = run.rate();
            learner.add(rate.wall());
            learnerCpu.add(rate.cpu());
            learnerAllocated.add(run.bytesAllocatedPerExample());
            System.out.printf("learner alone, run %d: %,.0f examples/s (%,.0f per CPU second; %,.0f bytes allocated per "
                    + "example)%n", r + 1, rate.wall(), rate.cpu(), run.bytesAllocatedPerExample());
        }
        List<Double> linearCpu = new ArrayList<>();
        List<Double> linearAllocated = new ArrayList<>();
        List<Double> plainCpu = new ArrayList<>();
        double linearAccuracy = Double.NaN;
        if (linear) {
            // A linear step is short enough that compilation dominates a cold run.
            int[] round = {0};
            warmupRounds.put("linear", warmUp("linear model alone", () -> linearAlone(learnerExamples, sets,
                    -1 - round[0]++)));
            for (int r = 0; r < runs; r++) {
                LinearRun run = linearAlone(learnerExamples, sets, r);
                linearCpu.add(run.rate().cpu());
                linearAllocated.add(run.bytesAllocatedPerExample());
                linearAccuracy = run.accuracy();
                plainCpu.add(run.baseline().cpu());
                System.out.printf("linear model alone (10-feature hyperplane, 2 classes), run %d: %,.0f examples/s "
                        + "(%,.0f per CPU second; %,.0f bytes allocated per example; prequential accuracy %.4f); the "
                        + "plain linear baseline on the same examples %,.0f per CPU second (accuracy %.4f)%n",
                        r + 1, run.rate().wall(), run.rate().cpu(), run.bytesAllocatedPerExample(), run.accuracy(),
                        run.baseline().cpu(), run.baselineAccuracy());
            }
        }
        List<TaskScale> scaling = new ArrayList<>();
        for (int tasks : taskCounts) {
            TaskScale t = taskScaling(LearnerConfig.from(p), p, tasks, Math.max(learnerExamples,
                    (long) tasks * examplesPerTask));
            scaling.add(t);
            System.out.printf("learner alone, %,d tasks, %,d examples: %,.0f examples/s (%,.0f per CPU second); heap "
                    + "%,.0f MB after (%,.1f bytes per task), store %,.0f bytes per task; written per example: %,.0f "
                    + "bytes by the learner, %,.0f to table files by flushes and compactions; writes stalled %,.1f s%s%n",
                    tasks, t.examples(), t.rate().wall(), t.rate().cpu(), t.heapBytes() / 1e6,
                    t.heapBytes() / (double) tasks, t.storeBytes() / (double) tasks,
                    t.writes().userBytes() / (double) t.examples(), t.writes().tableBytes() / (double) t.examples(),
                    t.writes().stallMicros() / 1e6, t.writes().stallCauses().isEmpty() ? ""
                            : " (stalls by cause: " + t.writes().stallCauses() + ")");
        }
        Map<String, List<Double>> e2e = new java.util.LinkedHashMap<>();
        Map<String, List<Double>> e2eCpu = new java.util.LinkedHashMap<>();
        Map<String, List<Double>> pass = new java.util.LinkedHashMap<>();
        Map<String, List<Double>> passCpu = new java.util.LinkedHashMap<>();
        Map<String, List<Double>> ratios = new java.util.LinkedHashMap<>();
        changelogBytes.clear();
        if (!skipEndToEnd) {
            List<Mode> modes = modes(e2eModes, "--e2e-modes");
            try (EmbeddedKafka broker = startBroker()) {
                // Discarded rounds of every mode first, until the JIT has settled: it compiles Kafka's, the broker's
                // and metastream's paths, and a mode has paths of its own (exactly-once's transactions). With one
                // discarded at_least_once run only, metastream's first measured run of each mode was its slowest of
                // three in each of four benches; with one of each mode, metastream's at_least_once runs still went
                // 8,671, 11,796, 16,886, 16,665, 14,739, 18,507 examples/s over six runs, the passthrough's 37,417
                // then 56,724-63,078 (twenty-third stop).
                int[] round = {0};
                warmupRounds.put("end_to_end", warmUp("end to end, every mode", () -> {
                    round[0]++;
                    for (Mode m : modes) {
                        endToEnd(broker, p, m, -round[0]);
                    }
                }));
                for (int r = 0; r < runs; r++) {
                    for (Mode m : modes) {
                        Rate[] v = endToEnd(broker, p, m, r);
                        double perExample = lastChangelogBytes / (double) e2eExamples;
                        changelogBytes.computeIfAbsent(m.label(), k -> new ArrayList<>()).add(perExample);
                        e2e.computeIfAbsent(m.label(), k -> new ArrayList<>()).add(v[0].wall());
                        e2eCpu.computeIfAbsent(m.label(), k -> new ArrayList<>()).add(v[0].cpu());
                        pass.computeIfAbsent(m.label(), k -> new ArrayList<>()).add(v[1].wall());
                        passCpu.computeIfAbsent(m.label(), k -> new ArrayList<>()).add(v[1].cpu());
                        ratios.computeIfAbsent(m.label(), k -> new ArrayList<>()).add(v[0].wall() / v[1].wall());
                        System.out.printf("end to end %s, run %d: metastream %,.0f examples/s (%,.0f per CPU second "
                                + "of the process, broker included), passthrough %,.0f (%,.0f), ratio %.2f%n",
                                m.label(), r + 1, v[0].wall(), v[0].cpu(), v[1].wall(), v[1].cpu(),
                                v[0].wall() / v[1].wall());
                        System.out.printf("  metastream's changelogs, %s, run %d: %,.0f bytes per example%n", m.label(),
                                r + 1, perExample);
                    }
                }
            }
        }
        double learnerMedian = median(learner);
        System.out.println();
        System.out.println("| measurement | examples/s (median of " + runs + ") | runs |");
        System.out.println("| --- | ---: | --- |");
        if (!skipLearner) {
            System.out.printf("| learner alone (in process) | %,.0f | %s |%n", learnerMedian, fmt(learner));
            System.out.printf("| learner alone, per CPU second of its thread | %,.0f | %s |%n", median(learnerCpu),
                    fmt(learnerCpu));
        }
        if (linear) {
            System.out.printf("| linear model alone, per CPU second of its thread | %,.0f | %s |%n", median(linearCpu),
                    fmt(linearCpu));
            System.out.printf("| plain linear baseline, same examples, per CPU second | %,.0f | %s |%n",
                    median(plainCpu), fmt(plainCpu));
        }
        e2e.forEach((k, v) -> {
            System.out.printf("| end to end, %s | %,.0f | %s |%n", k, median(v), fmt(v));
            System.out.printf("| passthrough, %s | %,.0f | %s |%n", k, median(pass.get(k)), fmt(pass.get(k)));
            System.out.printf("| ratio metastream / passthrough, %s (median of per-run ratios) | %.2f | %s |%n", k,
                    median(ratios.get(k)), fmtRatios(ratios.get(k)));
        });
        e2eCpu.forEach((k, v) -> {
            System.out.printf("| end to end, %s, per CPU second of the process | %,.0f | %s |%n", k, median(v), fmt(v));
            System.out.printf("| passthrough, %s, per CPU second of the process | %,.0f | %s |%n", k,
                    median(passCpu.get(k)), fmt(passCpu.get(k)));
        });
        if (json != null) {
            ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode n = m.createObjectNode();
            if (!skipLearner) {
                n.put("learner_examples_per_second", learnerMedian);
                n.putPOJO("learner_runs", learner);
                n.put("learner_examples_per_cpu_second", median(learnerCpu));
                n.putPOJO("learner_cpu_runs", learnerCpu);
                n.put("learner_bytes_allocated_per_example", median(learnerAllocated));
            }
            if (linear) {
                n.put("linear_learner_examples_per_cpu_second", median(linearCpu));
                n.putPOJO("linear_learner_cpu_runs", linearCpu);
                n.put("linear_learner_bytes_allocated_per_example", median(linearAllocated));
                n.put("linear_learner_prequential_accuracy", linearAccuracy);
                n.put("plain_linear_baseline_examples_per_cpu_second", median(plainCpu));
                n.put("linear_learner_to_plain_baseline_cpu_ratio", medianRatio(linearCpu, plainCpu));
            }
            if (!skipEndToEnd) {
                for (Mode mode : modes(e2eModes, "--e2e-modes")) {
                    String k = mode.label();
                    if (!e2e.containsKey(k)) {
                        continue;
                    }
                    // e.g. end_to_end_exactly_once_examples_per_second, passthrough_exactly_once_examples_per_second,
                    // and end_to_end_exactly_once_ratio: the median of the per-run ratios (metastream over the
                    // passthrough of the same run, on the same input), not the ratio of the medians, so that a run
                    // slowed by other work on the machine slows both sides of its own ratio.
                    String mid = mode.jsonInfix();
                    n.put("end_to_end" + mid + "_examples_per_second", median(e2e.get(k)));
                    n.put("passthrough" + mid + "_examples_per_second", median(pass.get(k)));
                    n.put("end_to_end" + mid + "_ratio", median(ratios.get(k)));
                    n.put("end_to_end" + mid + "_cpu_ratio", medianRatio(e2eCpu.get(k), passCpu.get(k)));
                }
                ObjectNode runsNode = n.putObject("end_to_end_runs");
                e2e.forEach(runsNode::putPOJO);
                ObjectNode cpuNode = n.putObject("end_to_end_per_process_cpu_second_runs");
                e2eCpu.forEach(cpuNode::putPOJO);
                ObjectNode passNode = n.putObject("passthrough_runs");
                pass.forEach(passNode::putPOJO);
                ObjectNode passCpuNode = n.putObject("passthrough_per_process_cpu_second_runs");
                passCpu.forEach(passCpuNode::putPOJO);
                ObjectNode ratioNode = n.putObject("end_to_end_ratio_runs");
                ratios.forEach(ratioNode::putPOJO);
                // What metastream's commits wrote to its state stores' changelogs, per example: the volume behind the
                // exactly-once cliff (docs/benchmarks-throughput.md).
                ObjectNode changelogNode = n.putObject("end_to_end_changelog_bytes_per_example_runs");
                changelogBytes.forEach(changelogNode::putPOJO);
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
                    o.put("store_user_bytes_written_per_example", t.writes().userBytes() / (double) t.examples());
                    o.put("store_table_bytes_written_per_example", t.writes().tableBytes() / (double) t.examples());
                    o.put("store_write_stall_seconds", t.writes().stallMicros() / 1e6);
                    var causes = o.putObject("store_write_stalls_by_cause");
                    t.writes().stallCauses().forEach(causes::put);
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
            putWarmupRounds(shape);
            shape.put("order", "per run and mode: metastream, then the passthrough on the same input topic");
            shape.put("partitions", partitions);
            shape.put("stream_threads", threads);
            shape.put("broker_dir", brokerDir == null ? "the system's temporary directory" : brokerDir.toString());
            shape.putPOJO("set", sets);
            putMachine(n);
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
        p.putAll(AppConfig.checkedSets(sets));
        return p;
    }

    /**
     * A learner-alone rate: examples per wall-clock second, and per CPU second of the thread that learned them. The
     * CPU figure leaves out the time the thread waited for a core, so it compares builds on a shared, loaded machine
     * where the wall-clock figure mostly measures the other load.
     */
    /** The warm-up rounds discarded before each measurement, by its JSON name. */
    private final Map<String, List<JitWarmup.Measured>> warmupRounds = new java.util.LinkedHashMap<>();

    /** The warm-up rounds of each measurement under {@code warmup_rounds_discarded}: how many, how long, the JIT's share. */
    private void putWarmupRounds(ObjectNode shape) {
        ObjectNode warm = shape.putObject("warmup_rounds_discarded");
        warmupRounds.forEach((k, rounds) -> {
            ObjectNode w = warm.putObject(k);
            w.put("rounds", rounds.size());
            w.putPOJO("jit_compile_share", rounds.stream().map(JitWarmup.Measured::compileShare).toList());
            w.putPOJO("seconds", rounds.stream().map(JitWarmup.Measured::seconds).toList());
        });
    }

    /** Discarded rounds of {@code round} until the JIT settles ({@link JitWarmup}), each printed. */
    private List<JitWarmup.Measured> warmUp(String what, JitWarmup.Round round) throws Exception {
        List<JitWarmup.Measured> rounds = JitWarmup.run(round, warmupMaxRounds, warmupJitShare);
        for (JitWarmup.Measured m : rounds) {
            System.out.printf("%s, %s%n", what, m);
        }
        if (rounds.get(rounds.size() - 1).compileShare() > warmupJitShare) {
            System.out.printf("%s: the JIT had not settled after %d warm-up rounds (--warmup-max-rounds); the measured "
                    + "runs include compilation%n", what, rounds.size());
        }
        return rounds;
    }

    record Rate(double wall, double cpu) {}

    /** One learner-alone run: its rate, and the bytes its thread allocated per timed example (garbage the GC pays for). */
    record LearnerRun(Rate rate, double bytesAllocatedPerExample) {}

    /**
     * Examples between the learner's flushes in the in-process benches, as commits would flush it: 1,000 is about 50 ms
     * at the learner bench's pace, more often than the application commits (every second under exactly-once by
     * default, Kafka Streams' 30 s under at-least-once), so the benches pay at least the state writes it would.
     */
    static final int FLUSH_EVERY = 1_000;

    /** The embedded broker the end-to-end and latency runs share, its log in {@code --broker-dir} when given. */
    private EmbeddedKafka startBroker() {
        return brokerDir == null ? EmbeddedKafka.start(null, 0, Map.of()) : EmbeddedKafka.startTemporaryIn(brokerDir);
    }

    /** Test-then-train over the workload in process; the first tenth is warm-up and not timed. */
    static LearnerRun learnerAlone(LearnerConfig config, int examples, int run) {
        StreamingLearner learner = new StreamingLearner(config, new InMemoryLearnerStore(), "bench", LearnerEvents.NONE);
        BenchStreams stream = new BenchStreams(100 + run);
        Instance[] data = new Instance[examples];
        for (int i = 0; i < examples; i++) {
            data[i] = stream.next();
        }
        int warm = examples / 10;
        for (int i = 0; i < warm; i++) {
            observe(learner, data[i], i);
        }
        ThreadMeter meter = new ThreadMeter();
        for (int i = warm; i < examples; i++) {
            observe(learner, data[i], i);
        }
        learner.learnPending(0);
        learner.flush();
        return new LearnerRun(meter.rate(examples - warm), meter.bytesPerExample(examples - warm));
    }

    /** Observes the {@code index}th example of a run, flushing the learner after every {@link #FLUSH_EVERY}th. */
    private static Prediction observe(StreamingLearner learner, Instance in, long index) {
        Prediction p = learner.observe(in);
        if ((index + 1) % FLUSH_EVERY == 0) {
            learner.flush();
        }
        return p;
    }

    /** The calling thread's wall clock, CPU time and allocated bytes since this was made: what a timed section cost. */
    private static final class ThreadMeter {
        private static final com.sun.management.ThreadMXBean THREADS =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        private final long thread = Thread.currentThread().getId();
        private final long bytes0 = THREADS.getThreadAllocatedBytes(thread);
        private final long cpu0 = THREADS.getCurrentThreadCpuTime();
        private final long t0 = System.nanoTime();

        /** Examples per wall-clock second and per CPU second of this thread, for {@code examples} timed ones. */
        Rate rate(long examples) {
            double wall = (System.nanoTime() - t0) / 1e9;
            double cpu = (THREADS.getCurrentThreadCpuTime() - cpu0) / 1e9;
            return new Rate(examples / wall, examples / cpu);
        }

        double bytesPerExample(long examples) {
            return (THREADS.getThreadAllocatedBytes(thread) - bytes0) / (double) examples;
        }
    }

    /** One --linear run: its rate, the bytes its thread allocated per timed example, and its prequential accuracy. */
    record LinearRun(Rate rate, double bytesAllocatedPerExample, double accuracy, Rate baseline,
                     double baselineAccuracy) {}

    /**
     * The linear model alone ({@code model.trunk.layers} empty, every other part at its default) on the peer workload of
     * issue 11: a 10-feature rotating hyperplane (2 drifting features, magnitude 0.001, 5% label noise), 2 classes, one
     * task, test-then-train. Every example is timed; {@code --set} settings apply over the workload's.
     */
    static LinearRun linearAlone(int examples, List<String> sets, int run) {
        Scenario s = new HyperplaneGenerator(10, 2, 0.001, 0.1, 0.05, false, 0, examples, 0).generate(1000L + run);
        Properties p = new Properties();
        p.putAll(s.learnerConfig());
        p.setProperty("model.trunk.layers", "");
        p.putAll(AppConfig.checkedSets(sets));
        List<Instance> data = new ArrayList<>(examples);
        for (Scenario.Position pos : s.trainOrder()) {
            data.add(s.tasks().get(pos.task()).train().get(pos.index()));
        }
        StreamingLearner learner = new StreamingLearner(LearnerConfig.from(p), new InMemoryLearnerStore(), "bench",
                LearnerEvents.NONE);
        ThreadMeter meter = new ThreadMeter();
        long correct = 0;
        long seen = 0;
        for (Instance in : data) {
            Prediction prediction = observe(learner, in, seen++);
            correct += predictedClass(prediction.output()) == predictedClass(in.target()) ? 1 : 0;
        }
        learner.learnPending(0);
        learner.flush();
        Rate rate = meter.rate(data.size());
        double bytes = meter.bytesPerExample(data.size());
        // The plain per-example linear learner on standardised inputs (the evaluations' "linear" baseline, River's
        // StandardScaler | LogisticRegression) over the same examples, right after: the reference in the same run.
        TaskKind kind = TaskKind.parse(p.getProperty("task.kind", "classification"));
        Linear plain = new Linear(kind, Integer.parseInt(p.getProperty("task.classes", "2")));
        ThreadMeter baseMeter = new ThreadMeter();
        long baseCorrect = 0;
        for (Instance in : data) {
            baseCorrect += predictedClass(plain.predictOne(in, null)) == predictedClass(in.target()) ? 1 : 0;
            plain.learnOne(in, null);
        }
        return new LinearRun(rate, bytes, correct / (double) data.size(), baseMeter.rate(data.size()),
                baseCorrect / (double) data.size());
    }

    /** The class a prediction or a target stands for: the 0/1 decision of one output, the largest of several. */
    private static int predictedClass(float[] v) {
        if (v.length == 1) {
            return v[0] >= 0.5f ? 1 : 0;
        }
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * One --task-counts measurement: its rate, the heap in use (after a GC) and the store's bytes on disk after it, and
     * what the store wrote over the whole run, warm-up included ({@link RocksLearnerStores.WriteStats}).
     */
    record TaskScale(int tasks, long examples, Rate rate, long heapBytes, long storeBytes,
                     dev.metastream.topology.RocksLearnerStores.WriteStats writes) {}

    /**
     * The learner alone over RocksDB stores (one database per store,
     * {@link dev.metastream.topology.RocksLearnerStores}) with {@code tasks} tasks, examples drawn uniformly at random
     * over them (labels from a per-task linear map derived from the task's index, so no table of every task is kept).
     * Examples are generated untimed in chunks of 10,000; the first tenth is warm-up and not timed. The stores are sized
     * by the {@code rocksdb.*} keys of {@code settings} ({@code --set rocksdb.memory.total.mb=...}), as the
     * application's.
     */
    static TaskScale taskScaling(LearnerConfig config, Properties settings, int tasks, long examples) throws Exception {
        Path dir = Files.createTempDirectory("metastream-bench-tasks");
        try (dev.metastream.topology.RocksLearnerStores rocks =
                     dev.metastream.topology.RocksLearnerStores.open(dir, settings)) {
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
                    observe(learner, chunk[i], done + i);
                }
                if (done + n >= examples) {
                    learner.learnPending(0);
                    learner.flush();
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
                    store, rocks.writeStats());
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
     * One end-to-end mode: a processing.guarantee, and whether the input is keyed by task (then neither application
     * repartitions).
     */
    record Mode(String guarantee, boolean keyed) {
        String label() {
            return guarantee + (keyed ? ", input keyed by task (no repartition)" : "");
        }

        /** The part of a JSON key naming the mode: "" for at_least_once, "_partitioned_input_exactly_once", ... */
        String jsonInfix() {
            return (keyed ? "_partitioned_input" : "") + (guarantee.equals("exactly_once_v2") ? "_exactly_once" : "");
        }

        /** The mode in a latency key: at_least_once, exactly_once, at_least_once_keyed, ... */
        String latencyName() {
            return (guarantee.equals("exactly_once_v2") ? "exactly_once" : guarantee) + (keyed ? "_keyed" : "");
        }

        String topicSuffix() {
            return guarantee.replace('_', '-') + (keyed ? "-keyed" : "");
        }
    }

    private List<Mode> modes(List<String> given, String option) {
        List<Mode> modes = new ArrayList<>();
        for (String mode : given) {
            String guarantee = mode.replace("-keyed", "");
            if (!guarantee.equals("at_least_once") && !guarantee.equals("exactly_once_v2")) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), option + ": unknown mode '"
                        + mode + "'; use at_least_once or exactly_once_v2, each optionally with -keyed");
            }
            modes.add(new Mode(guarantee, mode.endsWith("-keyed")));
        }
        return modes;
    }

    /**
     * The properties of one application of a run: the workload's and {@code --set}'s, the mode, and topic names of
     * its own under {@code prefix} (the examples topic under {@code examplesPrefix}, which a passthrough run shares
     * with the metastream run it is compared with). Metastream and the passthrough are both configured from these,
     * so they run with the same Kafka Streams settings.
     */
    Properties runProperties(Properties learnerProps, Mode mode, String prefix, String examplesPrefix,
                             Path state) {
        Properties p = new Properties();
        // A fresh group's first assignment creates the application's internal topics. A stream thread whose
        // consumer then sees one appear in its metadata rejoins the group, and processes nothing until the other
        // thread joins the new generation at its next heartbeat: up to 3 s at the default interval (the consumer's log:
        // "Request joining group due to: cached metadata has changed"). The passthrough's runs are 3-5 s, so its rate
        // spread from 27,000 to 63,000 examples/s with how long that thread sat idle. Both applications take the same
        // shorter interval; --set may give another.
        p.setProperty("heartbeat.interval.ms", "200");
        p.putAll(learnerProps);
        p.setProperty("application.id", prefix);
        p.setProperty("processing.guarantee", mode.guarantee());
        p.setProperty("num.stream.threads", String.valueOf(threads));
        p.setProperty("state.dir", state.toString());
        p.setProperty("topics.partitions", String.valueOf(partitions));
        p.setProperty("input.partitioned.by.task", String.valueOf(mode.keyed()));
        for (String t : List.of("examples", "predictions", "model.snapshots", "metrics", "drift.events", "dead.letter",
                "meta.updates", "meta.model", "control")) {
            p.setProperty("topic." + t, (t.equals("examples") ? examplesPrefix : prefix) + "." + t);
        }
        return p;
    }

    /**
     * Loads the examples into a fresh input topic, then runs metastream on it and then the passthrough on the same
     * topic, each a fresh application timed by when it wrote its first and last outputs ({@link #timeOutputs}).
     *
     * @return metastream's rate, then the passthrough's
     */
    /** Changelog bytes per example of metastream's runs, by mode. */
    private final Map<String, List<Double>> changelogBytes = new java.util.LinkedHashMap<>();
    /** Bytes metastream's changelogs held after the last {@link #endToEnd} run. */
    private long lastChangelogBytes;

    private Rate[] endToEnd(EmbeddedKafka broker, Properties learnerProps, Mode mode, int run) throws Exception {
        String suffix = mode.topicSuffix() + "-" + (run < 0 ? "warmup" + (run == -1 ? "" : -run) : run);
        String prefix = "metastream-bench-" + suffix;
        Rate[] out = new Rate[2];
        Path state = Files.createTempDirectory("metastream-bench");
        try {
            AppConfig config = AppConfig.of(runProperties(learnerProps, mode, prefix, prefix, state.resolve("m")));
            try (MetastreamApp app = new MetastreamApp(config, broker.bootstrapServers(), new SimpleMeterRegistry())) {
                app.ensureTopics();
                load(broker, config.topology().examplesTopic(), mode.keyed(), new BenchStreams(200 + run), e2eExamples);
                out[0] = timeOutputs(broker, config.topology().predictionsTopic(), app::start, e2eExamples);
            }
            // After the close, whose last commit flushed what the record cache still held.
            Map<String, Long> changelogs = changelogBytes(broker, prefix);
            lastChangelogBytes = changelogs.values().stream().mapToLong(Long::longValue).sum();
            System.out.printf("  changelog bytes per example by store, %s:%s%n", mode.label(),
                    perExample(changelogs, e2eExamples));
            AppConfig pc = AppConfig.of(runProperties(learnerProps, mode, "passthrough-bench-" + suffix, prefix,
                    state.resolve("p")));
            try (PassthroughApp app = new PassthroughApp(pc, broker.bootstrapServers())) {
                app.ensureTopics();
                out[1] = timeOutputs(broker, pc.topology().predictionsTopic(), app::start, e2eExamples);
            }
            return out;
        } finally {
            TempDirs.deleteQuietly(state);
            deleteTopics(broker, prefix, "passthrough-bench-" + suffix);
        }
    }

    /**
     * Deletes a finished run's topics, so the broker holds one run's logs at a time (a whole {@code bench --latency}
     * otherwise kept about 20 GB, too much for a broker log in memory). A failure is reported, not thrown: the
     * run's figures are already taken.
     */
    private static void deleteTopics(EmbeddedKafka broker, String... prefixes) {
        for (String prefix : prefixes) {
            try {
                broker.deleteTopicsStartingWith(prefix);
            } catch (RuntimeException e) {
                System.err.println("bench: could not delete the topics of " + prefix + " (" + e.getMessage() + ")");
            }
        }
    }

    /** Bytes in each of an application's changelog topics, by store name. */
    private static Map<String, Long> changelogBytes(EmbeddedKafka broker, String applicationId) throws Exception {
        Map<String, Long> changelogs = new java.util.TreeMap<>();
        TopicBytes.of(broker.bootstrapServers(), applicationId + "-").forEach((topic, bytes) -> {
            if (topic.endsWith("-changelog")) {
                changelogs.put(topic.substring(0, topic.length() - "-changelog".length()), bytes);
            }
        });
        return changelogs;
    }

    /** Per store, so what a commit writes can be traced to the state that wrote it: " store bytes/example ...". */
    private static String perExample(Map<String, Long> changelogs, long examples) {
        StringBuilder perStore = new StringBuilder();
        changelogs.forEach((store, bytes) -> perStore.append(String.format(" %s %,.0f", store,
                bytes / (double) examples)));
        return perStore.toString();
    }

    /** Metastream alone, in bulk, on a fresh topic: the rate {@code --latency} takes half of. */
    private Rate bulkMetastream(EmbeddedKafka broker, Properties learnerProps, Mode mode, int examples, String tag)
            throws Exception {
        String prefix = "metastream-bench-" + tag + "-" + mode.topicSuffix();
        Path state = Files.createTempDirectory("metastream-bench");
        try {
            AppConfig config = AppConfig.of(runProperties(learnerProps, mode, prefix, prefix, state));
            try (MetastreamApp app = new MetastreamApp(config, broker.bootstrapServers(), new SimpleMeterRegistry())) {
                app.ensureTopics();
                load(broker, config.topology().examplesTopic(), mode.keyed(), new BenchStreams(300), examples);
                return timeOutputs(broker, config.topology().predictionsTopic(), app::start, examples);
            }
        } finally {
            TempDirs.deleteQuietly(state);
            deleteTopics(broker, prefix);
        }
    }

    private static void load(EmbeddedKafka broker, String topic, boolean keyed, BenchStreams stream, int examples) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(bulkProducerProperties(broker),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < examples; i++) {
                ExampleRecordWriter.Written w = ExampleRecordWriter.write(stream.nextRecord(), placement(keyed));
                producer.send(new ProducerRecord<>(topic, w.key(), w.value()));
            }
        }
    }

    private static ExampleRecordWriter.TaskPlacement placement(boolean keyed) {
        return keyed ? ExampleRecordWriter.TaskPlacement.KEY_AND_VALUE : ExampleRecordWriter.TaskPlacement.VALUE_ONLY;
    }

    private static Properties bulkProducerProperties(EmbeddedKafka broker) {
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        pp.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        pp.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        return pp;
    }

    /**
     * Starts an application whose input is already loaded and times it by when it wrote its outputs: the output topic
     * is stamped at append ({@code message.timestamp.type=LogAppendTime}), and the rate is the outputs appended after
     * the first append, over the time from the first append to the last, in wall-clock seconds and in CPU seconds of
     * this process over the same span (sampled every 10 ms); startup is not timed.
     *
     * <p>Why not by when the outputs can be read: under exactly-once a read_committed reader sees an output only after
     * the commit that wrote it (every second by default here), so the first output it sees comes with a commit
     * interval's work already done. Timed from then, a 3-5 s passthrough run was credited up to a second it did not
     * take, and its exactly-once rate spread 1.5-2.7x between runs (47,858-130,703 examples/s in one bench); a 12 s
     * metastream run less so, which biased the exactly-once ratio against metastream.
     */
    private static Rate timeOutputs(EmbeddedKafka broker, String outputTopic, Runnable start, int expected)
            throws Exception {
        stampOnAppend(broker, outputTopic);
        try (OutputReader reader = new OutputReader(broker.bootstrapServers(), outputTopic, 500, true);
             CpuSampler cpu = new CpuSampler()) {
            start.run();
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (reader.records.get() < expected && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            if (reader.records.get() < expected) {
                throw new IllegalStateException("only " + reader.records.get() + " of " + expected + " outputs on "
                        + outputTopic + " in 5 minutes" + (reader.failure() == null ? "" : ": " + reader.failure()));
            }
            Thread.sleep(20); // a CPU sample after the last append
            AppendSpan span = AppendSpan.of(reader.timestamps());
            return new Rate(span.outputs() / span.seconds(),
                    span.outputs() / cpu.secondsBetween(span.firstMillis(), span.lastMillis()));
        }
    }

    /**
     * What a run's append times say: the outputs appended after the first append (the first append's were made before
     * it), and the span from the first append to the last.
     *
     * @param outputs     outputs appended after the first append
     * @param firstMillis the first append, epoch milliseconds
     * @param lastMillis  the last append
     */
    record AppendSpan(long outputs, long firstMillis, long lastMillis) {
        /** The span of {@code timestamps} (append times, in any order). */
        static AppendSpan of(long[] timestamps) {
            if (timestamps.length == 0) {
                throw new IllegalStateException("no outputs to time");
            }
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            for (long t : timestamps) {
                first = Math.min(first, t);
                last = Math.max(last, t);
            }
            long atFirst = 0;
            for (long t : timestamps) {
                atFirst += t == first ? 1 : 0;
            }
            if (last == first) {
                throw new IllegalStateException("all " + timestamps.length + " outputs were appended in the same "
                        + "millisecond: too few examples to time (--e2e-examples)");
            }
            return new AppendSpan(timestamps.length - atFirst, first, last);
        }

        /** The span in seconds. */
        double seconds() {
            return (lastMillis - firstMillis) / 1e3;
        }
    }

    /** Stamps {@code topic}'s records with the broker's time of append, for {@link #timeOutputs}. */
    static void stampOnAppend(EmbeddedKafka broker, String topic) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
                org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            org.apache.kafka.common.config.ConfigResource resource = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
            admin.incrementalAlterConfigs(Map.of(resource, List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                    new org.apache.kafka.clients.admin.ConfigEntry(
                            org.apache.kafka.common.config.TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime"),
                    org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get();
        }
    }

    /**
     * The value at {@code t} of a quantity sampled at increasing times {@code at[0 .. n)}, linear between samples and
     * held at the ends.
     */
    static double interpolate(long[] at, long[] values, int n, long t) {
        if (t <= at[0]) {
            return values[0];
        }
        for (int i = 1; i < n; i++) {
            if (at[i] >= t) {
                long span = at[i] - at[i - 1];
                double f = span == 0 ? 1 : (t - at[i - 1]) / (double) span;
                return values[i - 1] + f * (values[i] - values[i - 1]);
            }
        }
        return values[n - 1];
    }

    /**
     * This process's CPU time, sampled every 10 ms with the wall clock by a daemon thread, so that the CPU spent
     * between two instants known only afterwards (the first and last appends) can be read off by interpolation.
     */
    private static final class CpuSampler implements AutoCloseable {
        private final long[] millis = new long[1 << 16];
        private final long[] cpuNanos = new long[1 << 16];
        private volatile int count;
        private volatile boolean running = true;
        private final Thread thread = new Thread(this::loop, "bench-cpu-sampler");

        CpuSampler() {
            sample();
            thread.setDaemon(true);
            thread.start();
        }

        private void loop() {
            while (running && count < millis.length) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
                sample();
            }
        }

        private void sample() {
            millis[count] = System.currentTimeMillis();
            cpuNanos[count] = processCpuNanos();
            count++; // one writer (the constructor's sample happens before the thread starts)
        }

        /** CPU seconds between two epoch milliseconds inside the sampled span, interpolated between samples. */
        double secondsBetween(long from, long to) {
            return (at(to) - at(from)) / 1e9;
        }

        private double at(long t) {
            return interpolate(millis, cpuNanos, count, t);
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.interrupt();
            thread.join(1_000);
        }
    }

    /**
     * One paced latency run's outcome.
     *
     * @param stats     latencies of the outputs of the examples sent in the measured window
     * @param rate      examples per second sent
     * @param sent      examples sent in the measured window
     * @param keptUp    whether every one of them was output within the drain bound and the backlog did not grow
     * @param backlogGrowth growth of (sent - output) over the measured window, in examples per second
     * @param phases    the stream threads' slowest process, punctuate, commit and poll, in ms ({@link ThreadPhases})
     * @param cores     the process's cores over the measured window, by thread group ({@link ThreadCpu})
     */
    record LatencyRun(LatencyStats stats, double rate, long sent, boolean keptUp, double backlogGrowth,
                      Map<String, Double> phases, Map<String, Double> cores) {}

    /** {@code --latency}: per mode, metastream then the passthrough at the same fixed rate. */
    private int latencyBench(Properties p) throws Exception {
        List<Mode> modes = modes(latencyModes, "--latency-modes");
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode n = mapper.createObjectNode();
        List<String> table = new ArrayList<>();
        try (EmbeddedKafka broker = startBroker()) {
            // Discarded, as in the throughput runs, and made with --rate too: until the JIT has settled a bulk run
            // measures it compiling Kafka's, the broker's and metastream's paths (half of it would be below half of
            // what is sustained), and a cold metastream falls behind under exactly-once at rates it keeps up with warm.
            int[] round = {0};
            warmupRounds.put("latency_calibration", warmUp("bulk metastream, at_least_once",
                    () -> bulkMetastream(broker, p, new Mode("at_least_once", false), calibrationExamples,
                            "warmup" + ++round[0])));
            for (Mode mode : modes) {
                double r = rate;
                String name = mode.latencyName();
                if (r <= 0) {
                    Rate bulk = bulkMetastream(broker, p, mode, calibrationExamples, "calibration");
                    r = Math.max(1, Math.floor(bulk.wall() / 2));
                    n.put("latency_" + name + "_sustainable_examples_per_second", bulk.wall());
                    System.out.printf("%s: a bulk run of %,d examples sustained %,.0f examples/s; pacing at half, %,.0f"
                            + "%n", mode.label(), calibrationExamples, bulk.wall(), r);
                } else {
                    System.out.printf("%s: pacing at %,.0f examples/s (--rate)%n", mode.label(), r);
                }
                n.put("latency_" + name + "_rate", r);
                LatencyRun ms = latencyRun(broker, p, mode, false, r);
                print("metastream", mode, ms);
                put(n, "latency_" + name, ms);
                if (metastreamOnly) {
                    LatencyStats s = ms.stats();
                    table.add(String.format("| metastream, %s | %,.0f | %d | %d | %d | %,d | %s |", mode.label(),
                            ms.rate(), s.p50(), s.p99(), s.max(), s.count(), ms.keptUp() ? "yes"
                                    : String.format("**no** (backlog +%,.0f/s)", ms.backlogGrowth())));
                    continue;
                }
                LatencyRun pt = latencyRun(broker, p, mode, true, r);
                print("passthrough", mode, pt);
                put(n, "passthrough_latency_" + name, pt);
                n.put("latency_" + name + "_p50_ratio", (double) ms.stats().p50() / pt.stats().p50());
                n.put("latency_" + name + "_p99_ratio", (double) ms.stats().p99() / pt.stats().p99());
                for (var x : List.of(Map.entry("metastream", ms), Map.entry("passthrough", pt))) {
                    LatencyStats s = x.getValue().stats();
                    table.add(String.format("| %s, %s | %,.0f | %d | %d | %d | %,d | %s |", x.getKey(), mode.label(),
                            x.getValue().rate(), s.p50(), s.p99(), s.max(), s.count(), x.getValue().keptUp()
                                    ? "yes" : String.format("**no** (backlog +%,.0f/s)", x.getValue().backlogGrowth())));
                }
                table.add(String.format("| ratio metastream / passthrough, %s | | %.2f | %.2f | | | |", mode.label(),
                        (double) ms.stats().p50() / pt.stats().p50(), (double) ms.stats().p99() / pt.stats().p99()));
            }
        }
        System.out.println();
        System.out.println("| application, mode | examples/s sent | p50 ms | p99 ms | max ms | outputs measured | kept up |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | --- |");
        table.forEach(System.out::println);
        if (json != null) {
            ObjectNode shape = n.putObject("workload");
            shape.put("input_dim", BenchStreams.DIM);
            shape.put("trunk", "64");
            shape.put("classes", BenchStreams.CLASSES);
            shape.put("tasks", BenchStreams.TASKS);
            shape.put("batch_size", batchSize);
            shape.put("latency_seconds", latencySeconds);
            shape.put("latency_warmup_seconds", latencyWarmupSeconds);
            putWarmupRounds(shape);
            shape.put("partitions", partitions);
            shape.put("stream_threads", threads);
            shape.put("broker_dir", brokerDir == null ? "the system's temporary directory" : brokerDir.toString());
            shape.putPOJO("set", sets);
            putMachine(n);
            mapper.writeValue(json.toFile(), n);
            System.out.println("wrote " + json);
        }
        return 0;
    }

    private static void print(String app, Mode mode, LatencyRun r) {
        System.out.printf("latency %s, %s at %,.0f/s: p50 %d ms, p99 %d ms, max %d ms over %,d outputs of %,d sent%s%n",
                app, mode.label(), r.rate(), r.stats().p50(), r.stats().p99(), r.stats().max(), r.stats().count(),
                r.sent(), r.keptUp() ? "" : String.format(" -- did NOT keep up (backlog grew %,.0f examples/s)",
                        r.backlogGrowth()));
    }

    private static void put(ObjectNode n, String prefix, LatencyRun r) {
        n.put(prefix + "_p50_ms", r.stats().p50());
        n.put(prefix + "_p99_ms", r.stats().p99());
        n.put(prefix + "_max_ms", r.stats().max());
        n.put(prefix + "_outputs", r.stats().count());
        n.put(prefix + "_sent", r.sent());
        n.put(prefix + "_kept_up", r.keptUp());
        n.put(prefix + "_backlog_growth_per_second", r.backlogGrowth());
        r.phases().forEach((phase, ms) -> n.put(prefix + "_thread_" + phase.replace('-', '_') + "_ms", ms));
        ObjectNode cores = n.putObject(prefix + "_window_cores");
        r.cores().forEach(cores::put);
    }

    /** How early a paced record may be sent: those due within it go together, without a park each. */
    private static final long PACING_SLACK_NANOS = 1_000_000;

    /**
     * Records a paced run's sender cycles through: 32,768 of the bench workload (about 36 MB), written before any
     * application starts. Writing each record as it was sent (generating 100 Gaussian features and their JSON) cost
     * the sender about 17 us a record, a fifth of a core at half the bulk rate, on the two cores the application and
     * the broker share; the bulk run that sets that rate reads a preloaded topic, with no sender running. Cycling
     * keeps the records' shape and distribution (the workload is stationary); a task sees each of its about 330
     * records again every few seconds.
     */
    static final int PACED_RECORDS = 1 << 15;

    private final Map<Boolean, ExampleRecordWriter.Written[]> pacedRecords = new java.util.HashMap<>();

    /** The paced sender's records for input keyed by task or not, the same for every run of this bench. */
    private ExampleRecordWriter.Written[] pacedRecords(boolean keyed) {
        return pacedRecords.computeIfAbsent(keyed, k -> {
            BenchStreams stream = new BenchStreams(400);
            ExampleRecordWriter.Written[] records = new ExampleRecordWriter.Written[PACED_RECORDS];
            for (int i = 0; i < records.length; i++) {
                records[i] = ExampleRecordWriter.write(stream.nextRecord(), placement(k));
            }
            return records;
        });
    }

    /**
     * One paced run: a fresh application on a fresh, empty input topic; once it runs, examples are sent at
     * {@code rate} for the warm-up and then the measured seconds, each stamped with its send time, and every output
     * stamped in the measured window gives receive time minus that stamp. Bounded in time: sending stops early when
     * the backlog (sent minus output) exceeds 20 seconds of input, and what was sent is waited for at most 20
     * seconds more; either way the run is reported as not keeping up rather than hanging.
     */
    private LatencyRun latencyRun(EmbeddedKafka broker, Properties learnerProps, Mode mode, boolean passthrough,
                                  double rate) throws Exception {
        ExampleRecordWriter.Written[] records = pacedRecords(mode.keyed()); // before the application starts
        String prefix = (passthrough ? "passthrough" : "metastream") + "-latency-" + mode.topicSuffix();
        Path state = Files.createTempDirectory("metastream-bench");
        AppConfig config = AppConfig.of(runProperties(learnerProps, mode, prefix, prefix, state));
        MetastreamApp ms = passthrough ? null
                : new MetastreamApp(config, broker.bootstrapServers(), new SimpleMeterRegistry());
        PassthroughApp pt = passthrough ? new PassthroughApp(config, broker.bootstrapServers()) : null;
        try {
            if (passthrough) {
                pt.ensureTopics();
            } else {
                ms.ensureTopics();
            }
            try (OutputReader reader = new OutputReader(broker.bootstrapServers(),
                    config.topology().predictionsTopic(), readerFetchMaxWaitMs)) {
                if (passthrough) {
                    pt.start();
                    pt.awaitRunning(Duration.ofMinutes(2));
                } else {
                    ms.start();
                    ms.awaitRunning(Duration.ofMinutes(2));
                }
                Properties pp = new Properties();
                pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
                // The sender's own batching wait is part of what a client sees; 1 ms keeps it small at any rate.
                pp.put(ProducerConfig.LINGER_MS_CONFIG, "1");
                String topic = config.topology().examplesTopic();
                long start = System.currentTimeMillis();
                long from = start + latencyWarmupSeconds * 1000L;
                long to = from + latencySeconds * 1000L;
                reader.window(from, to);
                long sent = 0;
                long sentInWindow = 0;
                // What happened in each second of the window, to set beside its slow outputs: the application's
                // drift and domain-shift events and the JVM's collection pauses (sampled as each second starts).
                WindowEvents events = new WindowEvents(latencySeconds + 1, ms);
                long backlogAtFrom = -1;
                ThreadCpu cpuAtFrom = null;
                ThreadCpu cpuAtTo = null;
                long backlogAtTo = -1;
                boolean aborted = false;
                long t0 = System.nanoTime();
                double nanosPerExample = 1e9 / rate;
                try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp, new ByteArraySerializer(),
                        new ByteArraySerializer())) {
                    while (true) {
                        long due = t0 + (long) (sent * nanosPerExample);
                        long wait = due - System.nanoTime();
                        // Records due within the next millisecond go now: the stamps below are milliseconds anyway,
                        // and a park per record (12,000 a second) cost the sender a tenth of a core in wake-ups on
                        // the two cores the application, the broker and this sender share.
                        if (wait > PACING_SLACK_NANOS) {
                            java.util.concurrent.locks.LockSupport.parkNanos(wait);
                        }
                        long now = System.currentTimeMillis();
                        if (now >= to) {
                            cpuAtTo = ThreadCpu.snapshot();
                            break;
                        }
                        if (now >= from && backlogAtFrom < 0) {
                            backlogAtFrom = sent - reader.records.get();
                            cpuAtFrom = ThreadCpu.snapshot();
                        }
                        if (sent % 256 == 0 && sent - reader.records.get() > 20 * rate) {
                            aborted = true;
                            break;
                        }
                        ExampleRecordWriter.Written w = records[(int) (sent % records.length)];
                        producer.send(new ProducerRecord<>(topic, null, now, w.key(), w.value()));
                        sent++;
                        if (now >= from) {
                            sentInWindow++;
                            events.sample((int) ((now - from) / 1000));
                        }
                    }
                    backlogAtTo = sent - reader.records.get();
                }
                long drainDeadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (!aborted && reader.inWindow.get() < sentInWindow && System.nanoTime() < drainDeadline) {
                    Thread.sleep(5);
                }
                double growth = backlogAtFrom < 0 ? Double.NaN
                        : (backlogAtTo - backlogAtFrom) / (double) latencySeconds;
                // Two seconds of input more in flight at the end than at the start: it is falling behind, whatever
                // the drain then caught up.
                boolean keptUp = !aborted && reader.inWindow.get() >= sentInWindow
                        && backlogAtTo - backlogAtFrom <= 2 * rate;
                long[] bySecond = reader.maxBySecond();
                StringBuilder slow = new StringBuilder();
                for (int i = 0; i < bySecond.length; i++) {
                    if (bySecond[i] > 200) {
                        slow.append(String.format(" %ds:%dms", i, bySecond[i]));
                    }
                }
                if (!slow.isEmpty()) {
                    System.out.println("  seconds of the window (from its start) whose slowest output took over 200 ms:"
                            + slow);
                }
                int[] slowCounts = reader.slowBySecond();
                StringBuilder over = new StringBuilder();
                for (int i = 0; i < slowCounts.length; i++) {
                    if (slowCounts[i] > 0) {
                        over.append(String.format(" %ds:%d", i, slowCounts[i]));
                    }
                }
                if (!over.isEmpty()) {
                    // The window's start as a clock time, to find those seconds in a recording or a log.
                    System.out.printf("  outputs over %d ms, by the second of the window (from %s) they were sent "
                            + "in:%s%n", OutputReader.SLOW_MS, java.time.Instant.ofEpochMilli(from), over);
                    System.out.println("  in those seconds and the one before: " + events.describe(slowCounts));
                }
                if (!passthrough) {
                    // Before the close, so only what the commits and the record cache's evictions wrote while paced.
                    System.out.printf("  changelog bytes per example sent (warm-up and window) by store:%s%n",
                            perExample(changelogBytes(broker, prefix), sent));
                }
                Map<String, Double> phases = ThreadPhases.maxima(passthrough ? pt.streams() : ms.streams());
                System.out.println("  slowest stream-thread phases (ms, max over the run's metric window): "
                        + ThreadPhases.describe(phases));
                Map<String, Double> cores = cpuAtFrom != null && cpuAtTo != null ? cpuAtTo.coresSince(cpuAtFrom)
                        : Map.of();
                System.out.println("  cores over the window, by thread group:" + ThreadCpu.describe(cores));
                return new LatencyRun(reader.latency(), rate, sentInWindow, keptUp, growth, phases, cores);
            }
        } finally {
            if (ms != null) {
                ms.close();
            }
            if (pt != null) {
                pt.close();
            }
            TempDirs.deleteQuietly(state);
            deleteTopics(broker, prefix);
        }
    }

    /**
     * Per second of a latency window: the drift and domain-shift events the application published (none for the
     * passthrough) and the milliseconds the JVM's collectors paused, as counted when each second began.
     */
    static final class WindowEvents {
        private final long[][] atStart;
        private final MetastreamApp app;
        private int sampled = -1;

        WindowEvents(int seconds, MetastreamApp app) {
            this.atStart = new long[seconds + 1][];
            this.app = app;
        }

        /** Counts as the given second of the window starts (once per second; later calls in it do nothing). */
        void sample(int second) {
            if (second <= sampled || second >= atStart.length) {
                return;
            }
            long gcMs = 0;
            for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
                gcMs += Math.max(0, gc.getCollectionTime());
            }
            atStart[second] = new long[] {app == null ? 0 : (long) app.metrics().driftCount(),
                    app == null ? 0 : (long) app.metrics().shiftCount(), gcMs};
            sampled = second;
        }

        /** "3s: 2 drifts, 0 shifts, GC 31 ms; ..." for each second with slow outputs and the one before it. */
        String describe(int[] slow) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < slow.length; i++) {
                boolean wanted = slow[i] > 0 || i + 1 < slow.length && slow[i + 1] > 0;
                if (!wanted || i + 1 >= atStart.length || atStart[i] == null || atStart[i + 1] == null) {
                    continue;
                }
                long[] a = atStart[i];
                long[] z = atStart[i + 1];
                b.append(String.format("%s%ds: %d drifts, %d shifts, GC %d ms", b.isEmpty() ? "" : "; ", i,
                        z[0] - a[0], z[1] - a[1], z[2] - a[2]));
            }
            return b.toString();
        }
    }

    /**
     * CPU time of this whole process (the stream threads, the in-process broker, the producer and the watcher): per
     * example, a figure that other work on a shared machine changes far less than it changes the wall clock.
     */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** The machine and the time, with the load average so a figure measured beside other work says so. */
    private static void putMachine(ObjectNode n) {
        ObjectNode machine = n.putObject("machine");
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("java", System.getProperty("java.version"));
        machine.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        machine.put("load_average_1min_at_end", java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                .getSystemLoadAverage());
        n.put("measured_at", java.time.Instant.now().toString());
    }

    /** The median of the per-run ratios a[i] / b[i]. */
    private static double medianRatio(List<Double> a, List<Double> b) {
        List<Double> r = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            r.add(a.get(i) / b.get(i));
        }
        return median(r);
    }

    private static String fmtRatios(List<Double> xs) {
        return xs.stream().map(x -> String.format("%.2f", x)).toList().toString();
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
