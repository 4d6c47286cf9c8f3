package dev.metastream.data;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How a table row (a CSV line, a flat JSON object) becomes features: the one featurisation of tables, shared by
 * {@code evaluate --source csv:|json:} ({@code TableSource}) and {@code produce --format csv}, so the same row gives the
 * same features whether it is evaluated in process or sent to the topology.
 *
 * <p>Feature layout, {@code input.dim} wide:
 * <ol>
 *   <li>slots {@code 0 .. F-1}: the numeric {@code --feature-columns} in the order given (default: every column not
 *       named by another flag, in header order; an empty value, {@code --feature-columns ''}, means none);</li>
 *   <li>then 6 slots per {@code --time-columns} column (hour of day,
 *       day of week, day of year as sine/cosine pairs);</li>
 *   <li>then the hashed slots: each categorical value {@code column=value} of the {@code --hash-columns} and
 *       {@code --multi-value-columns} goes through signed MurmurHash3 exactly as the input parser hashes named features
 *       ({@link FeatureHashing}; {@code slot = floorMod(h, slots)}, sign - when {@code h} is negative). A multi-valued
 *       cell is split on {@code --multi-value-separator} (parts trimmed, empty parts dropped) and hashes one feature
 *       per part; a JSON array of strings in a hashed column does the same without a separator. {@code --input-dim}
 *       is the total width (default: the slots above + {@value #DEFAULT_HASH_SLOTS} when something is hashed).</li>
 * </ol>
 * A row is kept sparse: its non-zero features only (an index may repeat when two values hash to one slot: the values
 * add, as they do in the parser).
 *
 * <p>The label is the {@code --label-column} cell, or with {@code --label-threshold T} the number in it compared with
 * T ({@code 1} when above, else {@code 0}). A row with an empty task or label, a numeric feature that is empty or not a
 * finite number, a date that cannot be read, or (with a threshold) a label that is not a number is skipped with a
 * reason.
 */
public final class TableFeatures {
    /** Hashed slots when something is hashed and there is no {@code --input-dim}. */
    public static final int DEFAULT_HASH_SLOTS = 1024;

    /**
     * One featurised row.
     *
     * @param task  the task id
     * @param idx   indices of the non-zero features (may repeat: values add)
     * @param val   their values
     * @param label the raw label ({@code 1}/{@code 0} with a threshold)
     * @param ts    the first time column's epoch milliseconds, or 0 without time columns
     */
    public record Row(String task, int[] idx, float[] val, String label, long ts) {
        /** The features as the examples topic's sparse form. */
        public ExampleRecord.Sparse sparse() {
            return new ExampleRecord.Sparse(idx, val);
        }
    }

    /**
     * A row or why it was skipped.
     *
     * @param row  the row, or null
     * @param skip the reason it was skipped, or null
     */
    public record Result(Row row, String skip) {
        static Result skipped(String reason) {
            return new Result(null, reason);
        }
    }

    private final String source;
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

    /**
     * Resolves the column flags against a header.
     *
     * @param source   what is read, for messages (e.g. {@code --source csv:f.csv} or a file name)
     * @param header   the column names
     * @param spec     the column flags ({@link ScenarioSpec#taskColumn()}, label, feature, hash and table options,
     *                 {@link ScenarioSpec#inputDim()})
     * @param idColumn a column holding example ids, left out of the default numeric columns, or null
     * @throws IllegalArgumentException naming the flag to change
     */
    public TableFeatures(String source, List<String> header, ScenarioSpec spec, String idColumn) {
        this.source = source;
        this.header = List.copyOf(header);
        ScenarioSpec.TableOptions table = spec.table();
        this.labelColumn = spec.labelColumn() == null ? "y" : spec.labelColumn();
        this.taskIdx = spec.taskColumn() == null ? -1 : column(spec.taskColumn(), "--task-column");
        this.labelIdx = column(labelColumn, "--label-column");
        int idIdx = idColumn == null ? -1 : column(idColumn, "--id-column");
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
        taken.add(idIdx);
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
                int i = column(f.trim(), "--feature-columns");
                if (taken.contains(i)) {
                    throw new IllegalArgumentException("--feature-columns: column '" + f.trim() + "' is also the task,"
                            + " label, id, a hash or a time column; name it once");
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
            throw new IllegalArgumentException(source + ": no feature columns; the header " + header
                    + " has only the task, label and id columns");
        }
    }

    /** The feature width ({@code input.dim} the rows are made for). */
    public int dim() {
        return dim;
    }

    /** Number of columns. */
    public int columns() {
        return header.size();
    }

    /** The label column's name. */
    public String labelColumn() {
        return labelColumn;
    }

    /** Whether the label is a numeric column compared with {@code --label-threshold}. */
    public boolean thresholded() {
        return threshold != null;
    }

    /** Whether the rows carry a time ({@code --time-columns}). */
    public boolean timed() {
        return time.length > 0;
    }

    /**
     * Featurises one row.
     *
     * @param cells       one per header column: a string (empty or null = missing) or, from JSON, a list of strings
     * @param defaultTask the task when there is no {@code --task-column}
     */
    public Result row(List<?> cells, String defaultTask) {
        String task = taskIdx < 0 ? defaultTask : text(cells.get(taskIdx)).trim();
        String label = text(cells.get(labelIdx)).trim();
        if (task.isEmpty() || label.isEmpty()) {
            return Result.skipped(task.isEmpty() ? "empty task" : "empty label");
        }
        if (threshold != null) {
            Double v = number(label);
            if (v == null) {
                return Result.skipped("non-numeric label (--label-threshold)");
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
                return Result.skipped(bad + header.get(numeric[k]) + (bad.startsWith("non-numeric")
                        ? " (a categorical column? name it in --hash-columns)" : ""));
            }
        }
        long ts = 0;
        for (int k = 0; k < time.length; k++) {
            Object cell = cells.get(time[k]);
            LocalDateTime t = cell instanceof List ? null : TimeFeatures.parse(text(cell));
            if (t == null) {
                return Result.skipped("unreadable date in " + header.get(time[k]));
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
        return new Result(new Row(task, idx, val, label, ts), null);
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
