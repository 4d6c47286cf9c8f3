package dev.metastream.app;

import dev.metastream.drift.DriftDetectors;
import dev.metastream.learn.LearnerConfig;
import dev.metastream.topology.TopologyConfig;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The keys a metastream configuration may hold, and the check that refuses every other one: a misspelt key would
 * otherwise be passed to Kafka Streams, which ignores what it does not know, and the setting would silently keep its
 * default.
 *
 * <p>A key is known when it is
 * <ul>
 *   <li>one of metastream's own ({@link AppConfig#APP_KEYS}, {@link TopologyConfig#KEYS}, {@link LearnerConfig#KEYS});
 *   <li>a drift detector parameter {@code drift.<detector>.<param>} of a known detector and parameter;
 *   <li>a per-task key {@code tasks.<id>.kind|classes|class.names|labels};
 *   <li>a Kafka Streams, producer, consumer or admin client key, or {@code config.providers*};
 *   <li>one of Kafka Streams' prefixes ({@code producer.}, {@code consumer.}, {@code main.consumer.},
 *       {@code restore.consumer.}, {@code global.consumer.}, {@code admin.}, {@code topic.}) followed by a key the
 *       client (or topic) it addresses knows, or {@code client.tag.<anything>}.
 * </ul>
 * Every command builds its configuration through {@link AppConfig#of}, which calls {@link #check}, so every command
 * refuses the same keys with the same message.
 */
public final class ConfigKeys {

    /** The keys of one per-task override, after {@code tasks.<id>.}; {@code LearnerConfig.from} reads exactly these. */
    public static final List<String> TASK_KEYS = List.of("kind", "classes", "class.names", "labels");

    /**
     * Parameters of each drift detector ({@code drift.<detector>.<param>}), from the detectors' registry
     * ({@link DriftDetectors#ALL}); words may be written with dots or underscores.
     */
    static final Map<String, List<String>> DRIFT_PARAMS = DriftDetectors.ALL.stream()
            .collect(java.util.stream.Collectors.toUnmodifiableMap(DriftDetectors.Entry::name,
                    DriftDetectors.Entry::paramNames));

    /** Kafka Streams' prefixes that address one client (or the topics it creates), and what that client knows. */
    private static final Map<String, Set<String>> PREFIXES;

    /** Every known key without a prefix: metastream's, drift parameters, Kafka Streams' and its clients'. */
    private static final Set<String> PLAIN;

    /** Metastream's own keys (not Kafka's): the ones a close miss most likely meant. */
    private static final Set<String> OURS;

    private static final Pattern TASK_KEY = Pattern.compile("tasks\\.(.+)\\.(kind|classes|class\\.names|labels)");

    static {
        Set<String> ours = new TreeSet<>();
        AppConfig.APP_KEYS.forEach(k -> ours.add(k.name()));
        TopologyConfig.KEYS.forEach(k -> ours.add(k.name()));
        LearnerConfig.KEYS.forEach(k -> ours.add(k.name()));
        DRIFT_PARAMS.forEach((detector, params) -> params.forEach(param -> {
            ours.add("drift." + detector + "." + param);
            ours.add("drift." + detector + "." + param.replace('_', '.'));
        }));
        OURS = Set.copyOf(ours);
        Set<String> plain = new TreeSet<>(ours);
        plain.addAll(StreamsConfig.configDef().names());
        plain.addAll(ProducerConfig.configNames());
        plain.addAll(ConsumerConfig.configNames());
        plain.addAll(AdminClientConfig.configNames());
        PLAIN = Set.copyOf(plain);
        Map<String, Set<String>> prefixes = new LinkedHashMap<>();
        // Longest first, so main.consumer. is not read as consumer. of "main..." (it does not start with it anyway,
        // but the order keeps the lookup obvious).
        prefixes.put(StreamsConfig.MAIN_CONSUMER_PREFIX, ConsumerConfig.configNames());
        prefixes.put(StreamsConfig.RESTORE_CONSUMER_PREFIX, ConsumerConfig.configNames());
        prefixes.put(StreamsConfig.GLOBAL_CONSUMER_PREFIX, ConsumerConfig.configNames());
        prefixes.put(StreamsConfig.CONSUMER_PREFIX, ConsumerConfig.configNames());
        prefixes.put(StreamsConfig.PRODUCER_PREFIX, ProducerConfig.configNames());
        prefixes.put(StreamsConfig.ADMIN_CLIENT_PREFIX, AdminClientConfig.configNames());
        prefixes.put(StreamsConfig.TOPIC_PREFIX, topicConfigNames());
        PREFIXES = Map.copyOf(prefixes);
    }

    private ConfigKeys() {
    }

    /**
     * Refuses a configuration that holds a key no part of metastream or Kafka reads.
     *
     * @param p the configuration as given (before defaults)
     * @throws UnknownKeyException naming every unknown key and, for each, the closest known one
     */
    public static void check(Properties p) {
        List<String> problems = new ArrayList<>();
        for (String key : new TreeSet<>(p.stringPropertyNames())) {
            String problem = problem(key);
            if (problem != null) {
                problems.add(problem);
            }
        }
        if (!problems.isEmpty()) {
            throw new UnknownKeyException(problems.size() == 1 ? problems.get(0)
                    : problems.size() + " unknown keys: " + String.join("; ", problems));
        }
    }

    /**
     * Why a key is not accepted, with the closest known key, or null when it is known.
     *
     * @param key a configuration key
     * @return a one-line explanation, or null
     */
    public static String problem(String key) {
        if (PLAIN.contains(key) || key.startsWith("config.providers") || key.startsWith(StreamsConfig.CLIENT_TAG_PREFIX)
                || TASK_KEY.matcher(key).matches()) {
            return null;
        }
        for (Map.Entry<String, Set<String>> e : PREFIXES.entrySet()) {
            if (key.startsWith(e.getKey()) && e.getValue().contains(key.substring(e.getKey().length()))) {
                return null;
            }
        }
        if (key.startsWith("tasks.")) {
            return taskProblem(key);
        }
        String closest = closest(key, candidates(key));
        return "unknown key '" + key + "'" + (closest == null
                ? ": it is neither a metastream key (config/application.properties lists them) nor a Kafka Streams "
                        + "or Kafka client setting; remove it"
                : ": did you mean '" + closest + "'?");
    }

    /** A per-task key whose last part is not one of {@link #TASK_KEYS}: names the task's keys. */
    private static String taskProblem(String key) {
        // The id may contain dots, so try every split and keep the one whose rest is nearest a task key.
        String rest = key.substring("tasks.".length());
        String bestId = null;
        String bestKey = null;
        int best = Integer.MAX_VALUE;
        for (int dot = rest.indexOf('.'); dot > 0; dot = rest.indexOf('.', dot + 1)) {
            String id = rest.substring(0, dot);
            String suffix = rest.substring(dot + 1);
            for (String k : TASK_KEYS) {
                int d = distance(suffix, k);
                if (d < best) {
                    best = d;
                    bestId = id;
                    bestKey = k;
                }
            }
        }
        if (bestId == null) {
            return "unknown key '" + key + "': a per-task key is tasks.<id>.<key> with <key> one of "
                    + String.join(", ", TASK_KEYS);
        }
        boolean near = best <= tolerance(bestKey);
        // No near task key: the id cannot be told from the key, so take the simplest reading (no dots in the id).
        String id = near ? bestId : rest.substring(0, rest.indexOf('.'));
        String suggestion = near ? "did you mean 'tasks." + bestId + "." + bestKey + "'? " : "";
        return "unknown key '" + key + "': " + suggestion + "task " + id + "'s keys are "
                + String.join(", ", TASK_KEYS.stream().map(k -> "tasks." + id + "." + k).toList());
    }

    /** The known keys a misspelling of {@code key} may have meant. */
    private static Collection<String> candidates(String key) {
        List<String> c = new ArrayList<>(PLAIN);
        // A prefixed client key: compare with the same client's keys under the prefix (producer.lnger.ms).
        for (Map.Entry<String, Set<String>> e : PREFIXES.entrySet()) {
            e.getValue().forEach(n -> c.add(e.getKey() + n));
        }
        // task.<id>.kind for tasks.<id>.kind.
        Matcher m = Pattern.compile("[^.]+\\.(.+)\\.(kind|classes|class\\.names|labels)").matcher(key);
        if (m.matches()) {
            c.add("tasks." + m.group(1) + "." + m.group(2));
        }
        return c;
    }

    /**
     * The candidate nearest to {@code key} by edit distance (insertions, deletions, substitutions and swaps of
     * adjacent characters), if it is near enough to be a likely misspelling; metastream's own keys win ties.
     *
     * @param key        the unknown key
     * @param candidates the known keys
     * @return the closest known key, or null when none is close
     */
    static String closest(String key, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(key, c);
            if (d < bestDistance || d == bestDistance && OURS.contains(c) && !OURS.contains(best)) {
                best = c;
                bestDistance = d;
            }
        }
        return best != null && bestDistance <= tolerance(key) ? best : null;
    }

    /** How many edits still look like a misspelling rather than another word: a third of the key, at least 2. */
    private static int tolerance(String key) {
        return Math.max(2, key.length() / 3);
    }

    /** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    v = Math.min(v, d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        return d[a.length()][b.length()];
    }

    /** The topic-level settings ({@link TopicConfig}'s {@code *_CONFIG} constants), which {@code topic.} addresses. */
    private static Set<String> topicConfigNames() {
        Set<String> names = new TreeSet<>();
        for (Field f : TopicConfig.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class && f.getName().endsWith("_CONFIG")) {
                try {
                    names.add((String) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return Set.copyOf(names);
    }

    /** A configuration key that nothing reads; its message names the key and the closest known one. */
    public static final class UnknownKeyException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        /**
         * @param message one line: the unknown key(s) and what to write instead
         */
        public UnknownKeyException(String message) {
            super(message);
        }
    }
}
