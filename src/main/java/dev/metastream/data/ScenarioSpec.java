package dev.metastream.data;

import java.util.List;

/**
 * What {@code bin/metastream evaluate} is asked to build: a source, an optional continual-learning transform and the
 * split sizes. {@link Scenarios#build} turns it into a {@link Scenario}.
 *
 * @param source         {@code idx:DIR}, {@code csv:FILE}, {@code jsonl:FILE}, or a generator: {@code hyperplane},
 *                       {@code sea}, {@code rbf}, {@code stagger}, {@code sinusoid} (generators may take
 *                       {@code :key=value,...} parameters)
 * @param transform      {@code permute:K}, {@code rotate:K}, {@code split:G}, or null for none
 * @param trainPerTask   training examples per task (0 = the source's natural size)
 * @param testPerTask    held-out test examples per task (0 = none)
 * @param taskOrder      {@code natural}, {@code random} (shuffled with the seed) or a comma-separated list of task ids
 * @param seed           seed of every random choice (permutations, sampling, generators)
 * @param inputDim       feature width for hashed sources (CSV hash columns, JSONL named features); 0 = from the data
 * @param tasks          number of tasks a generator makes (0 = its default)
 * @param taskColumn     CSV: column holding the task id (null = one task)
 * @param labelColumn    CSV: column holding the label
 * @param featureColumns CSV: numeric feature columns (empty = every column not otherwise named)
 * @param hashColumns    CSV: categorical columns hashed into {@code inputDim} slots
 */
public record ScenarioSpec(String source, String transform, int trainPerTask, int testPerTask, String taskOrder,
        long seed, int inputDim, int tasks, String taskColumn, String labelColumn, List<String> featureColumns,
        List<String> hashColumns) {

    public ScenarioSpec {
        featureColumns = featureColumns == null ? List.of() : List.copyOf(featureColumns);
        hashColumns = hashColumns == null ? List.of() : List.copyOf(hashColumns);
        taskOrder = taskOrder == null ? "natural" : taskOrder;
    }

    /** A spec for a source with no transform, CSV options or hashing. */
    public static ScenarioSpec of(String source, int trainPerTask, int testPerTask, long seed) {
        return new ScenarioSpec(source, null, trainPerTask, testPerTask, "natural", seed, 0, 0, null, null, null, null);
    }
}
