package dev.metastream.eval;

import java.util.Arrays;

/**
 * The continual-learning accuracy matrix and the figures read off it, as defined by Lopez-Paz and Ranzato, "Gradient
 * Episodic Memory for Continual Learning" (NeurIPS 2017), section 2.
 *
 * <p>With T tasks trained in order, {@code R[i][j]} is the test accuracy on task j after training on tasks 0..i, and
 * {@code b[j]} the test accuracy on task j of the model before any training (random initialisation):
 *
 * <ul>
 *   <li>{@code ACC = (1/T) Σ_j R[T-1][j]}: final average accuracy;
 *   <li>{@code BWT = (1/(T-1)) Σ_{j<T-1} (R[T-1][j] − R[j][j])}: backward transfer (negative = forgetting);
 *   <li>{@code FWT = (1/(T-1)) Σ_{j>0} (R[j-1][j] − b[j])}: forward transfer (accuracy on a task before it is
 *       trained, above the untrained model);
 *   <li>{@code forgetting = (1/(T-1)) Σ_{j<T-1} max_{i<T-1} (R[i][j] − R[T-1][j])}: the largest drop of each earlier
 *       task from its best accuracy to its final one (Chaudhry et al., "Riemannian Walk", ECCV 2018).
 * </ul>
 *
 * <p>BWT, FWT and forgetting are 0 when T = 1. Rows are filled in order with {@link #recordRow}.
 *
 * <pre>{@code
 * AccuracyMatrix r = new AccuracyMatrix(baseline);   // b[j] for each task
 * for (int i = 0; i < T; i++) { train(task i); r.recordRow(i, testAccuracyOfEveryTask()); }
 * double acc = r.acc(), bwt = r.bwt();
 * }</pre>
 */
public final class AccuracyMatrix {
    private final double[] baseline;
    private final double[][] r;
    private int rows;

    /** @param baseline {@code b[j]}, the untrained model's test accuracy on each of the T tasks */
    public AccuracyMatrix(double[] baseline) {
        if (baseline.length == 0) {
            throw new IllegalArgumentException("an accuracy matrix needs at least one task");
        }
        this.baseline = baseline.clone();
        this.r = new double[baseline.length][];
    }

    /** Number of tasks T. */
    public int tasks() {
        return baseline.length;
    }

    /** Rows recorded so far. */
    public int rows() {
        return rows;
    }

    /** Records {@code R[i][·]}, the test accuracy on every task after training task i; rows come in order. */
    public void recordRow(int i, double[] accuracies) {
        if (i != rows) {
            throw new IllegalStateException("row " + i + " recorded after " + rows + " rows: rows come in task order");
        }
        if (accuracies.length != baseline.length) {
            throw new IllegalArgumentException("row has " + accuracies.length + " accuracies for " + baseline.length
                    + " tasks");
        }
        r[i] = accuracies.clone();
        rows++;
    }

    /** {@code R[i][j]}. */
    public double get(int i, int j) {
        return r[i][j];
    }

    /** {@code b[j]}. */
    public double baseline(int j) {
        return baseline[j];
    }

    /** A copy of the recorded rows. */
    public double[][] toArray() {
        double[][] copy = new double[rows][];
        for (int i = 0; i < rows; i++) {
            copy[i] = r[i].clone();
        }
        return copy;
    }

    /** ACC: mean final accuracy over all tasks. */
    public double acc() {
        double[] last = lastRow();
        return Arrays.stream(last).average().orElse(0);
    }

    /** BWT: mean change of each earlier task from just after it was trained to the end. */
    public double bwt() {
        int t = complete();
        if (t < 2) {
            return 0;
        }
        double s = 0;
        for (int j = 0; j < t - 1; j++) {
            s += r[t - 1][j] - r[j][j];
        }
        return s / (t - 1);
    }

    /** FWT: mean accuracy on each later task just before it was trained, above the untrained model's. */
    public double fwt() {
        int t = complete();
        if (t < 2) {
            return 0;
        }
        double s = 0;
        for (int j = 1; j < t; j++) {
            s += r[j - 1][j] - baseline[j];
        }
        return s / (t - 1);
    }

    /** Forgetting: mean over earlier tasks of the largest drop from any earlier row to the final one. */
    public double forgetting() {
        double[] f = forgettingPerTask();
        return f.length == 0 ? 0 : Arrays.stream(f).average().orElse(0);
    }

    /** Forgetting of each task but the last: {@code max_{i<T-1} R[i][j] − R[T-1][j]}. */
    public double[] forgettingPerTask() {
        int t = complete();
        double[] f = new double[Math.max(0, t - 1)];
        for (int j = 0; j < t - 1; j++) {
            double best = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < t - 1; i++) {
                best = Math.max(best, r[i][j]);
            }
            f[j] = best - r[t - 1][j];
        }
        return f;
    }

    private double[] lastRow() {
        return r[complete() - 1];
    }

    private int complete() {
        if (rows != baseline.length) {
            throw new IllegalStateException("the matrix has " + rows + " of " + baseline.length
                    + " rows: record every task before reading ACC/BWT/FWT");
        }
        return rows;
    }
}
