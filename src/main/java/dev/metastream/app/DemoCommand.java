package dev.metastream.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.metastream.data.ExampleRecordWriter;
import dev.metastream.data.SyntheticStream;
import dev.metastream.learn.TaskKind;
import dev.metastream.learn.TaskSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code metastream demo}: the whole product on one machine. Starts an embedded broker, runs the topology, and feeds
 * it a synthetic stream of related tasks in which a new task appears a third of the way in and one task's concept
 * changes abruptly at 60%; a few malformed records are mixed in to show the dead-letter path. Prints live progress,
 * then waits until the output topics account for every record sent (for as long as they keep moving), and prints a
 * summary read back from them: dead letters by reason against the malformed records injected, each task's final
 * prequential figures, and every drift detection labelled as the injected change or as another detection. The last
 * line is {@code PASSED: ...} (exit 0) or {@code FAILED: <why>} (exit 1).
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the full pipeline on an embedded broker with a synthetic multi-task stream with drift.",
            "Ends with one line: PASSED (exit 0) or FAILED: <why> (exit 1)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:PASSED: every record sent came back as a prediction or a dead letter, with final metrics",
            "1:FAILED: the outputs stopped short (the line says what was missing) or the pipeline failed",
            "2:bad arguments or configuration (the message says what to change)"})
public final class DemoCommand implements Callable<Integer> {
    /** Malformed input of the "x has the wrong length" kind; the application must give this reason. */
    static final String WRONG_DIMENSION = "wrong-dimension";
    /** Malformed input that is not JSON; the application must give this reason. */
    static final String NOT_JSON = "not-json";

