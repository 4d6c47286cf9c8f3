package dev.metastream.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metastream.learn.MetaSnapshot;
import dev.metastream.learn.MetaUpdate;
import dev.metastream.topology.ParseProcessor;
import dev.metastream.topology.TopologyConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code metastream consume}: reads one of metastream's topics (predictions, metrics, drift events, model snapshots,
 * dead letters with their reason headers; the input and internal topics too) and prints each record as a JSON line
 * or as a row of a readable table. Reads {@code read_committed}, as the application writes with exactly-once, so
 * records of aborted transactions never show. Without {@code --follow} it reads from the beginning and stops at the
 * end offsets it saw when it started; with {@code --follow} it keeps printing new records until interrupted (from
 * the end, or from the beginning with {@code --from-beginning}).
 *
 * <p>JSON lines have the form {@code {"topic", "partition", "offset", "timestamp", "key", "value"}}: {@code value} is
 * the record's JSON as written (every output topic is UTF-8 JSON, see {@code topology/records.md}). Dead letters add
 * {@code reason}, {@code message} and every header under {@code headers}, and their {@code value} is the rejected
 * record's original bytes as a string ({@code value_base64} when they are not UTF-8). The internal binary topics
 * (meta-model, meta-updates) are decoded into JSON with {@code value_format} naming the binary format.
 */
@Command(name = "consume",
        mixinStandardHelpOptions = true,
        versionProvider = Main.ManifestVersionProvider.class,
        sortOptions = false,
        description = {
            "Prints the records of a metastream topic as JSON lines or a readable table.",
            "",
            "TOPIC is a role name (predictions, metrics, drift, snapshots, dead-letters; also examples, meta-model,"
                + " meta-updates) or a full topic name. Reads committed records only. Without --follow: from the"
                + " beginning up to the end offsets seen at start, then exits. With --follow: new records until"
                + " Ctrl-C (add --from-beginning to print the existing ones first).",
            ""},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:read to the end (or --max records, or interrupted with --follow)",
            "1:Kafka unreachable or reading failed",
            "2:bad arguments, or the topic does not exist (the message says what to change)"})
public final class ConsumeCommand implements Callable<Integer> {

    /** Output formats. */
    public enum Format {
        /** One JSON object per record and line. */
        json,
        /** Aligned columns chosen for the topic, one row per record. */
        table
    }

    /** What a topic holds, which decides how its values are decoded and shown. */
    enum Role {
        PREDICTIONS, METRICS, DRIFT, SNAPSHOTS, DEAD_LETTERS, EXAMPLES, META_MODEL, META_UPDATES, OTHER
    }

    /** Role names accepted for {@code --topic}, in help order, with the topic key that names each topic. */
    static final Map<String, String> ROLE_KEYS;

    static {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("predictions", "topic.predictions");
        m.put("metrics", "topic.metrics");
        m.put("drift", "topic.drift.events");
        m.put("snapshots", "topic.model.snapshots");
        m.put("dead-letters", "topic.dead.letter");
        m.put("examples", "topic.examples");
        m.put("meta-model", "topic.meta.model");
        m.put("meta-updates", "topic.meta.updates");
        // aliases: the last part of the default topic names
        m.put("drift-events", "topic.drift.events");
        m.put("model-snapshots", "topic.model.snapshots");
        m.put("dead-letter", "topic.dead.letter");
        ROLE_KEYS = Map.copyOf(m);
    }

    private static final List<String> ROLE_NAMES = List.of("predictions", "metrics", "drift", "snapshots",
            "dead-letters", "examples", "meta-model", "meta-updates");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** Exit code: success. */
    public static final int OK = 0;
    /** Exit code: Kafka unreachable or reading failed. */
    public static final int FAILED = 1;
    /** Exit code: bad arguments or a missing topic. */
    public static final int BAD_INPUT = 2;

