package dev.metastream.meta;

/**
 * Bayesian linear regression learned one example at a time (recursive least squares as a Kalman filter on static
 * weights): a Gaussian posterior {@code N(mean, cov)} over the weights of {@code y = phi . w + b + noise}, updated in
 * closed form by each example. With a prior meta-learned across tasks (its mean and covariance, see
 * {@code learn.BayesianPrior}), a new task's head is as good after a few examples as the prior allows: the ALPaCA
 * recipe (Harrison, Sharma and Pavone, "Meta-Learning Priors for Efficient Online Bayesian Regression", 2018), here
 * with the prior learned by expectation-maximisation instead of back-propagation. The predictive variance comes for
 * free: {@code noise + phi' cov phi}.
 *
 * <p>Layout, the same as a one-output {@code Head}: the weights of the {@code n} features, then the bias; the bias is
 * the weight of an implicit last feature equal to 1, so {@code cov} is {@code (n + 1) x (n + 1)}, row-major. The
 * arithmetic is done in doubles and the covariance kept symmetric, so a long stream of float updates stays positive
 * definite.
 *
 * <pre>{@code
 * float[] mean = new float[n + 1];
 * float[] cov = BayesianLinearRegression.isotropic(n + 1, 1.0);
 * double innovation = BayesianLinearRegression.learn(mean, cov, phi, y, noise);
 * double variance = noise + BayesianLinearRegression.parameterVariance(cov, phi);
 * }</pre>
 */
public final class BayesianLinearRegression {
    private BayesianLinearRegression() {
    }

    /** A {@code d x d} covariance {@code variance * I}. */
    public static float[] isotropic(int d, double variance) {
        float[] c = new float[d * d];
        for (int i = 0; i < d; i++) {
            c[i * d + i] = (float) variance;
        }
        return c;
    }

    /** The posterior mean's prediction {@code phi . w + b}. */
    public static double predict(float[] mean, float[] phi) {
        int n = phi.length;
        double z = mean[n];
        for (int i = 0; i < n; i++) {
            z += (double) mean[i] * phi[i];
        }
        return z;
    }

    /**
     * The variance of the prediction due to the weights' uncertainty, {@code [phi 1]' cov [phi 1]} (the predictive
     * variance less the noise).
     */
    public static double parameterVariance(float[] cov, float[] phi) {
        int d = phi.length + 1;
        double s = 0;
        for (int i = 0; i < d; i++) {
            double pi = i < phi.length ? phi[i] : 1.0;
            if (pi == 0) {
                continue;
            }
            int row = i * d;
            double r = 0;
            for (int j = 0; j < d; j++) {
                double pj = j < phi.length ? phi[j] : 1.0;
                r += cov[row + j] * pj;
            }
            s += pi * r;
        }
        return s;
    }

    /**
     * Conditions the posterior on one example {@code (phi, y)} with observation noise variance {@code noise}:
     * {@code k = cov phi / (noise + phi' cov phi)}, {@code mean += k (y - phi . mean)}, {@code cov -= k phi' cov}.
     *
     * @return the innovation {@code y - phi . mean} before the update (its expected square is
     *         {@code noise + phi' cov phi})
     */
    public static double learn(float[] mean, float[] cov, float[] phi, double y, double noise) {
        int d = phi.length + 1;
        double[] cp = new double[d];
        double s = noise;
        for (int i = 0; i < d; i++) {
            int row = i * d;
            double r = 0;
            for (int j = 0; j < phi.length; j++) {
                r += cov[row + j] * phi[j];
            }
            r += cov[row + d - 1];
            cp[i] = r;
            s += (i < phi.length ? phi[i] : 1.0) * r;
        }
        double innovation = y - predict(mean, phi);
        if (!(s > 0) || !Double.isFinite(innovation)) {
            return innovation;
        }
        double gain = innovation / s;
        for (int i = 0; i < d; i++) {
            mean[i] = (float) (mean[i] + cp[i] * gain);
        }
        // cov -= cp cp' / s, written symmetrically so rounding cannot make it drift from symmetric.
        for (int i = 0; i < d; i++) {
            int row = i * d;
            double ci = cp[i] / s;
            for (int j = i; j < d; j++) {
                float v = (float) (cov[row + j] - ci * cp[j]);
                cov[row + j] = v;
                cov[j * d + i] = v;
            }
            if (cov[row + i] < MIN_VARIANCE) {
                cov[row + i] = MIN_VARIANCE;
            }
        }
        return innovation;
    }

    /** The smallest variance a weight keeps, so float rounding cannot make the covariance singular or negative. */
    static final float MIN_VARIANCE = 1e-9f;
}