    @Spec
    CommandSpec spec;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "30", description = "Seconds of streaming (default: ${DEFAULT-VALUE}).")
    int durationSeconds;

    @Option(names = "--tasks", paramLabel = "N", defaultValue = "6", description = "Tasks at the start; one more appears mid-run (default: ${DEFAULT-VALUE}).")
    int tasks;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "2000", description = "Examples per second sent (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "3",
            description = "Partitions of the input and output topics, i.e. topics.partitions (default: ${DEFAULT-VALUE};"
                    + " given explicitly it overrides --config and --set).")
    int partitions;

    @Option(names = "--guarantee", paramLabel = "GUARANTEE", defaultValue = "exactly_once_v2",
            description = "processing.guarantee: exactly_once_v2 or at_least_once (default: ${DEFAULT-VALUE}; given"
                    + " explicitly it overrides --config and --set).")
    String guarantee;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "7", description = "Seed of the synthetic stream (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "0",
            description = "Port of the HTTP API and /metrics while the demo runs (default: ${DEFAULT-VALUE} = any free"
                    + " port; -1 = none; given explicitly it overrides http.port of --config and --set).")
    int httpPort;

    @Option(names = "--config", paramLabel = "FILE",
            description = "A properties file as for 'run --config' (see config/application.properties): its learner,"
                    + " topology and Kafka settings replace the demo's. The demo always runs its own embedded broker"
                    + " and a fresh state directory, so bootstrap.servers and state.dir are ignored (with a note);"
                    + " input.dim and task.classes shape the synthetic stream; tasks must stay classification.")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "A setting over the demo's defaults and --config (repeatable), e.g. --set learner.batch.size=32.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--stall-timeout", defaultValue = "180", paramLabel = "SECONDS",
            description = "After sending, wait for the outputs as long as they keep coming; fail only when nothing new"
                    + " has been read for this long (default: ${DEFAULT-VALUE}).")
    int stallSeconds;

    /** Creates the command; picocli sets the options. */
    public DemoCommand() {
    }

    /** The demo's own settings, under --config and --set. */
    static Properties demoDefaults() {
        Properties p = new Properties();
        p.setProperty("application.id", "metastream-demo");
        p.setProperty("model.trunk.layers", "32");
        p.setProperty("learner.batch.size", "16");
        p.setProperty("metrics.every.examples", "250");
        p.setProperty("snapshot.every.examples", "500");
        p.setProperty("metrics.interval.ms", "2000");
        return p;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (durationSeconds <= 0 || rate <= 0 || tasks <= 0 || partitions <= 0 || stallSeconds <= 0) {
            throw new ParameterException(spec.commandLine(),
                    "--duration, --rate, --tasks, --partitions and --stall-timeout must be positive");
        }
        AppConfig config = configuration(err);
        String verdict;
        try {
            verdict = runDemo(config, out, err);
        } catch (Exception e) {
            verdict = "FAILED: " + rootMessage(e);
        }
        out.println();
        out.println(verdict);
        out.flush();
        return verdict.startsWith("PASSED") ? 0 : 1;
    }

    /**
     * The configuration: the demo's defaults, then {@code --config}, then {@code --set}, then the options given
     * explicitly; errors are usage errors (exit 2) naming where the bad setting came from.
     */
    AppConfig configuration(PrintWriter err) {
        Properties p = demoDefaults();
        p.setProperty("topics.partitions", String.valueOf(partitions));
        p.setProperty("processing.guarantee", guarantee);
        if (configFile != null) {
            try {
                AppConfig.load(configFile); // its own errors (unknown or bad keys) name the file
                Properties file = new Properties();
                try (Reader r = Files.newBufferedReader(configFile, StandardCharsets.UTF_8)) {
                    file.load(r);
                }
                file.stringPropertyNames().forEach(k -> p.setProperty(k, file.getProperty(k).trim()));
            } catch (IOException e) {
                throw new ParameterException(spec.commandLine(), "cannot read --config " + configFile + ": "
                        + rootMessage(e) + "; pass an existing properties file");
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "invalid --config " + configFile + ": "
                        + e.getMessage());
            }
        }
        for (String kv : sets) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new ParameterException(spec.commandLine(), "--set " + kv
                        + ": expected KEY=VALUE, e.g. --set learner.batch.size=32");
            }
            p.setProperty(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        var parsed = spec.commandLine().getParseResult();
        if (parsed != null && parsed.hasMatchedOption("--partitions")) {
            p.setProperty("topics.partitions", String.valueOf(partitions));
        }
        if (parsed != null && parsed.hasMatchedOption("--guarantee")) {
            p.setProperty("processing.guarantee", guarantee);
        }
        if (httpPort < 0) {
            p.remove("http.port");
        } else if (!p.containsKey("http.port") || (parsed != null && parsed.hasMatchedOption("--http-port"))) {
            p.setProperty("http.port", String.valueOf(httpPort));
        }
        for (String k : List.of("bootstrap.servers", "state.dir")) {
            String v = p.getProperty(k, "").trim();
            if (!v.isEmpty()) {
                err.println("metastream demo: note: ignoring " + k + "=" + v + ": the demo always runs its own"
                        + " embedded broker with a fresh state directory (use 'run' for your own cluster)");
            }
            p.remove(k);
        }
        String g = p.getProperty("processing.guarantee", "").trim();
        if (!g.equals("exactly_once_v2") && !g.equals("at_least_once")) {
            throw new ParameterException(spec.commandLine(), "processing.guarantee=" + g + origin()
                    + ": use exactly_once_v2 or at_least_once (--guarantee)");
        }
        AppConfig config;
        try {
            config = AppConfig.of(p);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "invalid configuration" + origin() + ": "
                    + e.getMessage());
        }
        for (int i = 0; i <= tasks; i++) {
            TaskSpec t = config.learner().taskSpec("task-" + i);
            if (t.kind() != TaskKind.CLASSIFICATION) {
                throw new ParameterException(spec.commandLine(), "the demo's synthetic tasks are classification tasks,"
                        + " but the configuration" + origin() + " makes task-" + i + " " + t.kind().name()
                        .toLowerCase(Locale.ROOT) + ": remove task.kind / tasks.task-" + i + ".kind");
            }
            if (t.classes() != config.learner().defaultTask().classes()) {
                throw new ParameterException(spec.commandLine(), "the demo's synthetic tasks all have task.classes="
                        + config.learner().defaultTask().classes() + " classes, but task-" + i + " is given "
                        + t.classes() + ": remove tasks.task-" + i + ".classes");
            }
        }
        return config;
    }

    private String origin() {
        List<String> from = new ArrayList<>();
        if (configFile != null) {
            from.add("--config " + configFile);
        }
        if (!sets.isEmpty()) {
            from.add("--set");
        }
        return from.isEmpty() ? "" : " (from " + String.join(" and ", from) + ")";
    }

    private String runDemo(AppConfig given, PrintWriter out, PrintWriter err) throws Exception {
        long total = (long) durationSeconds * rate;
        SyntheticStream stream = new SyntheticStream(SyntheticStream.Config.defaults().withTasks(tasks).withSeed(seed)
                .withInputDim(given.learner().inputDim()).withClasses(given.learner().defaultTask().classes())
                .withNewTaskAt(total / 3).withDriftAt(total * 6 / 10));
        Path stateDir = Files.createTempDirectory("metastream-demo-state");
        Properties p = new Properties();
        p.putAll(given.all());
        p.setProperty("state.dir", stateDir.toString());
        AppConfig config = AppConfig.of(p);
        String guaranteeUsed = config.all().getProperty("processing.guarantee");

        out.printf(Locale.ROOT, "metastream demo: %d s at %d examples/s, %d tasks (+1 at example %d), abrupt drift of"
                        + " %s at example %d, %s%n", durationSeconds, rate, tasks, total / 3,
                stream.config().driftTask(), total * 6 / 10, guaranteeUsed);
        if (configFile != null || !sets.isEmpty()) {
            out.println("configuration: the demo's defaults" + (configFile != null ? ", then " + configFile : "")
                    + (sets.isEmpty() ? "" : ", then --set " + String.join(" --set ", sets)));
        }
        out.flush();
        long t0 = System.nanoTime();
        try (EmbeddedKafka broker = EmbeddedKafka.start(null, 0, Map.of())) {
            out.printf(Locale.ROOT, "embedded broker bootstrap.servers=%s ready in %.1f s%n", broker.bootstrapServers(),
                    (System.nanoTime() - t0) / 1e9);
            out.flush();
            try (MetastreamApp app = new MetastreamApp(config, broker.bootstrapServers())) {
                app.ensureTopics();
                app.start();
                if (app.httpPort() >= 0) {
                    out.printf("HTTP API at http://127.0.0.1:%d (dashboard at /; /tasks, /metrics, POST /predict, /models/meta)%n",
                            app.httpPort());
                }
                app.awaitRunning(Duration.ofSeconds(Math.max(120, stallSeconds)));
                try (OutputWatcher watcher = new OutputWatcher(broker.bootstrapServers(), config.topology(), Map.of())) {
                    return stream(config, broker.bootstrapServers(), stream, total, app, watcher, out, err);
                }
            }
        } finally {
            TempDirs.deleteQuietly(stateDir);
        }
    }

    private String stream(AppConfig config, String bootstrap, SyntheticStream stream, long total, MetastreamApp app,
                          OutputWatcher watcher, PrintWriter out, PrintWriter err) throws Exception {
        Properties pp = new Properties();
        pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        pp.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        pp.put(ProducerConfig.ACKS_CONFIG, "all");
        AtomicLong sent = new AtomicLong();
        Map<String, AtomicLong> injected = new ConcurrentHashMap<>();
        injected.put(NOT_JSON, new AtomicLong());
        injected.put(WRONG_DIMENSION, new AtomicLong());
        Map<String, AtomicLong> validByTask = new ConcurrentHashMap<>();
        AtomicLong sendFailures = new AtomicLong();
        AtomicReference<Exception> firstSendFailure = new AtomicReference<>();
        AtomicReference<DemoReport.InjectedChange> change = new AtomicReference<>();
        long driftAt = stream.config().driftAt();
        String driftTask = stream.config().driftTask();
        // an x of the wrong length (two values, or three when input.dim=2)
        String shortX = stream.config().inputDim() == 2 ? "[1,2,3]" : "[1,2]";
        long start = System.nanoTime();
        Thread producerThread = new Thread(() -> {
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                for (long i = 0; i < total; i++) {
                    long due = start + (long) (i * 1e9 / rate);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    SyntheticStream.Example e = stream.next();
                    if (i == driftAt) {
                        change.set(new DemoReport.InjectedChange(driftTask,
                                validByTask.getOrDefault(driftTask, new AtomicLong()).get(), i));
                    }
                    ExampleRecordWriter.Written record = ExampleRecordWriter.write(SyntheticStream.record(e),
                            ExampleRecordWriter.TaskPlacement.KEY_AND_VALUE);
                    byte[] value = record.value();
                    if (i % 997 == 500) {
                        // Bad input on purpose: it must reach the dead-letter topic, not stop the stream.
                        boolean wrongDimension = (i / 997) % 2 == 0;
                        value = (wrongDimension ? "{\"task\":\"" + e.task() + "\",\"x\":" + shortX + ",\"y\":0}"
                                : "not json")
                                .getBytes(StandardCharsets.UTF_8);
                        injected.get(wrongDimension ? WRONG_DIMENSION : NOT_JSON).incrementAndGet();
                    } else {
                        validByTask.computeIfAbsent(e.task(), k -> new AtomicLong()).incrementAndGet();
                    }
                    producer.send(new ProducerRecord<>(config.topology().examplesTopic(), record.key(), value),
                            (md, ex) -> {
                                if (ex != null) {
                                    sendFailures.incrementAndGet();
                                    firstSendFailure.compareAndSet(null, ex);
                                }
                            });
                    sent.incrementAndGet();
                }
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException ex) {
                sendFailures.incrementAndGet();
                firstSendFailure.compareAndSet(null, ex);
            }
        }, "demo-producer");
        producerThread.start();

        long lastPredictions = 0;
        long lastTick = System.nanoTime();
        while (producerThread.isAlive()) {
            producerThread.join(2000);
            long now = System.nanoTime();
            long preds = watcher.predictions.get();
            double perSecond = (preds - lastPredictions) / ((now - lastTick) / 1e9);
            lastPredictions = preds;
            lastTick = now;
            out.println(progressLine((now - start) / 1e9, sent.get(), preds, perSecond, watcher));
            out.flush();
        }
        if (sendFailures.get() > 0) {
            return "FAILED: " + sendFailures.get() + " of " + sent.get() + " examples could not be sent to the"
                    + " embedded broker; first error: " + rootMessage(firstSendFailure.get());
        }
        Map<String, Long> injectedCounts = snapshot(injected);
        Map<String, Long> validCounts = snapshot(validByTask);
        // Each task's last metrics report comes on the metrics.interval.ms timer: wait for it only if it can come
        // well within the stall timeout (a configuration may set the timer to hours).
        long intervalMs = config.topology().metricsIntervalMs();
        boolean awaitMetrics = intervalMs <= TimeUnit.SECONDS.toMillis(stallSeconds) / 2;
        if (!awaitMetrics) {
            err.printf(Locale.ROOT, "metastream demo: note: not waiting for each task's final metrics report:"
                    + " metrics.interval.ms=%d is more than half of --stall-timeout %d s%n", intervalMs, stallSeconds);
        }
        DemoReport.Expected expected = new DemoReport.Expected(DemoReport.sum(validCounts), injectedCounts,
                awaitMetrics ? validCounts : Map.of(),
                "at_least_once".equals(config.all().getProperty("processing.guarantee")));
        String failure = awaitOutputs(expected, watcher, app, err);
        double seconds = (System.nanoTime() - start) / 1e9;
        List<DemoReport.Detection> detections = detections(watcher);
        printSummary(out, seconds, sent.get(), injectedCounts, watcher, detections, change.get());
        if (failure != null) {
            return "FAILED: " + failure;
        }
        long delay = DemoReport.detectionDelay(detections, change.get());
        return String.format(Locale.ROOT, "PASSED: all %,d predictions, %,d dead letters (every malformed record, with"
                        + " its reason) and %s read back; %s", expected.predictions(), expected.deadLetterTotal(),
                awaitMetrics ? "the final metrics of " + validCounts.size() + " tasks" : "metrics",
                change.get() == null ? "no drift injected"
                        : delay >= 0 ? String.format(Locale.ROOT, "the injected drift on %s was detected %,d of its"
                        + " examples after the change", change.get().task(), delay)
                        : "the injected drift on " + change.get().task() + " was not detected (see above)");
    }

    /**
     * Waits until the outputs account for everything sent, as long as they keep moving.
     *
     * @return null when complete, else why it gave up
     */
    private String awaitOutputs(DemoReport.Expected expected, OutputWatcher watcher, MetastreamApp app,
                                PrintWriter err) throws InterruptedException {
        StallDetector stall = new StallDetector(Duration.ofSeconds(stallSeconds), System::nanoTime);
        long waitStart = System.nanoTime();
        long lastLine = 0;
        while (true) {
            DemoReport.Observed observed = observed(watcher);
            List<String> missing = DemoReport.shortfalls(expected, observed);
            if (missing.isEmpty()) {
                return null;
            }
            stall.observe(watcher.records.get(), watcher.predictions.get());
            KafkaStreams.State state = app.streams().state();
            if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING
                    || state == KafkaStreams.State.PENDING_ERROR || state == KafkaStreams.State.PENDING_SHUTDOWN) {
                return "Kafka Streams stopped (state " + state + ", the log above says why) before the outputs were"
                        + " complete: " + String.join("; ", missing);
            }
            if (watcher.failure() != null) {
                return "reading the output topics failed (" + rootMessage(watcher.failure()) + "); still missing: "
                        + String.join("; ", missing);
            }
            if (stall.stalled()) {
                return "no new output for " + stallSeconds + " s (--stall-timeout) while still missing: "
                        + String.join("; ", missing);
            }
            long now = System.nanoTime();
            if (now - lastLine >= TimeUnit.SECONDS.toNanos(5)) {
                lastLine = now;
                err.printf(Locale.ROOT, "waiting for the outputs [%.0f s]: %s; last new output %d s ago (gives up after"
                                + " %d s without any)%n", (now - waitStart) / 1e9, String.join("; ", missing),
                        stall.sinceLastChange().toSeconds(), stallSeconds);
                err.flush();
            }
            Thread.sleep(200);
        }
    }

    private static DemoReport.Observed observed(OutputWatcher w) {
        Map<String, Long> seen = new TreeMap<>();
        w.latestMetrics().forEach((task, m) -> seen.put(task, m.path("examples_seen").asLong()));
        return new DemoReport.Observed(w.predictions.get(), w.deadLetters(), seen);
    }

    private static List<DemoReport.Detection> detections(OutputWatcher w) {
        List<DemoReport.Detection> out = new ArrayList<>();
        for (JsonNode d : w.drifts()) {
            out.add(new DemoReport.Detection(d.path("task").asText(), d.path("position").asLong(),
                    d.path("detector").asText(), d.path("reaction").asText(), d.path("signal").asText()));
        }
        return out;
    }

    private static Map<String, Long> snapshot(Map<String, AtomicLong> m) {
        Map<String, Long> s = new LinkedHashMap<>();
        new TreeMap<>(m).forEach((k, v) -> s.put(k, v.get()));
        return s;
    }

    private static String progressLine(double t, long sent, long preds, double perSecond, OutputWatcher w) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "[%5.1fs] sent %,d  predicted %,d (%,.0f/s)"
                        + "  meta v%d  drift %d  dead-letter %d |", t, sent, preds, perSecond, w.metaVersion.get(),
                w.drifts().size(), DemoReport.sum(w.deadLetters())));
        for (Map.Entry<String, JsonNode> e : w.latestMetrics().entrySet()) {
            sb.append(String.format(Locale.ROOT, " %s %.2f", e.getKey(),
                    e.getValue().path("metrics").path("accuracy_window").asDouble()));
        }
        return sb.toString();
    }

    private static void printSummary(PrintWriter out, double seconds, long sent, Map<String, Long> injected,
                                     OutputWatcher w, List<DemoReport.Detection> detections,
                                     DemoReport.InjectedChange change) {
        out.println();
        out.printf(Locale.ROOT, "summary: %,d examples sent; %,d predictions read back in %.1f s (%,.0f/s end to end)%n",
                sent, w.predictions.get(), seconds, w.predictions.get() / seconds);
        out.println(DemoReport.deadLetterLine(injected, w.deadLetters()));
        out.printf(Locale.ROOT, "shared model: version %d, %d task snapshots, %d metrics records%n", w.metaVersion.get(),
                w.taskSnapshots.get(), w.metricsRecords.get());
        out.println();
        out.printf("%-10s %10s %10s %12s %10s %7s%n", "task", "examples", "accuracy", "acc(window)", "log-loss", "drifts");
        for (Map.Entry<String, JsonNode> e : w.latestMetrics().entrySet()) {
            JsonNode m = e.getValue();
            out.printf(Locale.ROOT, "%-10s %10d %10.3f %12.3f %10.3f %7d%n", e.getKey(), m.path("examples_seen").asLong(),
                    m.path("metrics").path("accuracy").asDouble(), m.path("metrics").path("accuracy_window").asDouble(),
                    m.path("metrics").path("log_loss").asDouble(), m.path("drifts").asLong());
        }
        out.println();
        out.println("drift detections: " + detections.stream().filter(d -> !d.domainShift()).count()
                + ", domain-shift records: " + detections.stream().filter(DemoReport.Detection::domainShift).count());
        for (String line : DemoReport.driftLines(detections, change)) {
            out.println("  " + line);
        }
        out.flush();
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }
}
