package dev.metastream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.metastream.data.InputRecordParser;
import dev.metastream.learn.InMemoryLearnerStore;
import dev.metastream.learn.Instance;
import dev.metastream.learn.LearnerConfig;
import dev.metastream.learn.LearnerEvents;
import dev.metastream.learn.Prediction;
import dev.metastream.learn.StreamingLearner;
import dev.metastream.learn.TaskSpec;
import dev.metastream.learn.TaskState;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The metastream learner without Kafka: one call to learn from an example, one to predict, in the style of River's
 * {@code learn_one} / {@code predict_one}. It is the engine the Kafka topology runs ({@link StreamingLearner}, here over
 * an {@link InMemoryLearnerStore}), configured by the same keys ({@code config/application.properties}; absent keys take
 * their defaults), and it reads features and labels exactly as the examples topic does ({@code topology/records.md}):
 *
 * <pre>{@code
 * OnlineLearner model = OnlineLearner.create(Map.of("input.dim", "64", "task.kind", "binary"));
 * for (Example e : stream) {
 *     Object before = model.learnOne(e.user(), Map.of("plan", e.plan(), "visits", e.visits()), e.churned());
 *     // before: the prediction made before learning from the example (test-then-train)
 * }
 * Object churn = model.predictOne("user-42", Map.of("plan", "pro", "visits", 3));   // 0 or 1
 * float[] p = model.predictProbaOne("user-42", Map.of("plan", "pro", "visits", 3)); // [P(churn)]
 * Map<String, Double> figures = model.metrics("user-42");                          // accuracy, log_loss, auc, ...
 * }</pre>
 *
 * <p><b>Features</b>: named features ({@code Map<String, ?>}: numbers, booleans, strings as categorical indicators,
 * collections of strings), hashed into {@code input.dim} slots as the {@code features} field is, or a dense
 * {@code double[]} of exactly {@code input.dim} values (the {@code x} field). <b>Labels</b> by the task's kind
 * ({@code task.kind}, or {@code tasks.<id>.kind}): a class index or class name (classification), 0/1 or a boolean
 * (binary), a number (regression), a collection or array of 0/1 (multi-label). Bad input throws
 * {@link IllegalArgumentException} with the same message the dead-letter topic would carry.
 *
 * <p>Each task has its own head on the shared trunk, its own prequential metrics and drift detector; every labelled
 * example updates its task's head at once, and the shared trunk every {@code learner.batch.size} examples (call
 * {@link #flush()} to learn a partial batch). Not thread-safe: use one instance per thread, or synchronise.
 */
public final class OnlineLearner {
    private final LearnerConfig config;
    private final StreamingLearner learner;
    private final InputRecordParser parser;
    private final ObjectMapper mapper = new ObjectMapper();

    private OnlineLearner(LearnerConfig config) {
        this.config = config;
        this.learner = new StreamingLearner(config, new InMemoryLearnerStore(), "in-process", LearnerEvents.NONE);
        this.parser = new InputRecordParser(config, Integer.MAX_VALUE - 1);
    }

    /** A learner with every default ({@code input.dim=100}, classification with {@code task.classes} classes). */
    public static OnlineLearner create() {
        return create(new Properties());
    }

    /**
     * A learner configured by the given keys; the others take their defaults.
     *
     * @param settings keys and values as in {@code config/application.properties}, e.g. {@code input.dim}
     * @throws IllegalArgumentException when a value is invalid (the message says which key and what to change)
     */
    public static OnlineLearner create(Map<String, String> settings) {
        Properties p = new Properties();
        p.putAll(settings);
        return create(p);
    }

    /** A learner configured by properties; absent keys take their defaults. */
    public static OnlineLearner create(Properties settings) {
        return new OnlineLearner(LearnerConfig.from(settings));
    }

    /** A learner configured by a properties file (e.g. {@code config/application.properties}). */
    public static OnlineLearner fromFile(Path properties) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(properties)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + properties + ": " + e.getMessage(), e);
        }
        return create(p);
    }

    /**
     * Test-then-train on one labelled example: predicts it with the task's current model, then learns from it.
     *
     * @param task     the task id (a new id starts a new task from the meta-learned initialisation)
     * @param features named features ({@code Map<String, ?>}) or a dense {@code double[]} / {@code float[]} of
     *                 {@code input.dim} values
     * @param label    the label, by the task's kind (see the class comment)
     * @return the prediction made before learning, as {@link #predictOne} would have returned it
     */
    public Object learnOne(String task, Object features, Object label) {
        if (label == null) {
            throw new IllegalArgumentException("learnOne needs a label; use predictOne to score without one");
        }
        return value(learner.observe(instance(task, features, label)));
    }

    /**
     * The task's prediction for one example, without learning: the most probable class (its name when the task has
     * {@code task.class.names}, else its index), 0 or 1 (binary), the value (regression, a {@code Double}), or an
     * {@code int[]} of 0/1 per label (multi-label).
     */
    public Object predictOne(String task, Object features) {
        return value(learner.score(instance(task, features, null)));
    }

    /**
     * The model's raw output for one example, without learning: one probability per class (classification), the
     * probability of class 1 (binary, one value), the value (regression, one value), one probability per label
     * (multi-label).
     */
    public float[] predictProbaOne(String task, Object features) {
        return learner.score(instance(task, features, null)).output().clone();
    }

    /** Learns the partial micro-batch now (the trunk otherwise learns every {@code learner.batch.size} examples). */
    public void flush() {
        learner.learnPending(System.currentTimeMillis());
    }

    /** The tasks learned so far, sorted. */
    public List<String> tasks() {
        return learner.taskIds();
    }

    /**
     * A task's prequential metrics (each cumulative, and with suffix {@code _window} over the last
     * {@code metrics.window} examples; names as on the metrics topic), or an empty map for an unknown task.
     */
    public Map<String, Double> metrics(String task) {
        TaskState st = learner.task(task);
        return st == null ? Map.of() : st.metrics().snapshot();
    }

    /** Labelled examples the task has learned from (0 for an unknown task). */
    public long examplesLearned(String task) {
        TaskState st = learner.task(task);
        return st == null ? 0 : st.learned();
    }

    /**
     * Forgets a task (state, memory; the shared model keeps what it taught): its next example starts it anew.
     *
     * @return whether the task existed
     */
    public boolean resetTask(String task) {
        return learner.resetTask(task, System.currentTimeMillis());
    }

    /** The configuration in use. */
    public LearnerConfig config() {
        return config;
    }

    /** The engine, for what this facade does not cover (snapshots, shared-model state). */
    public StreamingLearner engine() {
        return learner;
    }

    private Instance instance(String task, Object features, Object label) {
        if (task == null) {
            throw new IllegalArgumentException("task is null: give every example a task id");
        }
        ObjectNode n = mapper.createObjectNode();
        n.put("task", task);
        if (features instanceof Map<?, ?> named) {
            ObjectNode f = n.putObject("features");
            named.forEach((k, v) -> f.set(String.valueOf(k), json(v)));
        } else if (features instanceof double[] || features instanceof float[] || features instanceof int[]
                || features instanceof long[]) {
            n.set("x", json(features));
        } else {
            throw new IllegalArgumentException("features must be a Map<String, ?> of named features or a double[] "
                    + "of input.dim=" + config.inputDim() + " values, not "
                    + (features == null ? "null" : features.getClass().getSimpleName()));
        }
        if (label != null) {
            n.set("y", json(label));
        }
        byte[] bytes;
        try {
            bytes = mapper.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        InputRecordParser.Result r = parser.parse(null, bytes, System.currentTimeMillis());
        if (!r.ok()) {
            throw new IllegalArgumentException(r.message() + " (" + r.reason().code() + ")");
        }
        return r.instance();
    }

    private JsonNode json(Object v) {
        if (v instanceof double[] a) {
            ArrayNode out = mapper.createArrayNode();
            for (double d : a) {
                out.add(d);
            }
            return out;
        }
        if (v instanceof float[] a) {
            ArrayNode out = mapper.createArrayNode();
            for (float d : a) {
                out.add(d);
            }
            return out;
        }
        if (v instanceof Collection<?> c) {
            ArrayNode out = mapper.createArrayNode();
            c.forEach(x -> out.add(json(x)));
            return out;
        }
        return mapper.valueToTree(v);
    }

    private static Object value(Prediction p) {
        TaskSpec spec = p.spec();
        float[] out = p.output();
        return spec.kind().decision(spec, out);
    }
}
