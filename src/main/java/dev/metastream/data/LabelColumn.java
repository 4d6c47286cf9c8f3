package dev.metastream.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Decides how a file source's raw labels are encoded, from a {@code task.kind} hint or, without one, from the labels:
 * <ul>
 *   <li>every label a whole number in [0, {@value #MAX_INDEX_CLASSES}) → classification, the number is the class
 *       index, {@code task.classes} = largest + 1 (so {@code split:G} groups the classes by their own numbers);</li>
 *   <li>every label a number, some not such a whole number → regression;</li>
 *   <li>otherwise → classification, classes indexed in order of first appearance and named
 *       ({@code task.class.names}).</li>
 * </ul>
 * A hint {@code binary} takes 0/1/true/false; {@code regression} takes numbers; {@code classification} takes the
 * index or name rule above.
 */
final class LabelColumn {
    /** Largest number of classes read as class indices without a hint. */
    static final int MAX_INDEX_CLASSES = 1000;

    private final String kind;
    private final Map<String, Integer> names; // null when labels are indices
    private final int classes;

    private LabelColumn(String kind, Map<String, Integer> names, int classes) {
        this.kind = kind;
        this.names = names;
        this.classes = classes;
    }

    /**
     * @param labels   every raw label, in order
     * @param kindHint {@code task.kind} if the caller fixed it, else null
     * @param where    for messages, e.g. {@code --label-column y of csv:data.csv}
     */
    static LabelColumn decide(List<String> labels, String kindHint, String where) {
        String hint = kindHint == null ? null : dev.metastream.learn.TaskKind.parse(kindHint).name()
                .toLowerCase(Locale.ROOT);
        boolean numeric = true;
        boolean indices = true;
        int max = 0;
        for (String l : labels) {
            Double v = number(l);
            if (v == null) {
                numeric = false;
                indices = false;
                break;
            }
            if (v != Math.rint(v) || v < 0 || v >= MAX_INDEX_CLASSES) {
                indices = false;
            } else {
                max = Math.max(max, v.intValue());
            }
        }
        if (hint == null) {
            hint = indices || !numeric ? "classification" : "regression";
        }
        switch (hint) {
            case "regression" -> {
                if (!numeric) {
                    throw new IllegalArgumentException(where + ": task.kind=regression needs numeric labels;"
                            + " a label is not a number");
                }
                return new LabelColumn("regression", null, 1);
            }
            case "binary" -> {
                for (String l : labels) {
                    if (binary(l) < 0) {
                        throw new IllegalArgumentException(where + ": task.kind=binary needs labels 0, 1, true or"
                                + " false; found '" + l + "'");
                    }
                }
                return new LabelColumn("binary", null, 1);
            }
            case "classification" -> {
                if (indices) {
                    return new LabelColumn("classification", null, Math.max(2, max + 1));
                }
                Map<String, Integer> names = new LinkedHashMap<>();
                for (String l : labels) {
                    names.putIfAbsent(l, names.size());
                }
                if (names.size() == 1) {
                    names.put("class-1", 1); // a lone class still makes a two-class task
                }
                return new LabelColumn("classification", names, names.size());
            }
            default -> throw new IllegalArgumentException(where + ": task.kind=" + hint
                    + " is not supported for file sources; use classification, binary or regression");
        }
    }

    /** The encoded target of a raw label (one of those {@link #decide} saw). */
    float[] encode(String label) {
        return switch (kind) {
            case "regression" -> new float[] {number(label).floatValue()};
            case "binary" -> new float[] {binary(label)};
            default -> Generators.oneHot(names == null ? number(label).intValue() : names.get(label), classes);
        };
    }

    /** The learner keys for these labels. */
    Map<String, String> learnerConfig(int inputDim) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("input.dim", Integer.toString(inputDim));
        m.put("task.kind", kind);
        if (kind.equals("classification")) {
            m.put("task.classes", Integer.toString(classes));
            if (names != null) {
                m.put("task.class.names", String.join(",", new ArrayList<>(names.keySet())));
            }
        }
        return m;
    }

    private static Double number(String s) {
        try {
            double d = Double.parseDouble(s.trim());
            return Double.isFinite(d) ? d : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static int binary(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "0", "0.0", "false" -> 0;
            case "1", "1.0", "true" -> 1;
            default -> -1;
        };
    }
}
