package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The small dense helpers against their one-loop definitions. */
class VecMathTest {

    @Test
    void aSumOfSquaresIsTheOneLoopSumUpToItsOrderOfAdditions() {
        Random r = new Random(4);
        for (int length : new int[] {0, 1, 3, 4, 5, 64, 174, 1750, 6411}) {
            float[] a = new float[length + 7];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (r.nextGaussian() * Math.exp(4 * r.nextGaussian()));
            }
            for (int from : new int[] {0, 3}) {
                int to = from + length;
                double sequential = 0;
                for (int i = from; i < to; i++) {
                    sequential += (double) a[i] * a[i];
                }
                double sum = VecMath.sumOfSquares(a, from, to);
                assertThat(sum).as("length %d from %d", length, from).isCloseTo(sequential,
                        within(1e-15 * sequential));
                assertThat((float) sum).isEqualTo((float) sequential);
            }
        }
        // Exact where every partial sum is: small integers.
        assertThat(VecMath.sumOfSquares(new float[] {1, 2, 3, 4, 5, 6, 7}, 0, 7)).isEqualTo(140);
        assertThat(VecMath.sumOfSquares(new float[] {1, 2, 3, 4, 5, 6, 7}, 2, 5)).isEqualTo(50);
        assertThat(VecMath.sumOfSquares(new float[] {Float.NaN, 1}, 0, 2)).isNaN();
        assertThat(VecMath.sumOfSquares(new float[] {Float.MAX_VALUE, Float.MAX_VALUE}, 0, 2)).isFinite();
    }
}
