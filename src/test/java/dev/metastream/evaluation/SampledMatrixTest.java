package dev.metastream.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.metastream.eval.AccuracyMatrix;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The sampled figures against {@code eval.AccuracyMatrix} on the whole matrix they were sampled from. */
class SampledMatrixTest {

    /** A random T x T matrix, its baseline, and the entries a sampled protocol measures. */
    private record Whole(double[] b, double[][] r) {
        static Whole random(int t, long seed) {
            Random rnd = new Random(seed);
            double[] b = new double[t];
            double[][] r = new double[t][t];
            for (int j = 0; j < t; j++) {
                b[j] = rnd.nextDouble();
                for (int i = 0; i < t; i++) {
                    r[i][j] = rnd.nextDouble();
                }
            }
            return new Whole(b, r);
        }

        AccuracyMatrix full() {
            AccuracyMatrix m = new AccuracyMatrix(b);
            for (int i = 0; i < r.length; i++) {
                m.recordRow(i, r[i]);
            }
            return m;
        }

        SampledMatrix sampled(int[] rowTasks) {
            int t = b.length;
            double[] diagonal = new double[t];
            double[] before = new double[t];
            for (int j = 0; j < t; j++) {
                diagonal[j] = r[j][j];
                before[j] = j == 0 ? Double.NaN : r[j - 1][j];
            }
            double[][] rows = new double[rowTasks.length][];
            for (int k = 0; k < rowTasks.length; k++) {
                rows[k] = r[rowTasks[k]];
            }
            return new SampledMatrix(b, diagonal, before, rows, rowTasks);
        }
    }

    @Test
    void accBwtAndFwtAreExactlyTheWholeMatrixFiguresAndForgettingIsALowerBound() {
        Whole w = Whole.random(150, 3);
        AccuracyMatrix full = w.full();
        int[] rows = new int[20];
        int k = 0;
        for (int i = 0; i < 150; i++) {
            if (Protocol.fullRow(i, 150)) {
                rows[k++] = i;
            }
        }
        assertThat(k).isEqualTo(20);
        SampledMatrix s = w.sampled(rows);
        assertThat(s.acc()).isEqualTo(full.acc());
        assertThat(s.bwt()).isEqualTo(full.bwt());
        assertThat(s.fwt()).isEqualTo(full.fwt());
        double[] fs = s.forgettingPerTask();
        double[] ff = full.forgettingPerTask();
        assertThat(fs).hasSize(149);
        for (int j = 0; j < fs.length; j++) {
            assertThat(fs[j]).as("task %d", j).isLessThanOrEqualTo(ff[j]);
        }
        assertThat(s.forgetting()).isLessThan(full.forgetting());
    }

    @Test
    void everyRowGivesTheWholeForgetting() {
        Whole w = Whole.random(7, 5);
        int[] all = {0, 1, 2, 3, 4, 5, 6};
        assertThat(w.sampled(all).forgettingPerTask()).containsExactly(w.full().forgettingPerTask());
        assertThat(w.sampled(new int[] {6}).bwt()).isEqualTo(w.full().bwt());
    }

    @Test
    void oneTaskHasNoTransferAndTheLastRowIsRequired() {
        Whole w = Whole.random(1, 1);
        SampledMatrix s = w.sampled(new int[] {0});
        assertThat(s.bwt()).isZero();
        assertThat(s.fwt()).isZero();
        assertThat(s.forgetting()).isZero();
        assertThat(s.acc()).isEqualTo(w.r()[0][0]);
        Whole three = Whole.random(3, 1);
        assertThatThrownBy(() -> three.sampled(new int[] {1})).hasMessageContaining("needs the last row");
    }
}
