package dev.metastream.app;

import dev.metastream.http.HttpSettings;
import dev.metastream.learn.LearnerConfig;
import dev.metastream.topology.BoundedRocksDbConfigSetter;
import dev.metastream.topology.TopologyConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The application's configuration: one properties file holding metastream's own keys (learner, topology, process)
 * and any Kafka Streams / Kafka client setting, which passes through untouched (security.protocol, sasl.*, ssl.*,
 * producer.*, consumer.*, ...).
 *
 * @param all      every property as given, defaults filled in for the process keys
 * @param learner  the learner part
 * @param topology the topology part
 */
public record AppConfig(Properties all, LearnerConfig learner, TopologyConfig topology) {

    /** Default of {@code state.dir}: {@code ./state}, relative to the working directory (not the OS temp directory). */
    public static final String DEFAULT_STATE_DIR = "state";

    /** {@code statestore.cache.max.bytes} unless set: 64 MB of record cache for all stream threads together. */
    public static final long DEFAULT_RECORD_CACHE_BYTES = 64L << 20;

    /**
     * {@code commit.interval.ms} under exactly_once_v2 unless set. Each commit flushes the record cache, so every task
     * touched since the last commit writes its whole state (about 28 KB on the bench workload) to RocksDB and its
     * changelog inside the transaction: at Kafka Streams' 100 ms that is 9 KB of task state per example, against 1.7 KB
     * at 1 s (docs/benchmarks-throughput.md, the exactly-once cliff).
     */
    public static final int EXACTLY_ONCE_COMMIT_INTERVAL_MS = 1000;

    /** Directory under {@code state.dir} where the embedded broker keeps its data, beside the stores. */
    public static final String EMBEDDED_BROKER_DIR = "embedded-kafka";

