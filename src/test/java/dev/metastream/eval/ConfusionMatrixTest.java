package dev.metastream.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ConfusionMatrixTest extends StreamingMetricContract<ConfusionMatrix> {
    private static final double TOL = 1e-12;

    @Override
    protected ConfusionMatrix create() {
        return new ConfusionMatrix(4);
    }

    @Override
    protected void feed(ConfusionMatrix m, Random r) {
        int y = r.nextInt(4);
        m.update(y, r.nextDouble() < 0.6 ? y : r.nextInt(4));
    }

    /**
     * (y, ŷ) = (0,0) (0,0) (0,1) (1,1) (1,2) (2,2) (2,2) (2,1); n = 8.
     * <pre>
     *   tp   = (2, 1, 2)      pred = (2, 3, 3)     true = (3, 2, 3)
     *   accuracy = 5/8
     *   precision = (2/2, 1/3, 2/3)   → macro (1 + 1/3 + 2/3)/3 = 2/3
     *   recall    = (2/3, 1/2, 2/3)   → macro (2/3 + 1/2 + 2/3)/3 = 11/18
     *   F1 = 2tp/(pred+true) = (4/5, 2/5, 4/6) → macro (0.8 + 0.4 + 2/3)/3 = 28/45
     *   p_e = (3·2 + 2·3 + 3·3)/64 = 21/64;  κ = (5/8 − 21/64)/(1 − 21/64) = (19/64)/(43/64) = 19/43
     * </pre>
     */
    @Test
    void threeClassesByHand() {
        for (int classes : new int[] {3, 4}) { // a 4th class never seen leaves the macro averages unchanged
            ConfusionMatrix m = new ConfusionMatrix(classes);
            int[][] pairs = {{0, 0}, {0, 0}, {0, 1}, {1, 1}, {1, 2}, {2, 2}, {2, 2}, {2, 1}};
            for (int[] p : pairs) {
                m.update(p[0], p[1]);
            }
            assertThat(m.count()).isEqualTo(8);
            assertThat(m.accuracy()).isCloseTo(5.0 / 8, within(TOL));
            assertThat(m.precision(0)).isCloseTo(1.0, within(TOL));
            assertThat(m.precision(1)).isCloseTo(1.0 / 3, within(TOL));
            assertThat(m.recall(1)).isCloseTo(0.5, within(TOL));
            assertThat(m.recall(2)).isCloseTo(2.0 / 3, within(TOL));
            assertThat(m.f1(0)).isCloseTo(0.8, within(TOL));
            assertThat(m.f1(1)).isCloseTo(0.4, within(TOL));
            assertThat(m.macroPrecision()).isCloseTo(2.0 / 3, within(TOL));
            assertThat(m.macroRecall()).isCloseTo(11.0 / 18, within(TOL));
            assertThat(m.macroF1()).isCloseTo(28.0 / 45, within(TOL));
            assertThat(m.microPrecision()).isEqualTo(m.accuracy());
            assertThat(m.microRecall()).isEqualTo(m.accuracy());
            assertThat(m.microF1()).isEqualTo(m.accuracy());
            assertThat(m.kappa()).isCloseTo(19.0 / 43, within(TOL));
        }
    }

    /**
     * Binary, positive class 1: (y, ŷ) = (1,1) (1,1) (1,0) (0,1) (0,0) (0,0) (0,0).
     * TP = 2, FN = 1, FP = 1, TN = 3: precision 2/3, recall 2/3, F1 2/3; class 0: precision 3/4, recall 3/4.
     * p_e = (3·3 + 4·4)/49 = 25/49, p_o = 5/7 = 35/49: κ = (10/49)/(24/49) = 5/12.
     */
    @Test
    void binaryByHand() {
        ConfusionMatrix m = new ConfusionMatrix(2);
        int[][] pairs = {{1, 1}, {1, 1}, {1, 0}, {0, 1}, {0, 0}, {0, 0}, {0, 0}};
        for (int[] p : pairs) {
            m.update(p[0], p[1]);
        }
        assertThat(m.precision()).isCloseTo(2.0 / 3, within(TOL));
        assertThat(m.recall()).isCloseTo(2.0 / 3, within(TOL));
        assertThat(m.f1()).isCloseTo(2.0 / 3, within(TOL));
        assertThat(m.precision(0)).isCloseTo(0.75, within(TOL));
        assertThat(m.macroPrecision()).isCloseTo((2.0 / 3 + 0.75) / 2, within(TOL));
        assertThat(m.kappa()).isCloseTo(5.0 / 12, within(TOL));
        assertThat(m.values()).containsKeys("precision", "recall", "f1", "kappa", "f1_macro");
    }

    /** 0/0 is 0 (zero_division=0); a single class always predicted has κ = 0; no example: everything 0. */
    @Test
    void degenerateCases() {
        ConfusionMatrix empty = new ConfusionMatrix(3);
        assertThat(empty.accuracy()).isZero();
        assertThat(empty.macroF1()).isZero();
        assertThat(empty.kappa()).isZero();

        ConfusionMatrix m = new ConfusionMatrix(2);
        m.update(1, 1);
        m.update(1, 1);
        assertThat(m.precision(0)).isZero(); // never predicted
        assertThat(m.recall(0)).isZero();    // never true
        assertThat(m.f1(0)).isZero();
        assertThat(m.macroF1()).isEqualTo(1.0); // only class 1 is present
        assertThat(m.kappa()).isZero();         // p_e = 1

        ConfusionMatrix always0 = new ConfusionMatrix(2);
        always0.update(1, 0); // precision of class 1: 0/0 → 0; recall 0/1
        always0.update(0, 0);
        assertThat(always0.precision()).isZero();
        assertThat(always0.f1()).isZero();
        // p_o = 1/2, p_e = (1·2 + 1·0)/4 = 1/2: κ = 0
        assertThat(always0.kappa()).isZero();
    }

    @Test
    void removeUndoesUpdate() {
        ConfusionMatrix a = new ConfusionMatrix(3);
        ConfusionMatrix b = new ConfusionMatrix(3);
        a.update(0, 1);
        a.update(2, 2);
        a.update(1, 1);
        a.remove(0, 1);
        b.update(2, 2);
        b.update(1, 1);
        assertThat(a.values()).isEqualTo(b.values());
        assertThat(a.count()).isEqualTo(2);
        assertThatThrownBy(() -> b.remove(0, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> b.update(3, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ConfusionMatrix(1)).isInstanceOf(IllegalArgumentException.class);
    }
}
