package dev.metastream.evaluation;

import java.util.Arrays;

/**
 * ACC, BWT, FWT and forgetting from the entries of the accuracy matrix R that the protocol measures beyond
 * {@link Protocol#FULL_MATRIX_TASKS} tasks: the untrained row {@code b}, the diagonal {@code R[j][j]}, the entries
 * {@code R[j-1][j]} just before each task is trained, and a few whole rows, the last one included
 * ({@link Protocol#fullRow}).
 *
 * <p>ACC, BWT and FWT read only those entries, so they are the figures of {@code eval.AccuracyMatrix}, with the same
 * formulas and the same summation order. Forgetting, {@code max_{i<T-1} R[i][j] - R[T-1][j]}, needs a whole column;
 * here the maximum runs over the rows measured for column j ({@code R[j-1][j]}, {@code R[j][j]} and the whole rows
 * before the last), so it is a lower bound of the figure over every row.
 */
final class SampledMatrix {
    private final double[] baseline;
    private final double[] diagonal;
    private final double[] before;
    private final double[][] rows;

    /**
     * @param baseline {@code b[j]}
     * @param diagonal {@code R[j][j]}
     * @param before   {@code R[j-1][j]} ({@code before[0]} is not read)
     * @param rows     the whole rows measured, in task order, the last one {@code R[T-1]}
     * @param rowTasks the task each of {@code rows} follows
     */
    SampledMatrix(double[] baseline, double[] diagonal, double[] before, double[][] rows, int[] rowTasks) {
        int t = baseline.length;
        if (rows.length == 0 || rowTasks[rowTasks.length - 1] != t - 1) {
            throw new IllegalArgumentException("a sampled matrix needs the last row R[T-1]");
        }
        this.baseline = baseline;
        this.diagonal = diagonal;
        this.before = before;
        this.rows = rows;
    }

    /** ACC: mean final figure over all tasks. */
    double acc() {
        return Arrays.stream(last()).average().orElse(0);
    }

    /** BWT: mean change of each earlier task from just after it was trained to the end. */
    double bwt() {
        int t = baseline.length;
        if (t < 2) {
            return 0;
        }
        double[] last = last();
        double s = 0;
        for (int j = 0; j < t - 1; j++) {
            s += last[j] - diagonal[j];
        }
        return s / (t - 1);
    }

    /** FWT: mean figure on each later task just before it was trained, above the untrained model's. */
    double fwt() {
        int t = baseline.length;
        if (t < 2) {
            return 0;
        }
        double s = 0;
        for (int j = 1; j < t; j++) {
            s += before[j] - baseline[j];
        }
        return s / (t - 1);
    }

    /** Mean of {@link #forgettingPerTask}, 0 with one task. */
    double forgetting() {
        double[] f = forgettingPerTask();
        return f.length == 0 ? 0 : Arrays.stream(f).average().orElse(0);
    }

    /** Per task but the last: the best measured figure before the last row, minus the final one. */
    double[] forgettingPerTask() {
        int t = baseline.length;
        double[] last = last();
        double[] f = new double[Math.max(0, t - 1)];
        for (int j = 0; j < t - 1; j++) {
            double best = diagonal[j];
            if (j > 0) {
                best = Math.max(best, before[j]);
            }
            for (int r = 0; r < rows.length - 1; r++) {
                best = Math.max(best, rows[r][j]);
            }
            f[j] = best - last[j];
        }
        return f;
    }

    private double[] last() {
        return rows[rows.length - 1];
    }
}
