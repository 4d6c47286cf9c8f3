package dev.metastream.data;

import dev.metastream.learn.Instance;
import dev.metastream.learn.TaskSpec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One example as the examples topic carries it, before featurisation: the task, the features in the form they were
 * given (dense, sparse or named), the label as written, an optional id and event time. {@link ExampleRecordWriter}
 * turns it into the record the topology reads, and {@link InputRecordParser} turns that record into the
 * {@link Instance} the learner sees; {@link ExampleRecordWriter#read} is the config-free inverse of the writer, which
 * {@code produce} uses to accept exactly the shapes the parser accepts.
 *
 * <p>It exists so that every producer of examples (produce, demo, bench, evaluate through Kafka) writes them one way:
 * a hand-built JSON string in each of them once disagreed on float rounding and on which forms were allowed.
 *
 * @param task     the task id (never blank)
 * @param features the features
 * @param label    the label as written, or null for an example to be scored only
 * @param id       the caller's id, echoed in the prediction, or null
 * @param ts       event time in epoch milliseconds, or null for the record's timestamp
 */
public record ExampleRecord(String task, Features features, Label label, String id, Long ts) {

    /** Checks the parts. */
    public ExampleRecord {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(features, "features");
    }

    /** The features of an example, in one of the three forms the parser reads. */
    public sealed interface Features permits Dense, Sparse, Named {}

    /**
     * {@code "x": [...]}: exactly {@code input.dim} values.
     *
     * @param x the values
     */
    public record Dense(float[] x) implements Features {}

    /**
     * {@code "sparse": {"idx": [...], "val": [...]}}: the non-zero features; a repeated index adds its values.
     *
     * @param idx indices in {@code [0, input.dim)}
     * @param val their values, as many as indices
     */
    public record Sparse(int[] idx, float[] val) implements Features {
        /** Checks the lengths agree. */
        public Sparse {
            if (idx.length != val.length) {
                throw new IllegalArgumentException(idx.length + " indices but " + val.length + " values");
            }
        }
    }

    /**
     * {@code "features": {name: value}}, hashed by the parser into {@code input.dim} slots. A value is a
     * {@link Double} (the feature {@code name} with that value), a {@link String} (the indicator {@code name=value}),
     * a {@link Boolean} (the feature {@code name}, 1 or 0) or a {@code List<String>} (a multi-valued categorical: one
     * indicator {@code name=s} per string).
     *
     * @param values the features in the order they are written
     */
    public record Named(Map<String, Object> values) implements Features {
        /** Copies the map, keeping its order, and checks the value types. */
        public Named {
            Map<String, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : values.entrySet()) {
                Object v = e.getValue();
                if (v instanceof List<?> l) {
                    for (Object s : l) {
                        if (!(s instanceof String)) {
                            throw new IllegalArgumentException("feature " + e.getKey() + ": a list must hold strings");
                        }
                    }
                    v = List.copyOf(l);
                } else if (v instanceof Number n) {
                    v = n.doubleValue();
                } else if (!(v instanceof String) && !(v instanceof Boolean)) {
                    throw new IllegalArgumentException("feature " + e.getKey() + ": " + v + " is not a number,"
                            + " string, boolean or list of strings");
                }
                copy.put(Objects.requireNonNull(e.getKey()), v);
            }
            values = Collections.unmodifiableMap(copy);
        }
    }

    /** A label as written; which ones a task accepts depends on its kind ({@link TaskSpec}). */
    public sealed interface Label permits Value, Text, Flag, Labels {}

    /**
     * A number: a class index, a binary 0 or 1, or a regression target. Written as a whole number when it is one.
     *
     * @param value the number
     */
    public record Value(double value) implements Label {}

    /**
     * A class name (one of {@code task.class.names}).
     *
     * @param value the name
     */
    public record Text(String value) implements Label {}

    /**
     * A binary label as {@code true} or {@code false}.
     *
     * @param value the label
     */
    public record Flag(boolean value) implements Label {}

    /**
     * A multi-label label: one 0 or 1 per label.
     *
     * @param values zeros and ones
     */
    public record Labels(int[] values) implements Label {}

    /**
     * The record of a parsed or generated example in its shorter form: {@code sparse} when at most a quarter of the
     * features are non-zero (a hashed or one-hot row), else a dense {@code x}. Both parse to the same example.
     *
     * @param in   the example
     * @param spec the task's kind, to write the label; null to leave the label out (scored only)
     */
    public static ExampleRecord of(Instance in, TaskSpec spec) {
        int nonZero = 0;
        for (float v : in.x()) {
            nonZero += v != 0f ? 1 : 0;
        }
        return of(in, spec, nonZero <= in.x().length / 4);
    }

    /**
     * The record of a parsed or generated example, labelled as its task's kind says.
     *
     * @param in     the example
     * @param spec   the task's kind, to write the label; null to leave the label out (scored only)
     * @param sparse write the non-zero features as {@code sparse} rather than a dense {@code x}
     */
    public static ExampleRecord of(Instance in, TaskSpec spec, boolean sparse) {
        return new ExampleRecord(in.task(), sparse ? sparse(in.x()) : new Dense(in.x()),
                spec == null || in.target() == null ? null : label(in.target(), spec), in.id(), in.timestamp());
    }

    /** The non-zero entries of {@code x}, in index order. */
    public static Sparse sparse(float[] x) {
        int n = 0;
        for (float v : x) {
            n += v != 0f ? 1 : 0;
        }
        int[] idx = new int[n];
        float[] val = new float[n];
        n = 0;
        for (int i = 0; i < x.length; i++) {
            if (x[i] != 0f) {
                idx[n] = i;
                val[n++] = x[i];
            }
        }
        return new Sparse(idx, val);
    }

    /** The label that the parser encodes as {@code target} for a task of {@code spec}'s kind. */
    public static Label label(float[] target, TaskSpec spec) {
        return switch (spec.kind()) {
            case CLASSIFICATION -> {
                int best = 0;
                for (int i = 1; i < target.length; i++) {
                    if (target[i] > target[best]) {
                        best = i;
                    }
                }
                yield new Value(best);
            }
            case BINARY -> new Value(target[0] >= 0.5f ? 1 : 0);
            case REGRESSION -> new Value(target[0]);
            case MULTILABEL -> {
                int[] v = new int[target.length];
                for (int i = 0; i < v.length; i++) {
                    v[i] = target[i] >= 0.5f ? 1 : 0;
                }
                yield new Labels(v);
            }
        };
    }

    /** A copy with another task. */
    public ExampleRecord withTask(String newTask) {
        return new ExampleRecord(newTask, features, label, id, ts);
    }

    /** A copy with another id. */
    public ExampleRecord withId(String newId) {
        return new ExampleRecord(task, features, label, newId, ts);
    }

    /** A copy with another event time. */
    public ExampleRecord withTs(Long newTs) {
        return new ExampleRecord(task, features, label, id, newTs);
    }

    /** A copy without the label: the example is scored, not learned from. */
    public ExampleRecord unlabelled() {
        return new ExampleRecord(task, features, null, id, ts);
    }
}
