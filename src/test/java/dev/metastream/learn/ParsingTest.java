package dev.metastream.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Name parsing, activation math and seed derivation. */
class ParsingTest {

    @Test
    void activationParseIsCaseInsensitiveAndListsAllowedValues() {
        assertThat(Activation.parse("ReLU")).isEqualTo(Activation.RELU);
        assertThat(Activation.parse(" tanh ")).isEqualTo(Activation.TANH);
        assertThatThrownBy(() -> Activation.parse("gelu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("identity, relu, tanh, sigmoid");
    }

    @Test
    void activationDerivativeFromOutputMatchesFiniteDifference() {
        for (Activation a : Activation.values()) {
            for (float z : new float[] {-2.5f, -0.3f, 0.4f, 1.7f}) {
                double h = 1e-3;
                double num = (GradCheck.act(a, z + h) - GradCheck.act(a, z - h)) / (2 * h);
                assertThat((double) a.derivativeFromOutput(a.apply(z)))
                        .as("%s at %s", a, z).isCloseTo(num, within(1e-5));
            }
        }
        assertThat(Activation.SIGMOID.apply(-200f)).isEqualTo(0f);
        assertThat(Activation.SIGMOID.apply(200f)).isEqualTo(1f);
    }

    @Test
    void taskKindParse() {
        assertThat(TaskKind.parse("Classification")).isEqualTo(TaskKind.CLASSIFICATION);
        assertThat(TaskKind.parse("binary")).isEqualTo(TaskKind.BINARY);
        assertThat(TaskKind.parse("regression").loss()).isEqualTo(Loss.SQUARED_ERROR);
        assertThat(TaskKind.parse("multi-label")).isEqualTo(TaskKind.MULTILABEL);
        assertThat(TaskKind.parse("multilabel").loss()).isEqualTo(Loss.SIGMOID_CROSS_ENTROPY);
        assertThat(TaskKind.CLASSIFICATION.loss()).isEqualTo(Loss.SOFTMAX_CROSS_ENTROPY);
        assertThatThrownBy(() -> TaskKind.parse("ranking"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multi-label");
    }

    @Test
    void seedsAreDeterministicAndSpread() {
        assertThat(Seeds.of("task-a", 3)).isEqualTo(Seeds.of("task-a", 3));
        assertThat(Seeds.of("task-a", 3)).isNotEqualTo(Seeds.of("task-a", 4));
        assertThat(Seeds.of("task-a", 3)).isNotEqualTo(Seeds.of("task-b", 3));
        assertThat(Seeds.mix(1, 2)).isNotEqualTo(Seeds.mix(2, 1));
        // Consecutive counters should flip about half the bits.
        long bits = 0;
        for (int n = 0; n < 1000; n++) {
            bits += Long.bitCount(Seeds.of("t", n) ^ Seeds.of("t", n + 1));
        }
        assertThat(bits / 1000.0).isBetween(28.0, 36.0);
    }
}
