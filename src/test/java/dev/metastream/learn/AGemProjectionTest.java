package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** A-GEM projection properties over random cases (fixed seed). */
class AGemProjectionTest {

    @Test
    void propertyOverRandomPairs() {
        Random rnd = new Random(2024);
        int projected = 0;
        for (int trial = 0; trial < 1000; trial++) {
            int n = 5 + rnd.nextInt(496);
            float[] g = GradCheck.gaussian(rnd, n, 1 + rnd.nextInt(10));
            float[] ref = GradCheck.gaussian(rnd, n, 1 + rnd.nextInt(10));
            if (trial % 3 == 0) {
                // Force a strong conflict in a third of the cases.
                for (int i = 0; i < n; i++) {
                    ref[i] = -g[i] + 0.3f * ref[i];
                }
            }
            float[] before = g.clone();
            double d0 = VecMath.dot(g, ref);
            boolean changed = AGemProjection.project(g, ref);
            assertThat(changed).isEqualTo(d0 < 0);
            if (d0 >= 0) {
                assertThat(g).containsExactly(before); // bit for bit
            } else {
                projected++;
                assertThat(VecMath.dot(g, ref)).isGreaterThanOrEqualTo(-1e-6);
                // And it is the actual projection: g' = g - (g.r / r.r) r, up to float rounding.
                double c = d0 / VecMath.dot(ref, ref);
                for (int i = 0; i < n; i += 7) {
                    assertThat((double) g[i]).isCloseTo(before[i] - c * ref[i],
                            org.assertj.core.api.Assertions.within(1e-4 * (1 + Math.abs(before[i]))));
                }
            }
        }
        assertThat(projected).isBetween(300, 900);
    }

    @Test
    void zeroOrEmptyReferenceIsNoOp() {
        float[] g = {1f, -2f};
        assertThat(AGemProjection.project(g, new float[] {0f, 0f})).isFalse();
        assertThat(AGemProjection.project(g, new float[0])).isFalse();
        assertThat(g).containsExactly(1f, -2f);
    }
}
