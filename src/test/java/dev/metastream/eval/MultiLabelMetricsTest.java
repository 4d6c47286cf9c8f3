package dev.metastream.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class MultiLabelMetricsTest extends StreamingMetricContract<MultiLabelMetrics> {
    private static final double TOL = 1e-12;

    @Override
    protected MultiLabelMetrics create() {
        return new MultiLabelMetrics(3);
    }

    @Override
    protected void feed(MultiLabelMetrics m, Random r) {
        int[] y = new int[3];
        int[] h = new int[3];
        for (int j = 0; j < 3; j++) {
            y[j] = r.nextInt(2);
            h[j] = r.nextDouble() < 0.7 ? y[j] : 1 - y[j];
        }
        m.update(y, h);
    }

    /**
     * <pre>
     *        y        ŷ        |Y∩Ŷ| |Y∪Ŷ|  J     wrong
     *   1  (1,0,1)  (1,1,0)     1     3    1/3    2
     *   2  (0,1,0)  (0,1,0)     1     1    1      0   exact
     *   3  (0,0,0)  (0,0,0)     0     0    1 (0/0) 0   exact
     *   4  (1,1,0)  (0,1,0)     1     2    1/2    1
     * Hamming = 3/(4·3) = 1/4; Jaccard = (1/3 + 1 + 1 + 1/2)/4 = 17/24; subset accuracy = 2/4
     * label 0: tp 1 fp 0 fn 1 → F1 2/3;  label 1: tp 2 fp 1 fn 0 → F1 4/5;  label 2: tp 0 fp 0 fn 1 → F1 0
     * micro F1 = 2·3/(2·3 + 1 + 2) = 2/3;  macro F1 = (2/3 + 4/5 + 0)/3 = 22/45
     * </pre>
     * A fourth label that is never true nor predicted changes only the Hamming loss (3/16).
     */
    @Test
    void byHand() {
        for (int labels : new int[] {3, 4}) {
            MultiLabelMetrics m = new MultiLabelMetrics(labels);
            int[][] y = {{1, 0, 1, 0}, {0, 1, 0, 0}, {0, 0, 0, 0}, {1, 1, 0, 0}};
            int[][] h = {{1, 1, 0, 0}, {0, 1, 0, 0}, {0, 0, 0, 0}, {0, 1, 0, 0}};
            for (int i = 0; i < 4; i++) {
                m.update(java.util.Arrays.copyOf(y[i], labels), java.util.Arrays.copyOf(h[i], labels));
            }
            assertThat(m.hammingLoss()).isCloseTo(3.0 / (4 * labels), within(TOL));
            assertThat(m.jaccard()).isCloseTo(17.0 / 24, within(TOL));
            assertThat(m.subsetAccuracy()).isCloseTo(0.5, within(TOL));
            assertThat(m.f1(1)).isCloseTo(0.8, within(TOL));
            assertThat(m.microF1()).isCloseTo(2.0 / 3, within(TOL));
            assertThat(m.macroF1()).isCloseTo(22.0 / 45, within(TOL));
        }
    }

    @Test
    void degenerateCasesAndRemove() {
        MultiLabelMetrics m = new MultiLabelMetrics(2);
        m.update(new int[] {0, 0}, new int[] {0, 0});
        assertThat(m.jaccard()).isEqualTo(1.0); // both sets empty
        assertThat(m.microF1()).isZero();       // no label ever true nor predicted: 0/0 → 0
        assertThat(m.macroF1()).isZero();
        m.update(new int[] {1, 0}, new int[] {0, 1});
        m.remove(new int[] {1, 0}, new int[] {0, 1});
        MultiLabelMetrics once = new MultiLabelMetrics(2);
        once.update(new int[] {0, 0}, new int[] {0, 0});
        assertThat(m.values()).isEqualTo(once.values());
        assertThatThrownBy(() -> m.update(new int[] {2, 0}, new int[] {0, 0}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> m.update(new int[] {1}, new int[] {0, 0})).isInstanceOf(IllegalArgumentException.class);
    }
}