    /** Process keys metastream adds on top of Kafka Streams' own. */
    public static final List<LearnerConfig.Key> APP_KEYS = List.of(
            new LearnerConfig.Key("application.id", "metastream", "Kafka Streams application id: instances with the same id share the work; it prefixes internal topics and consumer groups."),
            new LearnerConfig.Key("bootstrap.servers", "", "Kafka brokers. Empty = start an embedded single-node broker on 127.0.0.1 (development only)."),
            new LearnerConfig.Key("processing.guarantee", "exactly_once_v2", "exactly_once_v2 (nothing lost, nothing twice) or at_least_once (faster)."),
            new LearnerConfig.Key("num.stream.threads", "1", "Stream threads per instance; each runs its own ND4J work (set OMP_NUM_THREADS=1)."),
            new LearnerConfig.Key("state.dir", DEFAULT_STATE_DIR, "Directory of the local state: Kafka Streams keeps the RocksDB stores in <state.dir>/<application.id>, and the embedded broker (empty bootstrap.servers) its topics in <state.dir>/" + EMBEDDED_BROKER_DIR + ", so a restarted run resumes where it stopped. A relative path is relative to the working directory. Not under the OS temp directory, which the OS may clear while the stores are in use. Delete the directory to start from nothing."),
            new LearnerConfig.Key("commit.interval.ms", "", "Kafka Streams commit interval. Empty = " + EXACTLY_ONCE_COMMIT_INTERVAL_MS + " ms with exactly_once_v2 (Kafka Streams' own default there is 100 ms, at which every commit writes each task's whole state, tens of KB, to its changelog: 0.6x the examples per second of at_least_once; see docs/operations.md), Kafka Streams' default (30 s) otherwise. Under exactly_once_v2 read_committed consumers see predictions only after the commit that wrote them: lower it for latency (docs/operations.md, Latency)."),
            new LearnerConfig.Key("topics.create", "true", "Create the application's topics at start when they are missing."),
            new LearnerConfig.Key("application.server", "", "host:port at which other instances reach this instance's HTTP API (Kafka Streams routes interactive queries by it; /predict and /models forward there). Empty with http.port set = 127.0.0.1:<the bound HTTP port>, right only when every instance runs on one host: set it to an address the other instances can reach otherwise."),
            new LearnerConfig.Key("rocksdb.config.setter", BoundedRocksDbConfigSetter.class.getName(), "Kafka Streams' RocksDBConfigSetter. The default bounds the off-heap memory of all state stores in the process with one shared block cache that memtables are charged to (the rocksdb.memory.* and rocksdb.*write.buffer* keys below size it). Set another class to replace it, or an empty value for Kafka Streams' per-store defaults (unbounded: about 50 MB of cache and up to 48 MB of memtables per store)."),
            key(BoundedRocksDbConfigSetter.TOTAL_MB, "Off-heap budget in MB of all RocksDB stores of this process together: block cache, index and filter blocks, and memtables. Used by the default rocksdb.config.setter."),
            key(BoundedRocksDbConfigSetter.WRITE_BUFFER_RATIO, "Share of rocksdb.memory.total.mb that memtables may take before they are flushed, in (0, 1)."),
            key(BoundedRocksDbConfigSetter.HIGH_PRIORITY_RATIO, "Share of the cache reserved for index and filter blocks, so data blocks cannot evict them, in [0, 1)."),
            key(BoundedRocksDbConfigSetter.WRITE_BUFFER_MB, "Size of one memtable in MB (per store). Keep it times the stores this instance holds (seven per learner partition, plus two) under 7/8 of the memtable budget (rocksdb.memory.total.mb x rocksdb.memory.write.buffer.ratio): past that line RocksDB flushes whichever store is being written, not the ones holding the memory, and can stop its writes for seconds. The setter logs a warning when the open stores pass it."),
            key(BoundedRocksDbConfigSetter.MAX_WRITE_BUFFERS, "Memtables per store (one being written, the rest waiting to flush)."),
            key(BoundedRocksDbConfigSetter.LEVEL0_SLOWDOWN, "Sorted runs a store may hold before RocksDB slows its writes down (RocksDB's default is 20). Universal compaction merges a large store's runs for minutes while memtables keep being flushed; at 20 runs the writes of a million-task store were throttled for a tenth of the time. More runs cost reads a filter probe each."),
            key(BoundedRocksDbConfigSetter.LEVEL0_STOP, "Sorted runs at which RocksDB stops a store's writes until compactions catch up (RocksDB's default is 36); above rocksdb.level0.slowdown.writes.trigger."),
            new LearnerConfig.Key("http.port", "", "Port of the HTTP API: /health/live, /health/ready, POST /predict, GET /models/{task}, GET /models/meta, Prometheus /metrics. Empty = no HTTP server; 0 = any free port. --http-port overrides it."),
            new LearnerConfig.Key("http.bind.address", "0.0.0.0", "Address the HTTP server listens on."),
            new LearnerConfig.Key("http.auth.token", "", "Bearer token every endpoint except /health/live requires (Authorization: Bearer <token>). Empty = the environment variable METASTREAM_HTTP_TOKEN; when both are empty, no authentication. Never logged."),
            new LearnerConfig.Key("http.threads", "4", "Threads serving HTTP requests (not stream threads: they only read stores and forward)."),
            new LearnerConfig.Key("http.forward.timeout.ms", "5000", "Timeout of a request forwarded to the instance that owns a task (connect and response)."),
            new LearnerConfig.Key("metrics.top.tasks", "10", "Tasks with their own accuracy/loss gauges: the busiest N of this instance by recent volume (see docs/operations.md); every task is in the per-kind aggregates. 0 = aggregates only."));

    private static LearnerConfig.Key key(String name, String doc) {
        return new LearnerConfig.Key(name, BoundedRocksDbConfigSetter.DEFAULTS.get(name), doc);
    }

    /**
     * Loads a properties file; missing keys take their defaults.
     *
     * @throws ConfigKeys.UnknownKeyException when the file holds a key nothing reads (the message names the closest)
     * @throws IllegalArgumentException       when a value is invalid (the message names the key)
     */
    public static AppConfig load(Path file) throws IOException {
        return of(readChecked(file));
    }

