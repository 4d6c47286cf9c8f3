package dev.metastream.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

import dev.metastream.data.CsvReader;
import dev.metastream.data.ExampleRecord;
import dev.metastream.data.ExampleRecordWriter;
import dev.metastream.data.ExampleRecordWriter.TaskPlacement;
import dev.metastream.data.ScenarioSpec;
import dev.metastream.data.TableFeatures;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code metastream produce}: sends examples from a JSONL or CSV file to a Kafka topic in the application's input
 * format, every record written by {@link ExampleRecordWriter} (the examples topic's one writer, next to its parser).
 *
 * <p>JSONL: every non-blank line is read as the topology's parser reads a record ({@link ExampleRecordWriter#read}):
 * dense {@code x}, {@code sparse} or named {@code features} (multi-valued arrays too), a task that is a string or a
 * whole number, or none when {@code --task} gives it (it then travels in the record key only, as the parser allows),
 * any label, {@code id} and {@code ts}. CSV: the first row is the header; each row is featurised by
 * {@link TableFeatures}, exactly as {@code evaluate --source csv:} featurises it (numeric, time, hashed and multi-valued
 * columns), and sent as a {@code sparse} record, so a model trained through {@code run} sees the inputs evaluate sees.
 */
@Command(name = "produce",
        mixinStandardHelpOptions = true,
        versionProvider = Main.ManifestVersionProvider.class,
        sortOptions = false,
        description = {
            "Sends examples from a JSONL or CSV file to a Kafka topic.",
            "",
            "JSONL: each non-blank line is an input record as the application reads it: \"x\", \"sparse\" or"
                + " \"features\" (arrays of strings are multi-valued categoricals), \"task\" (a string or a whole"
                + " number; a line without one needs --task, and its task goes in the record key only), \"y\","
                + " \"id\", \"ts\". Other fields are dropped.",
            "CSV: the first row is the header. Each row is featurised as evaluate --source csv: featurises it (the"
                + " same column options) and sent as {\"task\": ..., \"sparse\": {\"idx\": [...], \"val\":"
                + " [...]}, \"y\": ..., \"id\": ..., \"ts\": ...}; run the application with the input.dim it"
                + " prints.",
            ""},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:all records sent (some may have been skipped, see the summary)",
            "1:Kafka unreachable or a send failed",
            "2:bad arguments or input file (the message says what to change)"})
public final class ProduceCommand implements Callable<Integer> {

    /** Input file formats. */
    public enum Format {
        /** One JSON object per line. */
        jsonl,
        /** Comma-separated values with a header row. */
        csv
    }

    /** Exit code: success. */
    public static final int OK = 0;
    /** Exit code: Kafka unreachable or a send failed. */
    public static final int FAILED = 1;
    /** Exit code: bad arguments or input. */
    public static final int BAD_INPUT = 2;

    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

