package dev.metastream.shift;

/**
 * Special functions and the distribution functions the shift tests need: the log-gamma function,
 * the regularized incomplete gamma and beta functions, the chi-square and Kolmogorov
 * distributions and the chi-square quantile.
 *
 * <p>References: W. H. Press et al., <i>Numerical Recipes</i>, 3rd ed., §6.1 (Lanczos log-gamma),
 * §6.2 (incomplete gamma: series for {@code x < a + 1}, Lentz continued fraction otherwise), §6.4
 * (incomplete beta, continued fraction), §6.14 (Kolmogorov-Smirnov distribution); A. N. Kolmogorov
 * (1933) for the limiting distribution of {@code sqrt(n)·D}.
 *
 * <pre>{@code
 * double p = Distributions.chiSquareSurvival(3.84, 1);   // ≈ 0.05
 * double q = Distributions.chiSquareQuantile(0.95, 10);  // ≈ 18.307
 * double k = Distributions.kolmogorovSurvival(1.36);     // ≈ 0.0495
 * }</pre>
 *
 * <p>Accuracy is about 1e-12 relative over the ranges the monitor uses (degrees of freedom up to a
 * few thousand); quantiles are found by bisection on the distribution function, so they are as
 * accurate as it.
 */
public final class Distributions {

    private static final double EPS = 1e-15;
    private static final double TINY = 1e-300;
    private static final int MAX_ITERATIONS = 10_000;

    // Lanczos approximation, g = 7, nine coefficients (P. Godfrey's published set).
    private static final double LANCZOS_G = 7.0;
    private static final double[] LANCZOS = {
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
        -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
        1.5056327351493116e-7
    };

    private Distributions() {}

    /**
     * Natural logarithm of the gamma function.
     *
     * @param x argument, {@code > 0}
     * @return {@code ln Γ(x)}
     */
    public static double logGamma(double x) {
        if (!(x > 0)) {
            throw new IllegalArgumentException("logGamma needs x > 0, got " + x);
        }
        if (x < 0.5) {
            // Reflection keeps the approximation in its accurate range: Γ(x)Γ(1-x) = π / sin(πx).
            return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
        }
        double z = x - 1;
        double a = LANCZOS[0];
        double t = z + LANCZOS_G + 0.5;
        for (int i = 1; i < LANCZOS.length; i++) {
            a += LANCZOS[i] / (z + i);
        }
        return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
    }

    /**
     * Regularized lower incomplete gamma function {@code P(a, x) = γ(a, x) / Γ(a)}.
     *
     * @param a shape, {@code > 0}
     * @param x argument, {@code >= 0}
     * @return {@code P(a, x)} in [0, 1]
     */
    public static double regularizedGammaP(double a, double x) {
        checkGammaArgs(a, x);
        if (x == 0) {
            return 0;
        }
        if (x == Double.POSITIVE_INFINITY) {
            return 1;
        }
        return x < a + 1 ? gammaSeries(a, x) : 1 - gammaContinuedFraction(a, x);
    }

    /**
     * Regularized upper incomplete gamma function {@code Q(a, x) = 1 - P(a, x)}, computed directly
     * in the upper tail so that small values keep their relative accuracy.
     *
     * @param a shape, {@code > 0}
     * @param x argument, {@code >= 0}
     * @return {@code Q(a, x)} in [0, 1]
     */
    public static double regularizedGammaQ(double a, double x) {
        checkGammaArgs(a, x);
        if (x == 0) {
            return 1;
        }
        if (x == Double.POSITIVE_INFINITY) {
            return 0;
        }
        return x < a + 1 ? 1 - gammaSeries(a, x) : gammaContinuedFraction(a, x);
    }

    private static void checkGammaArgs(double a, double x) {
        if (!(a > 0) || !(x >= 0)) {
            throw new IllegalArgumentException("incomplete gamma needs a > 0 and x >= 0, got a=" + a + ", x=" + x);
        }
    }

    /** P(a, x) by its power series; converges quickly for x < a + 1. */
    private static double gammaSeries(double a, double x) {
        double ap = a;
        double term = 1.0 / a;
        double sum = term;
        for (int n = 0; n < MAX_ITERATIONS; n++) {
            ap += 1;
            term *= x / ap;
            sum += term;
            if (Math.abs(term) < Math.abs(sum) * EPS) {
                break;
            }
        }
        return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
    }

