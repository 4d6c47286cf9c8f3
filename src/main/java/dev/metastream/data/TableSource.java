package dev.metastream.data;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The column flags shared by the table sources ({@code csv:FILE}, {@code json:FILE}): which column is the task, the
 * label, a numeric feature, a date/time, a categorical (hashed) or a multi-valued categorical column, and how a row's
 * cells become an example. The file readers ({@link CsvSource}, {@link JsonSource}) hand it rows in file order; it
 * keeps them compact (the non-zero features only) and turns them into a {@link LabelledPool} whose examples are
 * densified only when the scenario draws them.
 *
 * <p>Feature layout, {@code input.dim} wide:
 * <ol>
 *   <li>slots {@code 0 .. F-1}: the numeric {@code --feature-columns} in the order given (default: every column not
 *       named by another flag, in header order; an empty value, {@code --feature-columns ''}, means none);</li>
 *   <li>then {@value TimeFeatures#WIDTH} slots per {@code --time-columns} column ({@link TimeFeatures}: hour of day,
 *       day of week, day of year as sine/cosine pairs);</li>
 *   <li>then the hashed slots: each categorical value {@code column=value} of the {@code --hash-columns} and
 *       {@code --multi-value-columns} goes through signed MurmurHash3 exactly as the input parser hashes named features
 *       ({@link FeatureHashing}; {@code slot = floorMod(h, slots)}, sign - when {@code h} is negative). A multi-valued
 *       cell is split on {@code --multi-value-separator} (parts trimmed, empty parts dropped) and hashes one feature
 *       per part; a JSON array of strings in a hashed column does the same without a separator. {@code --input-dim}
 *       is the total width (default: the slots above + {@value #DEFAULT_HASH_SLOTS} when something is hashed).</li>
 * </ol>
 *
 * <p>The label is the {@code --label-column} cell, or with {@code --label-threshold T} the number in it compared with
 * T ({@code 1} when above, else {@code 0}); {@link LabelColumn} encodes it. A row with an empty task or label, a
 * numeric feature that is empty or not a finite number, a date that cannot be read, or (with a threshold) a label that
 * is not a number is skipped and counted by reason, not fatal. Tasks come in order of first appearance, and every
 * example remembers its row's position in the file, so the scenario can train in file order across tasks.
 */
final class TableSource {
    /** Hashed slots when something is hashed and there is no {@code --input-dim}. */
    static final int DEFAULT_HASH_SLOTS = 1024;

    /** A row kept compact: the non-zero features (indices may repeat: values add), the raw label, id and time. */
    private record Row(int[] idx, float[] val, String label, String id, long ts) {}

    /** One task's rows and their positions in the file. */
    private static final class TaskRows {
        final List<Row> rows = new ArrayList<>();
        long[] positions = new long[16];

        void add(Row r, long position) {
            if (rows.size() == positions.length) {
                positions = Arrays.copyOf(positions, positions.length * 2);
            }
            positions[rows.size()] = position;
            rows.add(r);
        }
    }

    private final String source;
    private final String defaultTask;
    private final List<String> header;
    private final String labelColumn;
    private final int taskIdx;
    private final int labelIdx;
    private final int[] numeric;
    private final int[] time;
    private final int[] hash;
    private final boolean[] multi;
    private final Pattern separator;
    private final Double threshold;
    private final int hashAt;
    private final int dim;
    private final Map<String, TaskRows> byTask = new LinkedHashMap<>();
    private final List<String> labels = new ArrayList<>();
    private final CsvSource.Skips skips;
    private long position;

    /**
     * Resolves the column flags against a header.
     *
     * @param source      the {@code --source} value, for messages
     * @param defaultTask task id when there is no {@code --task-column}
     * @param header      the column names
     * @throws IllegalArgumentException naming the flag to change
     */
    TableSource(String source, String defaultTask, List<String> header, ScenarioSpec spec) {
        this.source = source;
        this.defaultTask = defaultTask;
        this.header = List.copyOf(header);
        ScenarioSpec.TableOptions table = spec.table();
        this.labelColumn = spec.labelColumn() == null ? "y" : spec.labelColumn();
        this.taskIdx = spec.taskColumn() == null ? -1 : column(spec.taskColumn(), "--task-column");
        this.labelIdx = column(labelColumn, "--label-column");
        List<Integer> hashed = new ArrayList<>();
        List<Boolean> multiValued = new ArrayList<>();
        for (String h : spec.hashColumns()) {
            hashed.add(column(h, "--hash-columns"));
            multiValued.add(table.multiValueColumns().contains(h));
        }
        for (String m : table.multiValueColumns()) {
            int i = column(m, "--multi-value-columns");
            if (!hashed.contains(i)) {
                hashed.add(i);
                multiValued.add(true);
            }
        }
        if (!table.multiValueColumns().isEmpty() && table.multiValueSeparator().isEmpty()) {
            throw new IllegalArgumentException("--multi-value-separator is empty; give the character(s) between the"
                    + " values of a --multi-value-columns cell, e.g. '|'");
        }
        Set<Integer> taken = new HashSet<>(hashed);
        taken.add(taskIdx);
        taken.add(labelIdx);
        List<Integer> times = new ArrayList<>();
        for (String t : table.timeColumns()) {
            int i = column(t, "--time-columns");
            if (taken.contains(i) || times.contains(i)) {
                throw new IllegalArgumentException("--time-columns: column '" + t + "' is also the task, label, a hash"
                        + " column or named twice; name it once");
            }
            times.add(i);
        }
        taken.addAll(times);
        List<Integer> nums = new ArrayList<>();
        boolean none = !spec.featureColumns().isEmpty() && spec.featureColumns().stream().allMatch(String::isBlank);
        if (none) {
            // --feature-columns '' : no numeric columns (only time and hashed features)
        } else if (spec.featureColumns().isEmpty()) {
            for (int i = 0; i < header.size(); i++) {
                if (!taken.contains(i)) {
                    nums.add(i);
                }
            }
        } else {
            for (String f : spec.featureColumns()) {
                int i = column(f, "--feature-columns");
                if (taken.contains(i)) {
                    throw new IllegalArgumentException("--feature-columns: column '" + f + "' is also the task,"
                            + " label, a hash or a time column; name it once");
                }
                nums.add(i);
            }
        }
        this.numeric = nums.stream().mapToInt(Integer::intValue).toArray();
        this.time = times.stream().mapToInt(Integer::intValue).toArray();
        this.hash = hashed.stream().mapToInt(Integer::intValue).toArray();
        this.multi = new boolean[hash.length];
        for (int k = 0; k < hash.length; k++) {
            multi[k] = multiValued.get(k);
        }
        this.separator = Pattern.compile(Pattern.quote(table.multiValueSeparator()));
        this.threshold = table.labelThreshold();
        if (threshold != null && !Double.isFinite(threshold)) {
            throw new IllegalArgumentException("--label-threshold " + threshold + " is not a finite number");
        }
        this.hashAt = numeric.length + TimeFeatures.WIDTH * time.length;
        if (hash.length == 0) {
            if (spec.inputDim() > 0 && spec.inputDim() != hashAt) {
                throw new IllegalArgumentException("--input-dim " + spec.inputDim() + " but " + source + " has "
                        + numeric.length + " numeric feature columns" + (time.length == 0 ? "" : " and " + time.length
                        + " time columns (" + TimeFeatures.WIDTH + " features each)") + " and no --hash-columns; drop"
                        + " --input-dim or set it to " + hashAt);
            }
            this.dim = hashAt;
        } else {
            this.dim = spec.inputDim() > 0 ? spec.inputDim() : hashAt + DEFAULT_HASH_SLOTS;
            if (dim <= hashAt) {
                throw new IllegalArgumentException("--input-dim " + spec.inputDim() + " leaves no slots for"
                        + " --hash-columns after the " + hashAt + " numeric and time features; set it above " + hashAt);
            }
        }
        if (dim == 0) {
            throw new IllegalArgumentException("--source " + source + ": no feature columns; the header " + header
                    + " has only the task and label columns");
        }
        this.skips = new CsvSource.Skips(source);
    }

    /** Number of columns. */
    int columns() {
        return header.size();
    }

    /** The skip counter (the readers add their own reasons, e.g. a wrong field count). */
    CsvSource.Skips skips() {
        return skips;
    }

    /**
     * Adds one row in file order.
     *
     * @param cells one per header column: a string (empty or null = missing) or, from JSON, a list of strings
     * @param line  where the row is, for skip notes (a line or a record number)
     * @param id    the example's id
     */
    void add(List<?> cells, long line, String id) {
        String task = taskIdx < 0 ? defaultTask : text(cells.get(taskIdx)).trim();
        String label = text(cells.get(labelIdx)).trim();
        if (task.isEmpty() || label.isEmpty()) {
            skips.add(task.isEmpty() ? "empty task" : "empty label", line);
            return;
        }
        if (threshold != null) {
            Double v = number(label);
            if (v == null) {
                skips.add("non-numeric label (--label-threshold)", line);
                return;
            }
            label = v > threshold ? "1" : "0";
        }
        float[] dense = new float[hashAt];
        for (int k = 0; k < numeric.length; k++) {
            Object cell = cells.get(numeric[k]);
            String bad = null;
            if (cell instanceof List) {
                bad = "list in numeric ";
            } else {
                try {
                    dense[k] = Float.parseFloat(text(cell).trim());
                    bad = Float.isFinite(dense[k]) ? null : "non-finite ";
                } catch (NumberFormatException e) {
                    bad = "non-numeric ";
                }
            }
            if (bad != null) {
                skips.add(bad + header.get(numeric[k]), line);
                return;
            }
        }
        long ts = 0;
        for (int k = 0; k < time.length; k++) {
            Object cell = cells.get(time[k]);
            LocalDateTime t = cell instanceof List ? null : TimeFeatures.parse(text(cell));
            if (t == null) {
                skips.add("unreadable date in " + header.get(time[k]), line);
                return;
            }
            TimeFeatures.encode(t, dense, numeric.length + TimeFeatures.WIDTH * k);
            if (k == 0) {
                ts = TimeFeatures.epochMillis(t);
            }
        }
        List<String> names = new ArrayList<>();
        for (int k = 0; k < hash.length; k++) {
            String col = header.get(hash[k]);
            Object cell = cells.get(hash[k]);
            if (cell instanceof List<?> values) {
                for (Object v : values) {
                    String s = v == null ? "" : v.toString().trim();
                    if (!s.isEmpty()) {
                        names.add(col + "=" + s);
                    }
                }
            } else if (multi[k]) {
                for (String part : separator.split(text(cell))) {
                    String s = part.trim();
                    if (!s.isEmpty()) {
                        names.add(col + "=" + s);
                    }
                }
            } else {
                String s = text(cell);
                if (!s.isEmpty()) {
                    names.add(col + "=" + s);
                }
            }
        }
        int nonZero = names.size();
        for (float v : dense) {
            nonZero += v != 0 ? 1 : 0;
        }
        int[] idx = new int[nonZero];
        float[] val = new float[nonZero];
        int n = 0;
        for (int i = 0; i < dense.length; i++) {
            if (dense[i] != 0) {
                idx[n] = i;
                val[n++] = dense[i];
            }
        }
        int slots = dim - hashAt;
        for (String name : names) {
            int code = FeatureHashing.murmur3(name);
            idx[n] = hashAt + Math.floorMod(code, slots);
            val[n++] = (code & 0x80000000) != 0 ? -1f : 1f;
        }
        byTask.computeIfAbsent(task, t -> new TaskRows()).add(new Row(idx, val, label, id, ts), position++);
        labels.add(label);
    }

    /**
     * The pool of everything added; notes receive the skipped rows.
     *
     * @param kindHint {@code task.kind} to read the labels as, or null to decide from them
     * @throws IllegalArgumentException when no row was usable, or the labels do not fit the hint
     */
    LabelledPool pool(String kindHint, Consumer<String> notes) {
        skips.report(notes);
        if (byTask.isEmpty()) {
            throw new IllegalArgumentException("--source " + source + ": no usable rows" + skips.summary());
        }
        String where = (threshold == null ? "--label-column " : "--label-column (with --label-threshold) ")
                + labelColumn + " of " + source;
        LabelColumn enc = LabelColumn.decide(labels, kindHint, where);
        Map<String, float[]> targets = new HashMap<>();
        List<LabelledPool.Task> tasks = new ArrayList<>();
        for (Map.Entry<String, TaskRows> e : byTask.entrySet()) {
            List<Row> rows = List.copyOf(e.getValue().rows);
            float[][] y = new float[rows.size()][];
            for (int i = 0; i < y.length; i++) {
                y[i] = targets.computeIfAbsent(rows.get(i).label(), enc::encode);
            }
            tasks.add(new LabelledPool.Task(e.getKey(), new SparseExamples(rows, y, dim), null,
                    Arrays.copyOf(e.getValue().positions, rows.size())));
        }
        return new LabelledPool(source, enc.learnerConfig(dim), tasks, 0, 0);
    }

    /** Rows densified on demand. */
    private record SparseExamples(List<Row> rows, float[][] targets, int dim) implements LabelledPool.Examples {
        @Override
        public int size() {
            return rows.size();
        }

        @Override
        public float[] x(int i) {
            Row r = rows.get(i);
            float[] x = new float[dim];
            for (int k = 0; k < r.idx().length; k++) {
                x[r.idx()[k]] += r.val()[k];
            }
            return x;
        }

        @Override
        public float[] target(int i) {
            return targets[i];
        }

        @Override
        public String id(int i) {
            return rows.get(i).id();
        }

        @Override
        public long timestamp(int i) {
            return rows.get(i).ts();
        }
    }

    private int column(String name, String flag) {
        int i = header.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException(flag + ": column '" + name + "' is not in the header of " + source
                    + " " + header);
        }
        return i;
    }

    private static String text(Object cell) {
        return cell == null ? "" : cell instanceof List<?> l ? String.join(",", l.stream().map(String::valueOf)
                .toList()) : cell.toString();
    }

    private static Double number(String s) {
        try {
            double d = Double.parseDouble(s.trim());
            return Double.isFinite(d) ? d : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