    @Spec
    private CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "The JSONL or CSV file to send.")
    private Path input;

    @Option(names = "--format", paramLabel = "jsonl|csv",
            description = "Input format. Default: jsonl for a file named *.jsonl or *.ndjson, csv for *.csv.")
    private String formatName;

    private Format format;

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers, comma-separated.")
    private String bootstrapServers;

    @Option(names = "--topic", defaultValue = "metastream.examples", paramLabel = "TOPIC",
            description = "Topic to send to (must exist). Default: ${DEFAULT-VALUE}.")
    private String topic;

    @Option(names = "--task-column", defaultValue = "task", paramLabel = "COL",
            description = "CSV: column holding the task name. Default: ${DEFAULT-VALUE}.")
    private String taskColumn;

    @Option(names = "--label-column", defaultValue = "y", paramLabel = "COL",
            description = "CSV: column holding the label. Default: ${DEFAULT-VALUE}.")
    private String labelColumn;

    @Option(names = "--feature-columns", split = ",", paramLabel = "COL",
            description = "CSV: comma-separated numeric feature columns. Default: every column not named by another"
                + " option; '' = none.")
    private List<String> featureColumns;

    @Option(names = "--hash-columns", split = ",", paramLabel = "COL",
            description = "CSV: categorical columns, each value hashed as column=value into the hashed slots.")
    private List<String> hashColumns;

    @Option(names = "--multi-value-columns", split = ",", paramLabel = "COL",
            description = "CSV: categorical columns holding several values (e.g. Comedy|Drama), each hashed as"
                + " column=value.")
    private List<String> multiValueColumns;

    @Option(names = "--multi-value-separator", paramLabel = "SEP",
            description = "CSV: separator of --multi-value-columns cells. Default: |.")
    private String multiValueSeparator;

    @Option(names = "--time-columns", split = ",", paramLabel = "COL",
            description = "CSV: date/time columns, turned into cyclic features; the first also gives \"ts\".")
    private List<String> timeColumns;

    @Option(names = "--label-threshold", paramLabel = "T",
            description = "CSV: the label is 1 when the numeric label column is above T, else 0.")
    private Double labelThreshold;

    @Option(names = "--input-dim", defaultValue = "0", paramLabel = "N",
            description = "CSV: feature width, which the application's input.dim must equal. Default: the numeric"
                + " and time features, + 1024 hashed slots when there are hashed columns.")
    private int inputDim;

    @Option(names = "--task", paramLabel = "ID",
            description = "JSONL: the task of lines without \"task\"; it is sent in the record key only.")
    private String defaultTask;

    @Option(names = "--id-column", paramLabel = "COL", description = "CSV: column holding an example id (optional).")
    private String idColumn;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "N",
            description = "Maximum records per second; 0 = unlimited. Default: ${DEFAULT-VALUE}.")
    private double rate;

    @Option(names = "--key-by-task", defaultValue = "true", arity = "0..1", fallbackValue = "true",
            paramLabel = "true|false",
            description = "Use the task name as the record key (else no key). Default: ${DEFAULT-VALUE}.")
    private boolean keyByTask;

    @Option(names = "--client-config", paramLabel = "FILE",
            description = "Properties file with Kafka client settings (security.protocol, sasl.*, ssl.*, ...) for a"
                + " secured cluster. The application's own config file works: its producer and admin client keys"
                + " are used, the rest ignored.")
    private Path clientConfig;

    /** Thrown for problems the user fixes by changing arguments or the input file. */
    static final class BadInputException extends Exception {
        private static final long serialVersionUID = 1L;

        BadInputException(String message) {
            super(message);
        }
    }

    /** Receives converted records. */
    interface Sink {
        void send(byte[] key, byte[] value);
    }

    /** Counts skipped records by reason, remembering the first line of each reason. */
    static final class Skips {
        private final Map<String, long[]> byReason = new LinkedHashMap<>();

        void add(String reason, long line) {
            byReason.computeIfAbsent(reason, r -> new long[] {0, line})[0]++;
        }

        long total() {
            return byReason.values().stream().mapToLong(v -> v[0]).sum();
        }

        Map<String, long[]> byReason() {
            return byReason;
        }
    }

    /** Creates the command; picocli sets the options. */
    public ProduceCommand() {
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            validateArguments(err);
            return produce(out, err);
        } catch (BadInputException e) {
            err.println("metastream produce: " + e.getMessage());
            err.flush();
            return BAD_INPUT;
        }
    }

    private void validateArguments(PrintWriter err) throws BadInputException {
        if (!Files.isRegularFile(input)) {
            throw new BadInputException("input file '" + input + "' does not exist or is not a file; check --input");
        }
        if (!Files.isReadable(input)) {
            throw new BadInputException("input file '" + input + "' is not readable; check its permissions");
        }
        if (formatName == null) {
            format = formatFromName(input.getFileName().toString());
        } else {
            try {
                format = Format.valueOf(formatName.trim().toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new BadInputException("unknown --format '" + formatName + "'; use jsonl or csv");
            }
        }
        if (!(rate >= 0) || Double.isInfinite(rate)) {
            throw new BadInputException("--rate must be a number >= 0 (0 = unlimited), got " + rate);
        }
        if (bootstrapServers.isBlank()) {
            throw new BadInputException("--bootstrap-servers is empty; pass HOST:PORT of a Kafka broker");
        }
        if (topic.isBlank()) {
            throw new BadInputException("--topic is empty; pass a topic name");
        }
        boolean csvOptions = featureColumns != null || idColumn != null || hashColumns != null
                || multiValueColumns != null || multiValueSeparator != null || timeColumns != null
                || labelThreshold != null || inputDim != 0;
        if (format == Format.jsonl && csvOptions) {
            err.println("metastream produce: note: the CSV column options (--feature-columns, --hash-columns,"
                    + " --id-column, ...) apply to CSV input only; ignored for JSONL");
        }
        if (format == Format.csv && defaultTask != null) {
            err.println("metastream produce: note: --task applies to JSONL input only; CSV rows take their task from"
                    + " --task-column");
        }
        if (inputDim < 0) {
            throw new BadInputException("--input-dim must be >= 0 (0 = from the columns), got " + inputDim);
        }
        if (defaultTask != null && !keyByTask) {
            throw new BadInputException("--task sends the task in the record key, but --key-by-task is false;"
                    + " drop one of them");
        }
    }

    static Format formatFromName(String name) throws BadInputException {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) {
            return Format.jsonl;
        }
        if (lower.endsWith(".csv")) {
            return Format.csv;
        }
        throw new BadInputException("cannot tell the format of '" + name + "' from its extension;"
                + " pass --format jsonl or --format csv");
    }

    private int produce(PrintWriter out, PrintWriter err) throws BadInputException {
        try {
            checkTopic();
        } catch (KafkaException e) {
            err.println("metastream produce: " + e.getMessage());
            return FAILED;
        }
        AtomicLong acked = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicReference<Exception> firstFailure = new AtomicReference<>();
        Skips skips = new Skips();
        long t0 = System.nanoTime();
        long[] attempted = {0};
        int[] csvDim = {0};
        double nanosPerRecord = rate > 0 ? 1e9 / rate : 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig())) {
            Sink sink = (key, value) -> {
                if (nanosPerRecord > 0) {
                    long due = t0 + (long) (attempted[0] * nanosPerRecord);
                    for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                        LockSupport.parkNanos(wait);
                    }
                }
                attempted[0]++;
                producer.send(new ProducerRecord<>(topic, key, value), (md, ex) -> {
                    if (ex == null) {
                        acked.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                        firstFailure.compareAndSet(null, ex);
                    }
                });
            };
            try {
                if (format == Format.jsonl) {
                    readJsonl(input, sink, skips, defaultTask, keyByTask);
                } else {
                    csvDim[0] = readCsv(input, sink, skips);
                }
            } finally {
                producer.flush();
            }
        } catch (KafkaException e) {
            printSummary(out, acked.get(), skips, t0);
            err.println("metastream produce: Kafka error: " + rootMessage(e));
            return FAILED;
        } catch (BadInputException e) {
            if (attempted[0] > 0 || skips.total() > 0) { // the problem was found part-way through the file
                printSummary(out, acked.get(), skips, t0);
            }
            throw e;
        }
        printSummary(out, acked.get(), skips, t0);
        if (csvDim[0] > 0) {
            out.printf(Locale.ROOT, "features: %d wide, laid out as evaluate --source csv: lays them out; run the"
                    + " application with input.dim=%d%n", csvDim[0], csvDim[0]);
            out.flush();
        }
        if (failed.get() > 0) {
            err.println("metastream produce: " + failed.get() + " records could not be sent; first error: "
                    + firstFailure.get());
            return FAILED;
        }
        return OK;
    }

    /** Fails fast (exit 2) if the topic does not exist, and (exit 1) if Kafka cannot be reached. */
    private void checkTopic() throws BadInputException {
        Map<String, Object> conf = new HashMap<>();
        conf.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        conf.put(AdminClientConfig.CLIENT_ID_CONFIG, "metastream-produce-check");
        conf.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        conf.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        conf.putAll(clientSettings(AdminClientConfig.configNames()));
        Admin admin;
        try {
            admin = Admin.create(conf);
        } catch (KafkaException e) {
            throw new BadInputException("invalid --bootstrap-servers '" + bootstrapServers + "': " + rootMessage(e)
                    + "; pass HOST:PORT[,HOST:PORT...]");
        }
        try (admin) {
            admin.describeTopics(List.of(topic)).allTopicNames().get(15, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new BadInputException("topic '" + topic + "' does not exist at " + bootstrapServers
                        + "; create it first or pass another --topic");
            }
            throw new KafkaException("cannot describe topic '" + topic + "' at " + bootstrapServers
                    + " (check --bootstrap-servers): " + rootMessage(e), e);
        } catch (TimeoutException e) {
            throw new KafkaException("cannot reach Kafka at " + bootstrapServers + " within 15 s;"
                    + " check --bootstrap-servers and that the broker is running", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted", e);
        }
    }

    private Map<String, Object> producerConfig() throws BadInputException {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "metastream-produce");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.putAll(clientSettings(ProducerConfig.configNames()));
        return p;
    }

    /**
     * The settings of {@code --client-config} that a client with these config names knows (security, timeouts, ...),
     * except bootstrap.servers (the option gives it) and serializers; empty without the option.
     */
    private Map<String, Object> clientSettings(java.util.Set<String> known) throws BadInputException {
        Map<String, Object> m = new HashMap<>();
        if (clientConfig == null) {
            return m;
        }
        java.util.Properties props;
        try {
            // Checked as run checks it: metastream's keys are known (and ignored here), a misspelt one is an error.
            props = AppConfig.readChecked(clientConfig);
        } catch (IOException e) {
            throw new BadInputException("cannot read --client-config " + clientConfig + ": " + e.getMessage());
        } catch (ConfigKeys.UnknownKeyException e) {
            throw new BadInputException("--client-config " + e.getMessage());
        }
        for (String k : props.stringPropertyNames()) {
            String v = props.getProperty(k).trim();
            boolean clientKey = known.contains(k) || k.startsWith("config.providers"); // ${env:...} placeholders
            if (clientKey && !v.isEmpty() && !k.equals("bootstrap.servers") && !k.endsWith(".serializer")) {
                m.put(k, v);
            }
        }
        return m;
    }

    private void printSummary(PrintWriter out, long sent, Skips skips, long t0) {
        double seconds = (System.nanoTime() - t0) / 1e9;
        out.printf(Locale.ROOT, "sent %d records to topic '%s' in %.2f s (%.0f records/s)%n",
                sent, topic, seconds, seconds > 0 ? sent / seconds : 0.0);
        out.printf(Locale.ROOT, "skipped %d records%s%n", skips.total(), skips.total() > 0 ? ":" : "");
        skips.byReason().forEach((reason, v) ->
                out.printf(Locale.ROOT, "  %d x %s (first at line %d)%n", v[0], reason, v[1]));
        out.flush();
    }

    // ---------------------------------------------------------------- JSONL

    /**
     * Sends each line of a JSONL file that reads as an input record, through the one writer; a line without a task
     * takes {@code defaultTask}, which then goes in the record key only.
     */
    static void readJsonl(Path file, Sink sink, Skips skips, String defaultTask, boolean keyByTask)
            throws BadInputException {
        try (BufferedReader r = newReader(file)) {
            long lineNo = 0;
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                lineNo++;
                if (lineNo == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1);
                }
                if (line.isBlank()) {
                    skips.add("blank line", lineNo);
                    continue;
                }
                ExampleRecordWriter.Read read = ExampleRecordWriter.read(line, defaultTask);
                if (!read.ok()) {
                    skips.add(read.error(), lineNo);
                    continue;
                }
                ExampleRecord e = read.record();
                ExampleRecordWriter.Written w = ExampleRecordWriter.write(e, !keyByTask ? TaskPlacement.VALUE_ONLY
                        : read.taskFromKey() ? TaskPlacement.KEY_ONLY : TaskPlacement.KEY_AND_VALUE);
                sink.send(w.key(), w.value());
            }
        } catch (CharacterCodingException e) {
            throw new BadInputException("'" + file + "' is not valid UTF-8; convert it to UTF-8");
        } catch (IOException e) {
            throw new BadInputException("cannot read '" + file + "': " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- CSV

    /** Converts CSV rows to input records through {@link TableFeatures}, the featurisation evaluate uses. */
    static final class CsvConverter {
        private final int width;
        private final TableFeatures features;
        private final int id;

        /**
         * @throws BadInputException if a configured column is missing or the header is unusable
         */
        CsvConverter(String source, List<String> rawHeader, ScenarioSpec columns, String idColumn)
                throws BadInputException {
            List<String> header = rawHeader.stream().map(String::trim).toList();
            Set<String> seen = new LinkedHashSet<>();
            for (String h : header) {
                if (!seen.add(h)) {
                    throw new BadInputException("the CSV header has column '" + h + "' twice; rename one");
                }
            }
            width = header.size();
            try {
                features = new TableFeatures(source, header, columns, idColumn);
            } catch (IllegalArgumentException e) {
                throw new BadInputException(e.getMessage());
            }
            id = idColumn == null ? -1 : header.indexOf(idColumn);
        }

        /** The feature width the records are made for: the application's {@code input.dim}. */
        int dim() {
            return features.dim();
        }

        /**
         * Converts one row.
         *
         * @return the record, or {@code null} with a reason added to {@code skips}
         */
        ExampleRecord convert(List<String> row, long line, Skips skips) {
            if (row.size() == 1 && row.get(0).isBlank() && width > 1) {
                skips.add("blank line", line);
                return null;
            }
            if (row.size() != width) {
                skips.add("row has " + row.size() + " fields, the header has " + width, line);
                return null;
            }
            TableFeatures.Result r = features.row(row, null);
            if (r.row() == null) {
                skips.add(r.skip().equals("empty task") ? "empty task column"
                        : r.skip().equals("empty label") ? "empty label column" : r.skip(), line);
                return null;
            }
            TableFeatures.Row f = r.row();
            Double y = number(f.label());
            String idValue = id < 0 ? "" : row.get(id).trim();
            return new ExampleRecord(f.task(), f.sparse(),
                    y != null ? new ExampleRecord.Value(y) : new ExampleRecord.Text(f.label()),
                    idValue.isEmpty() ? null : idValue, features.timed() ? f.ts() : null);
        }
    }

    /** The value of a plain decimal literal, or {@code null} (a label that is not one is a class name). */
    static Double number(String s) {
        if (!NUMBER.matcher(s).matches()) {
            return null;
        }
        double d = Double.parseDouble(s);
        return Double.isFinite(d) ? d : null;
    }

    /** The column options as evaluate takes them. */
    ScenarioSpec columns() {
        return new ScenarioSpec("csv:" + input, null, 0, 0, null, 0, inputDim, 0, taskColumn, labelColumn,
                featureColumns, hashColumns, new ScenarioSpec.TableOptions(multiValueColumns, multiValueSeparator,
                labelThreshold, timeColumns));
    }

    /** Sends each valid row of a CSV file as an input record, keyed by its task; returns the feature width. */
    int readCsv(Path file, Sink sink, Skips skips) throws BadInputException {
        try (CsvReader csv = new CsvReader(newReader(file))) {
            List<String> header = csv.next();
            if (header == null) {
                throw new BadInputException("'" + file + "' is empty; a CSV file needs a header row");
            }
            CsvConverter converter = new CsvConverter("'" + file + "'", header, columns(), idColumn);
            TaskPlacement placement = keyByTask ? TaskPlacement.KEY_AND_VALUE : TaskPlacement.VALUE_ONLY;
            for (List<String> row = csv.next(); row != null; row = csv.next()) {
                ExampleRecord e = converter.convert(row, csv.recordLine(), skips);
                if (e != null) {
                    ExampleRecordWriter.Written w = ExampleRecordWriter.write(e, placement);
                    sink.send(w.key(), w.value());
                }
            }
            return converter.dim();
        } catch (CsvReader.CsvFormatException e) {
            throw new BadInputException("'" + file + "' is not valid CSV: " + e.getMessage()
                    + "; records before that line were sent");
        } catch (CharacterCodingException e) {
            throw new BadInputException("'" + file + "' is not valid UTF-8; convert it to UTF-8");
        } catch (IOException e) {
            throw new BadInputException("cannot read '" + file + "': " + e.getMessage());
        }
    }

    private static BufferedReader newReader(Path file) throws IOException {
        return new BufferedReader(new java.io.InputStreamReader(Files.newInputStream(file),
                StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16);
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }
}
