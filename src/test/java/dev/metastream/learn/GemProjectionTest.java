package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** GEM projection properties over random cases (fixed seed), including conflicting ones. */
class GemProjectionTest {

    private static float[][] constraints(Random rnd, float[] g, int k, int n, int kind) {
        float[][] c = new float[k][];
        for (int j = 0; j < k; j++) {
            float[] r = GradCheck.gaussian(rnd, n, 0.1 + 5 * rnd.nextDouble());
            switch (kind) {
                case 1: // conflict: mostly opposite to g
                    for (int i = 0; i < n; i++) {
                        r[i] = -g[i] + 0.5f * r[i];
                    }
                    break;
                case 2: // duplicates and near-parallel rows (singular C C^T)
                    if (j > 0 && rnd.nextBoolean()) {
                        r = c[rnd.nextInt(j)].clone();
                        if (rnd.nextBoolean()) {
                            r[0] += 1e-4f;
                        }
                    }
                    break;
                case 3: // antiparallel pairs: the feasible set is a subspace
                    if (j % 2 == 1) {
                        r = c[j - 1].clone();
                        for (int i = 0; i < n; i++) {
                            r[i] = -r[i];
                        }
                    }
                    break;
                default: // independent random
            }
            c[j] = r;
        }
        return c;
    }

    private static boolean feasible(float[] g, float[][] c) {
        double gn = VecMath.norm(g);
        for (float[] r : c) {
            if (VecMath.dot(g, r) < -1e-6 * (gn * VecMath.norm(r) + 1)) {
                return false;
            }
        }
        return true;
    }

    /** Cyclic half-space projections from g (a cheap feasible point when it converges). */
    private static double[] sequential(float[] g, float[][] c) {
        double[] x = GradCheck.widen(g);
        for (int round = 0; round < 2000; round++) {
            boolean moved = false;
            for (float[] r : c) {
                double d = VecMath.dot(x, r);
                if (d < 0) {
                    double s = d / VecMath.dot(r, r);
                    for (int i = 0; i < x.length; i++) {
                        x[i] -= s * r[i];
                    }
                    moved = true;
                }
            }
            if (!moved) {
                break;
            }
        }
        return x;
    }

    private static double distance(double[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < b.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }

    @Test
    void propertyOverRandomCases() {
        Random rnd = new Random(77);
        int projected = 0;
        int comparedWithSequential = 0;
        for (int trial = 0; trial < 500; trial++) {
            int n = 3 + rnd.nextInt(80); // sometimes K > n
            int k = 1 + rnd.nextInt(10);
            float[] g = GradCheck.gaussian(rnd, n, 0.5 + 3 * rnd.nextDouble());
            float[][] c = constraints(rnd, g, k, n, trial % 4);
            float[] before = g.clone();
            boolean anyViolated = false;
            for (float[] r : c) {
                anyViolated |= VecMath.dot(before, r) < 0;
            }
            boolean changed = GemProjection.project(g, c);
            assertThat(changed).isEqualTo(anyViolated);
            assertThat(feasible(g, c)).as("trial %d feasible", trial).isTrue();
            if (!anyViolated) {
                assertThat(g).containsExactly(before);
                continue;
            }
            projected++;
            double dist = distance(GradCheck.widen(before), g);
            // g~ = 0 is always feasible, so the projection can be no farther than ||g||.
            assertThat(dist).isLessThanOrEqualTo(VecMath.norm(before) * (1 + 1e-5) + 1e-6);
            double[] seq = sequential(before, c);
            float[] seqF = new float[n];
            for (int i = 0; i < n; i++) {
                seqF[i] = (float) seq[i];
            }
            if (feasible(seqF, c)) {
                comparedWithSequential++;
                assertThat(dist).as("trial %d", trial)
                        .isLessThanOrEqualTo(distance(seq, before) * (1 + 1e-5) + 1e-6);
            }
            if (k == 1) {
                float[] agem = before.clone();
                AGemProjection.project(agem, c[0]);
                for (int i = 0; i < n; i++) {
                    assertThat(g[i]).isCloseTo(agem[i],
                            within(1e-5f * Math.max(1f, Math.abs(agem[i]))));
                }
            }
        }
        assertThat(projected).isGreaterThan(250);
        assertThat(comparedWithSequential).isGreaterThan(projected / 2);
    }

    @Test
    void knownTwoConstraintSolution() {
        // g = (-1, -1), constraints e1 and e2: closest point of the positive quadrant is 0.
        float[] g = {-1f, -1f, 3f};
        assertThat(GemProjection.project(g, new float[][] {{1, 0, 0}, {0, 1, 0}})).isTrue();
        assertThat(g).containsExactly(0f, 0f, 3f);
        // Only one active: g = (-1, 2), constraints e1 and (1,1): answer (0, 2).
        float[] h = {-1f, 2f};
        GemProjection.project(h, new float[][] {{1, 0}, {1, 1}});
        assertThat(h[0]).isCloseTo(0f, within(1e-7f));
        assertThat(h[1]).isCloseTo(2f, within(1e-7f));
    }

    @Test
    void noConstraintsOrZeroRowsAreNoOps() {
        float[] g = {1f, -1f};
        assertThat(GemProjection.project(g, new float[0][])).isFalse();
        assertThat(GemProjection.project(g, new float[][] {{0f, 0f}})).isFalse();
        assertThat(g).containsExactly(1f, -1f);
    }
}