    /** Q(a, x) by its continued fraction (modified Lentz); converges quickly for x >= a + 1. */
    private static double gammaContinuedFraction(double a, double x) {
        double b = x + 1 - a;
        double c = 1 / TINY;
        double d = 1 / b;
        double h = d;
        for (int i = 1; i < MAX_ITERATIONS; i++) {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            if (Math.abs(d) < TINY) {
                d = TINY;
            }
            c = b + an / c;
            if (Math.abs(c) < TINY) {
                c = TINY;
            }
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.abs(delta - 1) < EPS) {
                break;
            }
        }
        return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
    }

    /**
     * Regularized incomplete beta function {@code I_x(a, b)}.
     *
     * @param x argument in [0, 1]
     * @param a first shape, {@code > 0}
     * @param b second shape, {@code > 0}
     * @return {@code I_x(a, b)} in [0, 1]
     */
    public static double regularizedBeta(double x, double a, double b) {
        if (!(a > 0) || !(b > 0) || !(x >= 0 && x <= 1)) {
            throw new IllegalArgumentException(
                    "incomplete beta needs a, b > 0 and x in [0, 1], got x=" + x + ", a=" + a + ", b=" + b);
        }
        if (x == 0 || x == 1) {
            return x;
        }
        double lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
        // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use symmetry otherwise.
        if (x < (a + 1) / (a + b + 2)) {
            return Math.exp(lnFront) * betaContinuedFraction(x, a, b) / a;
        }
        return 1 - Math.exp(lnFront) * betaContinuedFraction(1 - x, b, a) / b;
    }

    private static double betaContinuedFraction(double x, double a, double b) {
        double qab = a + b;
        double qap = a + 1;
        double qam = a - 1;
        double c = 1;
        double d = 1 - qab * x / qap;
        if (Math.abs(d) < TINY) {
            d = TINY;
        }
        d = 1 / d;
        double h = d;
        for (int m = 1; m < MAX_ITERATIONS; m++) {
            int m2 = 2 * m;
            double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + aa * d;
            if (Math.abs(d) < TINY) {
                d = TINY;
            }
            c = 1 + aa / c;
            if (Math.abs(c) < TINY) {
                c = TINY;
            }
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + aa * d;
            if (Math.abs(d) < TINY) {
                d = TINY;
            }
            c = 1 + aa / c;
            if (Math.abs(c) < TINY) {
                c = TINY;
            }
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.abs(delta - 1) < EPS) {
                break;
            }
        }
        return h;
    }

    /**
     * Chi-square distribution function.
     *
     * @param x value, {@code >= 0}
     * @param dof degrees of freedom, {@code > 0}
     * @return {@code P(X <= x)}
     */
    public static double chiSquareCdf(double x, double dof) {
        return x <= 0 ? 0 : regularizedGammaP(dof / 2, x / 2);
    }

    /**
     * Chi-square survival function (the p-value of a chi-square statistic).
     *
     * @param x value
     * @param dof degrees of freedom, {@code > 0}
     * @return {@code P(X > x)}
     */
    public static double chiSquareSurvival(double x, double dof) {
        return x <= 0 ? 1 : regularizedGammaQ(dof / 2, x / 2);
    }

    /**
     * Chi-square quantile (inverse distribution function).
     *
     * @param p probability in (0, 1)
     * @param dof degrees of freedom, {@code > 0}
     * @return {@code x} with {@code P(X <= x) = p}
     */
    public static double chiSquareQuantile(double p, double dof) {
        checkProbability(p);
        if (!(dof > 0)) {
            throw new IllegalArgumentException("chi-square needs dof > 0, got " + dof);
        }
        // Bisection on the survival function: robust, and exact enough after ~200 halvings.
        double q = 1 - p;
        double hi = Math.max(1, dof);
        while (chiSquareSurvival(hi, dof) > q) {
            hi *= 2;
        }
        return bisect(x -> chiSquareSurvival(x, dof) > q, 0, hi);
    }

    /**
     * Survival function of the Kolmogorov distribution, the limit of {@code sqrt(n)·D_n}:
     * {@code Q(λ) = 2 Σ_{k>=1} (-1)^(k-1) exp(-2k²λ²)}; for small {@code λ} the equivalent theta
     * series {@code 1 - sqrt(2π)/λ Σ exp(-(2k-1)²π²/(8λ²))} converges faster.
     *
     * @param lambda the scaled statistic
     * @return {@code P(K > λ)} in [0, 1]
     */
    public static double kolmogorovSurvival(double lambda) {
        if (!(lambda > 0)) {
            return 1;
        }
        if (lambda < 1.18) {
            double y = -Math.PI * Math.PI / (8 * lambda * lambda);
            double sum = 0;
            for (int k = 1; k <= 20; k++) {
                int odd = 2 * k - 1;
                double term = Math.exp(odd * odd * y);
                sum += term;
                if (term < 1e-17 * sum) {
                    break;
                }
            }
            return clamp01(1 - Math.sqrt(2 * Math.PI) / lambda * sum);
        }
        double sum = 0;
        for (int k = 1; k <= 100; k++) {
            double term = Math.exp(-2.0 * k * k * lambda * lambda);
            sum += (k % 2 == 1) ? term : -term;
            if (term < 1e-17) {
                break;
            }
        }
        return clamp01(2 * sum);
    }

    /**
     * The standard normal distribution function, via {@code erf(z/√2) = P(1/2, z²/2)}.
     *
     * @param z value
     * @return {@code Φ(z)}
     */
    public static double normalCdf(double z) {
        if (Double.isNaN(z)) {
            return z;
        }
        double half = 0.5 * regularizedGammaQ(0.5, z * z / 2); // = P(|Z| > |z|) / 2
        return z < 0 ? half : 1 - half;
    }

    private interface Predicate {
        boolean below(double x);
    }

    /** The boundary in [lo, hi] where {@code below} turns false, to double precision. */
    private static double bisect(Predicate below, double lo, double hi) {
        for (int i = 0; i < 200 && hi - lo > Math.ulp(hi); i++) {
            double mid = 0.5 * (lo + hi);
            if (below.below(mid)) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return 0.5 * (lo + hi);
    }

    private static void checkProbability(double p) {
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("probability must be in (0, 1), got " + p);
        }
    }

    static double clamp01(double v) {
        return v < 0 ? 0 : (v > 1 ? 1 : v);
    }
}
