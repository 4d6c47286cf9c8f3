package dev.metastream.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TransferComparisonTest {

    /**
     * Shared {a .9, b .6, c .7, d .5}, independent {a .8, b .7, c .9, e .1}: common tasks a, b, c with deltas
     * +0.1, −0.1, −0.2; gain = −0.2/3; negative transfer c (−0.2) then b (−0.1); d and e are ignored.
     */
    @Test
    void byHand() {
        TransferComparison c = TransferComparison.of(Map.of("a", 0.9, "b", 0.6, "c", 0.7, "d", 0.5),
                Map.of("a", 0.8, "b", 0.7, "c", 0.9, "e", 0.1));
        assertThat(c.tasks()).extracting(TransferComparison.Task::task).containsExactly("a", "b", "c");
        assertThat(c.gain()).isCloseTo(-0.2 / 3, within(1e-12));
        assertThat(c.negativeTransfer()).extracting(TransferComparison.Task::task).containsExactly("c", "b");
        TransferComparison.Task worst = c.negativeTransfer().get(0);
        assertThat(worst.model()).isEqualTo(0.7);
        assertThat(worst.independent()).isEqualTo(0.9);
        assertThat(worst.delta()).isCloseTo(-0.2, within(1e-12));
    }

    @Test
    void nothingInCommonIsAnError() {
        assertThatThrownBy(() -> TransferComparison.of(Map.of("a", 1.0), Map.of("b", 1.0)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TransferComparison.of(Map.of("a", Double.NaN), Map.of("a", 1.0)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(TransferComparison.of(Map.of("a", 1.0), Map.of("a", 0.5)).negativeTransfer()).isEmpty();
    }
}
