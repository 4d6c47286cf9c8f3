package dev.metastream.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class AccuracyMatrixTest {

    /**
     * Three tasks, worked by hand.
     *
     * <pre>
     *            task0 task1 task2
     * b          0.10  0.20  0.30
     * after 0    0.90  0.30  0.25
     * after 1    0.80  0.70  0.40
     * after 2    0.60  0.75  0.95
     * </pre>
     * ACC = (0.60 + 0.75 + 0.95) / 3 = 0.766667;
     * BWT = ((0.60 − 0.90) + (0.75 − 0.70)) / 2 = −0.125;
     * FWT = ((0.30 − 0.20) + (0.40 − 0.30)) / 2 = 0.10;
     * forgetting = (max(0.90, 0.80) − 0.60 + max(0.30, 0.70) − 0.75) / 2 = (0.30 − 0.05) / 2 = 0.125.
     */
    @Test
    void threeTasksByHand() {
        AccuracyMatrix m = new AccuracyMatrix(new double[] {0.10, 0.20, 0.30});
        m.recordRow(0, new double[] {0.90, 0.30, 0.25});
        m.recordRow(1, new double[] {0.80, 0.70, 0.40});
        m.recordRow(2, new double[] {0.60, 0.75, 0.95});
        assertThat(m.acc()).isCloseTo(2.30 / 3, within(1e-12));
        assertThat(m.bwt()).isCloseTo(-0.125, within(1e-12));
        assertThat(m.fwt()).isCloseTo(0.10, within(1e-12));
        assertThat(m.forgetting()).isCloseTo(0.125, within(1e-12));
        assertThat(m.forgettingPerTask()).containsExactly(new double[] {0.30, -0.05}, within(1e-12));
        assertThat(m.toArray()[1]).containsExactly(0.80, 0.70, 0.40);
    }

    @Test
    void oneTaskHasNoTransfer() {
        AccuracyMatrix m = new AccuracyMatrix(new double[] {0.5});
        m.recordRow(0, new double[] {0.9});
        assertThat(m.acc()).isEqualTo(0.9);
        assertThat(m.bwt()).isZero();
        assertThat(m.fwt()).isZero();
        assertThat(m.forgetting()).isZero();
    }

    @Test
    void rowsMustComeInOrderAndBeComplete() {
        AccuracyMatrix m = new AccuracyMatrix(new double[] {0.1, 0.1});
        assertThatThrownBy(() -> m.recordRow(1, new double[] {0, 0})).hasMessageContaining("task order");
        m.recordRow(0, new double[] {0.5, 0.2});
        assertThatThrownBy(m::acc).hasMessageContaining("record every task");
        assertThatThrownBy(() -> m.recordRow(1, new double[] {0.5})).hasMessageContaining("2 tasks");
    }
}
