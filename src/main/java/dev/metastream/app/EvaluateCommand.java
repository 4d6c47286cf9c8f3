package dev.metastream.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.metastream.data.Scenario;
import dev.metastream.data.ScenarioSpec;
import dev.metastream.data.Scenarios;
import dev.metastream.evaluation.EvaluationResult;
import dev.metastream.evaluation.Evaluator;
import dev.metastream.evaluation.HtmlReport;
import dev.metastream.evaluation.Protocol;
import dev.metastream.evaluation.Strategy;
import dev.metastream.learn.LearnerConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code metastream evaluate}: runs a continual-learning scenario with a strategy and reports the accuracy matrix,
 * ACC/BWT/FWT/forgetting, anytime accuracy, adaptation, multi-task gain, prequential curves and drift detection, as a
 * table, optionally as JSON and as a self-contained HTML report with charts ({@link HtmlReport}). In process by
 * default; {@code --through-kafka} runs the same protocol through the topology on an embedded broker. See
 * {@code docs/evaluation.md}.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false, abbreviateSynopsis = true,
        description = {"Run a continual-learning scenario with a strategy and report every figure: the accuracy "
                + "matrix R, ACC, BWT, FWT, forgetting, anytime accuracy, adaptation, multi-task gain and negative "
                + "transfer, each task's test and prequential figures of its kind (accuracy, per-class and macro/micro "
                + "precision/recall/F1, kappa, log-loss, AUC; MSE/RMSE/MAE/R²; multi-label set figures), the "
                + "prequential curve, and drift detections against the true change points.",
                "In process by default; --through-kafka runs the same protocol through the topology on an embedded "
                        + "broker. Reference: docs/evaluation.md.", ""},
        footer = {"", "Examples:",
                "  metastream evaluate --source idx:data/mnist --transform permute:20 \\",
                "      --train-per-task 1000 --test-per-task 1000 --strategy agem --json r.json",
                "  metastream evaluate --source sea:length=1000 --train-per-task 4000 \\",
                "      --test-per-task 200 --html target/sea.html",
                "  metastream evaluate --source sinusoid --tasks 20 --train-per-task 20 \\",
                "      --test-per-task 50",
                "  metastream evaluate --source json:data/vega/flights-20k.json --task-column origin \\",
                "      --label-column delay --label-threshold 15 --feature-columns distance \\",
                "      --hash-columns destination --time-columns date --set task.kind=binary",
                "      --test-per-task 50   (scripts/fetch-datasets.sh fetches data/vega)"})