    /**
     * The configuration of a command line: the properties file (none: every default), then the {@code --set KEY=VALUE}
     * settings over it. Unknown keys are refused, naming where they came from and the closest known key.
     *
     * @param file the {@code --config} file, or null
     * @param sets the {@code --set} arguments, in order (a later one wins)
     * @return the configuration
     * @throws IllegalArgumentException with a one-line message for the user (an unknown key, a bad value, a
     *                                  {@code --set} without '=')
     * @throws IOException              when the file cannot be read
     */
    public static AppConfig fromCommandLine(Path file, List<String> sets) throws IOException {
        Properties p = new Properties();
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new java.nio.file.NoSuchFileException(file.toString(), null, "no such file");
            }
            p = readChecked(file);
        }
        p.putAll(checkedSets(sets));
        return of(p);
    }

    /**
     * {@link #parseSets} with every key checked ({@link ConfigKeys#check}): for commands that build their own
     * configuration from {@code --set} (bench), so a misspelt key is refused there too instead of ignored.
     *
     * @throws ConfigKeys.UnknownKeyException naming the unknown key and the closest known one
     */
    public static Properties checkedSets(List<String> sets) {
        Properties set = parseSets(sets);
        try {
            ConfigKeys.check(set);
        } catch (ConfigKeys.UnknownKeyException e) {
            throw new ConfigKeys.UnknownKeyException("--set: " + e.getMessage());
        }
        return set;
    }

    /**
     * The {@code --set KEY=VALUE} arguments as properties (a later one wins).
     *
     * @throws IllegalArgumentException naming an argument without '=' or without a key
     */
    public static Properties parseSets(List<String> sets) {
        Properties p = new Properties();
        for (String kv : sets) {
            int eq = kv.indexOf('=');
            if (eq <= 0 || kv.substring(0, eq).isBlank()) {
                throw new IllegalArgumentException("--set " + kv + ": expected KEY=VALUE, e.g. --set learner.batch.size=16");
            }
            p.setProperty(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        return p;
    }

    /**
     * The keys a properties file gives, as given (no defaults), once every key is known to be metastream's or Kafka's.
     *
     * @throws ConfigKeys.UnknownKeyException naming the file, the unknown key and the closest known one
     */
    public static Properties readChecked(Path file) throws IOException {
        Properties p = read(file);
        try {
            ConfigKeys.check(p);
        } catch (ConfigKeys.UnknownKeyException e) {
            throw new ConfigKeys.UnknownKeyException(file + ": " + e.getMessage());
        }
        return p;
    }

    private static Properties read(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return p;
    }

    /**
     * Builds a configuration from properties; missing keys take their defaults. Every command builds its
     * configuration here, so every command refuses unknown keys ({@link ConfigKeys#check}).
     *
     * @throws ConfigKeys.UnknownKeyException when a key is not metastream's nor Kafka's (the message names the closest)
     * @throws IllegalArgumentException       when a value is invalid (the message names the key)
     */
    public static AppConfig of(Properties given) {
        ConfigKeys.check(given);
        Properties p = new Properties();
        for (LearnerConfig.Key k : APP_KEYS) {
            if (!k.defaultValue().isEmpty()) {
                p.setProperty(k.name(), k.defaultValue());
            }
        }
        given.stringPropertyNames().forEach(n -> p.setProperty(n, given.getProperty(n).trim()));
        if (BoundedRocksDbConfigSetter.class.getName().equals(p.getProperty("rocksdb.config.setter"))) {
            BoundedRocksDbConfigSetter.Sizing.from(p); // fail at start, naming the key, not in a stream thread later
            BoundedRocksDbConfigSetter.Sizing.level0Triggers(p);
        }
        AppConfig c = new AppConfig(p, LearnerConfig.from(p), TopologyConfig.from(p));
        HttpSettings.from(p, Map.of()); // validates the http.* keys and metrics.top.tasks now, with the key's name
        return c;
    }

    /**
     * The text of {@code config/application.properties}: every key of {@link #APP_KEYS}, {@link TopologyConfig#KEYS}
     * and {@link LearnerConfig#KEYS} as {@code key=default} under its documentation, grouped in sections, followed by
     * how Kafka settings pass through and how per-task overrides work. A test keeps the committed file equal to it.
     */
    public static String documentedProperties() {
        return ConfigDocumentation.text();
    }

    /** The HTTP API and metrics settings; the token falls back to {@code METASTREAM_HTTP_TOKEN}. */
    public HttpSettings http() {
        return HttpSettings.from(all, System.getenv());
    }

    /** The state directory ({@code state.dir}; empty means the default), as an absolute path. */
    public Path stateDir() {
        String v = all.getProperty(StreamsConfig.STATE_DIR_CONFIG, "").trim();
        return Path.of(v.isEmpty() ? DEFAULT_STATE_DIR : v).toAbsolutePath().normalize();
    }

    /** Where the embedded broker keeps its data: beside the stores, under {@link #stateDir()}. */
    public Path embeddedBrokerDir() {
        return stateDir().resolve(EMBEDDED_BROKER_DIR);
    }

    /** Whether no brokers were named, so the embedded broker runs. */
    public boolean embedded() {
        return all.getProperty("bootstrap.servers", "").isBlank();
    }

    /** The Kafka Streams properties: every key that is not metastream's own, plus the process keys Streams knows. */
    public Properties streamsProperties(String bootstrapServers) {
        Set<String> ours = Stream.concat(LearnerConfig.KEYS.stream().map(LearnerConfig.Key::name),
                TopologyConfig.KEYS.stream().map(TopologyConfig.Key::name)).collect(Collectors.toSet());
        Properties s = new Properties();
        for (String n : all.stringPropertyNames()) {
            String v = all.getProperty(n);
            boolean mine = ours.contains(n) || n.startsWith("tasks.") || n.startsWith("drift.")
                    || n.equals("topics.create") || n.startsWith("http.") || n.startsWith("demo.")
                    || n.equals("metrics.top.tasks");
            if (!mine && !v.isEmpty()) {
                s.setProperty(n, v);
            }
        }
        s.setProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        // An empty state.dir is not passed on (Kafka Streams' default is under the OS temp directory): ours then.
        s.putIfAbsent(StreamsConfig.STATE_DIR_CONFIG, DEFAULT_STATE_DIR);
        // Latency: Kafka Streams' internal producer waits 100 ms by default to fill batches; 5 ms keeps batching
        // without adding a visible delay to predictions. A user's own producer.linger.ms wins.
        s.putIfAbsent(StreamsConfig.producerPrefix("linger.ms"), "5");
        // The record cache folds a commit interval's many writes of one task state (tens of KB: head, optimiser,
        // linear expert, scaler, metrics) into one store and changelog write. Kafka's 10 MB, split between stream
        // threads, is smaller than the working set of a hundred tasks with their replay samples, and once it
        // overflows every write goes through to RocksDB and the changelog: 0.5x the examples per second end to end
        // (docs/benchmarks-throughput.md). It is heap, bounded, shared by all the stream threads of the process.
        s.putIfAbsent(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, String.valueOf(DEFAULT_RECORD_CACHE_BYTES));
        // Exactly-once commits flush that cache: at Kafka Streams' 100 ms a task's state went to its changelog about
        // once per example it learned. A second keeps exactly-once within a few percent of at_least_once.
        if (StreamsConfig.EXACTLY_ONCE_V2.equals(s.getProperty(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))) {
            s.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, String.valueOf(EXACTLY_ONCE_COMMIT_INTERVAL_MS));
        }
        // Kafka 5.0's default, set now: the processing exception handler (LogAndFail unless the user names another)
        // also covers the global store's processor, and Kafka Streams stops warning at every start that it does not.
        s.putIfAbsent("processing.exception.handler.global.enabled", "true");
        return s;
    }
}
