package dev.metastream.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Regression errors and the coefficient of determination, in constant memory.
 *
 * <p>With {@code n} examples, targets {@code y_i}, predictions {@code ŷ_i} and {@code ȳ} the mean target:
 * {@code MSE = (1/n) Σ (y_i − ŷ_i)²}, {@code RMSE = √MSE}, {@code MAE = (1/n) Σ |y_i − ŷ_i|} and
 * {@code R² = 1 − SSE / SST} with {@code SSE = Σ (y_i − ŷ_i)²} and {@code SST = Σ (y_i − ȳ)²}. SST is kept with
 * Welford's update (Welford 1962; {@code δ = y − ȳ_old}, {@code ȳ += δ/n}, {@code SST += δ (y − ȳ_new)}), which
 * stays accurate when the targets' mean is large next to their spread.
 *
 * <p>Degenerate cases: every value is 0 with no example; when every target is equal ({@code SST = 0}), R² is 1 if
 * every prediction is exact ({@code SSE = 0}) and 0 otherwise (scikit-learn's {@code force_finite=True}). R² can be
 * negative: a model worse than predicting the mean. Not thread-safe.
 *
 * <pre>{@code
 * RegressionMetrics r = new RegressionMetrics();
 * r.update(y, yHat);                       // per example
 * double rmse = r.rmse(), r2 = r.r2();
 * }</pre>
 */
public final class RegressionMetrics implements StreamingMetric {
    private long n;
    private double sse;
    private double sae;
    private double mean;
    private double sst;

    /**
     * Adds one example.
     *
     * @param y    the true value, finite
     * @param yHat the prediction, finite
     */
    public void update(double y, double yHat) {
        if (!Double.isFinite(y) || !Double.isFinite(yHat)) {
            throw new IllegalArgumentException("target and prediction must be finite, got " + y + ", " + yHat);
        }
        double e = y - yHat;
        n++;
        sse += e * e;
        sae += Math.abs(e);
        double delta = y - mean;
        mean += delta / n;
        sst += delta * (y - mean);
    }

    @Override
    public long count() {
        return n;
    }

    /** @return mean squared error */
    public double mse() {
        return ConfusionMatrix.ratio(sse, n);
    }

    /** @return root mean squared error */
    public double rmse() {
        return Math.sqrt(mse());
    }

    /** @return mean absolute error */
    public double mae() {
        return ConfusionMatrix.ratio(sae, n);
    }

    /** @return {@code 1 − SSE/SST}; 1 or 0 when the targets do not vary (see the class documentation) */
    public double r2() {
        return r2(sse, sst);
    }

    /** {@code 1 − sse/sst}, with the convention for {@code sst = 0}. */
    static double r2(double sse, double sst) {
        if (sst > 0) {
            return 1 - sse / sst;
        }
        return sse == 0 ? 1 : 0;
    }

    /** @return the mean target ȳ */
    public double meanTarget() {
        return mean;
    }

    /** Forgets every example. */
    public void reset() {
        n = 0;
        sse = 0;
        sae = 0;
        mean = 0;
        sst = 0;
    }

    /** {@code mse, rmse, mae, r2}. */
    @Override
    public Map<String, Double> values() {
        Map<String, Double> m = new LinkedHashMap<>();
        if (n > 0) {
            m.put("mse", mse());
            m.put("rmse", rmse());
            m.put("mae", mae());
            m.put("r2", r2());
        }
        return Collections.unmodifiableMap(m);
    }

    void restore(long count, double sse, double sae, double mean, double sst) {
        this.n = count;
        this.sse = sse;
        this.sae = sae;
        this.mean = mean;
        this.sst = sst;
    }

    double sse() {
        return sse;
    }

    double sae() {
        return sae;
    }

    double sst() {
        return sst;
    }

    @Override
    public String toString() {
        return "RegressionMetrics{n=" + n + ", " + values() + "}";
    }
}