public final class EvaluateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--source", required = true, description = "idx:DIR, csv:FILE, json:FILE (an array of flat "
            + "objects), jsonl:FILE, or a generator: "
            + "hyperplane, sea, rbf, stagger, sinusoid (generators take :key=value,... parameters; true change "
            + "points come from sea, stagger, and hyperplane/rbf with mode=abrupt; see docs/sources.md).")
    String source;

    @Option(names = "--transform", description = "permute:K, rotate:K, split:G, or ways:N (--tasks N-way tasks, "
            + "default 1000: each draws N classes at random and relabels them 0..N-1, so only the features transfer; "
            + "--train-per-task spread evenly over the N classes, 0 = 20 per class) (default: none).")
    String transform;

    @Option(names = "--train-per-task", defaultValue = "0",
            description = "Training examples per task (0 = the source's natural size).")
    int trainPerTask;

    @Option(names = "--test-per-task", defaultValue = "0", description = "Held-out test examples per task (0 = none); "
            + "file sources hold out each task's last N rows (a file's rows otherwise train in file order, across tasks).")
    int testPerTask;

    @Option(names = "--task-order", defaultValue = "natural",
            description = "natural, random (shuffled with the seed) or a comma-separated list of task ids (the last two "
                    + "train task after task, also for files whose tasks interleave).")
    String taskOrder;

    @Option(names = "--tasks", defaultValue = "0",
            description = "Tasks a generator or --transform ways:N makes (0 = its default; ways: 1000).")
    int tasks;

    @Option(names = "--input-dim", defaultValue = "0",
            description = "Feature width for hashed sources (CSV/JSON hash columns, JSONL named features); 0 = from the data.")
    int inputDim;

    @Option(names = "--strategy", defaultValue = "metastream",
            description = "naive, independent, multihead, agem, gem, replay, metastream or joint (default: ${DEFAULT-VALUE}).")
    String strategy;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the scenario and the learner (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "A learner setting over the scenario's and the strategy's (repeatable); task.kind also tells "
                    + "file sources how to read their labels (e.g. task.kind=binary for 0/1, regression for numbers).")
    List<String> sets = new ArrayList<>();

    @Option(names = "--config", paramLabel = "FILE", description = "The properties file of 'run --config' (under "
            + "--set): its learner keys apply and task.kind reaches the file sources' labels; the keys the data fixes "
            + "(input.dim, task.classes, task.class.names, task.labels) and Kafka/topology/process keys are ignored.")
    Path configFile;

    @Option(names = "--json", paramLabel = "FILE", description = "Write every figure to this JSON file.")
    Path json;

    @Option(names = "--html", paramLabel = "FILE", description = "Write a self-contained HTML report with charts (the "
            + "accuracy matrix as a heatmap, the prequential curve with the true change points and the detections, "
            + "anytime accuracy, adaptation curves, the baselines beside the run); it opens offline.")
    Path html;

    @Option(names = "--through-kafka", description = "Run through the topology on an embedded broker.")
    boolean throughKafka;

    @Option(names = "--partitions", defaultValue = "1",
            description = "Input partitions with --through-kafka (1 agrees with in-process; default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--no-reference", description = "Skip the independent per-task reference run (no multi-task gain).")
    boolean noReference;

    @Option(names = "--eval-every", defaultValue = "0",
            description = "Also score the seen tasks' test sets every N training examples (anytime curve; 0 = at task ends).")
    long evalEvery;

    @Option(names = "--shots", defaultValue = "-1",
            description = "Few-shot figure after N examples of each new task (N of each class for --transform ways "
                    + "tasks: N-shot), summarised over the fresh tasks (the last tenth to arrive) against learning "
                    + "them without meta-learning (-1 = 10 for regression, else off).")
    int shots;

    @Option(names = "--exact-scoring",
            description = "Score test sets one example at a time, bit for bit as the topology (slower).")
    boolean exactScoring;

    @Option(names = "--drift-max-delay", defaultValue = "1000",
            description = "A detection this many examples after a change still finds it (default: ${DEFAULT-VALUE}).")
    long driftMaxDelay;

    @Option(names = "--window", defaultValue = "500", description = "Window of the prequential curve and of each task's windowed figures (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--task-column", description = "CSV/JSON: column holding the task id (default: one task).")
    String taskColumn;

    @Option(names = "--label-column", description = "CSV/JSON: column holding the label (default: y).")
    String labelColumn;

    @Option(names = "--feature-columns", split = ",", description = "CSV/JSON: numeric feature columns (default: every other column; '' = none).")
    List<String> featureColumns;

    @Option(names = "--hash-columns", split = ",", description = "CSV/JSON: categorical columns hashed into --input-dim slots.")
    List<String> hashColumns;

    @Option(names = "--multi-value-columns", split = ",", description = "CSV/JSON: categorical columns holding several "
            + "values (e.g. Comedy|Drama), each hashed as column=value (JSON arrays of strings need no separator).")
    List<String> multiValueColumns;

    @Option(names = "--multi-value-separator", defaultValue = "|",
            description = "Separator of --multi-value-columns cells (default: ${DEFAULT-VALUE}).")
    String multiValueSeparator;

    @Option(names = "--label-threshold", paramLabel = "T", description = "CSV/JSON: the label is 1 when the numeric "
            + "label column is above T, else 0 (e.g. delay > 15 minutes).")
    Double labelThreshold;

    @Option(names = "--time-columns", split = ",", description = "CSV/JSON: date/time columns (2001/01/14 21:55, "
            + "2012-01-01, ...) as hour of day, day of week and day of year, each a sin/cos pair.")
    List<String> timeColumns;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        Evaluator.Options options;
        try {
            options = options();
        } catch (ParameterException e) {
            if (e.getCause() instanceof ConfigKeys.UnknownKeyException) {
                // One line naming the key and the closest known one; the usage would only bury it.
                spec.commandLine().getErr().println("metastream evaluate: " + e.getMessage());
                spec.commandLine().getErr().flush();
                return 2;
            }
            throw e;
        }
        java.io.PrintWriter out = spec.commandLine().getOut();
        Scenario scenario;
        try {
            // task.kind from --set or --config tells the file sources how to read their labels.
            String kindHint = options.overrides().get("task.kind");
            scenario = Scenarios.build(new ScenarioSpec(source, transform, trainPerTask, testPerTask, taskOrder, seed,
                    inputDim, tasks, taskColumn, labelColumn, featureColumns, hashColumns,
                    new ScenarioSpec.TableOptions(multiValueColumns, multiValueSeparator, labelThreshold,
                            timeColumns)), kindHint, n -> out.println("note: " + n));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        try {
            checkTargets(scenario, options.strategy(),
                    Evaluator.config(Evaluator.settings(scenario, options.strategy(), seed, options.overrides())));
            if (throughKafka) {
                KafkaEvaluation.check(scenario, options, partitions);
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        String note = driftNote(source, scenario);
        if (note != null) {
            out.println("note: " + note);
        }
        ProgressBar bar = new ProgressBar(System.err, !quiet && System.console() != null);
        EvaluationResult r;
        Evaluator evaluator = new Evaluator();
        if (throughKafka) {
            r = KafkaEvaluation.run(scenario, options, partitions, bar);
            bar.done();
            r = evaluator.withReference(scenario, options, r);
        } else {
            r = evaluator.run(scenario, options, bar);
            bar.done();
        }
        out.print(table(r));
        if (json != null) {
            Path parent = json.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            mapper().writeValue(json.toFile(), r);
            out.println("wrote " + json);
        }
        if (html != null) {
            HtmlReport.write(r, scenario, html);
            out.println("wrote " + html);
        }
        out.flush();
        return 0;
    }

    /** The evaluator options the flags describe; errors name the flag. */
    Evaluator.Options options() throws IOException {
        Strategy s;
        try {
            s = Strategy.parse(strategy);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Map<String, String> overrides = new LinkedHashMap<>();
        if (configFile != null) {
            overrides.putAll(learnerKeys(configFile));
        }
        Properties set;
        try {
            set = AppConfig.parseSets(sets);
            ConfigKeys.check(set);
        } catch (ConfigKeys.UnknownKeyException e) {
            throw new ParameterException(spec.commandLine(), "--set: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        // In the order given, so a later --set of a key wins.
        for (String kv : sets) {
            String key = kv.substring(0, kv.indexOf('=')).trim();
            overrides.put(key, set.getProperty(key));
        }
        if (window <= 0) {
            throw new ParameterException(spec.commandLine(), "--window must be positive, got " + window);
        }
        if (evalEvery < 0) {
            throw new ParameterException(spec.commandLine(), "--eval-every must be 0 or positive, got " + evalEvery);
        }
        if (trainPerTask < 0 || testPerTask < 0) {
            throw new ParameterException(spec.commandLine(), "--train-per-task and --test-per-task must be 0 or more");
        }
        return new Evaluator.Options(s, seed, overrides,
                exactScoring ? Evaluator.Scoring.SINGLE : Evaluator.Scoring.BATCH, evalEvery, shots, !noReference,
                window, driftMaxDelay);
    }

    /** Keys of {@code --config} that describe the data, which the scenario fixes: dropped from the file. */
    static final List<String> DATA_KEYS = List.of("input.dim", "task.classes", "task.class.names", "task.labels");

    /**
     * The learner keys of a {@code run --config} properties file (read as {@link AppConfig#load} reads it): the keys of
     * {@link LearnerConfig#KEYS} but the {@link #DATA_KEYS}, the per-task {@code tasks.<id>.kind} and the drift
     * detector parameters; Kafka, topology and process keys are not the evaluation's business and are left out. An
     * unknown key anywhere in the file is refused, as {@code run} refuses it.
     */
    Map<String, String> learnerKeys(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new ParameterException(spec.commandLine(), "--config " + file + ": no such file");
        }
        Properties p = new Properties();
        try (Reader rd = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(rd);
        }
        try {
            // The whole file is checked as run checks it: a misspelt key is an error here too, not dropped.
            ConfigKeys.check(p);
        } catch (ConfigKeys.UnknownKeyException e) {
            throw new ParameterException(spec.commandLine(), "--config " + file + ": " + e.getMessage(), e);
        }
        java.util.Set<String> learner = new java.util.HashSet<>();
        LearnerConfig.KEYS.forEach(k -> learner.add(k.name()));
        Map<String, String> m = new java.util.TreeMap<>();
        for (String k : p.stringPropertyNames()) {
            if ((learner.contains(k) && !DATA_KEYS.contains(k)) || k.matches("tasks\\..+\\.kind")
                    || k.startsWith("drift.") && ConfigKeys.problem(k) == null) {
                m.put(k, p.getProperty(k).trim());
            }
        }
        return m;
    }

    /**
     * Refuses, naming the keys, a configuration whose output size does not fit the scenario's targets (e.g.
     * {@code --set task.classes=5} on 3-class data), which would otherwise fail deep in the learner.
     */
    static void checkTargets(Scenario scenario, Strategy strategy, LearnerConfig config) {
        for (Scenario.TaskData t : scenario.tasks()) {
            List<dev.metastream.learn.Instance> any = t.train().isEmpty() ? t.test() : t.train();
            if (any.isEmpty()) {
                continue;
            }
            String learnerTask = strategy.learnerTask(t.task());
            dev.metastream.learn.TaskSpec ts = config.taskSpec(learnerTask);
            int have = any.get(0).target().length;
            if (ts.outputs() != have) {
                throw new IllegalArgumentException("task " + t.task() + ": the settings make " + ts.shapeKey()
                        + " (" + ts.outputs() + " outputs) but the scenario's labels have " + have + " values (the"
                        + " data gives task.kind=" + scenario.learnerConfig().get("task.kind")
                        + (scenario.learnerConfig().containsKey("task.classes") ? ", task.classes="
                        + scenario.learnerConfig().get("task.classes") : "") + "); drop the task.* keys of --set /"
                        + " --config that disagree, or for a file source set task.kind so the labels are read that"
                        + " way");
            }
        }
    }

    /**
     * Why a drift generator's stream has no change point (so the drift report has none to match), or null: the gradual modes of
     * {@code hyperplane} and {@code rbf} have none, and a stream no longer than one concept has none either.
     */
    static String driftNote(String source, Scenario scenario) {
        String name = source.contains(":") ? source.substring(0, source.indexOf(':')) : source;
        if (!List.of("sea", "hyperplane", "rbf", "stagger").contains(name) || !scenario.changePoints().isEmpty()) {
            return null;
        }
        if ((name.equals("hyperplane") || name.equals("rbf")) && !source.replace(" ", "").contains("mode=abrupt")) {
            return name + " drifts gradually (mode=gradual, the default) and has no change points, so every "
                    + "drift detection counts as a false alarm; --source " + name + ":mode=abrupt changes the concept every length= examples";
        }
        return "the stream has no change point (the first concept lasts length= examples, and --train-per-task "
                + "sets the stream's length), so every drift detection counts as a false alarm; make --train-per-task longer than a concept "
                + "or the concepts shorter, e.g. --source " + name + ":length=1000";
    }

    /** The JSON writer: snake_case names, nulls kept (a figure that is not defined is null, not absent). */
    static ObjectMapper mapper() {
        return new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(SerializationFeature.INDENT_OUTPUT)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    }

    /** The readable summary. */
    static String table(EvaluationResult r) {
        StringBuilder sb = new StringBuilder();
        String m = r.metric();
        sb.append(String.format(Locale.ROOT, "evaluate: %s on %s (%s, seed %d, config %s)%n", r.strategy(),
                r.scenario(), r.mode(), r.seed(), r.config().digest()));
        sb.append(String.format(Locale.ROOT, "%d training examples in %.1f s (%,.0f examples/s), %,d test scorings%n",
                r.examples(), r.seconds(), r.examplesPerSecond(), r.testScorings()));
        sb.append(String.format(Locale.ROOT, "%nACC %s   BWT %s   FWT %s   forgetting %s   anytime %s   (%s)%n",
                f(r.acc()), f(r.bwt()), f(r.fwt()), f(r.forgetting()), f(r.anytime().mean()), m));
        if (r.transfer() != null) {
            sb.append(String.format(Locale.ROOT, "multi-task gain over independent models %s; negative transfer on %s%n",
                    f(r.transfer().gain()), r.transfer().negativeTransfer().isEmpty() ? "no task"
                            : r.transfer().negativeTransfer().stream().map(t -> String.format(Locale.ROOT,
                                    "%s (%s vs %s, %+.4f)", t.task(), f(t.model()), f(t.independent()), t.delta()))
                                    .collect(java.util.stream.Collectors.joining(", "))));
        }
        if (r.matrixRows() != null && r.matrixRows().length > 1) {
            sb.append(String.format(Locale.ROOT, "matrix: %d of %d rows scored in full (more than %d tasks: the other"
                    + " task ends score R[i][i] and R[i][i+1]; forgetting over the rows measured)%n",
                    r.matrixRows().length, r.tasks().size(), Protocol.FULL_MATRIX_TASKS));
        }
        EvaluationResult.Adaptation a = r.adaptation();
        if (a != null) {
            sb.append(String.format(Locale.ROOT, "few-shot on %d fresh task%s (the last of %d to arrive), test %s after"
                    + " %d examples%s: %s meta-learned, %s from scratch (alone, from a random initialisation), %s"
                    + " with meta.enabled=false, ratio %s%n", a.tasks(), a.tasks() == 1 ? "" : "s", r.tasks().size(),
                    a.metric(), a.examples(), a.examples() == a.shots() ? "" : " (" + a.shots() + " of each class)",
                    f(a.meta()), f(a.scratch()), f(a.noMeta()), f(a.ratio())));
        }
        if (r.prequential() != null) {
            sb.append(String.format(Locale.ROOT, "prequential %s %s%n", r.prequential().metric(),
                    f(r.prequential().cumulative())));
        }
        if (r.drift() != null) {
            sb.append(String.format(Locale.ROOT, "drift: %d change points, %d found (mean delay %s), %d missed,"
                    + " %d false alarms%n", r.drift().changePoints(), r.drift().found().size(),
                    f(r.drift().meanDelay()), r.drift().missed(), r.drift().falseAlarms()));
            EvaluationResult.DriftReport in = r.drift().input();
            if (in != null) {
                sb.append(String.format(Locale.ROOT, "input shift: %d shift points, %d found (mean delay %s), %d missed,"
                        + " %d false alarms%n", in.changePoints(), in.found().size(), f(in.meanDelay()), in.missed(),
                        in.falseAlarms()));
            }
        }
        sb.append(BaselinesTable.format(r));
        sb.append(String.format(Locale.ROOT, "%n%-16s %8s %8s %8s %10s %12s %8s%n", "task", "final", "after",
                "forget", "preq", "adapt(ex)", "few-shot"));
        for (EvaluationResult.TaskFigures t : r.perTask()) {
            sb.append(String.format(Locale.ROOT, "%-16s %8s %8s %8s %10s %12s %8s%n", t.task(), f(t.finalValue()),
                    f(t.justAfter()), f(t.forgetting()), f(t.prequential()),
                    t.adaptationTime() == null ? "-" : t.adaptationTime().toString(), f(t.fewShot())));
        }
        appendKindFigures(sb, r);
        double[][] matrix = r.matrix();
        if (matrix != null && r.tasks().size() <= 20) {
            sb.append(String.format(Locale.ROOT, "%nR[i][j] (%s on task j after training task i)%n", m));
            sb.append(String.format("%6s", "b"));
            for (double v : r.baseline()) {
                sb.append(String.format(Locale.ROOT, " %6.3f", v));
            }
            sb.append('\n');
            for (int i = 0; i < matrix.length; i++) {
                sb.append(String.format("%6s", matrix.length == 1 ? "final" : String.valueOf(i)));
                for (double v : matrix[i]) {
                    sb.append(String.format(Locale.ROOT, " %6.3f", v));
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /** Figures shown per task in the table, by kind (the JSON has them all). */
    private static final List<String> TEST_COLUMNS = List.of("accuracy", "f1_macro", "f1_micro", "kappa", "log_loss",
            "auc", "mse", "rmse", "mae", "r2", "hamming_loss", "jaccard", "subset_accuracy");

    /**
     * The per-task figures of the task's kind: final test set (per-class figures only in the JSON), and the
     * prequential ones over the training stream, cumulative and over the last {@code --window} examples.
     */
    private static void appendKindFigures(StringBuilder sb, EvaluationResult r) {
        boolean anyTest = r.perTask().stream().anyMatch(t -> t.test() != null);
        boolean anyPreq = r.perTask().stream().anyMatch(t -> t.prequentialMetrics() != null);
        if (!anyTest && !anyPreq) {
            return;
        }
        sb.append(String.format(Locale.ROOT, "%nper-task figures of the task's kind (test: final test set; preq: "
                + "cumulative / last %d examples)%n", r.prequential() == null ? 0 : r.prequential().window()));
        for (EvaluationResult.TaskFigures t : r.perTask()) {
            if (t.test() != null) {
                sb.append(String.format(Locale.ROOT, "%-16s test %s%n", t.task(), columns(t.test().metrics(), false)));
            }
            if (t.prequentialMetrics() != null && !t.prequentialMetrics().isEmpty()) {
                sb.append(String.format(Locale.ROOT, "%-16s preq %s%n", t.test() == null ? t.task() : "",
                        columns(t.prequentialMetrics(), true)));
            }
        }
    }

    private static String columns(Map<String, Double> m, boolean withWindow) {
        StringBuilder sb = new StringBuilder();
        for (String k : TEST_COLUMNS) {
            if (m.containsKey(k)) {
                sb.append(' ').append(k).append(' ').append(f(m.get(k)));
                if (withWindow && m.containsKey(k + "_window")) {
                    sb.append(" / ").append(f(m.get(k + "_window")));
                }
            }
        }
        return sb.toString().trim();
    }

    private static String f(Double v) {
        return v == null || v.isNaN() ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }

    /** A carriage-return progress bar on stderr, drawn only on a terminal. */
    static final class ProgressBar implements Evaluator.Progress {
        private final PrintStream err;
        private final boolean on;
        private final long start = System.nanoTime();
        private long lastDraw;
        private boolean drawn;

        ProgressBar(PrintStream err, boolean on) {
            this.err = err;
            this.on = on;
        }

        @Override
        public void update(long done, long total) {
            long now = System.nanoTime();
            if (!on || total <= 0 || (now - lastDraw < 200_000_000L && done < total)) {
                return;
            }
            lastDraw = now;
            drawn = true;
            int width = 40;
            int filled = (int) Math.min(width, width * done / total);
            double s = (now - start) / 1e9;
            err.printf(Locale.ROOT, "\r[%s%s] %3d%%  %,d/%,d  %.0f s", "#".repeat(filled), " ".repeat(width - filled),
                    100 * done / total, done, total, s);
            err.flush();
        }

        void done() {
            if (drawn) {
                err.print("\r" + " ".repeat(79) + "\r");
                err.flush();
            }
        }
    }

    /** For {@code CommandLine} users in tests. */
    static CommandLine commandLine() {
        return new CommandLine(new EvaluateCommand());
    }
}
