package dev.metastream.app;

import dev.metastream.drift.DriftDetectors;
import dev.metastream.learn.LearnerConfig;
import dev.metastream.topology.TopologyConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes {@code config/application.properties} from the key lists in code ({@link AppConfig#APP_KEYS},
 * {@link TopologyConfig#KEYS}, {@link LearnerConfig#KEYS}), so the documented keys, defaults and explanations cannot
 * drift from what the application reads. {@code ConfigDocumentationTest} compares the committed file with
 * {@link #text()}.
 */
final class ConfigDocumentation {
    /** Longest comment line written. */
    private static final int WIDTH = 118;

    /** The command that rewrites the file from code. */
    static final String REGENERATE = "mvn test -Dtest=ConfigDocumentationTest -Dmetastream.update.config=true";

    /** A section of the file: it starts at {@code firstKey} and runs until the next section's first key. */
    private record Section(String firstKey, String title, String intro) {}

    /** Sections in file order. Keys keep the order of their list; each list's keys run on across its sections. */
    private static final List<Section> SECTIONS = List.of(
            new Section("application.id", "Process",
                    "Kafka Streams process settings metastream gives defaults for. All but topics.create are passed to "
                            + "Kafka Streams (bootstrap.servers replaced by the embedded broker's address when empty); empty "
                            + "values are not passed, so Kafka Streams' own default applies, except state.dir (see below)."
                            + " Every command refuses a key that is neither one of this file's nor a Kafka setting "
                            + "(exit code 2, naming the closest known key): a misspelt key never silently keeps its default."),
            new Section("rocksdb.config.setter", "State store memory (RocksDB)",
                    "Kafka Streams keeps each store in RocksDB, off the Java heap. By default metastream bounds all of "
                            + "them together (see docs/operations.md). These keys are passed to Kafka Streams, where the "
                            + "config setter reads them."),
            new Section("http.port", "HTTP API and metrics",
                    "The HTTP server (health, predictions, model snapshots, Prometheus metrics); see docs/operations.md. "
                            + "None of these keys is passed to Kafka Streams."),
            new Section("topic.examples", "Topics",
                    "Names of the topics the application reads and writes (see topology/topics.md). Internal topics are "
                            + "named by Kafka Streams after application.id."),
            new Section("input.max.record.bytes", "Input size limit and timers", null),
            new Section("topics.partitions", "Topic creation",
                    "Used only when topics.create=true and a topic is missing; existing topics are left as they are. The "
                            + "meta-updates and meta-model topics always get 1 partition. Internal (repartition and changelog) "
                            + "topics are created by Kafka Streams: their replication follows Kafka Streams' replication.factor "
                            + "setting (default -1 = the broker's default), not topics.replication.factor."),
            new Section("input.dim", "Input and tasks",
                    "Shape of the input and of every task's head. Individual tasks can differ: see tasks.<id>.* at the end "
                            + "of this file."),
            new Section("model.trunk.layers", "Model (shared trunk)", null),
            new Section("optimizer", "Optimiser", null),
            new Section("learner.batch.size", "Micro-batches", null),
            new Section("meta.enabled", "Meta-learning (shared model)", null),
            new Section("memory.strategy", "Gradient memory (continual learning across tasks)", null),
            new Section("drift.detector", "Drift detection and reaction",
                    "Only the parameters of the chosen detector (drift.<detector>.<param>) are used."),
            new Section("metrics.window", "Metrics, snapshots, cache and numeric limits", null));

    /** The closing section: everything not generated from a key list. */
    private static final String PASS_THROUGH = """
            @RULE@
            # Kafka Streams and Kafka client settings (pass-through)
            @RULE@
            # Any Kafka Streams, producer, consumer or admin client setting is handed to Kafka Streams as is, and Kafka Streams
            # passes the client settings on to its consumers, producers and admin client: security.protocol, sasl.*, ssl.*,
            # num.standby.replicas, replication.factor (of internal topics), config.providers*, client.tag.*, and the
            # producer.*, consumer.*, main.consumer.*, restore.consumer.*, global.consumer.*, admin.* and topic.* prefixes
            # followed by a setting of that client (or topic). A key that is none of these nor metastream's is refused at
            # start with the closest known key (producer.lnger.ms: did you mean producer.linger.ms?). metastream keeps to
            # itself, and never passes on, the keys listed above (except the Process section's), tasks.*, drift.*,
            # topics.create, and the reserved prefixes http.* and demo.*. Empty values are not passed on. metastream sets
            # producer.linger.ms=5 and processing.exception.handler.global.enabled=true unless you set them.
            #
            # Examples:
            # security.protocol=SASL_SSL
            # sasl.mechanism=PLAIN
            # sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="..." password="...";
            # ssl.truststore.location=/etc/kafka/truststore.jks
            # num.standby.replicas=1
            # replication.factor=3
            # producer.compression.type=lz4
            # consumer.max.poll.records=500
            #
            @RULE@
            # Per-task overrides
            @RULE@
            # A task whose id is listed here gets its own head shape instead of task.kind / task.classes / task.class.names /
            # task.labels. A task has an override when any of its four keys is set; the ones not set fall back:
            # tasks.<id>.kind, tasks.<id>.classes and tasks.<id>.labels to task.kind, task.classes and task.labels,
            # tasks.<id>.class.names to task.class.names when the task has task.classes classes, else to none. <id> is the
            # task id as it appears in the input (it may contain dots). Any other tasks.<id>.* key is refused, naming the
            # task's four keys. Tasks with the same kind and output width share one meta-learned head initialisation.
            #
            # Examples:
            # tasks.churn.kind=binary
            # tasks.price.kind=regression
            # tasks.genre.kind=classification
            # tasks.genre.classes=3
            # tasks.genre.class.names=comedy,drama,horror
            # tasks.tags.kind=multi-label
            # tasks.tags.labels=8
            #
            """;

    private ConfigDocumentation() {}

    /** Every documented key in file order: process, topology, then learner keys. */
    static List<LearnerConfig.Key> keys() {
        List<LearnerConfig.Key> all = new ArrayList<>(AppConfig.APP_KEYS);
        for (TopologyConfig.Key k : TopologyConfig.KEYS) {
            all.add(new LearnerConfig.Key(k.name(), k.defaultValue(), k.doc()));
        }
        all.addAll(LearnerConfig.KEYS);
        return all;
    }

    /** The full text of {@code config/application.properties}. */
    static String text() {
        Map<String, Section> starts = new LinkedHashMap<>();
        for (Section s : SECTIONS) {
            starts.put(s.firstKey(), s);
        }
        List<LearnerConfig.Key> keys = keys();
        if (!keys.get(0).name().equals(SECTIONS.get(0).firstKey())) {
            throw new IllegalStateException("the first section must start at " + keys.get(0).name());
        }
        StringBuilder b = new StringBuilder();
        b.append("""
                # metastream configuration: every key metastream reads, with its default value and meaning.
                #
                # GENERATED from AppConfig.APP_KEYS, TopologyConfig.KEYS and LearnerConfig.KEYS; do not edit by hand.
                # Regenerate after changing a key in code with:
                """);
        b.append("#   ").append(REGENERATE).append('\n');
        b.append("""
                #
                # Use it as a template: copy it, change what you need, delete the rest (a missing key takes its default), then
                #   bin/metastream run --config my.properties
                # config/local.properties is a smaller example for a local run on the embedded broker.
                """);
        int used = 0;
        for (LearnerConfig.Key k : keys) {
            Section s = starts.get(k.name());
            if (s != null) {
                used++;
                b.append('\n');
                b.append(rule()).append('\n');
                b.append("# ").append(s.title()).append('\n');
                b.append(rule()).append('\n');
                if (s.intro() != null) {
                    wrap(b, s.intro());
                }
                b.append('\n');
            } else {
                b.append('\n');
            }
            wrap(b, k.doc());
            b.append(k.name()).append('=').append(escape(k.defaultValue())).append('\n');
        }
        if (used != SECTIONS.size()) {
            throw new IllegalStateException("a section starts at a key that is not in the key lists: " + SECTIONS);
        }
        b.append('\n').append(PASS_THROUGH.replace("@RULE@", rule()));
        driftParameters(b);
        return b.toString();
    }

    /** The closing section on detector parameters, from the detectors' registry. */
    private static void driftParameters(StringBuilder b) {
        b.append(rule()).append('\n').append("# Further drift detector parameters\n").append(rule()).append('\n');
        wrap(b, "drift.<detector>.<param> sets any parameter of the chosen detector; absent ones take the detector's "
                + "default (shown in brackets). The detectors and their parameters:");
        for (String line : DriftDetectors.documentation()) {
            wrap(b, line);
        }
        wrap(b, "Words in a parameter name may be written with dots or underscores (drift.page-hinkley.min.instances "
                + "reaches the detector as min_instances). Names and values are checked at start-up: an unknown one "
                + "stops the start with a message naming the key.");
        b.append("#\n");
        b.append("# drift.hddm-a.two_sided=false\n");
        b.append("# drift.page-hinkley.mode=up\n");
    }

    private static String rule() {
        return "# " + "=".repeat(WIDTH - 2);
    }

    /** Writes {@code text} as {@code #} comment lines of at most {@link #WIDTH} characters. */
    private static void wrap(StringBuilder b, String text) {
        StringBuilder line = new StringBuilder("#");
        for (String word : text.trim().split("\\s+")) {
            if (line.length() > 1 && line.length() + 1 + word.length() > WIDTH) {
                b.append(line).append('\n');
                line = new StringBuilder("#");
            }
            line.append(' ').append(word);
        }
        b.append(line).append('\n');
    }

    /** Escapes a value for a properties file (backslashes and leading spaces would otherwise change it). */
    static String escape(String v) {
        String e = v.replace("\\", "\\\\");
        return e.startsWith(" ") ? "\\" + e : e;
    }
}
