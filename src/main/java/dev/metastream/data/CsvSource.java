package dev.metastream.data;

import dev.metastream.learn.Instance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code --source csv:FILE}: a CSV file with a header row (RFC 4180, read by {@link CsvReader}).
 *
 * <p>Feature layout: the numeric {@code --feature-columns} fill slots {@code 0 .. F-1} in the order given (default:
 * every column that is not the task, label or a hash column, in header order); the categorical {@code --hash-columns}
 * are hashed as {@code column=value} with signed MurmurHash3 ({@link FeatureHashing}, as the input parser hashes named
 * features) into slots {@code F .. input.dim-1}. {@code --input-dim} is then the total width (default F + 1024 when
 * there are hash columns, else F). The task comes from {@code --task-column} (absent: one task named after the file);
 * labels are encoded as {@link LabelColumn} decides. A row with a wrong number of fields, an empty label or task, or a
 * numeric feature that is empty or not a number is skipped and counted (a note reports it), not fatal.
 */
final class CsvSource {
    private CsvSource() {}

    /** Hashed slots when there are hash columns and no {@code --input-dim}. */
    static final int DEFAULT_HASH_SLOTS = 1024;

    private record Row(String task, float[] x, String label, long line) {}

    static LabelledPool read(String source, Path file, ScenarioSpec spec, String kindHint, Consumer<String> notes) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--source " + source + ": no such file " + file);
        }
        String labelColumn = spec.labelColumn() == null ? "y" : spec.labelColumn();
        try (CsvReader csv = new CsvReader(Files.newBufferedReader(file, StandardCharsets.UTF_8))) {
            List<String> header = csv.next();
            if (header == null) {
                throw new IllegalArgumentException("--source " + source + ": the file is empty; it needs a header row");
            }
            int taskIdx = spec.taskColumn() == null ? -1 : column(source, header, spec.taskColumn(), "--task-column");
            int labelIdx = column(source, header, labelColumn, "--label-column");
            List<Integer> hash = new ArrayList<>();
            for (String h : spec.hashColumns()) {
                hash.add(column(source, header, h, "--hash-columns"));
            }
            Set<Integer> taken = new HashSet<>(hash);
            taken.add(taskIdx);
            taken.add(labelIdx);
            List<Integer> numeric = new ArrayList<>();
            if (spec.featureColumns().isEmpty()) {
                for (int i = 0; i < header.size(); i++) {
                    if (!taken.contains(i)) {
                        numeric.add(i);
                    }
                }
            } else {
                for (String f : spec.featureColumns()) {
                    int i = column(source, header, f, "--feature-columns");
                    if (taken.contains(i)) {
                        throw new IllegalArgumentException("--feature-columns: column '" + f + "' is also the task,"
                                + " label or a hash column; name it once");
                    }
                    numeric.add(i);
                }
            }
            int f = numeric.size();
            int dim;
            if (hash.isEmpty()) {
                if (spec.inputDim() > 0 && spec.inputDim() != f) {
                    throw new IllegalArgumentException("--input-dim " + spec.inputDim() + " but " + source + " has " + f
                            + " numeric feature columns and no --hash-columns; drop --input-dim or set it to " + f);
                }
                dim = f;
            } else {
                dim = spec.inputDim() > 0 ? spec.inputDim() : f + DEFAULT_HASH_SLOTS;
                if (dim <= f) {
                    throw new IllegalArgumentException("--input-dim " + spec.inputDim() + " leaves no slots for"
                            + " --hash-columns after the " + f + " numeric features; set it above " + f);
                }
            }
            if (dim == 0) {
                throw new IllegalArgumentException("--source " + source + ": no feature columns; the header " + header
                        + " has only the task and label columns");
            }
            String defaultTask = stem(file);
            Map<String, List<Row>> byTask = new LinkedHashMap<>();
            List<String> labels = new ArrayList<>();
            Skips skips = new Skips(source);
            List<String> fields;
            while ((fields = csv.next()) != null) {
                long line = csv.recordLine();
                if (fields.size() == 1 && fields.get(0).isEmpty()) {
                    continue; // blank line
                }
                if (fields.size() != header.size()) {
                    skips.add("has " + fields.size() + " fields, the header " + header.size(), line);
                    continue;
                }
                String task = taskIdx < 0 ? defaultTask : fields.get(taskIdx).trim();
                String label = fields.get(labelIdx).trim();
                if (task.isEmpty() || label.isEmpty()) {
                    skips.add(task.isEmpty() ? "empty task" : "empty label", line);
                    continue;
                }
                float[] x = new float[dim];
                String bad = null;
                for (int k = 0; k < f && bad == null; k++) {
                    String cell = fields.get(numeric.get(k)).trim();
                    try {
                        x[k] = Float.parseFloat(cell);
                        if (!Float.isFinite(x[k])) {
                            bad = "non-finite " + header.get(numeric.get(k));
                        }
                    } catch (NumberFormatException e) {
                        bad = "non-numeric " + header.get(numeric.get(k));
                    }
                }
                if (bad != null) {
                    skips.add(bad, line);
                    continue;
                }
                for (int h : hash) {
                    String cell = fields.get(h);
                    if (!cell.isEmpty()) {
                        int code = FeatureHashing.murmur3(header.get(h) + "=" + cell);
                        x[f + Math.floorMod(code, dim - f)] += (code & 0x80000000) != 0 ? -1f : 1f;
                    }
                }
                byTask.computeIfAbsent(task, t -> new ArrayList<>()).add(new Row(task, x, label, line));
                labels.add(label);
            }
            skips.report(notes);
            if (byTask.isEmpty()) {
                throw new IllegalArgumentException("--source " + source + ": no usable rows" + skips.summary());
            }
            LabelColumn enc = LabelColumn.decide(labels, kindHint, "--label-column " + labelColumn + " of " + source);
            List<LabelledPool.Task> tasks = new ArrayList<>();
            for (Map.Entry<String, List<Row>> e : byTask.entrySet()) {
                List<Instance> list = new ArrayList<>(e.getValue().size());
                for (Row r : e.getValue()) {
                    list.add(new Instance(r.task, r.x, enc.encode(r.label), "line-" + r.line, 0L));
                }
                tasks.add(new LabelledPool.Task(e.getKey(), LabelledPool.of(list), null));
            }
            return new LabelledPool(source, enc.learnerConfig(dim), tasks, 0, 0);
        } catch (IOException e) {
            throw new IllegalArgumentException("--source " + source + ": " + e.getMessage(), e);
        }
    }

    private static int column(String source, List<String> header, String name, String flag) {
        int i = header.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException(flag + ": column '" + name + "' is not in the header of " + source
                    + " " + header);
        }
        return i;
    }

    static String stem(Path file) {
        String n = file.getFileName().toString();
        int dot = n.indexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    /** Counts skipped lines by reason and keeps the first few line numbers. */
    static final class Skips {
        private final String source;
        private final Map<String, Long> counts = new LinkedHashMap<>();
        private final Map<String, List<Long>> lines = new LinkedHashMap<>();
        private long total;

        Skips(String source) {
            this.source = source;
        }

        void add(String reason, long line) {
            total++;
            counts.merge(reason, 1L, Long::sum);
            List<Long> l = lines.computeIfAbsent(reason, r -> new ArrayList<>());
            if (l.size() < 3) {
                l.add(line);
            }
        }

        long total() {
            return total;
        }

        String summary() {
            if (total == 0) {
                return "";
            }
            StringBuilder sb = new StringBuilder(" (" + total + " skipped: ");
            boolean first = true;
            for (Map.Entry<String, Long> e : counts.entrySet()) {
                sb.append(first ? "" : "; ").append(e.getValue()).append(" ").append(e.getKey()).append(" e.g. line ")
                        .append(lines.get(e.getKey()).get(0));
                first = false;
            }
            return sb.append(")").toString();
        }

        void report(Consumer<String> notes) {
            if (total > 0) {
                notes.accept(source + ": skipped " + total + " bad line" + (total == 1 ? "" : "s") + summary());
            }
        }
    }
}