    @Spec
    private CommandSpec spec;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC",
            description = "Role name (predictions, metrics, drift, snapshots, dead-letters, examples, meta-model,"
                + " meta-updates) or full topic name.")
    private String topicArg;

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers, comma-separated.")
    private String bootstrapServers;

    @Option(names = "--format", defaultValue = "json", paramLabel = "json|table",
            description = "json: one JSON object per line; table: readable columns. Default: ${DEFAULT-VALUE}.")
    private String formatName;

    @Option(names = "--from-beginning",
            description = "With --follow, print the records already in the topic first (without --follow the"
                + " command always reads from the beginning).")
    private boolean fromBeginning;

    @Option(names = "--follow", description = "Keep printing new records until interrupted (Ctrl-C).")
    private boolean follow;

    @Option(names = "--task", split = ",", paramLabel = "TASK",
            description = "Only records of these tasks (repeatable or comma-separated): the record key, which is the"
                + " task id on every output topic (the shared model's snapshot has key 'meta'); on dead letters"
                + " also the rejected record's \"task\" field.")
    private List<String> tasks;

    @Option(names = "--max", defaultValue = "0", paramLabel = "N",
            description = "Stop after printing N records; 0 = no limit. Default: ${DEFAULT-VALUE}.")
    private long max;

    @Option(names = "--client-config", paramLabel = "FILE",
            description = "Properties file with Kafka client settings (security.protocol, sasl.*, ssl.*, ...) for a"
                + " secured cluster. The application's own config file works: its consumer keys are used, and its"
                + " topic.* keys say which topic each role name means; the rest is ignored.")
    private Path clientConfig;

    /** Thrown for problems the user fixes by changing arguments. */
    static final class BadInputException extends Exception {
        private static final long serialVersionUID = 1L;

        BadInputException(String message) {
            super(message);
        }
    }

    /** Creates the command; picocli sets the options. */
    public ConsumeCommand() {
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            Format format = parseFormat(formatName);
            if (max < 0) {
                throw new BadInputException("--max must be 0 (no limit) or positive, got " + max);
            }
            if (bootstrapServers.isBlank()) {
                throw new BadInputException("--bootstrap-servers is empty; pass HOST:PORT of a Kafka broker");
            }
            Properties client = readClientConfig();
            String topic = resolveTopic(topicArg, client);
            return consume(topic, roleOf(topic, client), format, client, out, err);
        } catch (BadInputException e) {
            err.println("metastream consume: " + e.getMessage());
            err.flush();
            return BAD_INPUT;
        }
    }

    static Format parseFormat(String name) throws BadInputException {
        try {
            return Format.valueOf(name.trim().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadInputException("unknown --format '" + name + "'; use json or table");
        }
    }

    private Properties readClientConfig() throws BadInputException {
        Properties p = new Properties();
        if (clientConfig == null) {
            return p;
        }
        try (Reader r = Files.newBufferedReader(clientConfig, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new BadInputException("cannot read --client-config " + clientConfig + ": " + e.getMessage()
                    + "; pass a readable properties file");
        }
        return p;
    }

    /** The topic a role name stands for (under the topic.* keys of the client config), or the argument itself. */
    static String resolveTopic(String arg, Properties conf) {
        String key = ROLE_KEYS.get(arg.trim().toLowerCase(Locale.ROOT));
        return key == null ? arg.trim() : topicName(key, conf);
    }

    private static String topicName(String key, Properties conf) {
        String v = conf.getProperty(key, "").trim();
        if (!v.isEmpty()) {
            return v;
        }
        return TopologyConfig.KEYS.stream().filter(k -> k.name().equals(key)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no topic key " + key)).defaultValue();
    }

    /** What a topic holds, by its name under the configured (or default) topic names. */
    static Role roleOf(String topic, Properties conf) {
        Map<String, Role> byKey = Map.of("topic.predictions", Role.PREDICTIONS, "topic.metrics", Role.METRICS,
                "topic.drift.events", Role.DRIFT, "topic.model.snapshots", Role.SNAPSHOTS,
                "topic.dead.letter", Role.DEAD_LETTERS, "topic.examples", Role.EXAMPLES,
                "topic.meta.model", Role.META_MODEL, "topic.meta.updates", Role.META_UPDATES);
        for (Map.Entry<String, Role> e : byKey.entrySet()) {
            if (topicName(e.getKey(), conf).equals(topic)) {
                return e.getValue();
            }
        }
        return Role.OTHER;
    }

    private Map<String, Object> consumerConfig(Properties client) {
        Map<String, Object> p = new HashMap<>();
        for (String k : client.stringPropertyNames()) {
            String v = client.getProperty(k).trim();
            String name = k.startsWith("consumer.") ? k.substring("consumer.".length()) : k;
            boolean clientKey = ConsumerConfig.configNames().contains(name) || name.startsWith("config.providers");
            if (clientKey && !v.isEmpty() && !name.equals(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)
                    && !name.endsWith(".deserializer") && !name.equals(ConsumerConfig.GROUP_ID_CONFIG)) {
                p.put(name, v);
            }
        }
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "metastream-consume");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return p;
    }

    private int consume(String topic, Role role, Format format, Properties client, PrintWriter out, PrintWriter err)
            throws BadInputException {
        KafkaConsumer<byte[], byte[]> consumer;
        try {
            consumer = new KafkaConsumer<>(consumerConfig(client), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
        } catch (KafkaException e) {
            throw new BadInputException("invalid --bootstrap-servers '" + bootstrapServers + "' or client settings: "
                    + rootMessage(e) + "; pass HOST:PORT[,HOST:PORT...]");
        }
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            consumer.wakeup();
            try {
                done.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "metastream-consume-stop");
        if (follow) {
            Runtime.getRuntime().addShutdownHook(hook);
        }
        try (consumer) {
            return read(consumer, topic, role, format, out, err);
        } catch (WakeupException e) {
            out.flush();
            return OK; // Ctrl-C with --follow
        } catch (KafkaException e) {
            out.flush();
            err.println("metastream consume: reading topic '" + topic + "' at " + bootstrapServers + " failed: "
                    + rootMessage(e) + "; check --bootstrap-servers and that the broker is running");
            err.flush();
            return FAILED;
        } finally {
            done.countDown();
            if (follow) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running: it only waits for done
                }
            }
        }
    }

    private int read(KafkaConsumer<byte[], byte[]> consumer, String topic, Role role, Format format, PrintWriter out,
                     PrintWriter err) throws BadInputException {
        List<PartitionInfo> infos;
        try {
            infos = consumer.partitionsFor(topic, Duration.ofSeconds(15));
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            err.println("metastream consume: cannot reach Kafka at " + bootstrapServers + " within 15 s; check"
                    + " --bootstrap-servers and that the broker is running");
            return FAILED;
        }
        if (infos == null || infos.isEmpty()) {
            throw new BadInputException("topic '" + topic + "' does not exist at " + bootstrapServers + "; pass a"
                    + " role name (" + String.join(", ", ROLE_NAMES) + ") or one of the topics there: "
                    + existingTopics(consumer));
        }
        List<TopicPartition> tps = infos.stream().map(i -> new TopicPartition(topic, i.partition()))
                .sorted((a, b) -> Integer.compare(a.partition(), b.partition())).toList();
        consumer.assign(tps);
        Map<TopicPartition, Long> end = null;
        if (follow && !fromBeginning) {
            consumer.seekToEnd(tps);
        } else {
            consumer.seekToBeginning(tps);
        }
        if (!follow) {
            end = consumer.endOffsets(tps); // read_committed: the last stable offsets
        }
        Map<TopicPartition, Long> startAt = new LinkedHashMap<>();
        for (TopicPartition tp : tps) {
            startAt.put(tp, consumer.position(tp)); // resolves the seeks now, so "following" below is true
        }
        Set<String> wanted = tasks == null ? null : tasks.stream().map(String::trim).collect(Collectors.toSet());
        Printer printer = new Printer(role, format, out);
        if (follow) {
            err.println("metastream consume: following topic '" + topic + "' (" + tps.size() + " partitions) from "
                    + (fromBeginning ? "the beginning" : "the end") + "; Ctrl-C to stop");
            err.flush();
        }
        printer.header();
        long printed = 0;
        long read = 0;
        StallDetector stall = new StallDetector(Duration.ofSeconds(60), System::nanoTime);
        while (true) {
            if (end != null) {
                long[] positions = new long[tps.size()];
                boolean atEnd = true;
                for (int i = 0; i < tps.size(); i++) {
                    positions[i] = consumer.position(tps.get(i));
                    atEnd &= positions[i] >= end.get(tps.get(i));
                }
                if (atEnd) {
                    break;
                }
                stall.observe(positions);
                if (stall.stalled()) {
                    err.println("metastream consume: no progress for 60 s reading topic '" + topic + "' (at "
                            + positions(tps, consumer) + ", end " + end.values() + "); check that the broker at "
                            + bootstrapServers + " is up");
                    return FAILED;
                }
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (end != null && r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) {
                    continue; // written after we started: not ours without --follow
                }
                read++;
                if (wanted != null && !matches(r, role, wanted)) {
                    continue;
                }
                printer.print(r);
                printed++;
                if (max > 0 && printed >= max) {
                    out.flush();
                    summary(err, topic, read, printed);
                    return OK;
                }
            }
            out.flush();
        }
        out.flush();
        summary(err, topic, read, printed);
        return OK;
    }

    private void summary(PrintWriter err, String topic, long read, long printed) {
        if (!follow) {
            err.printf(Locale.ROOT, "metastream consume: %d records printed%s from topic '%s'%s%n", printed,
                    read != printed ? " of " + read + " read" : "", topic,
                    max > 0 && printed >= max ? " (--max reached)" : ", up to the end offsets seen at start");
            err.flush();
        }
    }

    private static String positions(List<TopicPartition> tps, KafkaConsumer<byte[], byte[]> c) {
        return tps.stream().map(tp -> String.valueOf(c.position(tp))).collect(Collectors.joining(", ", "[", "]"));
    }

    private static String existingTopics(KafkaConsumer<byte[], byte[]> consumer) {
        try {
            TreeSet<String> names = new TreeSet<>(consumer.listTopics(Duration.ofSeconds(10)).keySet());
            names.removeIf(n -> n.startsWith("__"));
            if (names.isEmpty()) {
                return "(none)";
            }
            List<String> first = new ArrayList<>(names).subList(0, Math.min(30, names.size()));
            return String.join(", ", first) + (names.size() > first.size() ? ", ..." : "");
        } catch (KafkaException e) {
            return "(cannot list them: " + rootMessage(e) + ")";
        }
    }

    /** Whether a record belongs to one of the wanted tasks. */
    static boolean matches(ConsumerRecord<byte[], byte[]> r, Role role, Set<String> wanted) {
        String key = r.key() == null ? null : utf8(r.key());
        if (key != null && wanted.contains(key)) {
            return true;
        }
        if (role == Role.DEAD_LETTERS || role == Role.EXAMPLES || role == Role.OTHER) {
            JsonNode v = parseJson(r.value());
            return v != null && v.path("task").isValueNode() && wanted.contains(v.path("task").asText());
        }
        return false;
    }

    // ---------------------------------------------------------------- decoding

    /**
     * The JSON-line form of a record: topic, partition, offset, timestamp, key, and the value as what it is.
     *
     * @param r    the record
     * @param role what the topic holds
     * @return the object
     */
    static ObjectNode toJson(ConsumerRecord<byte[], byte[]> r, Role role) {
        ObjectNode n = JSON.createObjectNode();
        n.put("topic", r.topic());
        n.put("partition", r.partition());
        n.put("offset", r.offset());
        n.put("timestamp", r.timestamp());
        putBytes(n, "key", r.key());
        if (role == Role.DEAD_LETTERS) {
            ObjectNode headers = JSON.createObjectNode();
            for (Header h : r.headers()) {
                putBytes(headers, h.key(), h.value());
            }
            n.set("reason", headers.get(ParseProcessor.HEADER_REASON));
            n.set("message", headers.get(ParseProcessor.HEADER_MESSAGE));
            putBytes(n, "value", r.value()); // the rejected bytes as sent: not necessarily JSON
            n.set("headers", headers);
            return n;
        }
        if (r.value() == null) {
            n.putNull("value");
            return n;
        }
        if (role == Role.META_MODEL || role == Role.META_UPDATES) {
            try {
                n.set("value", role == Role.META_MODEL ? metaSnapshot(MetaSnapshot.fromBytes(r.value()))
                        : metaUpdate(MetaUpdate.fromBytes(r.value())));
                n.put("value_format", role == Role.META_MODEL ? "MetaSnapshot (binary, decoded)"
                        : "MetaUpdate (binary, decoded)");
                return n;
            } catch (RuntimeException e) {
                // not in the format its topic should hold: show the bytes below
            }
        }
        JsonNode json = parseJson(r.value());
        if (json != null) {
            n.set("value", json);
        } else {
            putBytes(n, "value", r.value());
        }
        return n;
    }

    private static ObjectNode metaSnapshot(MetaSnapshot s) {
        ObjectNode n = JSON.createObjectNode();
        n.put("version", s.version());
        n.put("examples_seen", s.examplesSeen());
        n.put("updates_applied", s.updatesApplied());
        n.put("staleness", s.lastStaleness());
        n.put("config_digest", s.configDigest());
        n.put("created_at", s.createdAt());
        n.set("trunk", floats(s.trunk()));
        ObjectNode heads = n.putObject("head_init");
        s.headInit().forEach((k, v) -> heads.set(k, floats(v)));
        return n;
    }

    private static ObjectNode metaUpdate(MetaUpdate u) {
        ObjectNode n = JSON.createObjectNode();
        n.put("source", u.source());
        n.put("base_version", u.baseVersion());
        n.put("examples", u.examples());
        n.put("created_at", u.createdAt());
        n.set("trunk_delta", floats(u.trunkDelta()));
        ObjectNode heads = n.putObject("head_init_delta");
        u.headInitDelta().forEach((k, v) -> heads.set(k, floats(v)));
        return n;
    }

    private static ArrayNode floats(float[] a) {
        ArrayNode arr = JSON.createArrayNode();
        if (a != null) {
            for (float f : a) {
                arr.add(f);
            }
        }
        return arr;
    }

    /** Puts bytes as a UTF-8 string under {@code name}, or base64 under {@code name_base64}, or null. */
    private static void putBytes(ObjectNode n, String name, byte[] b) {
        if (b == null) {
            n.putNull(name);
            return;
        }
        String s = utf8(b);
        if (s != null) {
            n.put(name, s);
        } else {
            n.put(name + "_base64", Base64.getEncoder().encodeToString(b));
        }
    }

    /** The bytes as strict UTF-8 text, or null when they are not. */
    static String utf8(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static JsonNode parseJson(byte[] b) {
        if (b == null) {
            return null;
        }
        try {
            JsonNode n = JSON.readTree(b);
            return n == null || n.isMissingNode() ? null : n;
        } catch (IOException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------- printing

    /** Prints records in one format, with columns chosen by the topic's role for tables. */
    static final class Printer {
        private final Role role;
        private final Format format;
        private final PrintWriter out;
        private final int[] widths;
        private final String[] headings;

        Printer(Role role, Format format, PrintWriter out) {
            this.role = role;
            this.format = format;
            this.out = out;
            switch (role) {
                case PREDICTIONS -> {
                    headings = new String[] {"TIME (UTC)", "TASK", "ID", "PREDICTION", "PROB", "LABELLED", "MODEL_V",
                        "TASK_V"};
                    widths = new int[] {23, 16, 18, 14, 6, 8, 7, 7};
                }
                case METRICS -> {
                    headings = new String[] {"TIME (UTC)", "TASK", "KIND", "SEEN", "METRIC", "VALUE", "WINDOW",
                        "DRIFTS", "META_V"};
                    widths = new int[] {23, 16, 14, 9, 15, 8, 8, 6, 6};
                }
                case DRIFT -> {
                    headings = new String[] {"TIME (UTC)", "TASK", "POSITION", "DETECTOR", "REACTION", "ERROR_EST"};
                    widths = new int[] {23, 16, 9, 12, 10, 9};
                }
                case SNAPSHOTS -> {
                    headings = new String[] {"TIME (UTC)", "KEY", "TYPE", "VERSION", "EXAMPLES", "DETAIL"};
                    widths = new int[] {23, 16, 4, 8, 9, 50};
                }
                case META_MODEL -> {
                    headings = new String[] {"TIME (UTC)", "VERSION", "EXAMPLES", "DETAIL"};
                    widths = new int[] {23, 8, 9, 60};
                }
                case META_UPDATES -> {
                    headings = new String[] {"TIME (UTC)", "SOURCE", "BASE_V", "EXAMPLES", "DETAIL"};
                    widths = new int[] {23, 16, 8, 9, 60};
                }
                case DEAD_LETTERS -> {
                    headings = new String[] {"TIME (UTC)", "SOURCE", "REASON", "MESSAGE", "VALUE"};
                    widths = new int[] {23, 30, 18, 60, 40};
                }
                default -> {
                    headings = new String[] {"TIME (UTC)", "PART:OFFSET", "KEY", "VALUE"};
                    widths = new int[] {23, 14, 20, 80};
                }
            }
        }

        void header() {
            if (format == Format.table) {
                out.println(row(headings));
            }
        }

        void print(ConsumerRecord<byte[], byte[]> r) {
            if (format == Format.json) {
                out.println(toJson(r, role).toString());
            } else {
                out.println(row(cells(r)));
            }
        }

        private String[] cells(ConsumerRecord<byte[], byte[]> r) {
            String time = TIME.format(Instant.ofEpochMilli(Math.max(0, r.timestamp())));
            String key = r.key() == null ? "" : String.valueOf(utf8(r.key()));
            ObjectNode j = toJson(r, role);
            JsonNode v = j.path("value");
            switch (role) {
                case PREDICTIONS -> {
                    double prob = v.has("probability") ? v.path("probability").asDouble()
                            : max(v.path("probabilities"));
                    return new String[] {time, v.path("task").asText(key), text(v.path("id")),
                        text(v.path("prediction")), Double.isNaN(prob) ? "" : fmt(prob),
                        v.path("labelled").asText(""), v.path("model_version").asText(""),
                        v.path("task_version").asText("")};
                }
                case METRICS -> {
                    String metric = mainMetric(v.path("kind").asText(), v.path("metrics"));
                    return new String[] {time, v.path("task").asText(key), v.path("kind").asText(""),
                        v.path("examples_seen").asText(""), metric, number(v.path("metrics").path(metric)),
                        number(v.path("metrics").path(metric + "_window")), v.path("drifts").asText(""),
                        v.path("meta_version").asText("")};
                }
                case DRIFT -> {
                    return new String[] {time, v.path("task").asText(key), v.path("position").asText(""),
                        v.path("detector").asText(""), v.path("reaction").asText(""),
                        number(v.path("statistics").path(v.path("statistics").has("estimation") ? "estimation"
                                : "mean"))};
                }
                case SNAPSHOTS -> {
                    String type = v.path("type").asText("");
                    String detail = "meta".equals(type)
                            ? "updates " + v.path("updates_applied").asText("") + ", staleness "
                                + v.path("staleness").asText("") + ", trunk " + v.path("trunk").path("layers")
                                + ", digest " + v.path("config_digest").asText("")
                            : v.path("task_kind").asText("") + " head " + v.path("shape").path("inputs").asText("")
                                + "x" + v.path("shape").path("outputs").asText("") + ", meta v"
                                + v.path("meta_version").asText("") + ", digest " + v.path("config_digest").asText("");
                    return new String[] {time, key, type, v.path("version").asText(""),
                        v.path("examples_seen").asText(""), detail};
                }
                case META_MODEL, META_UPDATES -> {
                    if (!j.has("value_format")) { // not in its binary format: show what it is
                        String value = j.has("value_base64") ? "(binary) " + j.path("value_base64").asText()
                                : text(v);
                        return role == Role.META_MODEL ? new String[] {time, "", "", value}
                                : new String[] {time, key, "", "", value};
                    }
                    if (role == Role.META_MODEL) {
                        return new String[] {time, v.path("version").asText(""), v.path("examples_seen").asText(""),
                            "updates " + v.path("updates_applied").asText("") + ", staleness "
                                + v.path("staleness").asText("") + ", " + v.path("trunk").size()
                                + " trunk parameters, heads " + fieldNames(v.path("head_init")) + ", digest "
                                + v.path("config_digest").asText("")};
                    }
                    return new String[] {time, v.path("source").asText(""), v.path("base_version").asText(""),
                        v.path("examples").asText(""), v.path("trunk_delta").size() + " trunk deltas, heads "
                            + fieldNames(v.path("head_init_delta"))};
                }
                case DEAD_LETTERS -> {
                    JsonNode h = j.path("headers");
                    String source = h.path(ParseProcessor.HEADER_TOPIC).asText("?") + ":"
                            + h.path(ParseProcessor.HEADER_PARTITION).asText("?") + ":"
                            + h.path(ParseProcessor.HEADER_OFFSET).asText("?");
                    String value = j.has("value_base64") ? "(binary) " + j.path("value_base64").asText()
                            : text(j.path("value"));
                    return new String[] {time, source, j.path("reason").asText(""), j.path("message").asText(""),
                        value};
                }
                default -> {
                    String value = j.has("value_base64") ? "(binary) " + j.path("value_base64").asText()
                            : text(v);
                    return new String[] {time, r.partition() + ":" + r.offset(), key, value};
                }
            }
        }

        private String row(String[] cells) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < cells.length; i++) {
                String c = cells[i] == null ? "" : cells[i].replace('\n', ' ').replace('\r', ' ').replace('\t', ' ');
                boolean last = i == cells.length - 1;
                int limit = last ? 4 * widths[i] : widths[i]; // the last column needs no alignment: room to read
                if (c.length() > limit) {
                    c = c.substring(0, Math.max(0, limit - 1)) + "…";
                }
                sb.append(last ? c : String.format(Locale.ROOT, "%-" + widths[i] + "s  ", c));
            }
            return sb.toString().stripTrailing();
        }
    }

    /** The headline metric of a task kind (the one the table shows). */
    static String mainMetric(String kind, JsonNode metrics) {
        for (String m : switch (kind) {
            case "regression" -> List.of("rmse", "mse");
            case "multilabel" -> List.of("subset_accuracy", "hamming_loss");
            default -> List.of("accuracy");
        }) {
            if (metrics.has(m)) {
                return m;
            }
        }
        return metrics.fieldNames().hasNext() ? metrics.fieldNames().next() : "";
    }

    private static String fieldNames(JsonNode obj) {
        List<String> names = new ArrayList<>();
        obj.fieldNames().forEachRemaining(names::add);
        return String.join(" ", names);
    }

    private static double max(JsonNode arr) {
        double m = Double.NaN;
        for (JsonNode x : arr) {
            m = Double.isNaN(m) ? x.asDouble() : Math.max(m, x.asDouble());
        }
        return m;
    }

    private static String number(JsonNode n) {
        return n.isNumber() ? fmt(n.asDouble()) : n.isNull() ? "null" : "";
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%.4f", d);
    }

    private static String text(JsonNode n) {
        if (n == null || n.isMissingNode() || n.isNull()) {
            return "";
        }
        return n.isValueNode() ? n.asText() : n.toString();
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }

    /** For tests: the role names accepted by {@code --topic}. */
    static List<String> roleNames() {
        return ROLE_NAMES;
    }
}
