package dev.metastream.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class AnytimeAccuracyTest extends StreamingMetricContract<AnytimeAccuracy> {

    @Override
    protected AnytimeAccuracy create() {
        return new AnytimeAccuracy();
    }

    @Override
    protected void feed(AnytimeAccuracy m, Random r) {
        double[] acc = new double[1 + r.nextInt(4)];
        for (int i = 0; i < acc.length; i++) {
            acc[i] = r.nextDouble();
        }
        m.record(100 * (m.count() + 1), acc);
    }

    /**
     * Samples after 100, 200, 300 examples with 1, 2, 3 tasks seen: means 0.5, (0.8 + 0.4)/2 = 0.6,
     * (0.9 + 0.6 + 0.3)/3 = 0.6; anytime accuracy (0.5 + 0.6 + 0.6)/3 = 1.7/3.
     */
    @Test
    void byHand() {
        AnytimeAccuracy a = new AnytimeAccuracy();
        a.record(100, new double[] {0.5});
        a.record(200, new double[] {0.8, 0.4});
        a.record(300, new double[] {0.9, 0.6, 0.3});
        assertThat(a.curve()).extracting(AnytimeAccuracy.Point::examplesSeen).containsExactly(100L, 200L, 300L);
        assertThat(a.curve().get(1).mean()).isCloseTo(0.6, within(1e-12));
        assertThat(a.curve().get(2).mean()).isCloseTo(0.6, within(1e-12));
        assertThat(a.mean()).isCloseTo(1.7 / 3, within(1e-12));
        assertThat(a.values().get("anytime_accuracy_last")).isCloseTo(0.6, within(1e-12));
        assertThatThrownBy(() -> a.record(250, new double[] {1})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> a.record(400, new double[0])).isInstanceOf(IllegalArgumentException.class);
        assertThat(new AnytimeAccuracy().mean()).isZero();
    }
}
