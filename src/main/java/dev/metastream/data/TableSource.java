package dev.metastream.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A table source ({@code csv:FILE}, {@code json:FILE}) for evaluate: the file readers ({@link CsvSource},
 * {@link JsonSource}) hand it rows in file order; {@link TableFeatures} (the featurisation {@code produce --format csv}
 * shares) turns each into compact features (the non-zero ones only); this class groups them by task and turns them into
 * a {@link LabelledPool} whose examples are densified only when the scenario draws them. {@link LabelColumn} encodes
 * the labels. A row {@link TableFeatures} skips is counted by reason, not fatal. Tasks come in order of first
 * appearance, and every example remembers its row's position in the file, so the scenario can train in file order
 * across tasks.
 */
final class TableSource {
    /** Hashed slots when something is hashed and there is no {@code --input-dim}. */
    static final int DEFAULT_HASH_SLOTS = TableFeatures.DEFAULT_HASH_SLOTS;

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
    private final TableFeatures features;
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
        this.features = new TableFeatures("--source " + source, header, spec, null);
        this.skips = new CsvSource.Skips(source);
    }

    /** Number of columns. */
    int columns() {
        return features.columns();
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
        TableFeatures.Result r = features.row(cells, defaultTask);
        if (r.row() == null) {
            skips.add(r.skip(), line);
            return;
        }
        TableFeatures.Row row = r.row();
        byTask.computeIfAbsent(row.task(), t -> new TaskRows())
                .add(new Row(row.idx(), row.val(), row.label(), id, row.ts()), position++);
        labels.add(row.label());
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
        String where = (features.thresholded() ? "--label-column (with --label-threshold) " : "--label-column ")
                + features.labelColumn() + " of " + source;
        LabelColumn enc = LabelColumn.decide(labels, kindHint, where);
        Map<String, float[]> targets = new HashMap<>();
        List<LabelledPool.Task> tasks = new ArrayList<>();
        for (Map.Entry<String, TaskRows> e : byTask.entrySet()) {
            List<Row> rows = List.copyOf(e.getValue().rows);
            float[][] y = new float[rows.size()][];
            for (int i = 0; i < y.length; i++) {
                y[i] = targets.computeIfAbsent(rows.get(i).label(), enc::encode);
            }
            tasks.add(new LabelledPool.Task(e.getKey(), new SparseExamples(rows, y, features.dim()), null,
                    Arrays.copyOf(e.getValue().positions, rows.size())));
        }
        return new LabelledPool(source, enc.learnerConfig(features.dim()), tasks, 0, 0);
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
}
