package dev.metastream.data;

import java.util.List;

/**
 * What {@code bin/metastream evaluate} is asked to build: a source, an optional continual-learning transform and the
 * split sizes. {@link Scenarios#build} turns it into a {@link Scenario}.
 *
 * @param source         {@code idx:DIR}, {@code csv:FILE}, {@code json:FILE}, {@code jsonl:FILE}, or a generator:
 *                       {@code hyperplane}, {@code sea}, {@code rbf}, {@code stagger}, {@code sinusoid} (generators
 *                       may take {@code :key=value,...} parameters)
 * @param transform      {@code permute:K}, {@code rotate:K}, {@code split:G}, {@code ways:N}, or null for none
 * @param trainPerTask   training examples per task (0 = the source's natural size)
 * @param testPerTask    held-out test examples per task (0 = none)
 * @param taskOrder      {@code natural}, {@code random} (shuffled with the seed) or a comma-separated list of task ids
 * @param seed           seed of every random choice (permutations, sampling, generators)
 * @param inputDim       feature width for hashed sources (CSV hash columns, JSONL named features); 0 = from the data
 * @param tasks          number of tasks a generator or {@code ways:N} makes (0 = its default; ways: 1000)
 * @param taskColumn     CSV and JSON: column holding the task id (null = one task)
 * @param labelColumn    CSV and JSON: column holding the label
 * @param featureColumns CSV and JSON: numeric feature columns (empty = every column not otherwise named)
 * @param hashColumns    CSV and JSON: categorical columns hashed into {@code inputDim} slots
 * @param table          CSV and JSON: multi-valued columns, label threshold and date/time columns
 *                       ({@link TableOptions#NONE} for none)
 */
public record ScenarioSpec(String source, String transform, int trainPerTask, int testPerTask, String taskOrder,
        long seed, int inputDim, int tasks, String taskColumn, String labelColumn, List<String> featureColumns,
        List<String> hashColumns, TableOptions table) {

    public ScenarioSpec {
        featureColumns = featureColumns == null ? List.of() : List.copyOf(featureColumns);
        hashColumns = hashColumns == null ? List.of() : List.copyOf(hashColumns);
        taskOrder = taskOrder == null ? "natural" : taskOrder;
        table = table == null ? TableOptions.NONE : table;
    }

    /** A spec without the table options ({@link TableOptions#NONE}). */
    public ScenarioSpec(String source, String transform, int trainPerTask, int testPerTask, String taskOrder,
            long seed, int inputDim, int tasks, String taskColumn, String labelColumn, List<String> featureColumns,
            List<String> hashColumns) {
        this(source, transform, trainPerTask, testPerTask, taskOrder, seed, inputDim, tasks, taskColumn, labelColumn,
                featureColumns, hashColumns, TableOptions.NONE);
    }

    /**
     * The column options of table sources ({@code csv:FILE}, {@code json:FILE}) beyond the feature and hash columns.
     *
     * @param multiValueColumns categorical columns holding several values split on {@code multiValueSeparator}, each
     *                          hashed as {@code column=value} (they are hash columns; naming them in
     *                          {@code hashColumns} too is allowed)
     * @param multiValueSeparator the separator of multi-valued cells (default {@code |})
     * @param labelThreshold    when not null the label column is numeric and the label is {@code value > threshold}
     *                          (1) or not (0)
     * @param timeColumns       date/time columns turned into cyclic numeric features ({@link TimeFeatures})
     */
    public record TableOptions(List<String> multiValueColumns, String multiValueSeparator, Double labelThreshold,
            List<String> timeColumns) {
        /** No multi-valued or time columns, no threshold. */
        public static final TableOptions NONE = new TableOptions(null, null, null, null);

        public TableOptions {
            multiValueColumns = multiValueColumns == null ? List.of() : List.copyOf(multiValueColumns);
            multiValueSeparator = multiValueSeparator == null ? "|" : multiValueSeparator;
            timeColumns = timeColumns == null ? List.of() : List.copyOf(timeColumns);
        }
    }

    /** A spec for a source with no transform, CSV options or hashing. */
    public static ScenarioSpec of(String source, int trainPerTask, int testPerTask, long seed) {
        return new ScenarioSpec(source, null, trainPerTask, testPerTask, "natural", seed, 0, 0, null, null, null, null);
    }
}
