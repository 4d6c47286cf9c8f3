package dev.metastream.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metastream.data.CsvReader;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code metastream produce}: sends examples from a JSONL or CSV file to a Kafka topic in the application's input
 * format.
 *
 * <p>JSONL: every non-blank line must be a JSON object with a string {@code "task"} and an {@code "x"} array or a
 * {@code "features"} object; it is sent unchanged. CSV: the first row is the header; every other row becomes
 * {@code {"task": ..., "features": {...}, "y": ..., "id": ...}} where a numeric cell {@code v} of column {@code c}
 * becomes {@code "c": v}, a non-numeric one becomes {@code "c=v": 1} and an empty one is left out.
 */
@Command(name = "produce",
        mixinStandardHelpOptions = true,
        versionProvider = Main.ManifestVersionProvider.class,
        sortOptions = false,
        description = {
            "Sends examples from a JSONL or CSV file to a Kafka topic.",
            "",
            "JSONL: each non-blank line is a JSON object with a string \"task\" and an \"x\" array or a"
                + " \"features\" object; it is sent unchanged.",
            "CSV: the first row is the header. Each row becomes {\"task\": <task column>, \"features\":"
                + " {\"<col>\": <number>, \"<col>=<text>\": 1, ...}, \"y\": <label, a number if numeric>,"
                + " \"id\": <id column>}. Empty cells are left out.",
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

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,18}");

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
            description = "CSV: comma-separated feature columns. Default: every column except the task, label"
                + " and id columns.")
    private List<String> featureColumns;

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
        void send(String key, byte[] value);
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
        if (format == Format.jsonl && (featureColumns != null || idColumn != null)) {
            err.println("metastream produce: note: --feature-columns and --id-column apply to CSV input only;"
                    + " ignored for JSONL");
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
        double nanosPerRecord = rate > 0 ? 1e9 / rate : 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerConfig())) {
            Sink sink = (key, value) -> {
                if (nanosPerRecord > 0) {
                    long due = t0 + (long) (attempted[0] * nanosPerRecord);
                    for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                        LockSupport.parkNanos(wait);
                    }
                }
                attempted[0]++;
                producer.send(new ProducerRecord<>(topic, keyByTask ? key : null, value), (md, ex) -> {
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
                    readJsonl(input, sink, skips);
                } else {
                    readCsv(input, sink, skips);
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
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
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

    /** Sends each valid line of a JSONL file unchanged, keyed by its task. */
    static void readJsonl(Path file, Sink sink, Skips skips) throws BadInputException {
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
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (JsonProcessingException e) {
                    skips.add("invalid JSON", lineNo);
                    continue;
                }
                if (node == null || !node.isObject()) {
                    skips.add("not a JSON object", lineNo);
                    continue;
                }
                JsonNode task = node.get("task");
                if (task == null || !task.isTextual() || task.asText().isEmpty()) {
                    skips.add("missing or non-string \"task\"", lineNo);
                    continue;
                }
                JsonNode x = node.get("x");
                JsonNode features = node.get("features");
                if (!(x != null && x.isArray()) && !(features != null && features.isObject())) {
                    skips.add("neither an \"x\" array nor a \"features\" object", lineNo);
                    continue;
                }
                sink.send(task.asText(), line.getBytes(StandardCharsets.UTF_8));
            }
        } catch (CharacterCodingException e) {
            throw new BadInputException("'" + file + "' is not valid UTF-8; convert it to UTF-8");
        } catch (IOException e) {
            throw new BadInputException("cannot read '" + file + "': " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- CSV

    /** Converts CSV rows to input JSON records. */
    static final class CsvConverter {
        private final int width;
        private final int task;
        private final int label;
        private final int id;
        private final int[] features;
        private final String[] featureNames;

        /**
         * @throws BadInputException if a configured column is missing or the header is unusable
         */
        CsvConverter(List<String> rawHeader, String taskColumn, String labelColumn, List<String> featureColumns,
                     String idColumn) throws BadInputException {
            List<String> header = rawHeader.stream().map(String::trim).toList();
            Set<String> seen = new LinkedHashSet<>();
            for (String h : header) {
                if (!seen.add(h)) {
                    throw new BadInputException("the CSV header has column '" + h + "' twice; rename one");
                }
            }
            width = header.size();
            task = column(header, taskColumn, "--task-column");
            label = column(header, labelColumn, "--label-column");
            id = idColumn == null ? -1 : column(header, idColumn, "--id-column");
            List<Integer> cols = new ArrayList<>();
            if (featureColumns == null || featureColumns.isEmpty()) {
                for (int i = 0; i < width; i++) {
                    if (i != task && i != label && i != id) {
                        cols.add(i);
                    }
                }
            } else {
                for (String f : featureColumns) {
                    int c = column(header, f.trim(), "--feature-columns");
                    if (c == task || c == label || c == id) {
                        throw new BadInputException("feature column '" + f.trim() + "' is also the task, label or"
                                + " id column; remove it from --feature-columns");
                    }
                    if (!cols.contains(c)) {
                        cols.add(c);
                    }
                }
            }
            if (cols.isEmpty()) {
                throw new BadInputException("no feature columns: the header " + header + " has only the task,"
                        + " label and id columns; add feature columns to the file");
            }
            features = cols.stream().mapToInt(Integer::intValue).toArray();
            featureNames = cols.stream().map(header::get).toArray(String[]::new);
        }

        private static int column(List<String> header, String name, String option) throws BadInputException {
            int i = header.indexOf(name);
            if (i < 0) {
                throw new BadInputException("column '" + name + "' (" + option + ") is not in the CSV header "
                        + header + "; pass " + option + " with one of these");
            }
            return i;
        }

        /**
         * Converts one row.
         *
         * @return the JSON object, or {@code null} with a reason added to {@code skips}
         */
        ObjectNode convert(List<String> row, long line, Skips skips) {
            if (row.size() == 1 && row.get(0).isBlank() && width > 1) {
                skips.add("blank line", line);
                return null;
            }
            if (row.size() != width) {
                skips.add("row has " + row.size() + " fields, the header has " + width, line);
                return null;
            }
            String taskValue = row.get(task).trim();
            if (taskValue.isEmpty()) {
                skips.add("empty task column", line);
                return null;
            }
            String labelValue = row.get(label).trim();
            if (labelValue.isEmpty()) {
                skips.add("empty label column", line);
                return null;
            }
            ObjectNode node = JSON.createObjectNode();
            node.put("task", taskValue);
            ObjectNode f = node.putObject("features");
            for (int k = 0; k < features.length; k++) {
                String v = row.get(features[k]).trim();
                if (v.isEmpty()) {
                    continue;
                }
                JsonNode num = number(v);
                if (num != null) {
                    f.set(featureNames[k], num);
                } else {
                    f.put(featureNames[k] + "=" + v, 1);
                }
            }
            JsonNode y = number(labelValue);
            if (y != null) {
                node.set("y", y);
            } else {
                node.put("y", labelValue);
            }
            if (id >= 0) {
                String idValue = row.get(id).trim();
                if (!idValue.isEmpty()) {
                    node.put("id", idValue);
                }
            }
            return node;
        }
    }

    /** A JSON number for a plain decimal literal (integers stay integers), or {@code null}. */
    static JsonNode number(String s) {
        if (!NUMBER.matcher(s).matches()) {
            return null;
        }
        if (INTEGER.matcher(s).matches()) {
            return JSON.getNodeFactory().numberNode(Long.parseLong(s));
        }
        double d = Double.parseDouble(s);
        return Double.isFinite(d) ? JSON.getNodeFactory().numberNode(d) : null;
    }

    /** Sends each valid row of a CSV file as an input JSON record, keyed by its task. */
    void readCsv(Path file, Sink sink, Skips skips) throws BadInputException {
        try (CsvReader csv = new CsvReader(newReader(file))) {
            List<String> header = csv.next();
            if (header == null) {
                throw new BadInputException("'" + file + "' is empty; a CSV file needs a header row");
            }
            CsvConverter converter = new CsvConverter(header, taskColumn, labelColumn, featureColumns, idColumn);
            for (List<String> row = csv.next(); row != null; row = csv.next()) {
                ObjectNode node = converter.convert(row, csv.recordLine(), skips);
                if (node != null) {
                    sink.send(node.get("task").asText(), JSON.writeValueAsBytes(node));
                }
            }
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
