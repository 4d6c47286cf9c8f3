package dev.metastream.baselines;

import dev.metastream.learn.Instance;
import java.util.HashMap;
import java.util.Map;

/**
 * The damped baseline predictor of recommendation, {@code r = mu + b_u + b_i}: the global mean rating plus a user
 * (task) bias and an item bias, each a mean of residuals shrunk towards 0 (Koren, "Factor in the neighbors: scalable
 * and accurate collaborative filtering", ACM TKDD 4(1), 2010, section 2.1):
 *
 * <pre>
 * b_i = sum_{u in R(i)} (r_ui - mu)       / (lambda_item + |R(i)|)      lambda_item = 25
 * b_u = sum_{i in R(u)} (r_ui - mu - b_i) / (lambda_user + |R(u)|)      lambda_user = 10
 * </pre>
 *
 * <p>The item bias comes first, as in the paper (the user bias is then the mean residual after it). One pass over
 * the stream: {@code mu} is the running mean; {@code b_i} is exact for the current {@code mu} (it keeps each item's
 * rating sum and count); the residual {@code r - mu - b_i} of each rating is added to its user's sum when the rating
 * is learned, with {@code mu} and {@code b_i} as they are just after learning it (the batch formula recomputes them
 * over all ratings; a stream cannot). The user is the example's task; the item is its item key (without one the
 * item bias is 0).
 */
public final class DampedBias implements Baseline {
    /** Koren's shrinkage of the item biases. */
    public static final double LAMBDA_ITEM = 25;
    /** Koren's shrinkage of the user biases. */
    public static final double LAMBDA_USER = 10;

    private final double lambdaItem;
    private final double lambdaUser;
    private final Map<String, double[]> items = new HashMap<>(); // {sum of r, count}
    private final Map<String, double[]> users = new HashMap<>(); // {sum of residuals, count}
    private double sum;
    private long n;

    /** Koren's shrinkage: 25 for items, 10 for users. */
    public DampedBias() {
        this(LAMBDA_ITEM, LAMBDA_USER);
    }

    /**
     * @param lambdaItem shrinkage of the item biases (ratings' worth of prior weight on 0), at least 0
     * @param lambdaUser shrinkage of the user biases, at least 0
     */
    public DampedBias(double lambdaItem, double lambdaUser) {
        if (!(lambdaItem >= 0) || !(lambdaUser >= 0)) {
            throw new IllegalArgumentException("shrinkage must be >= 0");
        }
        this.lambdaItem = lambdaItem;
        this.lambdaUser = lambdaUser;
    }

    @Override
    public String name() {
        return "bias";
    }

    @Override
    public float[] predictOne(Instance in, String item) {
        double mu = mu();
        double[] u = users.get(in.task());
        double bu = u == null ? 0 : u[0] / (lambdaUser + u[1]);
        return new float[] {(float) (mu + bu + itemBias(item, mu))};
    }

    @Override
    public void learnOne(Instance in, String item) {
        double r = in.target()[0];
        sum += r;
        n++;
        if (item != null) {
            double[] s = items.computeIfAbsent(item, k -> new double[2]);
            s[0] += r;
            s[1]++;
        }
        double mu = mu();
        double[] u = users.computeIfAbsent(in.task(), k -> new double[2]);
        u[0] += r - mu - itemBias(item, mu);
        u[1]++;
    }

    private double mu() {
        return n == 0 ? 0 : sum / n;
    }

    private double itemBias(String item, double mu) {
        double[] s = item == null ? null : items.get(item);
        return s == null ? 0 : (s[0] - s[1] * mu) / (lambdaItem + s[1]);
    }
}
