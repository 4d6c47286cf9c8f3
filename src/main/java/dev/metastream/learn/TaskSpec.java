package dev.metastream.learn;

import java.util.List;

/**
 * The kind and output shape of a task's head, and how its labels are encoded as a target vector.
 *
 * <p>Targets are float vectors of length {@link #outputs()}: one-hot for classification, {@code [0|1]} for binary,
 * {@code [y]} for regression, one 0/1 entry per label for multi-label.
 *
 * @param kind       the task kind
 * @param classes    number of classes (classification only)
 * @param classNames optional names of the classes, in index order
 * @param labels     number of labels (multi-label only)
 */
public record TaskSpec(TaskKind kind, int classes, List<String> classNames, int labels) {

    /** Builds a spec, checking that class names and class count agree. */
    public static TaskSpec from(String kind, int classes, List<String> classNames, int labels) {
        TaskKind k = TaskKind.parse(kind);
        k.validate(classes, labels);
        if (!classNames.isEmpty() && classNames.size() != classes) {
            throw new IllegalArgumentException("task.class.names lists " + classNames.size() + " names but task.classes="
                    + classes + ": make them agree");
        }
        return new TaskSpec(k, classes, List.copyOf(classNames), labels);
    }

    /** Width of the head's output layer. */
    public int outputs() {
        return kind.outputs(classes, labels);
    }

    /** Key of the meta initialisation shared by heads of this shape, e.g. {@code classification:10}. */
    public String shapeKey() {
        int out = outputs();
        String[] keys = SHAPE_KEYS[kind.ordinal()];
        // Asked for several times per example: the usual shapes are made once, not concatenated at every call.
        return out < keys.length ? keys[out] : shapeKey(kind, out);
    }

    private static final String[][] SHAPE_KEYS = new String[TaskKind.values().length][257];

    static {
        for (TaskKind k : TaskKind.values()) {
            for (int out = 0; out < SHAPE_KEYS[k.ordinal()].length; out++) {
                SHAPE_KEYS[k.ordinal()][out] = shapeKey(k, out);
            }
        }
    }

    private static String shapeKey(TaskKind kind, int outputs) {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + outputs;
    }

    /** The loss this kind of task is trained with. */
    public Loss loss() {
        return kind.loss();
    }
}
